"""One record per real-world fact: each place one organisation, each pair one partnership,
whatever source tells of it, in whatever order (issue "One record per real-world fact")."""

import csv
import itertools
from collections import Counter

import pytest

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import (
    Organisation,
    Participation,
    Partnership,
    ProposedChange,
)
from coopatlas.atlas.rules import IDENTITY_ROLES, fill_or_conflict, forms_compatible
from coopatlas.exports.json_export import write_json
from coopatlas.exports.selection import select
from tests.conftest import SHARED
from tests.ingest.conftest import write
from tests.ingest.test_twins_and_json import _wipe_atlas

TWINS = SHARED / "data" / "twins_wikipedia_hekman"
FRENCH_PAIRS = TWINS / "derived_france_pairs_insee.csv"
WORLD_PAIRS = TWINS / "twin_cities_geocoded.csv"
WIKIDATA = SHARED / "data" / "twins_wikidata_l3viathan" / "relations.tsv"
needs_twins = pytest.mark.skipif(
    not (FRENCH_PAIRS.is_file() and WORLD_PAIRS.is_file()),
    reason=f"the twin-town files of ../shared are absent ({TWINS})",
)
PAIRS_HEADER = "city1,country1,city2,country2\n"
MAPPING = (
    "collectivite_francaise=collectivite;partenaire=partenaire;pays_partenaire=pays;forme=forme;"
    "annee_signature=annee"
)


def _pairs(tmp_path, rows: list[tuple[str, str, str, str]], name: str = "pairs.csv"):
    text = PAIRS_HEADER + "".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in rows)
    return write(tmp_path / name, text)


def _shared_ids() -> dict[str, list]:
    """Identifiers held by two organisations of the same kind."""
    shared = {}
    for field in ("geonames_id", "insee_code", "wikidata_id", "siren"):
        values = Counter(
            Organisation.objects.exclude(**{f"{field}__isnull": True}).values_list("kind", field)
        )
        shared[field] = [value for value, count in values.items() if count > 1 and value[1] != ""]
    return shared


def _partnership_keys() -> Counter:
    """Partnerships by their French and foreign authorities and form."""
    members: dict[int, set] = {}
    for pid, oid in Participation.objects.filter(role__in=IDENTITY_ROLES).values_list(
        "partnership_id", "organisation_id"
    ):
        members.setdefault(pid, set()).add(oid)
    forms = dict(Partnership.objects.values_list("pk", "form"))
    return Counter((frozenset(orgs), forms[pid]) for pid, orgs in members.items())


# --- the rules ----------------------------------------------------------------------------------
def test_forms_are_compatible_when_equal_or_one_says_nothing_precise():
    assert forms_compatible("twinning", "twinning")
    assert forms_compatible("twinning", "other")
    assert not forms_compatible("twinning", "cooperation_agreement")


def test_a_second_source_fills_what_is_unsaid_and_conflicts_on_what_differs():
    fills, conflicts = fill_or_conflict(
        {"status": "unknown", "signature_year": 1956, "start_year": None},
        {"status": "active", "signature_year": 1957, "start_year": 1956},
    )
    assert fills == {"status": "active", "start_year": 1956}
    assert conflicts == {"signature_year": 1957}


# --- organisations ------------------------------------------------------------------------------
def test_districts_placed_at_their_town_keep_no_town_id(tmp_path, run_import):
    rows = [
        ("Lyon", "France", town, "Germany")
        for town in (
            "Worms",
            "Worms – Pfeddersheim",
            "Mainz",
            "Mainz – Laubenheim",
            "Wiesbaden",
            "Wiesbaden – Bierstadt",
            "Göttingen",
            "Göttingen (district)",
        )
    ]
    report = run_import(_pairs(tmp_path, rows), "twins")
    assert report.counts["created"] == 8, report.errors
    for town in ("Worms", "Mainz", "Wiesbaden", "Göttingen"):
        town_org = Organisation.objects.get(name=town, country="DE")
        assert town_org.geonames_id, town
        districts = Organisation.objects.filter(name__startswith=town, country="DE").exclude(pk=town_org.pk)
        assert districts.count() == 1
        district = districts.get()
        # The point of the town, never its identity: the district stays its own organisation.
        assert district.geonames_id is None and district.latitude is not None, district.name
    assert not any(_shared_ids().values())


