"""France overseas is France: a partner town of La Réunion, Martinique or Polynésie française is
imported as a French commune (its INSEE code when the COG knows it), never as a foreign
authority of a partner country RE, MQ or PF."""

import csv
import json

import pytest
from django.http import QueryDict

from coopatlas.atlas.models import Organisation, Participation, Partnership
from coopatlas.insights.dashboard import build, scope_from
from coopatlas.places.overseas import FRENCH_OVERSEAS
from tests.conftest import SHARED
from tests.ingest.conftest import write

TWINS = SHARED / "data" / "twins_wikipedia_hekman"
DERIVED = TWINS / "derived_france_pairs_insee.csv"
needs_twins = pytest.mark.skipif(not DERIVED.exists(), reason=f"twin-town data absent: {TWINS}")
pytestmark = pytest.mark.django_db

TABLE = (
    "collectivite_francaise;partenaire;pays_partenaire\n"
    "Metz;Saint-Denis;Réunion, France\n"
    "Houilles;Schœlcher;Martinique\n"
    "Nice;Papeete;Polynésie française\n"
    "Lille;Cologne;Allemagne\n"
)


def _partner(french: str, partner: str) -> Participation:
    """Return the participation of `partner` in its partnership with `french`."""
    partnership = Partnership.objects.filter(participations__organisation__name=french).get(
        participations__organisation__name=partner
    )
    return partnership.participations.select_related("organisation").get(organisation__name=partner)


def test_partners_in_france_overseas_import_as_french_communes(tmp_path, run_import):
    """ "Réunion, France", "Martinique", "Polynésie française": French communes with their INSEE
    code, in the French authority's role; a German town stays a foreign authority."""
    # when
    report = run_import(write(tmp_path / "jumelages.csv", TABLE), "table")
    # then
    assert (report.counts["created"], report.counts["rejected"]) == (4, 0), report.errors
    for french, partner, insee in [
        ("Metz", "Saint-Denis", "97411"),
        ("Houilles", "Schœlcher", "97229"),
        ("Nice", "Papeete", "98735"),
    ]:
        participation = _partner(french, partner)
        organisation = participation.organisation
        assert (organisation.kind, organisation.country_id, organisation.insee_code) == (
            "commune",
            "FR",
            insee,
        )
        assert participation.role == "french_authority"
    cologne = _partner("Lille", "Cologne")
    assert (cologne.organisation.country_id, cologne.role) == ("DE", "foreign_authority")
    assert not Organisation.objects.filter(country_id__in=FRENCH_OVERSEAS).exists()


def test_an_overseas_homonym_is_not_taken_for_the_mainland_town(tmp_path, run_import):
    """Saint-Denis of La Réunion is not Saint-Denis (93), already in the atlas under that name."""
    # given
    run_import(
        write(
            tmp_path / "a.csv",
            "collectivite_francaise;code_insee;partenaire;pays_partenaire\n"
            "Saint-Denis;93066;Gera;Allemagne\n",
        ),
        "table",
    )
    # when
    run_import(write(tmp_path / "b.csv", TABLE), "table")
    # then
    assert _partner("Metz", "Saint-Denis").organisation.insee_code == "97411"
    assert set(Organisation.objects.filter(name="Saint-Denis").values_list("insee_code", flat=True)) == {
        "93066",
        "97411",
    }


def test_twin_pairs_with_an_overseas_side_are_pairs_of_french_communes(tmp_path, run_import):
    """The raw pair layout: "Réunion, France" and "New Caledonia" sides are French communes."""
    path = tmp_path / "pairs.csv"
    path.write_text(
        "city1,country1,city2,country2\n"
        'Chamonix-Mont-Blanc,France,Cilaos,"Réunion, France"\n'
        "Nice,France,Nouméa,New Caledonia\n",
        encoding="utf-8",
    )
    report = run_import(path, "twins")
    assert (report.counts["created"], report.counts["rejected"]) == (2, 0), report.errors
    cilaos = _partner("Chamonix-Mont-Blanc", "Cilaos")
    assert (cilaos.organisation.country_id, cilaos.organisation.insee_code, cilaos.role) == (
        "FR",
        "97424",
        "french_authority",
    )
    assert _partner("Nice", "Nouméa").organisation.insee_code == "98818"


