"""The `coopatlas` command line."""

import json
import subprocess
import sys

import pytest

from coopatlas.atlas.models import Partnership
from coopatlas.cli import build_parser, main

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])  # commands migrate both


def test_cli_load_demo_then_check_reports_counts(capsys):
    """load-demo fills the atlas; check then reports the counts and exits 0."""
    # when
    assert main(["load-demo"]) == 0
    # then
    assert Partnership.objects.count() == 15
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Partenariats" in out and "15" in out and "Tout est en ordre" in out


def test_cli_check_flags_an_empty_atlas(capsys):
    """check exits 1 and says what to run when the atlas is empty."""
    assert main(["check"]) == 1
    assert "load-demo" in capsys.readouterr().err


def test_cli_load_demo_twice_creates_nothing_more(capsys):
    """A second load-demo keeps what exists."""
    main(["load-demo"])
    main(["load-demo"])
    assert "0 dossier(s) créé(s)" in capsys.readouterr().out
    assert Partnership.objects.count() == 15


def test_cli_help_lists_every_command():
    """The help names each command."""
    help_text = build_parser().format_help()
    for command in [
        "serve",
        "load-demo",
        "load-reference",
        "check",
        "manage",
        "load-places",
        "resolve",
        "locate",
        "overseas",
        "dedupe",
    ]:
        assert command in help_text