def test_spellings_of_one_place_make_one_organisation_with_alternate_names(tmp_path, run_import):
    rows = [
        ("Lyon", "France", "Frankfurt", "Germany"),
        ("Dijon", "France", "Frankfurt am Main", "Germany"),
        ("Boulogne-Billancourt", "France", "Neukölln", "Germany"),
        ("Montreuil", "France", "Neukölln (Berlin)", "Germany"),
        ("Nantes", "France", "Berlin – Neukölln", "Germany"),
        ("Mâcon", "France", "Torez", "Ukraine"),
        ("Lille", "France", "Chystiakove", "Ukraine"),
    ]
    report = run_import(_pairs(tmp_path, rows), "twins")
    assert report.counts["created"] == 7, report.errors
    frankfurt = Organisation.objects.get(country="DE", geonames_id=2925533)
    assert {frankfurt.name, *frankfurt.alternate_names} >= {"Frankfurt", "Frankfurt am Main"}
    neukolln = Organisation.objects.get(country="DE", geonames_id=2864695)
    assert {"Neukölln (Berlin)", "Berlin – Neukölln"} <= {neukolln.name, *neukolln.alternate_names}
    assert neukolln.participations.count() == 3
    # A former name is another name of the same town.
    assert Organisation.objects.filter(country="UA").count() == 1
    assert not any(_shared_ids().values())


def test_the_same_place_twice_in_a_pair_is_refused_naming_it(tmp_path, run_import):
    rows = [
        ("Lyon", "France", "Frankfurt", "Germany"),
        ("Frankfurt", "Germany", "Frankfurt am Main", "Germany"),
    ]
    report = run_import(_pairs(tmp_path, rows), "twins", all_pairs=True)
    assert report.counts["rejected"] == 1
    error = report.errors[0]
    assert error.where == "ligne 3" and "la même organisation deux fois" in error.fr


# --- partnerships -------------------------------------------------------------------------------
def test_a_second_source_of_a_partnership_adds_itself_and_never_overwrites(tmp_path, run_import):
    table = write(
        tmp_path / "table.csv",
        "collectivite;partenaire;pays;forme;annee;etat\n"
        "Boulogne-Billancourt;Neukölln;Allemagne;jumelage;1955;en cours\n",
    )
    first = run_import(
        table,
        "table",
        mapping=MAPPING + ";etat=etat",
    )
    assert first.counts["created"] == 1, first.errors
    original = Partnership.objects.get()
    # A list of twin towns names it otherwise, with no year; a third source gives another year.
    twins = run_import(
        _pairs(tmp_path, [("Boulogne-Billancourt", "France", "Berlin – Neukölln", "Germany")]), "twins"
    )
    later = write(
        tmp_path / "later.csv",
        "collectivite;partenaire;pays;forme;annee\n"
        "Boulogne-Billancourt;Neukölln (Berlin);Allemagne;jumelage;1956\n",
    )
    third = run_import(
        later,
        "table",
        mapping=MAPPING,
    )
    assert Partnership.objects.count() == 1
    record = Partnership.objects.get()
    assert record.pk == original.pk and record.signature_year == 1955 and record.status == "active"
    assert twins.counts["converged"] == 1 and third.counts["converged"] == 1
    assert record.sources.filter(batch_id=twins.batch_id).exists()
    assert third.counts["conflicts"] == 1 and "1956" in third.conflicts[0]
    proposal = ProposedChange.objects.get(partnership=record)
    assert proposal.batch_id == third.batch_id and proposal.changes == {"signature_year": 1956}
    # The same file again: nothing new, no second proposal.
    again = run_import(
        later,
        "table",
        mapping=MAPPING,
    )
    assert again.counts["created"] == 0 and ProposedChange.objects.count() == 1


def test_a_twinning_and_a_convention_between_the_same_two_are_two_records(tmp_path, run_import):
    mapping = MAPPING
    table = write(
        tmp_path / "t.csv",
        "collectivite;partenaire;pays;forme;annee\n"
        "Lyon;Birmingham;Royaume-Uni;jumelage;1951\n"
        "Lyon;Birmingham;Royaume-Uni;convention de coopération;2024\n",
    )
    report = run_import(table, "table", mapping=mapping)
    assert report.counts["created"] == 2, report.errors
    assert sorted(Partnership.objects.values_list("form", flat=True)) == ["cooperation_agreement", "twinning"]


