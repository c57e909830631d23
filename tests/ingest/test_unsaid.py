"""What a source does not say stays unsaid: a record without a status is imported « Non
renseigné » (never « En cours »), and stays so through the search, the dashboard, the exports
and a JSON round trip; a missing year, form or theme is counted « Non renseigné » too."""

import csv
import json

import pytest
from django.http import QueryDict

from coopatlas.atlas.models import Partnership
from coopatlas.exports.json_export import write_json
from coopatlas.exports.selection import select
from coopatlas.exports.service import export
from coopatlas.insights.dashboard import UNDATED, build, scope_from
from coopatlas.search.facets import UNSAID
from coopatlas.search.query import SearchQuery
from tests.ingest.conftest import write

pytestmark = pytest.mark.django_db

TABLE = (
    "collectivite_francaise;partenaire;pays_partenaire;etat;annee_debut;themes\n"
    "Lille;Cologne;Allemagne;;;\n"
    "Rennes;Erlangen;Allemagne;En cours;1964;Culture et Patrimoine\n"
    "Lyon;Birmingham;Royaume-Uni;Non renseigné;;\n"
)


def _status(partner: str) -> str:
    return Partnership.objects.get(participations__organisation__name=partner).status


def test_a_row_without_status_is_imported_unknown(tmp_path, run_import):
    """An empty « état » is « Non renseigné », « En cours » is active, « Non renseigné » is read back."""
    report = run_import(write(tmp_path / "t.csv", TABLE), "table", publication_state="published")
    assert report.counts["created"] == 3, report.errors
    assert (_status("Cologne"), _status("Erlangen"), _status("Birmingham")) == (
        "unknown",
        "active",
        "unknown",
    )
    assert Partnership.objects.get(participations__organisation__name="Cologne").get_status_display() == (
        "Non renseigné"
    )


def test_a_twin_town_pair_has_no_status_to_tell(tmp_path, run_import):
    """The Wikipedia lists say nothing of a twinning's status: « Non renseigné »."""
    path = tmp_path / "pairs.csv"
    path.write_text("city1,country1,city2,country2\nAuxerre,France,Worms,Germany\n", encoding="utf-8")
    report = run_import(path, "twins")
    assert report.counts["created"] == 1, report.errors
    assert Partnership.objects.get().status == "unknown"


def test_the_json_round_trip_keeps_unknown(tmp_path, run_import):
    """Exported « unknown », imported into an empty atlas, exported again: the same file."""
    run_import(write(tmp_path / "t.csv", TABLE), "table")
    first = tmp_path / "first.json"
    with first.open("w", encoding="utf-8") as out:
        write_json(select().partnerships, out)
    statuses = sorted(p["status"] for p in json.loads(first.read_text(encoding="utf-8"))["partnerships"])
    assert statuses == ["active", "unknown", "unknown"]
    Partnership.objects.all().delete()
    report = run_import(first, "json")
    assert report.counts["created"] == 3, report.errors
    second = tmp_path / "second.json"
    with second.open("w", encoding="utf-8") as out:
        write_json(select().partnerships, out)
    assert first.read_bytes() == second.read_bytes()


def test_the_csv_export_names_the_unknown_status(tmp_path, run_import):
    run_import(write(tmp_path / "t.csv", TABLE), "table")
    path = tmp_path / "atlas.csv"
    export("csv", select(), path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert sorted(row["état"] for row in rows) == ["En cours", "Non renseigné", "Non renseigné"]


def test_the_search_counts_unknown_status_and_no_theme_as_their_own_values(tmp_path, run_import):
    """The « État » facet shows « Non renseigné » (2); the « Thème » facet, « Non renseigné » (2)."""
    run_import(write(tmp_path / "t.csv", TABLE), "table", publication_state="published")
    query = SearchQuery(QueryDict(""))
    facets = {
        f.name: {v.value: (v.label, v.count) for v in f.values}
        for f in query.facet_counts(Partnership.objects.all())
    }
    assert facets["etat"]["unknown"] == ("Non renseigné", 2)
    assert facets["etat"]["active"] == ("En cours", 1)
    assert facets["theme"][UNSAID] == ("Non renseigné", 2)
    chosen = SearchQuery(QueryDict(f"etat=unknown&theme={UNSAID}")).run(Partnership.objects.all())
    assert chosen.count == 2


def test_the_dashboard_shows_unsaid_status_year_and_theme_in_their_own_bucket(tmp_path, run_import):
    """Status, year and theme figures each hold a « Non renseigné » row linking to its list."""
    run_import(write(tmp_path / "t.csv", TABLE), "table", publication_state="published")
    query, scope = scope_from(QueryDict(""))
    board = build(query, Partnership.objects.published())
    statuses = {row.key: (row.label, row.value) for row in board.figure("statuses").rows}
    assert statuses == {"active": ("En cours", 1), "unknown": ("Non renseigné", 2)}
    years = {row.key: (row.label, row.value) for row in board.figure("years").rows}
    assert years[UNDATED] == ("Non renseigné", 2) and years["1964"][1] == 1
    themes = {row.key: (row.label, row.value) for row in board.figure("themes").rows}
    assert themes[UNSAID] == ("Non renseigné", 2)
    # each bucket's link lists exactly what it counts
    undated = next(row for row in board.figure("years").rows if row.key == UNDATED)
    assert undated.link == {"sans_annee": ["1"]}
    listed = SearchQuery(QueryDict("sans_annee=1")).run(Partnership.objects.published())
    assert listed.count == 2