def test_an_older_json_export_with_a_town_coded_re_is_read_into_france(tmp_path, run_import):
    """A JSON file naming Cilaos a foreign authority of country RE gives a French commune."""
    lines = [
        '{"schema": "coopatlas", "version": 1, "personal_data": false,',
        '"organisations": [',
        json.dumps(
            {
                "ref": "t:chamonix",
                "name": "Chamonix-Mont-Blanc",
                "kind": "commune",
                "country": "FR",
                "insee_code": "74056",
            }
        )
        + ",",
        json.dumps(
            {
                "ref": "t:cilaos",
                "name": "Cilaos",
                "kind": "foreign_authority",
                "country": "RE",
                "foreign_level": "municipality",
                "place_status": "resolved",
            }
        ),
        "],",
        '"partnerships": [',
        json.dumps(
            {
                "ref": "t:pair",
                "title": "Jumelage Chamonix – Cilaos",
                "form": "twinning",
                "participants": [
                    {"organisation": "t:chamonix", "role": "french_authority"},
                    {"organisation": "t:cilaos", "role": "foreign_authority"},
                ],
            }
        ),
        "]}",
    ]
    path = tmp_path / "old.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_import(path, "json")
    assert report.counts["created"] == 1, report.errors
    cilaos = _partner("Chamonix-Mont-Blanc", "Cilaos")
    assert (cilaos.organisation.kind, cilaos.organisation.country_id, cilaos.organisation.insee_code) == (
        "commune",
        "FR",
        "97424",
    )
    assert cilaos.role == "french_authority"


@needs_twins
def test_the_overseas_pairs_of_the_twin_town_file_are_between_french_communes(tmp_path, run_import):
    """Every row of the real file whose partner is in France overseas ("Réunion, France",
    "Mayotte", "French Polynesia"…) makes a twinning of two French communes."""
    # given: the file's rows with a partner overseas or in France
    with DERIVED.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    overseas = {"Réunion", "Guadeloupe", "Martinique", "Mayotte", "French Polynesia", "New Caledonia"}
    chosen = [r for r in rows if r["partner_country_norm"] in overseas and r["is_duplicate"] == "0"]
    assert len(chosen) >= 15
    sample = tmp_path / "overseas.csv"
    with sample.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chosen)
    # when
    report = run_import(sample, "twins")
    # then
    assert report.counts["rejected"] == 0, report.errors[:5]
    assert not Organisation.objects.filter(country_id__in=FRENCH_OVERSEAS).exists()
    assert not Organisation.objects.filter(kind="foreign_authority").exists()
    for partnership in Partnership.objects.prefetch_related("participations"):
        assert {p.role for p in partnership.participations.all()} == {"french_authority"}
    metz = _partner("Metz", "Saint-Denis").organisation
    assert (metz.insee_code, metz.departement_code) == ("97411", "974")
    papeete = _partner("Nice", "Papeete").organisation
    assert papeete.insee_code == "98735"


@needs_twins
def test_after_the_twin_town_file_no_overseas_territory_is_a_partner_country(run_import):
    """Imported whole, the Wikipedia file gives a dashboard whose partner countries hold none of
    RE, GP, MQ, GF, YT, PF, NC, PM, WF, MF, BL; its pairs with France overseas are domestic
    twinnings, counted apart and listed when asked."""
    # when
    report = run_import(DERIVED, "twins", publication_state="published")
    # then
    assert report.counts["rejected"] == 0, report.errors[:5]
    query, _kept = scope_from(QueryDict(""))
    board = build(query, Partnership.objects.published())
    partner_countries = {row.key for row in board.figure("countries").rows}
    assert len(partner_countries) > 90
    assert not partner_countries & set(FRENCH_OVERSEAS)
    totals = {row.key: row.value for row in board.totals}
    assert totals["domestic"] >= 15  # Metz – Saint-Denis, Nice – Papeete, Créteil – Les Abymes…
    asked, _kept = scope_from(QueryDict("portee=internationale&portee=nationale"))
    everything = {row.key: row.value for row in build(asked, Partnership.objects.published()).totals}
    assert everything["partnerships"] == totals["partnerships"] + totals["domestic"]
    metz = Partnership.objects.filter(participations__organisation__name="Metz").get(
        participations__organisation__insee_code="97411"
    )
    assert metz.is_domestic