# --- every source, in any order -----------------------------------------------------------------
def _sample(path, tmp_path, name, keep, first):
    """The first rows of a real file and every row naming one of `keep`."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [row for index, row in enumerate(reader) if index < first or keep & set(row)]
    out = tmp_path / name
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return out


def _canonical_atlas() -> tuple:
    """The atlas as facts: organisations by kind, country, identifiers and names; partnerships by
    their authorities (by those facts), form, status, years and sources."""
    facts = {}
    for o in Organisation.objects.all():
        ids = tuple(str(getattr(o, f) or "") for f in ("insee_code", "geonames_id", "wikidata_id"))
        facts[o.pk] = (o.kind, o.country_id, ids if any(ids) else frozenset({o.name, *o.alternate_names}))
    members: dict[int, set] = {}
    for pid, oid in Participation.objects.filter(role__in=IDENTITY_ROLES).values_list(
        "partnership_id", "organisation_id"
    ):
        members.setdefault(pid, set()).add(facts[oid])
    partnerships = Counter(
        (
            frozenset(members.get(p.pk, ())),
            p.form,
            p.status,
            p.signature_year,
            frozenset(p.sources.exclude(batch__isnull=False).values_list("url", "title")),
        )
        for p in Partnership.objects.all()
    )
    taking_part = set(Participation.objects.values_list("organisation_id", flat=True))
    names = Counter(facts[pk] for pk in taking_part)
    return names, partnerships


@needs_twins
def test_sources_imported_in_any_order_converge_to_the_same_atlas(tmp_path, run_import, transactional_db):
    keep = {"Boulogne-Billancourt", "Lyon", "Birmingham", "Neukölln", "Clermont-Ferrand", "Mâcon"}
    french = _sample(FRENCH_PAIRS, tmp_path, "french.csv", keep | {"Boulogne-Billancourt"}, 400)
    world = _sample(WORLD_PAIRS, tmp_path, "world.csv", keep, 600)
    load_demo()
    export = tmp_path / "demo.json"
    with export.open("w", encoding="utf-8") as out:
        write_json(select().partnerships, out)
    steps = {
        "french": lambda: run_import(french, "twins"),
        "world": lambda: run_import(world, "twins", all_pairs=True, skip_invalid=True),
        "json": lambda: run_import(export, "json"),
    }
    atlases = []
    for order in (("french", "world", "json"), ("json", "world", "french")):
        if order[0] == "json":
            _wipe_atlas()  # the demo comes in as our own JSON export, first
        for step in order:
            report = steps[step]()
            assert not report.rolled_back, (step, report.errors[:3])
        assert not any(_shared_ids().values()), _shared_ids()
        assert max(_partnership_keys().values()) == 1
        atlases.append(_canonical_atlas())
    assert atlases[0][0] == atlases[1][0], set(atlases[0][0]) ^ set(atlases[1][0])
    assert atlases[0][1] == atlases[1][1]
    # The demo's twinnings exist once each, with the twin-town list among their sources.
    neukolln = Partnership.objects.filter(participations__organisation__geonames_id=2864695, form="twinning")
    assert neukolln.count() == 1


@needs_twins
@pytest.mark.skipif(not WIKIDATA.is_file(), reason=f"the Wikidata twin-town files are absent ({WIKIDATA})")
def test_wikidata_pairs_import_and_converge_with_the_wikipedia_ones(tmp_path, run_import):
    names = {}
    for line in (WIKIDATA.parent / "names.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, label = line.partition("\t")
        names[qid] = label
    wanted = {qid for qid, label in names.items() if label == "Lyon"}
    relations = [
        line for line in WIKIDATA.read_text(encoding="utf-8").splitlines() if wanted & set(line.split("\t"))
    ]
    folder = tmp_path / "wikidata"
    folder.mkdir()
    (folder / "relations.tsv").write_text("\n".join(relations) + "\n", encoding="utf-8")
    (folder / "names.tsv").write_text(
        "".join(f"{qid}\t{label}\n" for qid, label in names.items()), encoding="utf-8"
    )
    before = run_import(_sample(FRENCH_PAIRS, tmp_path, "lyon.csv", {"Lyon"}, 0), "twins")
    report = run_import(folder / "relations.tsv", "wikidata", skip_invalid=True)
    assert not report.rolled_back, report.errors[:3]
    # Pairs stated from both ends are read once; those the Wikipedia lists hold join their record.
    assert report.counts["converged"] >= 3, report.counts
    assert Partnership.objects.count() == before.counts["created"] + report.counts["created"]
    lyon = Organisation.objects.get(insee_code="69123", kind="commune")
    assert lyon.wikidata_id in wanted
    # "Birmingham" is as likely in Alabama as in England: the partner Lyon already has under that
    # name is the one meant, and the pair joins it.
    birmingham = Partnership.objects.filter(participations__organisation=lyon).get(
        participations__organisation__name="Birmingham"
    )
    assert birmingham.sources.filter(batch_id=report.batch_id).exists()
    assert not any(_shared_ids().values())
    assert max(_partnership_keys().values()) == 1


def test_the_wikidata_reader_needs_its_names_file(tmp_path, run_import):
    from coopatlas.ingest.errors import FileRejected

    relations = write(tmp_path / "relations.tsv", "Q1\tQ2\n")
    with pytest.raises(FileRejected, match="names.tsv"):
        run_import(relations, "wikidata")


def test_pairs_already_in_the_atlas_are_not_created_again(tmp_path, run_import):
    rows = [("Lyon", "France", "Frankfurt", "Germany")]
    run_import(_pairs(tmp_path, rows, "a.csv"), "twins")
    again = run_import(
        _pairs(tmp_path, [("Lyon", "France", "Frankfurt am Main", "Germany")], "b.csv"), "twins"
    )
    assert again.counts["created"] == 0 and Partnership.objects.count() == 1
    assert list(itertools.chain(*_shared_ids().values())) == []
