"""The `coopatlas` command: a thin layer over the library's services.

Examples:
    coopatlas serve --port 8000                  # migrate, load reference and demo data if empty, serve
    coopatlas serve --prepare-only               # the same start, step by step, without serving
    coopatlas serve --prod --bind 0.0.0.0:8000   # production: gunicorn, several processes
    coopatlas worker                             # run queued jobs (imports, undo, long pages)
    coopatlas load-places --communes communes.csv  # French geography (+ every commune's point)
    coopatlas resolve "Francfort" --country DE --json
    coopatlas extract page.html --url https://www.ville.fr/jumelages --json  # partnerships a page states
    coopatlas locate                             # tie organisations to places
    coopatlas overseas                           # France overseas imported as foreign → France
    coopatlas dedupe --dry-run                   # list likely duplicate organisations
    coopatlas dedupe --partnerships --dry-run    # list partnerships entered twice
    coopatlas reindex                            # rebuild the full-text search index
    coopatlas dashboard --scope "territoire=9&zone=africa"   # a scope's dashboard figures
    coopatlas watch --list fin-proche --months 6 -o fin.csv  # a watch list as CSV
    coopatlas calendar --scope "pays=RS" -o serbie.ics  # a scope's calendar as an iCal file
    coopatlas declaration-apd --scope "territoire=9" --year 2021 -o apd.xlsx  # yearly APD declaration
    coopatlas send-alerts --dry-run              # the e-mail alerts of the day, without sending
    coopatlas load-demo                          # (re)load the demo atlas; existing records are kept
    coopatlas generate --partnerships 10000 --seed 1  # a synthetic atlas on real places (benchmarks)
    coopatlas check                              # database reachable, migrations applied, data counts
    coopatlas backup /srv/sauvegardes/atlas-$(date +%F).tar.gz  # database + documents, one file
    coopatlas restore atlas-2025-06-01.tar.gz    # into an empty database (--replace: over the present one)
    coopatlas manage createsuperuser             # any Django management command
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from coopatlas.jobs.router import ALIAS, shares_main_database

    call_command("migrate", interactive=False, verbosity=verbosity)
    if ALIAS in settings.DATABASES and not shares_main_database():
        call_command("migrate", database=ALIAS, interactive=False, verbosity=verbosity)
    # The cache's table when COOPATLAS_CACHE_URL=db (nothing otherwise; kept when it exists).
    call_command("createcachetable", verbosity=verbosity)


def cmd_load_reference(args: argparse.Namespace) -> int:
    from coopatlas.atlas.reference.loader import load_reference

    counts = load_reference()
    console.print(
        f"Données de référence : {counts.countries} pays, {counts.themes} thèmes, {counts.sdgs} ODD."
    )
    return 0


def cmd_load_demo(args: argparse.Namespace) -> int:
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.reference.loader import load_reference

    load_reference()
    created = load_demo()
    console.print(f"Atlas de démonstration : {created} dossier(s) créé(s) (les existants sont gardés).")
    return 0


def _load_places(communes: str | None) -> int:
    from coopatlas.places.french import PlacesDataError, load_french_geography
    from coopatlas.places.resolver import get_resolver, reset_resolver

    path = Path(communes) if communes else None
    if path is not None and not path.exists():
        err_console.print(f"[red]Fichier introuvable :[/red] {path}")
        return 2
    try:
        counts = load_french_geography(communes_csv=path)
    except PlacesDataError as exc:
        err_console.print(f"[red]{exc}[/red]")
        return 2
    console.print(
        f"Géographie française : {counts.regions} régions, {counts.departements} départements, "
        f"{counts.epci} EPCI, {counts.communes} communes dont {counts.communes_with_coordinates} localisées."
    )
    reset_resolver()
    with console.status("Index des lieux du monde…"):
        places = len(get_resolver().gazetteer.places)
    console.print(f"Index des lieux : {places:,} lieux.".replace(",", "\u202f"))
    return 0


def cmd_load_places(args: argparse.Namespace) -> int:
    from coopatlas.atlas.reference.loader import load_reference

    load_reference()
    return _load_places(args.communes or os.environ.get("COOPATLAS_COMMUNES_CSV"))


def cmd_resolve(args: argparse.Namespace) -> int:
    from coopatlas.places.learned import learned_names
    from coopatlas.places.resolver import UnknownCountry, get_resolver

    try:
        resolution = get_resolver().resolve(
            args.name, country=args.country, kind=args.kind, admin=args.admin, learned=learned_names()
        )
    except UnknownCountry as exc:
        err_console.print(f"[red]{exc}[/red]")
        return 2
    if args.json:
        print(json.dumps(resolution.as_dict(), ensure_ascii=False))
        return 0 if resolution.match else 1
    if resolution.match:
        m = resolution.match
        code = f"INSEE {m.insee_code}" if m.insee_code else f"GeoNames {m.geonames_id or '—'}"
        console.print(
            f"[green]{m.name}[/green] ({m.kind}, {m.country_iso2}, {code}) "
            f"{m.latitude}, {m.longitude} — confiance {resolution.confidence:.2f} — {resolution.reason}"
        )
    else:
        console.print(f"[yellow]Pas de lieu retenu[/yellow] : {resolution.reason}")
    for candidate in resolution.candidates[1 if resolution.match else 0 :]:
        p = candidate.place
        console.print(
            f"  · {p.name} ({p.kind}, {p.country_iso2}, {p.admin2 or p.admin1 or '—'}) "
            f"score {candidate.score:.2f} — {candidate.reason}"
        )
    return 0 if resolution.match else 1


def cmd_train_extractor(args: argparse.Namespace) -> int:
    from coopatlas.extraction import training, vocabulary

    folders = [Path(folder) for folder in args.folders]
    missing = [str(folder) for folder in folders if not folder.exists()]
    if missing:
        err_console.print(f"[red]Dossier introuvable : {', '.join(missing)}[/red] (folder not found)")
        return 2
    if args.twin_towns is not None:
        if not args.twin_towns.exists():
            err_console.print(f"[red]Fichier introuvable : {args.twin_towns}[/red] (file not found)")
            return 2
        counts = training.partner_country_counts(args.twin_towns)
        if args.dry_run:  # the candidates the model is trained on use these counts
            vocabulary.PARTNER_COUNTRIES_TRIED = counts["counts"]
        else:
            training.write_partner_countries(counts)
        console.print(
            f"Pays partenaires : {sum(counts['counts'].values())} jumelages dans {len(counts['counts'])} pays"
            f" ({sum(counts['unread'].values())} pays non lus)."
        )
    model = training.train(folders)
    if args.dry_run:
        print(json.dumps(model["trained_on"], ensure_ascii=False, indent=1))
        return 0
    training.write_model(model)
    facts = model["trained_on"]
    proposed, sure = facts["out_of_fold_proposed"], facts["out_of_fold_sure"]
    console.print(
        f"Modèle entraîné sur {facts['pages']} pages, {facts['candidates']} candidats "
        f"({facts['positive_candidates']} justes). Hors pli, candidats proposés : précision "
        f"{proposed['precision']:.3f}, rappel {proposed['recall']:.3f}, F1 {proposed['f1']:.3f} ; "
        f"candidats sûrs : précision {sure['precision']:.3f}, rappel {sure['recall']:.3f}."
    )
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from coopatlas.extraction.pages import MAX_INPUT_BYTES, PageError
    from coopatlas.extraction.service import extract_text

    try:
        if args.source == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            path = Path(args.source)
            if not path.is_file():
                err_console.print(f"[red]Fichier introuvable : {args.source}[/red] (file not found)")
                return 2
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        page, candidates = extract_text(
            data, url=args.url or "", base_authority=args.base_authority, lang=args.lang
        )
    except PageError as error:
        err_console.print(f"[red]{error.fr}[/red]\n{error.en}")
        return 2
    if args.json:
        print(json.dumps(candidates, ensure_ascii=False, indent=2))
        return 0
    if not candidates:
        console.print("Aucun partenariat trouvé dans cette page. (No partnership found in this page.)")
        return 0
    table = Table(title=page.title[:80] or None)
    for column in ("Collectivité française", "Partenaire", "Pays", "Année", "Forme", "Confiance"):
        table.add_column(column)
    for item in candidates:
        table.add_row(
            item["french_authority"] or "—",
            item["foreign_authority"],
            item["country"],
            str(item["year"] or "—"),
            item["kind"],
            f"{item['confidence']:.2f}",
        )
    console.print(table)
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    from coopatlas.atlas.localisation import organisations_locate

    with console.status("Localisation des organisations…"):
        counts = organisations_locate(redo=args.all)
    console.print(f"Organisations : {_located_summary(counts)}.")
    return 0


def _located_summary(counts) -> str:
    labels = {
        "resolved": "localisées",
        "manual": "choisies à la main",
        "ambiguous": "ambiguës",
        "unresolved": "introuvables",
        "not_a_place": "sans lieu",
    }
    return ", ".join(f"{n} {labels.get(k, k)}" for k, n in sorted(counts.items())) or "rien à localiser"


def cmd_reindex(args: argparse.Namespace) -> int:
    from coopatlas.search.index import reindex

    console.print(f"Index de recherche : {reindex()} partenariat(s) indexé(s).")
    return 0


def _index_if_stale() -> int | None:
    """Rebuild the search index when it does not hold every partnership; return how many were
    indexed, or None when it was current."""
    from coopatlas.search.index import is_stale, reindex

    return reindex() if is_stale() else None


def _static_sources() -> tuple[list[tuple[str, object]], str]:
    """The files collectstatic would copy (path and storage) and a digest of their names, sizes and
    times, and of the storage that hashes them."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    sources = [
        (path, storage) for finder in get_finders() for path, storage in finder.list(["CVS", ".*", "*~"])
    ]
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for path, storage in sources:
        stat = Path(storage.path(path)).stat()
        prefix = getattr(storage, "prefix", None) or ""
        digest.update(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return sources, digest.hexdigest()


def _collect_static_if_changed(update=lambda text: None) -> str:
    """Run collectstatic (hashing and compressing every file: most of a fresh start's time) only
    when a static file was added, removed or changed since the last run; return what was done.
    `update` is told how far it is ("120/157 copiés")."""
    from django.conf import settings
    from django.contrib.staticfiles.management.commands.collectstatic import Command as Collect
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    sources, digest = _static_sources()
    root = Path(settings.STATIC_ROOT)
    stamp = root / ".sources"
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if stamp.exists() and stamp.read_text() == digest and (manifest is None or (root / manifest).exists()):
        return f"à jour ({len(sources)} fichiers)"
    total = len(sources)
    counts = {"copied": 0, "processed": 0}

    class CountedCollect(Collect):
        def copy_file(self, path, prefixed_path, source_storage):
            super().copy_file(path, prefixed_path, source_storage)
            counts["copied"] += 1
            update(f"{counts['copied']}/{total} copiés")

        def log(self, msg, level=2):
            if msg.startswith("Post-processed"):
                counts["processed"] += 1
                update(f"{total} copiés, {counts['processed']} hachés ou compressés")
            super().log(msg, level)

    # Cleared first: what is no longer listed (an older whole npm package) is not served any more.
    call_command(CountedCollect(), interactive=False, verbosity=0, clear=True)
    stamp.write_text(digest)
    size = f"{sum(path.stat().st_size for path in root.rglob('*') if path.is_file()) / 1e6:.1f}"
    return f"{total} fichiers collectés ({size.replace('.', ',')} Mo avec les copies hachées et compressées)"


def _reference_version() -> str:
    """A digest of the reference data this code holds (countries, themes, SDGs): the data in the
    database is at this version when it was loaded from the same."""
    import hashlib

    from coopatlas.atlas.reference.themes import SDGS, THEMES
    from coopatlas.places.countries import iter_countries

    return hashlib.sha256(repr((list(iter_countries()), THEMES, SDGS)).encode()).hexdigest()


def _reference_stamp() -> tuple[Path, str]:
    """The file in var/ that keeps, per database, the reference version loaded in it, and this
    database's key in it."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    key = f"{db['ENGINE']}:{db['HOST']}:{db['PORT']}:{db['NAME']}"
    return Path(settings.VAR_DIR) / "reference-version.json", key


def _load_reference_if_changed() -> str:
    """Load countries, themes and SDGs unless this database holds them at this version already."""
    from coopatlas.atlas.models import SustainableDevelopmentGoal, Theme
    from coopatlas.atlas.reference.loader import load_reference
    from coopatlas.atlas.reference.themes import SDGS
    from coopatlas.places.models import Country

    path, key = _reference_stamp()
    version = _reference_version()
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        loaded = {}
    if (
        loaded.get(key) == version
        and Country.objects.count() >= 249
        and Theme.objects.exists()
        and SustainableDevelopmentGoal.objects.count() == len(SDGS)
    ):
        counts = (Country.objects.count(), Theme.objects.count(), SustainableDevelopmentGoal.objects.count())
        return "déjà chargées, même version ({} pays, {} thèmes, {} ODD)".format(*counts)
    counts = load_reference()
    path.write_text(json.dumps(loaded | {key: version}, indent=1))
    return f"chargées ({counts.countries} pays, {counts.themes} thèmes, {counts.sdgs} ODD)"


def cmd_dedupe(args: argparse.Namespace) -> int:
    if args.partnerships:
        return _dedupe_partnerships(args)
    from coopatlas.atlas.duplicates import find_duplicates
    from coopatlas.atlas.services.merges import organisations_merge

    pairs = find_duplicates()
    table = Table(title=f"{len(pairs)} doublon(s) probable(s)" + (" — simulation" if args.dry_run else ""))
    for column in ("gardée", "fusionnée", "pays", "motif"):
        table.add_column(column)
    for pair in pairs:
        table.add_row(
            f"{pair.survivor} (#{pair.survivor.pk})",
            f"{pair.duplicate} (#{pair.duplicate.pk})",
            pair.survivor.country_id,
            pair.reason,
        )
    console.print(table)
    if args.dry_run or not pairs:
        return 0
    user, failed = _acting_user(args)
    if failed:
        return failed
    for pair in pairs:
        organisations_merge(
            survivor=pair.survivor, duplicate=pair.duplicate, reason=pair.reason, acting_user=user
        )
    console.print(
        f"{len(pairs)} fusion(s) faite(s) ; chacune peut être annulée depuis le back-office "
        "(Fusions d'organisations)."
    )
    return 0


def cmd_overseas(args: argparse.Namespace) -> int:
    from coopatlas.atlas.localisation import organisations_locate
    from coopatlas.atlas.models import FRANCE, Organisation
    from coopatlas.atlas.services.overseas import overseas_into_france

    user, failed = _acting_user(args)
    if failed:
        return failed
    moved = overseas_into_france(acting_user=user)
    console.print(
        f"Outre-mer placé en France : {moved.organisations} organisation(s), "
        f"{moved.participations} participation(s) passée(s) au rôle de collectivité française, "
        f"{moved.partnerships} partenariat(s) sans pays d'outre-mer nommé."
    )
    if moved.organisations:
        pending = Organisation.objects.filter(country_id=FRANCE, place_status="pending")
        with console.status("Localisation parmi les communes…"):
            counts = organisations_locate(pending)
        console.print(
            f"Organisations : {_located_summary(counts)}. Puis : coopatlas dedupe --dry-run "
            "(les villes en double), coopatlas dedupe --partnerships --dry-run "
            "(les paires lues des deux côtés)."
        )
    return 0


def _dedupe_partnerships(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied

    from coopatlas.atlas.duplicates import find_partnership_duplicates
    from coopatlas.atlas.services.merges import partnerships_merge

    pairs = find_partnership_duplicates()
    table = Table(title=f"{len(pairs)} partenariat(s) en double" + (" — simulation" if args.dry_run else ""))
    for column in ("gardé", "fusionné", "partenaires", "motif"):
        table.add_column(column)
    for pair in pairs:
        table.add_row(
            f"{pair.survivor} (#{pair.survivor.pk})",
            f"{pair.duplicate} (#{pair.duplicate.pk})",
            pair.partners,
            pair.reason,
        )
    console.print(table)
    if args.dry_run or not pairs:
        return 0
    user, failed = _acting_user(args)
    if failed:
        return failed
    done, refused = 0, []
    for pair in pairs:
        try:
            partnerships_merge(
                survivor=pair.survivor, duplicate=pair.duplicate, reason=pair.reason, acting_user=user
            )
        except PermissionDenied as exc:
            err_console.print(f"[red]Fusion refusée[/red] : {exc}")
            return 2
        except ValueError as exc:  # changed since it was found (another merge, an edit)
            refused.append(str(exc))
        else:
            done += 1
    for reason in refused:
        console.print(f"  non fusionné : {reason}")
    console.print(
        f"{done} fusion(s) faite(s) ; chacune peut être annulée depuis le back-office "
        "(Fusions de partenariats). Les valeurs différentes du doublon attendent en revue."
    )
    return 0 if not refused else 1


def mapping_text(value: str | None) -> str | None:
    """The mapping given on the command line: the content of the file it names, else the text
    itself. Only the command line reads a mapping file (the person running it reads the server's
    files anyway); the import service takes text, so a mapping from the web or the API is never
    a path."""
    if not value:
        return value
    from coopatlas.ingest.errors import FileRejected
    from coopatlas.ingest.readers.table import MAX_MAPPING_CHARS

    try:
        path = Path(value)
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long or with a NUL is text, not a file
        is_file = False
    if not is_file:
        return value
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        text = handle.read(MAX_MAPPING_CHARS + 1)
    if len(text) > MAX_MAPPING_CHARS:
        raise FileRejected(
            f"Fichier de correspondance {path.name} trop long ({MAX_MAPPING_CHARS} caractères au plus).",
            f"Mapping file {path.name} too long ({MAX_MAPPING_CHARS} characters at most).",
        )
    return text


def cmd_import(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from coopatlas.ingest.errors import FileRejected, WriteBusy
    from coopatlas.ingest.service import ImportRequest, import_file, write_report

    try:
        mapping = mapping_text(args.mapping)
    except FileRejected as exc:
        err_console.print(f"[red]Fichier refusé[/red] : {escape(exc.fr)}", highlight=False)
        return 2
    user, failed = _acting_user(args)
    if failed:
        return failed
    request = ImportRequest(
        acting_user=user,
        path=Path(args.file),
        source=args.source,
        dry_run=args.dry_run,
        skip_invalid=args.skip_invalid,
        mapping=mapping,
        encoding=args.encoding,
        delimiter=args.delimiter,
        sheet=args.sheet,
        all_pairs=args.all,
        publication_state=args.state,
        personal_data=args.personal_data,
    )
    columns = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TextColumn("{task.fields[rows]} lignes · {task.fields[speed]} lignes/s"),
        TimeElapsedColumn(),
    ]
    import time

    started = time.monotonic()
    # On a terminal, a live bar; in a log (cron, CI), a plain line every 500 rows.
    live = err_console.is_terminal and not args.quiet
    logged = {"rows": 0}
    with Progress(*columns, console=err_console, transient=False, disable=not live) as progress:
        task = progress.add_task(f"Import {request.path.name}", total=1, rows=0, speed=0)

        def on_progress(rows: int, done: int, total: int) -> None:
            speed = int(rows / max(time.monotonic() - started, 1e-6))
            progress.update(task, completed=done, total=total or 1, rows=rows, speed=speed)
            if not live and not args.quiet and rows - logged["rows"] >= 500:
                logged["rows"] = rows
                print(f"import {request.path.name} : {rows} lignes ({speed}/s)", file=sys.stderr, flush=True)

        try:
            report, notes = import_file(request, progress=on_progress)
        except WriteBusy as exc:
            err_console.print(f"[red]Import impossible pour l'instant[/red] : {exc.fr}")
            return 2
        except FileRejected as exc:
            err_console.print(f"[red]Fichier refusé[/red] : {escape(exc.fr)}", highlight=False)
            return 2
        progress.update(task, completed=progress.tasks[0].total)
    if args.report:
        write_report(report, Path(args.report))
    if args.json:
        print(json.dumps(report.as_dict() | {"notes": notes}, ensure_ascii=False, indent=2))
    else:
        console.print(" · ".join(notes))
        for error in report.errors[:30]:
            console.print(f"[red]rejeté[/red] {error}", markup=True, highlight=False)
        if len(report.errors) > 30:
            console.print(
                f"… et {len(report.errors) - 30} autre(s) (--report FICHIER pour la liste complète)"
            )
        for conflict in report.conflicts[:10]:
            console.print(f"[yellow]conflit[/yellow] {conflict}", highlight=False)
        speed = report.rows / report.seconds if report.seconds else 0
        console.print(
            f"{report.summary_fr()} — {report.rows} lignes en {report.seconds:.1f} s ({speed:.0f}/s)."
        )
        if args.dry_run:
            console.print("Simulation : rien n'a été écrit.")
        elif report.rolled_back:
            console.print(
                "[red]Rien n'a été importé[/red] : des lignes sont rejetées. Corrigez-les, ou relancez avec "
                "--skip-invalid pour importer les lignes valides."
            )
        else:
            console.print(
                f"Lot d'import n° {report.batch_id} (annulable : "
                f"coopatlas undo-import {report.batch_id} --as UTILISATEUR)."
            )
    return 1 if report.errors and not args.skip_invalid else 0


def cmd_generate(args: argparse.Namespace) -> int:
    import time

    from django.db import OperationalError

    from coopatlas.ingest.errors import WriteBusy, is_lock_error
    from coopatlas.ingest.synthetic import GenerateError, check_arguments, generate

    try:
        count, _seed = check_arguments(args.partnerships, args.seed)
    except GenerateError as exc:
        err_console.print(f"[red]Génération refusée[/red] : {exc.fr}", highlight=False)
        return 2
    started = time.monotonic()
    logged = {"rows": 0}

    def on_progress(rows: int) -> None:
        if not args.quiet and rows - logged["rows"] >= 10_000:
            logged["rows"] = rows
            speed = int(rows / max(time.monotonic() - started, 1e-6))
            print(f"generate : {rows}/{count} partenariats ({speed}/s)", file=sys.stderr, flush=True)

    try:
        report = generate(
            partnerships=args.partnerships, seed=args.seed, force=args.force, progress=on_progress
        )
    except GenerateError as exc:
        err_console.print(f"[red]Génération refusée[/red] : {exc.fr}", highlight=False)
        return 2
    except OperationalError as exc:
        if is_lock_error(exc):
            err_console.print(f"[red]Génération impossible pour l'instant[/red] : {WriteBusy().fr}")
            return 2
        raise
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for error in report.errors[:10]:
            console.print(f"[red]rejeté[/red] {error}", markup=True, highlight=False)
        console.print(
            f"Atlas synthétique : {report.summary_fr()} — {report.rows} partenariats en "
            f"{report.seconds:.1f} s ({report.rows / max(report.seconds, 1e-6):.0f}/s). "
            f"Lot d'import n° {report.batch_id} « données synthétiques » "
            f"(annulable : coopatlas undo-import {report.batch_id} --as UTILISATEUR)."
        )
    return 1 if report.errors else 0


def cmd_export(args: argparse.Namespace) -> int:
    from coopatlas.exports.selection import SelectionError, select
    from coopatlas.exports.service import export

    try:
        selection = select(args.query or "", published_only=args.published_only)
    except SelectionError as exc:
        err_console.print(f"[red]Filtres refusés[/red] : {exc}")
        return 2
    path = Path(args.output)
    count = export(
        args.format, selection, path, personal_data=args.personal_data, decimal_comma=args.decimal_comma
    )
    note = (
        "avec les données personnelles (contacts, volontaires)"
        if args.personal_data
        else "sans données personnelles (contacts et volontaires exclus)"
    )
    console.print(
        f"{count} partenariat(s) exporté(s) vers {path} ({args.format}, {selection.description}), {note}."
    )
    return 0


def _scope(text: str):
    from django.http import QueryDict

    from coopatlas.insights.dashboard import scope_from

    query, params = scope_from(QueryDict(text.lstrip("?"), mutable=False))
    if query.errors:
        for error in query.errors:
            err_console.print(f"[red]Périmètre refusé[/red] : {error}")
        return None, params
    return query, params


def cmd_dashboard(args: argparse.Namespace) -> int:
    from coopatlas.atlas.models import Partnership
    from coopatlas.insights.dashboard import build

    query, params = _scope(args.scope or "")
    if query is None:
        return 2
    board = build(query, Partnership.objects.published(), grouping=args.grouping or "")
    if args.json:
        data = {
            "scope": params,
            "totals": {row.key: row.value for row in board.totals},
            "figures": {
                name: [{"key": r.key, "label": r.label, "value": r.value} for r in figure.rows]
                for name, figure in board.figures.items()
            },
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))  # noqa: T201 - the command's output
        return 0
    console.print(" · ".join(f"{row.label} : [bold]{row.value:,.0f}[/bold]" for row in board.totals))
    for figure in board.figures.values():
        table = Table(title=figure.title, title_justify="left")
        for index, column in enumerate(figure.columns):
            table.add_column(column, justify="left" if index == 0 else "right")
        for cells in figure.table()[: args.top]:
            table.add_row(*(f"{c:,.0f}" if isinstance(c, int | float) else str(c) for c in cells))
        console.print(table)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from coopatlas.atlas.models import Partnership
    from coopatlas.exports.tabular import table_csv
    from coopatlas.insights import watch

    query, _params = _scope(args.scope or "")
    if query is None:
        return 2
    limit = 0 if args.list is None else None  # the counts alone, or one whole list
    lists = {
        w.name: w for w in watch.build(query, Partnership.objects.all(), months=args.months, limit=limit)
    }
    if args.list is None:
        for w in lists.values():
            console.print(f"{w.name:<20} {w.count:>7}  {w.title}")
        return 0
    if args.list not in lists:
        err_console.print(f"[red]Liste inconnue[/red] : {args.list} (au choix : {', '.join(lists)}).")
        return 2
    chosen = lists[args.list]
    text = table_csv(chosen.columns, [item.cells for item in chosen.items])
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        console.print(f"{len(chosen.items)} ligne(s) écrite(s) dans {args.output} ({chosen.title}).")
    else:
        sys.stdout.write(text)
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    import datetime
    from urllib.parse import urlsplit

    from django.utils import timezone

    from coopatlas.atlas.models import Partnership
    from coopatlas.insights import calendar as agenda

    query, _params = _scope(args.scope or "")
    if query is None:
        return 2
    errors: list[str] = []
    window = agenda.read_window(
        {"depuis": args.start or "", "mois": str(args.months)}, timezone.localdate(), errors
    )
    site = urlsplit(args.site)
    if errors or site.scheme not in ("http", "https") or not site.hostname:
        for error in errors or [f"adresse du site attendue (https://…), pas « {args.site} »"]:
            err_console.print(f"[red]Calendrier refusé[/red] : {error}")
        return 2
    chosen = agenda.build(query, Partnership.objects.published(), window)
    body = agenda.as_ical(
        chosen,
        name="coopatlas · Calendrier des partenariats",
        host=site.hostname,
        base_url=f"{site.scheme}://{site.netloc}",
        stamp=datetime.datetime.now(datetime.UTC),
    )
    Path(args.output).write_bytes(body)
    last = window.end - datetime.timedelta(days=1)
    cut = f" (les {len(chosen.happenings)} premiers sur {chosen.count})" if chosen.truncated else ""
    console.print(
        f"{len(chosen.happenings)} événement(s){cut} du {window.start:%d/%m/%Y} au {last:%d/%m/%Y} "
        f"écrit(s) dans {args.output}."
    )
    return 0


def cmd_oda_declaration(args: argparse.Namespace) -> int:
    from coopatlas.atlas.models import Partnership
    from coopatlas.exports.tabular import table_csv, tables_xlsx
    from coopatlas.insights import oda

    query, _params = _scope(args.scope or "")
    if query is None:
        return 2
    years, refused = oda.parse_years(args.year or [])
    if refused:
        err_console.print(f"[red]Année(s) refusée(s)[/red] : {', '.join(refused)} (ex. 2021 ou 2020-2021).")
        return 2
    result = oda.build(query.filtered(Partnership.objects.published(), text=False), years=years or None)
    header, rows = oda.table(result)
    if args.output:
        path = Path(args.output)
        if path.suffix.lower() == ".xlsx":
            unattributed = oda.unattributed_table(result)
            path.write_bytes(tables_xlsx([("Par pays", header, rows), ("Non attribué", *unattributed)]))
        else:
            path.write_text(table_csv(header, rows), encoding="utf-8")
    table = Table(
        "Année", "Total (€)", "À déclarer (€)", "dont 1 % eau (€)", "Hors liste CAD (€)", "Non attribué (€)"
    )
    for summary in result.years:
        table.add_row(
            str(summary.year),
            _euros(summary.total.total),
            _euros(summary.declarable.total),
            _euros(summary.declarable.water),
            _euros(summary.not_eligible.total),
            _euros(summary.unattributed.total),
        )
    console.print(table)
    if result.unattributed:
        console.print(
            f"{len(result.unattributed)} ligne(s) de financement non attribuée(s) à un pays "
            "(le pays bénéficiaire n'est pas dit et le partenariat en a plusieurs, ou aucun)."
        )
    if args.output:
        console.print(f"Écrit dans {args.output}.")
    return 0


def _euros(amount) -> str:
    return f"{amount:,.0f}".replace(",", "\u202f")


def cmd_send_alerts(args: argparse.Namespace) -> int:
    import datetime

    from rich.markup import escape

    from coopatlas.alerts.models import AlertKind
    from coopatlas.alerts.services import send_alerts

    try:
        today = datetime.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        err_console.print(f"[red]Date illisible[/red] : --today {escape(args.today)} (attendu AAAA-MM-JJ).")
        return 2
    outcome = send_alerts(today=today, dry_run=args.dry_run)
    if args.dry_run:
        for alerts in outcome.planned:
            console.print(
                f"[bold]{escape(alerts.user.email)}[/bold] ({alerts.language}) : {alerts.count} élément(s)"
            )
            for section in alerts.sections:
                console.print(f"  {escape(section.heading)}")
                for item in section.items:
                    console.print(f"    - {escape(item.title)} — {escape(item.detail)}")
    table = Table(title="Alertes (essai : rien n'est envoyé)" if args.dry_run else "Alertes envoyées")
    table.add_column("alerte")
    table.add_column("éléments", justify="right")
    for kind in AlertKind:
        table.add_row(str(kind.label), str(outcome.items.get(kind.value, 0)))
    console.print(table)
    verb = "à envoyer" if args.dry_run else "envoyé(s)"
    console.print(
        f"{outcome.emails} e-mail(s) {verb} ; {outcome.without_address} compte(s) sans adresse ; "
        f"{len(outcome.failed)} échec(s)."
    )
    for failure in outcome.failed:
        err_console.print(f"[red]Échec[/red] : {escape(failure)}")
    return 1 if outcome.failed else 0


def _user_named(name: str):
    """Return the active user whose username, else whose e-mail address (if only one has it), is `name`."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if user := users.filter(username=name).first():
        return user
    matches = list(users.filter(email__iexact=name)[:2])
    return matches[0] if len(matches) == 1 else None


def _acting_user(args: argparse.Namespace):
    """Return (the user named by --as, None) or (None, an exit code) when it names nobody; with
    no --as, (None, None): the command acts as the system, that is as an administrator (the
    person running the server's commands already holds its data)."""
    name = getattr(args, "acting_as", None)
    if not name:
        return None, None
    user = _user_named(name)
    if user is None:
        err_console.print(f"[red]Utilisateur inconnu[/red] : {name} (identifiant ou courriel).")
        return None, 2
    return user, None


def _add_acting_as(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="acting_as",
        metavar="UTILISATEUR",
        help="au nom de qui (identifiant ou courriel) : ses rôles s'appliquent et l'historique le nomme "
        "(sans --as : l'administrateur)",
    )


def cmd_publish_batch(args: argparse.Namespace) -> int:
    from coopatlas.atlas.models import ImportBatch, Partnership
    from coopatlas.atlas.services.workflow import partnerships_publish

    user, failed = _acting_user(args)
    if failed:
        return failed
    batch = ImportBatch.objects.filter(pk=args.batch).first()
    if batch is None:
        err_console.print(f"[red]Lot d'import inconnu[/red] : {args.batch} (voir coopatlas imports).")
        return 2
    drafts = Partnership.objects.filter(created_by_batch=batch, publication_state__in=["draft", "submitted"])
    outcome = partnerships_publish(
        drafts.order_by("pk").iterator(chunk_size=2000), acting_user=user, batch=batch
    )
    console.print(
        f"Lot {batch.pk} : {outcome.published} partenariat(s) publié(s), {len(outcome.refused)} refusé(s)."
    )
    for partnership, reason in outcome.refused[:20]:
        console.print(f"  refusé : {partnership} — {reason}")
    return 0 if not outcome.refused else 1


def cmd_grant_role(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError

    from coopatlas.accounts.services import role_grant
    from coopatlas.atlas.models import Organisation
    from coopatlas.places.models import Departement, Region

    acting, failed = _acting_user(args)
    if failed:
        return failed
    user = _user_named(args.user)
    if user is None:
        err_console.print(f"[red]Utilisateur inconnu[/red] : {args.user} (identifiant ou courriel).")
        return 2
    organisation = region = departement = None
    if args.organisation:
        organisation = Organisation.objects.filter(insee_code=args.organisation).order_by("kind").first() or (
            Organisation.objects.filter(pk=int(args.organisation)).first()
            if args.organisation.isdecimal()
            else None
        )
        if organisation is None:
            err_console.print(
                f"[red]Organisation inconnue[/red] : {args.organisation} (code INSEE ou numéro)."
            )
            return 2
    if args.region and (region := Region.objects.filter(code=args.region).first()) is None:
        err_console.print(f"[red]Région inconnue[/red] : {args.region} (code INSEE, ex. 32).")
        return 2
    if (
        args.departement
        and (departement := Departement.objects.filter(code=args.departement).first()) is None
    ):
        err_console.print(f"[red]Département inconnu[/red] : {args.departement} (ex. 59).")
        return 2
    try:
        role = role_grant(
            user=user,
            kind=args.role,
            acting_user=acting,
            organisation=organisation,
            region=region,
            departement=departement,
            may_publish=args.may_publish,
        )
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        err_console.print(f"[red]Rôle refusé[/red] : {message}")
        return 2
    console.print(f"{user.email or user.get_username()} : {role}.")
    return 0


def cmd_undo_import(args: argparse.Namespace) -> int:
    from coopatlas.atlas.models import ImportBatch
    from coopatlas.atlas.services.undo import UndoError, batch_undo

    batch = ImportBatch.objects.filter(pk=args.batch).first()
    if batch is None:
        err_console.print(f"[red]Lot d'import inconnu[/red] : {args.batch} (voir coopatlas imports).")
        return 2
    # An undo removes published work: it is done in a named user's name (recorded in the
    # history) and under the same rule as on the web, never anonymously.
    if not args.acting_as:
        err_console.print(
            "[red]Indiquez au nom de qui annuler[/red] : --as IDENTIFIANT_OU_COURRIEL (l'auteur du lot, "
            "ou un utilisateur ayant le droit de supprimer des partenariats)."
        )
        return 2
    user = _user_named(args.acting_as)
    if user is None:
        err_console.print(f"[red]Utilisateur inconnu[/red] : {args.acting_as} (identifiant ou courriel).")
        return 2
    try:
        counts = batch_undo(batch, acting_user=user)
    except UndoError as exc:
        err_console.print(f"[red]{exc}[/red]")
        return 2
    console.print(
        f"Lot {batch.pk} annulé : {counts['removed']} partenariat(s) retiré(s), {counts['restored']} "
        f"rétabli(s), {counts['organisations_removed']} organisation(s) retirée(s)"
        + (
            f", {counts['organisations_kept']} gardée(s) car utilisées ailleurs"
            if counts["organisations_kept"]
            else ""
        )
        + "."
    )
    return 0


def cmd_imports(args: argparse.Namespace) -> int:
    from coopatlas.atlas.models import ImportBatch

    table = Table(title="Lots d'import")
    for column in ("n°", "source", "fichier", "par", "le", "créés", "mis à jour", "rejetés", "annulé"):
        table.add_column(column)
    for batch in ImportBatch.objects.select_related("created_by")[: args.limit]:
        counts = batch.counts or {}
        table.add_row(
            str(batch.pk),
            batch.source_label,
            batch.file_name,
            str(batch.created_by or "—"),
            f"{batch.started_at:%d/%m/%Y %H:%M}",
            str(counts.get("created", 0)),
            str(counts.get("updated", 0)),
            str(counts.get("rejected", 0)),
            f"{batch.undone_at:%d/%m/%Y}" if batch.undone_at else "",
        )
    console.print(table)
    return 0


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def cmd_check(args: argparse.Namespace) -> int:
    from django.db import connection

    problems: list[str] = []
    try:
        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 — any driver error means "unreachable"
        err_console.print(f"[red]Base de données injoignable[/red] ({connection.vendor}) : {exc}")
        return 2
    pending = _pending_migrations()
    if pending:
        problems.append(f"{len(pending)} migration(s) non appliquée(s) : {', '.join(pending[:5])}")
    table = Table(title=f"coopatlas · base {connection.vendor} « {connection.settings_dict['NAME']} »")
    table.add_column("Donnée")
    table.add_column("Nombre", justify="right")
    if not pending:
        from coopatlas.atlas.models import Organisation, Partnership, SustainableDevelopmentGoal, Theme
        from coopatlas.places.models import Country

        counts = {
            "Pays": Country.objects.count(),
            "Thèmes": Theme.objects.count(),
            "ODD": SustainableDevelopmentGoal.objects.count(),
            "Organisations": Organisation.objects.count(),
            "Partenariats": Partnership.objects.count(),
            "Partenariats publiés": Partnership.objects.published().count(),
        }
        for label, value in counts.items():
            table.add_row(label, str(value))
        if counts["Pays"] < 249 or counts["ODD"] != 17 or counts["Thèmes"] == 0:
            problems.append("données de référence incomplètes : lancez `coopatlas load-reference`")
        if counts["Partenariats"] == 0:
            problems.append("atlas vide : lancez `coopatlas load-demo` ou un import")
    console.print(table)
    for problem in problems:
        err_console.print(f"[yellow]• {problem}[/yellow]")
    if not problems:
        console.print("[green]Tout est en ordre.[/green]")
    return 1 if problems else 0


def settings_banner() -> str:
    """The settings module in force and whether DEBUG is on, for the server's first line."""
    from django.conf import settings

    debug = "[bold red]DEBUG activé[/bold red]" if settings.DEBUG else "DEBUG désactivé"
    return f"Réglages : {settings.SETTINGS_MODULE} ({debug})"


class StartStep:
    """One step of `coopatlas serve`'s start, as the person who ran it sees it: `label…` when it
    begins, then `✓ label : result (seconds)`. In between, a spinner with the elapsed time (and how
    far it is, when the step knows) on a terminal; in a log, a line every HEARTBEAT seconds. There is
    never a silent minute."""

    HEARTBEAT = 15.0

    def __init__(self, label: str, out: Console) -> None:
        self.label, self.out, self.result, self.detail = label, out, "", ""

    def update(self, detail: str) -> None:
        """Say how far the step is ("120/157 copiés")."""
        self.detail = detail
        if self._progress is not None:
            self._progress.update(self._task, detail=detail)

    @contextlib.contextmanager
    def running(self):
        import threading
        import time

        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        started = time.monotonic()
        self._progress = None
        stop = threading.Event()
        if self.out.is_terminal:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("[dim]{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=self.out,
                transient=True,
            )
            self._task = self._progress.add_task(f"{self.label}…", detail="")
            self._progress.start()
        else:
            self.out.print(f"{self.label}…", highlight=False)

            def heartbeat() -> None:
                while not stop.wait(self.HEARTBEAT):
                    elapsed = _french_seconds(time.monotonic() - started)
                    line = f"  … {self.label} : {self.detail or 'en cours'} ({elapsed})"
                    self.out.print(line, highlight=False, soft_wrap=True)

            threading.Thread(target=heartbeat, daemon=True, name="start-heartbeat").start()
        try:
            yield self
        finally:
            stop.set()
            if self._progress is not None:
                self._progress.stop()
        elapsed = _french_seconds(time.monotonic() - started)
        line = f"[green]✓[/green] {self.label} : {self.result} ({elapsed})"
        self.out.print(line, highlight=False, soft_wrap=True)  # one line a step, in a log too


def _french_seconds(seconds: float) -> str:
    return f"{seconds:.1f}\u00a0s".replace(".", ",")


def _migrations_pending() -> int:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from coopatlas.jobs.router import ALIAS, shares_main_database

    aliases = ["default"] + ([ALIAS] if ALIAS in connections.settings and not shares_main_database() else [])
    pending = 0
    for alias in aliases:
        executor = MigrationExecutor(connections[alias])
        pending += len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return pending


def prepare(*, demo: bool = True, out: Console | None = None) -> None:
    """Make the atlas ready to serve, step by step, each one said as it runs and skipped when
    already done: migrations, reference data, French geography, demo atlas, organisations' places,
    search index, static files."""
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.models import Partnership

    out = out or console
    with StartStep("Base de données", out).running() as step:
        pending = _migrations_pending()
        if pending:
            step.update(f"{pending} migration(s)")
            _migrate()
        else:
            from django.core.management import call_command

            call_command("createcachetable", verbosity=0)  # COOPATLAS_CACHE_URL=db, set since
        step.result = f"{pending} migration(s) appliquée(s)" if pending else "à jour"
    with StartStep("Données de référence", out).running() as step:
        step.result = _load_reference_if_changed()
    with StartStep("Géographie française et index des lieux du monde", out).running() as step:
        step.result = _places_if_missing(os.environ.get("COOPATLAS_COMMUNES_CSV"), step)
    with StartStep("Atlas de démonstration", out).running() as step:
        existing = Partnership.objects.count()
        if existing:
            step.result = f"non chargé, l'atlas a déjà {existing} partenariat(s)"
        elif not demo:
            step.result = "non chargé (--no-demo)"
        else:
            step.result = f"{load_demo()} dossier(s) chargé(s) dans l'atlas vide"
    with StartStep("Localisation des organisations", out).running() as step:
        from coopatlas.atlas.localisation import organisations_locate

        step.result = _located_summary(organisations_locate())
    with StartStep("Index de recherche", out).running() as step:
        indexed = _index_if_stale()
        step.result = "à jour" if indexed is None else f"{indexed} partenariat(s) indexé(s)"
    with StartStep("Statistiques de la base", out).running() as step:
        from coopatlas.core.database import refresh_statistics

        refresh_statistics()
        step.result = "à jour"
    with StartStep("Fichiers statiques", out).running() as step:
        step.result = _collect_static_if_changed(step.update)


def _places_if_missing(communes: str | None, step: StartStep) -> str:
    """Load the French geography and build the world places index when the database has no commune."""
    from coopatlas.places.french import PlacesDataError, load_french_geography
    from coopatlas.places.models import Commune
    from coopatlas.places.resolver import get_resolver, reset_resolver

    if Commune.objects.exists():
        return f"déjà chargée ({Commune.objects.count()} communes)"
    path = Path(communes) if communes else None
    if path is not None and not path.exists():
        err_console.print(f"[yellow]Fichier des communes introuvable, ignoré :[/yellow] {path}")
        path = None
    try:
        counts = load_french_geography(communes_csv=path)
    except PlacesDataError as exc:
        err_console.print(f"[red]{exc}[/red]")
        return "non chargée"
    step.update(f"{counts.communes} communes ; index des lieux du monde…")
    reset_resolver()
    places = f"{len(get_resolver().gazetteer.places):,}".replace(",", "\u202f")
    return (
        f"{counts.regions} régions, {counts.departements} départements, {counts.epci} EPCI, "
        f"{counts.communes} communes dont {counts.communes_with_coordinates} localisées ; "
        f"{places} lieux du monde"
    )


# Held while a server prepares the database (PostgreSQL advisory lock): "coopatls" as a number.
PREPARE_LOCK = int.from_bytes(b"coopatls", "big")


@contextlib.contextmanager
def _one_preparing_at_a_time():
    """On PostgreSQL, let one server prepare at a time: several started together (two containers,
    two machines) wait for the first, then find each step done and skip it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [PREPARE_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [PREPARE_LOCK])


def cmd_serve(args: argparse.Namespace) -> int:
    # Say which settings run: a production server on the development settings is visible at once.
    console.print(settings_banner())
    with _one_preparing_at_a_time():
        # A production atlas starts empty (`coopatlas load-demo` loads the demo on purpose).
        prepare(demo=not (args.no_demo or args.prod))
    if args.prepare_only:
        console.print("Prêt à servir (--prepare-only : le serveur n'est pas lancé).")
        return 0
    if args.prod:
        return _serve_prod(args)
    from waitress.server import create_server

    with StartStep("Serveur", console).running() as step:
        from django.core.wsgi import get_wsgi_application
        from django.urls import get_resolver

        from coopatlas.core.memory import limit_arenas, settle_heap

        limit_arenas()  # before waitress starts its threads

        application = get_wsgi_application()
        # Import every page's code now (and what it imports: scipy, spaCy…, 10 s on a busy
        # machine), not at the first visitor's request: "Prêt" means the first page answers at once.
        step.update("chargement des pages…")
        get_resolver().url_patterns  # noqa: B018
        settle_heap()
        try:
            from django.conf import settings

            from coopatlas.web.imports import MAX_UPLOAD

            server = create_server(
                application,
                host=args.host,
                port=args.port,
                threads=args.threads or 8,
                ident="coopatlas",
                # no request larger than the largest file one may send (an import, a document):
                # refused before it is read, not after it filled the disk
                max_request_body_size=max(MAX_UPLOAD, settings.DOCUMENT_MAX_BYTES) + 1024 * 1024,
            )
        except OSError as exc:
            step.result = "non lancé"
            err_console.print(
                f"[red]Impossible d'écouter sur {args.host}:{args.port}[/red] : {exc.strerror or exc}"
            )
            return 2
        step.result = f"à l'écoute sur {args.host}:{args.port}, {args.threads or 8} fils"
    # Stopped by SIGTERM (kill, a service manager) as by Ctrl+C: the worker beside is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with _worker_beside(enabled=not args.no_worker):
        console.print(
            f"[bold green]Prêt : http://{args.host}:{args.port}/[/bold green] (Ctrl+C pour arrêter)"
        )
        server.run()
    return 0


def default_workers() -> int:
    """Worker processes of `serve --prod` when not told: one per core, at least two (each holds
    the pages' code and the models of similar partnerships and suggestions in its memory)."""
    return max(2, os.cpu_count() or 1)


def _serve_prod(args: argparse.Namespace) -> int:
    """Serve with gunicorn: a master process that forks `--workers` processes of `--threads`
    threads each, the application loaded once before the fork. SIGTERM stops it gracefully: the
    requests under way are finished (30 s at most), then the workers and the master end."""
    from django.conf import settings
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    bind = args.bind or f"{args.host}:{args.port}"
    workers = args.workers or default_workers()
    threads = args.threads or 4
    # gunicorn's own lines (start, workers booted or killed) in the same format as the site's.
    logging = {
        **settings.LOGGING,
        "loggers": {
            **settings.LOGGING.get("loggers", {}),
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
    options = {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "timeout": 60,
        "graceful_timeout": 30,
        "keepalive": 5,
        "proc_name": "coopatlas",
        "accesslog": None,  # one JSON line per request comes from coopatlas.web.requestlog
        "errorlog": "-",
        "logconfig_dict": logging,
    }

    class Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)
            # gunicorn 25+ opens a control socket in the home folder, one path for every server
            # of the user: a second server on the machine would take the first one's.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self):
            from coopatlas.core.memory import limit_arenas

            limit_arenas()  # before the workers start their threads
            from config.wsgi import application  # every page's code loaded once, before the fork

            # No connection opened by the preparation may be shared by the forked workers.
            connections.close_all()
            return application

    console.print(
        f"[bold green]Prêt : http://{bind}/[/bold green] (gunicorn, {workers} processus × {threads} fils ; "
        "SIGTERM ou Ctrl+C pour arrêter)",
        highlight=False,
        soft_wrap=True,
    )
    with _worker_beside(enabled=not args.no_worker):
        Server().run()  # returns by SystemExit when the master stops
    return 0


@contextlib.contextmanager
def _worker_beside(*, enabled: bool = True):
    """Run `coopatlas worker` in a process of its own while the block runs (long work runs there,
    beside the server); stop it after: it finishes the job under way, or is killed after 30 s."""
    if not enabled:
        yield None
        return
    # In a session of its own, so that Ctrl+C reaches the server only, and the worker gets one
    # request to stop (finish the job under way) rather than the terminal's and then ours.
    worker = subprocess.Popen([sys.executable, "-m", "coopatlas.cli", "worker"], start_new_session=True)
    console.print(f"Travailleur des tâches de fond lancé (processus {worker.pid}).")
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def cmd_worker(args: argparse.Namespace) -> int:
    from coopatlas.jobs.worker import run

    run(batch=args.batch, interval=args.interval, signals=True)
    return 0


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} Mo".replace(".", ",")


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",")


def cmd_backup(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from coopatlas.core.backup import ENGINE_LABELS, BackupError, create_backup

    try:
        with console.status("Sauvegarde de la base et des documents…"):
            report = create_backup(Path(args.file), force=args.force)
    except BackupError as exc:
        err_console.print(f"[red]Sauvegarde impossible[/red] : {escape(exc.fr)}", highlight=False)
        return 2
    console.print(
        f"Sauvegarde écrite : {escape(str(report.path))} ({_size(report.size)}, "
        f"{ENGINE_LABELS[report.engine]}, {len(report.tables)} tables, {sum(report.tables.values())} "
        f"lignes, {report.media_files} document(s) pour {_size(report.media_bytes)}) "
        f"en {_seconds(report.seconds)} s.",
        highlight=False,
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from coopatlas.core.backup import ENGINE_LABELS, BackupError, restore_backup, verify_archive

    try:
        if args.check:
            with console.status("Vérification de l'archive…"):
                manifest = verify_archive(Path(args.file))
            console.print(
                f"Archive intacte : sauvegarde {ENGINE_LABELS[manifest['engine']['vendor']]} du "
                f"{manifest['created_at']} (coopatlas {manifest['coopatlas_version']}), "
                f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} lignes, "
                f"{len(manifest['media']['files'])} document(s). Rien n'a été restauré.",
                highlight=False,
            )
            return 0
        with console.status("Restauration…"):
            report = restore_backup(Path(args.file), replace=args.replace)
    except BackupError as exc:
        refused = "Archive refusée" if args.check else "Restauration refusée"
        err_console.print(f"[red]{refused}[/red] : {escape(exc.fr)}", highlight=False)
        return 2
    replaced = " (contenu précédent remplacé)" if report.replaced else ""
    console.print(
        f"Base {ENGINE_LABELS[report.engine]} restaurée{replaced} : "
        f"{len(report.tables)} tables, {sum(report.tables.values())} lignes, toutes comptées comme dans "
        f"le manifeste ; {report.media_files} document(s) remis ({_size(report.media_bytes)}, sha256 "
        f"vérifiés) en {_seconds(report.seconds)} s.",
        highlight=False,
    )
    if report.pending_migrations:
        console.print(
            f"{len(report.pending_migrations)} migration(s) de cette version restent à appliquer : "
            "coopatlas serve les applique en démarrant (ou coopatlas manage migrate)."
        )
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coopatlas manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopatlas",
        description="Atlas des partenariats internationaux des collectivités françaises.",
        epilog=__doc__.split("Examples:")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="migrer, charger les données si la base est vide, servir")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, help="fils par processus (8 ; 4 avec --prod)")
    serve.add_argument(
        "--prod",
        action="store_true",
        help="production : gunicorn à plusieurs processus, réglages config.settings.prod (secrets dans "
        "l'environnement), sans atlas de démonstration",
    )
    serve.add_argument(
        "--workers", type=int, help="--prod : processus de gunicorn (un par cœur, au moins deux)"
    )
    serve.add_argument("--bind", help="--prod : adresse d'écoute, ex. 0.0.0.0:8000 (sinon --host:--port)")
    serve.add_argument("--no-demo", action="store_true", help="ne pas charger l'atlas de démonstration")
    serve.add_argument(
        "--no-worker", action="store_true", help="ne pas lancer de travailleur (un `coopatlas worker` à part)"
    )
    serve.add_argument(
        "--prepare-only",
        action="store_true",
        help="préparer (migrations, données, fichiers statiques) puis s'arrêter sans servir",
    )
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser(
        "worker", help="exécuter les tâches de fond en file (imports, annulations, pages)"
    )
    worker.add_argument("--batch", action="store_true", help="exécuter les tâches en file puis s'arrêter")
    worker.add_argument("--interval", type=float, default=1.0, help="secondes entre deux regards sur la file")
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("load-reference", help="charger pays, thèmes et ODD").set_defaults(func=cmd_load_reference)
    sub.add_parser("load-demo", help="charger l'atlas de démonstration").set_defaults(func=cmd_load_demo)
    sub.add_parser("check", help="vérifier base, migrations et données").set_defaults(func=cmd_check)

    places = sub.add_parser("load-places", help="charger la géographie française et l'index des lieux")
    places.add_argument(
        "--communes", metavar="FILE", help="CSV des communes avec coordonnées (colonnes code_insee, lat, lng)"
    )
    places.set_defaults(func=cmd_load_places)

    resolve = sub.add_parser("resolve", help="trouver le lieu réel d'un nom")
    resolve.add_argument("name")
    resolve.add_argument("--country", help="code ISO alpha-2 ou nom du pays")
    resolve.add_argument(
        "--kind", help="commune, epci, departement, region, municipality, district, province"
    )
    resolve.add_argument("--admin", help="département, région, État ou province où chercher")
    resolve.add_argument("--json", action="store_true", help="répondre en JSON")
    resolve.set_defaults(func=cmd_resolve)

    extract = sub.add_parser("extract", help="trouver les partenariats qu'une page énonce (HTML ou texte)")
    extract.add_argument("source", help="fichier HTML ou texte, ou - pour l'entrée standard")
    extract.add_argument("--json", action="store_true", help="un tableau JSON d'objets")
    extract.add_argument(
        "--url", help="l'adresse de la page (jamais consultée : elle aide à dater et attribuer)"
    )
    extract.add_argument("--base-authority", help="la collectivité française dont c'est la page")
    extract.add_argument("--lang", choices=["fr", "en"], help="langue de la page (devinée sinon)")
    extract.set_defaults(func=cmd_extract)

    train = sub.add_parser(
        "train-extractor",
        help="entraîner le score des candidats sur des pages étiquetées (développement : scikit-learn)",
    )
    train.add_argument("folders", nargs="+", help="dossiers de pages étiquetées (JSON)")
    train.add_argument("--dry-run", action="store_true", help="afficher les chiffres sans écrire le modèle")
    train.add_argument(
        "--twin-towns",
        type=Path,
        help="CSV de jumelages : le nombre de partenaires par pays départage les homonymes étrangers",
    )
    train.set_defaults(func=cmd_train_extractor)

    locate = sub.add_parser("locate", help="relier les organisations à leur lieu")
    locate.add_argument("--all", action="store_true", help="refaire aussi celles déjà localisées")
    locate.set_defaults(func=cmd_locate)

    sub.add_parser("reindex", help="reconstruire l'index de recherche").set_defaults(func=cmd_reindex)

    overseas = sub.add_parser(
        "overseas", help="placer en France les villes d'outre-mer importées comme étrangères (RE, PF…)"
    )
    _add_acting_as(overseas)
    overseas.set_defaults(func=cmd_overseas)

    dedupe = sub.add_parser(
        "dedupe", help="trouver et fusionner les organisations (ou les partenariats) en double"
    )
    dedupe.add_argument(
        "--partnerships",
        action="store_true",
        help="les partenariats en double (mêmes collectivités françaises et étrangères, formes "
        "compatibles) plutôt que les organisations",
    )
    dedupe.add_argument("--dry-run", action="store_true", help="lister sans fusionner")
    _add_acting_as(dedupe)
    dedupe.set_defaults(func=cmd_dedupe)

    imp = sub.add_parser("import", help="importer un fichier (fiche de l'atlas, tableau, paires, JSON)")
    imp.add_argument("file")
    imp.add_argument(
        "--source", required=True, choices=["atlas-sheet", "table", "suivi", "twins", "json", "wikidata"]
    )
    imp.add_argument(
        "--mapping",
        help="correspondance des colonnes : champ=Colonne;champ==valeur, ou un fichier (une par ligne, "
        "ou un objet JSON)",
    )
    imp.add_argument("--dry-run", action="store_true", help="tout vérifier et compter, sans rien écrire")
    imp.add_argument(
        "--skip-invalid", action="store_true", help="importer les lignes valides, signaler les autres"
    )
    imp.add_argument("--report", help="écrire les rejets et conflits dans ce fichier CSV")
    imp.add_argument("--encoding", help="forcer l'encodage (utf-8, cp1252…) au lieu de le détecter")
    imp.add_argument("--delimiter", help="forcer le délimiteur CSV au lieu de le détecter")
    imp.add_argument("--sheet", help="feuille du classeur XLSX (par défaut la première)")
    imp.add_argument(
        "--all", action="store_true", help="paires de villes : garder aussi celles sans côté français"
    )
    imp.add_argument("--state", choices=["draft", "published"], help="publication des dossiers créés")
    imp.add_argument("--personal-data", action="store_true", help="importer aussi contacts et volontaires")
    imp.add_argument("--json", action="store_true", help="rapport en JSON")
    imp.add_argument("--quiet", action="store_true", help="sans barre de progression")
    _add_acting_as(imp)
    imp.set_defaults(func=cmd_import)
    publish = sub.add_parser("publish-batch", help="publier les brouillons d'un lot d'import")
    publish.add_argument("batch", type=int, help="numéro du lot (voir coopatlas imports)")
    _add_acting_as(publish)
    publish.set_defaults(func=cmd_publish_batch)
    grant = sub.add_parser(
        "grant-role",
        help="donner un rôle à un compte",
        epilog="ex. : coopatlas grant-role ri@ville-grande-synthe.fr --role editor --organisation 59271",
    )
    grant.add_argument("user", help="le compte (identifiant ou courriel)")
    grant.add_argument(
        "--role", required=True, choices=["administrator", "coordinator", "editor", "contributor", "reader"]
    )
    grant.add_argument("--organisation", help="code INSEE ou numéro de l'organisation (éditeur, lecteur)")
    grant.add_argument("--region", help="code INSEE de la région (coordinateur, lecteur)")
    grant.add_argument("--departement", help="code du département (coordinateur, lecteur)")
    grant.add_argument("--may-publish", action="store_true", help="l'éditeur publie sans revue")
    _add_acting_as(grant)
    grant.set_defaults(func=cmd_grant_role)

    gen = sub.add_parser(
        "generate", help="créer un atlas synthétique sur des lieux réels (pour les mesures et les essais)"
    )
    gen.add_argument(
        "--partnerships", required=True, metavar="N", help="nombre de partenariats (1 à 1 000 000)"
    )
    gen.add_argument("--seed", default="1", metavar="S", help="graine : même graine, même atlas (1)")
    gen.add_argument(
        "--force",
        action="store_true",
        help="écrire même si l'atlas contient de vrais partenariats (ils se mêleraient aux synthétiques)",
    )
    gen.add_argument("--json", action="store_true", help="rapport en JSON")
    gen.add_argument("--quiet", action="store_true", help="sans lignes de progression")
    gen.set_defaults(func=cmd_generate)

    exp = sub.add_parser("export", help="exporter l'atlas ou une recherche (CSV, XLSX, JSON, GeoJSON, IATI)")
    exp.add_argument(
        "--format", required=True, choices=["csv", "csv-plain", "xlsx", "json", "geojson", "iati"]
    )
    exp.add_argument("--query", help='filtres comme dans l\'adresse de la recherche : "q=jumelage&pays=DE"')
    exp.add_argument("-o", "--output", required=True, help="fichier à écrire")
    exp.add_argument("--personal-data", action="store_true", help="inclure contacts et volontaires")
    exp.add_argument("--published-only", action="store_true", help="seulement les dossiers publiés")
    exp.add_argument("--decimal-comma", action="store_true", help="CSV : montants avec virgule décimale")
    exp.set_defaults(func=cmd_export)

    dash = sub.add_parser("dashboard", help="les chiffres du tableau de bord d'un périmètre")
    dash.add_argument(
        "--scope", help='périmètre comme dans l\'adresse du tableau de bord : "territoire=9&zone=africa"'
    )
    dash.add_argument("--grouping", help="regroupement des thèmes : themes, sous-themes ou etude-<id>")
    dash.add_argument("--top", type=int, default=10, help="lignes par tableau (10)")
    dash.add_argument("--json", action="store_true", help="tout en JSON")
    dash.set_defaults(func=cmd_dashboard)
    watch = sub.add_parser("watch", help="les listes de veille d'un périmètre (CSV pour Excel)")
    watch.add_argument("--scope", help="périmètre, comme pour dashboard")
    watch.add_argument("--months", type=int, default=12, help="fin de convention dans les N mois (12)")
    watch.add_argument("--list", help="une liste : fin-proche, a-verifier, sans-theme, sans-annee, …")
    watch.add_argument("-o", "--output", help="fichier CSV à écrire (sinon la sortie standard)")
    watch.set_defaults(func=cmd_watch)

    cal = sub.add_parser("calendar", help="le calendrier d'un périmètre en fichier iCal (publiés seulement)")
    cal.add_argument("--scope", help="périmètre, comme pour dashboard")
    cal.add_argument("--from", dest="start", help="premier jour, AAAA-MM-JJ (aujourd'hui)")
    cal.add_argument("--months", type=int, default=12, help="sur N mois, 1 à 24 (12)")
    cal.add_argument(
        "--site",
        default="http://localhost:8000",
        help="adresse du site, pour les liens et les UID des événements",
    )
    cal.add_argument("-o", "--output", required=True, help="fichier .ics à écrire")
    cal.set_defaults(func=cmd_calendar)

    apd = sub.add_parser(
        "declaration-apd",
        help="la déclaration annuelle d'aide publique au développement : montants par pays et année",
    )
    apd.add_argument("--scope", help="périmètre, comme pour dashboard (ex. territoire=12)")
    apd.add_argument("--year", action="append", help="année ou période (2021, 2020-2021) ; répétable")
    apd.add_argument("-o", "--output", help="fichier à écrire : .xlsx (classeur) ou .csv (Excel français)")
    apd.set_defaults(func=cmd_oda_declaration)
    alerts = sub.add_parser(
        "send-alerts", help="envoyer les alertes par e-mail du jour (une fois par jour : cron, timer systemd)"
    )
    alerts.add_argument("--dry-run", action="store_true", help="dire ce qui serait envoyé, sans rien envoyer")
    alerts.add_argument("--today", metavar="AAAA-MM-JJ", help="le jour de référence (essais, rattrapage)")
    alerts.set_defaults(func=cmd_send_alerts)

    undo = sub.add_parser("undo-import", help="annuler un lot d'import")
    undo.add_argument("batch", type=int, help="numéro du lot (voir coopatlas imports)")
    undo.add_argument(
        "--as",
        dest="acting_as",
        metavar="UTILISATEUR",
        help="au nom de qui (identifiant ou courriel) : l'auteur du lot ou un utilisateur ayant le droit "
        "de supprimer des partenariats ; inscrit dans l'historique",
    )
    undo.set_defaults(func=cmd_undo_import)
    imports = sub.add_parser("imports", help="lister les lots d'import")
    imports.add_argument("--limit", type=int, default=30)
    imports.set_defaults(func=cmd_imports)

    backup = sub.add_parser(
        "backup",
        help="sauvegarder la base et les documents dans un seul fichier (.tar.gz)",
        epilog="ex. : coopatlas backup /srv/sauvegardes/atlas-$(date +%%F).tar.gz (docs/backups.md)",
    )
    backup.add_argument("file", metavar="FICHIER", help="l'archive à écrire (.tar.gz)")
    backup.add_argument("--force", action="store_true", help="remplacer le fichier s'il existe déjà")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="restaurer une sauvegarde dans la base configurée (vide, sauf --replace)",
        epilog="Arrêtez le serveur et le travailleur avant de restaurer (docs/backups.md).",
    )
    restore.add_argument("file", metavar="FICHIER", help="l'archive écrite par coopatlas backup")
    restore.add_argument(
        "--replace",
        action="store_true",
        help="remplacer entièrement le contenu de la base (et les documents de même nom) s'il y en a",
    )
    restore.add_argument(
        "--check",
        action="store_true",
        help="vérifier l'archive seulement (manifeste, sha256), sans restaurer",
    )
    restore.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="lancer une commande d'administration Django")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `coopatlas` command line; return its exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "prod", False):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    try:
        _setup_django()
    except RuntimeError as exc:  # the production settings name what the environment lacks
        err_console.print(f"[red]{exc}[/red]")
        return 2
    if args.command in ("load-reference", "load-demo", "load-places", "import", "worker", "generate"):
        with _one_preparing_at_a_time():  # not while a server starting beside migrates
            _migrate()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