def test_cli_unknown_command_fails_clearly():
    """An unknown command exits with a usage message."""
    result = subprocess.run(
        [sys.executable, "-m", "coopatlas.cli", "fly"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_cli_resolve_json(capsys, resolver):
    """resolve --json prints one JSON object with the match and candidates."""
    import json

    assert main(["resolve", "Francfort", "--country", "DE", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == "Francfort" and data["match"]["name"] == "Frankfurt am Main"
    assert data["match"]["geonames_id"] and data["candidates"][0]["name"] == "Frankfurt am Main"


def test_cli_resolve_reports_no_match_and_bad_country(capsys, resolver):
    """A made-up name exits 1 with the reason; an unknown country exits 2 naming it."""
    assert main(["resolve", "Zorglubville"]) == 1
    assert "aucun lieu" in capsys.readouterr().out
    assert main(["resolve", "Lyon", "--country", "Atlantide"]) == 2
    assert "Atlantide" in capsys.readouterr().err


def test_cli_locate_then_dedupe_dry_run(capsys, resolver):
    """locate ties the demo atlas to places; dedupe --dry-run lists without merging."""
    from coopatlas.atlas.models import Organisation

    main(["load-demo"])
    assert main(["locate"]) == 0
    assert "localisées" in capsys.readouterr().out
    Organisation.objects.create(
        name="Pancevo", kind="foreign_authority", country_id="RS", foreign_level="municipality"
    )
    main(["locate"])
    count = Organisation.objects.count()
    assert main(["dedupe", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Pančevo" in out and "simulation" in out
    assert Organisation.objects.count() == count
    assert main(["dedupe"]) == 0
    assert Organisation.objects.count() == count - 1


def test_cli_overseas_moves_towns_imported_as_foreign_into_france(capsys, resolver):
    """An atlas imported before the rule holds Cilaos as a foreign authority of country RE:
    `overseas` makes it the French commune 97424 and the Chamonix twinning domestic."""
    from coopatlas.atlas.models import Organisation
    from tests.atlas.factories import commune, twinning

    cilaos = Organisation.objects.create(
        name="Cilaos", kind="foreign_authority", country_id="RE", foreign_level="municipality"
    )
    pair = twinning(commune("Chamonix-Mont-Blanc", "74056"), cilaos)
    pair.extra_countries.add("RE")
    # when
    assert main(["overseas"]) == 0
    # then
    cilaos.refresh_from_db()
    assert (cilaos.country_id, cilaos.kind, cilaos.admin_area, cilaos.insee_code) == (
        "FR",
        "commune",
        "La Réunion",
        "97424",
    )
    assert {p.role for p in pair.participations.all()} == {"french_authority"}
    assert not pair.extra_countries.exists()
    assert Partnership.objects.get(pk=pair.pk).is_domestic
    assert "1 organisation(s)" in capsys.readouterr().out
    assert cilaos.history.count() >= 2  # the move is in its history


def test_cli_dedupe_partnerships_dry_run_writes_nothing_then_merges(capsys):
    """dedupe --partnerships --dry-run lists the pair and writes nothing; an editor is refused
    the merge; the administrator merges it, undoable."""
    from coopatlas.accounts.models import RoleKind
    from coopatlas.atlas.models import PartnershipMerge, ProposedChange, Source
    from coopatlas.atlas.services import source_add
    from tests.accounts.factories import account, editor_of
    from tests.atlas.factories import commune, foreign_town, twinning

    # given: Lyon – Birmingham twice, each with a source
    lyon = commune("Lyon", "69123")
    kept = twinning(lyon, foreign_town("Birmingham", "GB"), year=1951)
    removed = twinning(lyon, foreign_town("Birmingham", "GB"), year=1955)
    for partnership in (kept, removed):
        source_add(partnership=partnership, url=f"https://www.lyon.fr/{partnership.pk}", title="Lyon")
    counts = (Partnership.objects.count(), Source.objects.count(), ProposedChange.objects.count())
    # when: a dry run
    assert main(["dedupe", "--partnerships", "--dry-run"]) == 0
    # then: listed, nothing written
    out = capsys.readouterr().out
    assert "simulation" in out and f"#{kept.pk}" in out and f"#{removed.pk}" in out
    assert "Lyon – Birmingham" in out and "même forme" in out
    assert (Partnership.objects.count(), Source.objects.count(), ProposedChange.objects.count()) == counts
    assert not PartnershipMerge.objects.exists()
    # an editor may not merge
    editor_of(lyon)
    assert main(["dedupe", "--partnerships", "--as", "editeur@example.org"]) == 2
    assert "fusionner des partenariats" in capsys.readouterr().err
    assert Partnership.objects.count() == counts[0]
    # the atlas team merges
    account("equipe@example.org", {"kind": RoleKind.ADMINISTRATOR})
    assert main(["dedupe", "--partnerships", "--as", "equipe@example.org"]) == 0
    assert "1 fusion(s) faite(s)" in capsys.readouterr().out
    assert list(Partnership.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Source.objects.filter(partnership=kept).count() == 2
    assert ProposedChange.objects.get().changes == {"start_year": "1955"}
    assert PartnershipMerge.objects.get().merged_by.email == "equipe@example.org"


def test_cli_load_places_refuses_a_missing_file(capsys):
    """load-places --communes with a missing file exits 2 and says which file."""
    assert main(["load-places", "--communes", "/nonexistent/communes.csv"]) == 2
    assert "/nonexistent/communes.csv" in capsys.readouterr().err


def test_cli_dashboard_prints_a_scope_figures_and_refuses_a_bad_scope(capsys, demo_atlas):
    """dashboard --json gives Clermont-Ferrand's figures; an unknown country is refused by name."""
    from coopatlas.atlas.models import Organisation

    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    assert main(["dashboard", "--scope", f"territoire={clermont.pk}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["partners"] == 31 and data["figures"]["countries"][0]["key"] == "ES"
    assert main(["dashboard", "--scope", "pays=ZZ"]) == 2
    assert "ZZ" in capsys.readouterr().err


def test_cli_watch_lists_and_one_list_as_csv(capsys, demo_atlas, tmp_path):
    """watch counts every list; --list writes one as French-Excel CSV; an unknown list is refused."""
    assert main(["watch"]) == 0
    assert "dates-incoherentes" in capsys.readouterr().out
    target = tmp_path / "veille.csv"
    assert main(["watch", "--list", "a-verifier", "-o", str(target)]) == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "\ufeffIdentifiant;Titre;État;Dernière vérification" and len(lines) > 1
    assert main(["watch", "--list", "nulle-part"]) == 2


def test_serve_collects_static_files_only_when_they_changed(tmp_path, settings):
    """Hashing and compressing the static files takes most of a fresh start: done again only when a
    file was added, removed or changed."""
    from coopatlas import cli

    # given
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "a.css").write_text("a{}")
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STATICFILES_DIRS = [str(extra)]
    # when / then
    assert "fichiers collectés" in cli._collect_static_if_changed()
    assert cli._collect_static_if_changed().startswith("à jour")
    (extra / "a.css").write_text("a{color:red}")
    assert "fichiers collectés" in cli._collect_static_if_changed()
    assert (tmp_path / "static" / "a.css").read_text() == "a{color:red}"


def test_serve_collecting_static_files_counts_them_and_drops_what_is_no_longer_listed(tmp_path, settings):
    """Collecting says how far it is, file by file, and leaves only the files listed now."""
    from coopatlas import cli

    # given: a file collected by an earlier start and no longer listed
    settings.STATIC_ROOT = str(tmp_path / "static")
    (tmp_path / "static" / "vendor" / "world-atlas").mkdir(parents=True)
    (tmp_path / "static" / "vendor" / "world-atlas" / "land-10m.json").write_text("{}")
    told = []
    # when
    cli._collect_static_if_changed(told.append)
    # then
    total = len(cli._static_sources()[0])
    assert told[-1] == f"{total}/{total} copiés" and "1/" in told[0]
    assert not (tmp_path / "static" / "vendor" / "world-atlas" / "land-10m.json").exists()
    assert (tmp_path / "static" / "vendor" / "world-atlas" / "countries-110m.json").exists()


def test_serve_prepare_only_says_each_step_then_skips_what_is_done(tmp_path, settings, capsys, resolver):
    """`coopatlas serve --prepare-only` says each start step as it begins and what it did when it
    ends; a second start finds the reference data, the demo atlas and the static files in place."""
    # given: a var/ and static folder of their own
    settings.VAR_DIR = tmp_path
    settings.STATIC_ROOT = str(tmp_path / "static")
    steps = [
        "Base de données",
        "Données de référence",
        "Géographie française et index des lieux du monde",
        "Atlas de démonstration",
        "Localisation des organisations",
        "Index de recherche",
        "Fichiers statiques",
    ]
    # when
    assert main(["serve", "--prepare-only"]) == 0
    first = capsys.readouterr().out
    assert main(["serve", "--prepare-only"]) == 0
    second = capsys.readouterr().out
    # then: each step begins ("…") and ends ("✓ … : what was done (seconds)"), in order
    for out in (first, second):
        lines = out.splitlines()
        begun = [lines.index(f"{step}…") for step in steps]
        ended = [next(i for i, line in enumerate(lines) if line.startswith(f"✓ {step} : ")) for step in steps]
        assert begun == sorted(begun) and all(b < e for b, e in zip(begun, ended, strict=True))
        assert "Prêt à servir" in lines[-1]
    assert "✓ Données de référence : chargées (250 pays" in first
    assert "✓ Données de référence : déjà chargées, même version" in second
    assert "✓ Atlas de démonstration : 16 dossier(s) chargé(s)" in first
    assert "✓ Atlas de démonstration : non chargé, l'atlas a déjà 15 partenariat(s)" in second
    assert "✓ Fichiers statiques : " in first and "fichiers collectés" in first
    assert "✓ Fichiers statiques : à jour" in second


def test_serve_step_speaks_at_least_every_heartbeat_in_a_log(monkeypatch):
    """Outside a terminal (a log, `make run | tee`), a long step prints how far it is at each
    heartbeat: never a silent minute."""
    import io
    import time

    from rich.console import Console

    from coopatlas.cli import StartStep

    # given
    out = io.StringIO()
    monkeypatch.setattr(StartStep, "HEARTBEAT", 0.05)
    # when
    with StartStep("Fichiers statiques", Console(file=out, width=200)).running() as step:
        step.update("3/9 copiés")
        time.sleep(0.3)
        step.result = "9 fichiers collectés"
    # then
    lines = out.getvalue().splitlines()
    assert lines[0] == "Fichiers statiques…"
    assert "  … Fichiers statiques : 3/9 copiés (" in lines[1]
    assert lines[-1].startswith("✓ Fichiers statiques : 9 fichiers collectés (0,")


def test_serve_runs_a_worker_beside_and_stops_it(tmp_path, monkeypatch):
    """`coopatlas serve` starts `coopatlas worker` in a process of its own and ends it when it stops."""
    from coopatlas.cli import _worker_beside

    # given: a var/ folder of its own for the worker's databases
    monkeypatch.setenv("COOPATLAS_VAR_DIR", str(tmp_path))
    # when
    with _worker_beside() as worker:
        running = worker.poll() is None
    # then
    assert running and worker.poll() is not None
