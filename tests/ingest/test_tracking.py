"""A territory's tracking sheet (issue "A territory's tracking tool"): the initiatives of a
territory's actors (universities, NGOs, companies…) are partnerships in their own right, tied to
the territory by the actor's seat."""

import json
import re
from pathlib import Path

import pytest

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.search.filters import territory_members
from tests.atlas.test_demo import LYON_STUDY_CATEGORIES
from tests.ingest.conftest import write

HEADER = (
    "reference;acteur;type_acteur;commune_acteur;code_postal_acteur;partenaire;type_partenaire;"
    "ville_partenaire;pays_partenaire;categorie;forme;annee_debut;titre;description;source_url\n"
)
# Public facts: INSA Lyon (Villeurbanne) and the Tecnológico de Monterrey exchange engineering
# students; Handicap International has its seat in Lyon and works in Colombia; Université
# Grenoble Alpes (outside the Métropole) has agreements in Mexico.
ROWS = [
    "T-1;INSA Lyon;universite;Villeurbanne;69100;Tecnológico de Monterrey;universite;Monterrey;Mexique;"
    "Formation et savoirs;accord-cadre;2012;;Échanges d'élèves ingénieurs.;",
    "T-2;Handicap International;association;;69007;Alcaldía de Bogotá;collectivite;Bogotá;Colombie;"
    "Solidarité;projet;2016;;Appui à la réadaptation des victimes de mines.;",
    "T-3;Université Grenoble Alpes;universite;Grenoble;38000;Universidad de Guadalajara;universite;"
    "Guadalajara;Mexique;Formation et savoirs;accord-cadre;2015;;Mobilité d'étudiants.;",
]


@pytest.fixture
def demo(db):
    load_demo()


def _sheet(tmp_path, rows, name="suivi.csv"):
    return write(tmp_path / name, HEADER + "".join(row + "\n" for row in rows))


def test_initiatives_of_actors_import_without_all_each_seated_in_its_commune(demo, run_import, tmp_path):
    """Rows whose French side is only a university or an NGO are imported (no --all), each actor
    seated in the commune its name or postcode gives, with the commune's point and codes."""
    # given
    path = _sheet(tmp_path, ROWS)
    # when
    report = run_import(path, "suivi")
    # then
    assert report.counts["created"] == 3, report.errors
    insa = Organisation.objects.get(name="INSA Lyon")
    assert (insa.kind, insa.seat_code, insa.departement_code, insa.region_code) == (
        "university",
        "69266",
        "69",
        "84",
    )
    assert insa.latitude is not None
    hi = Organisation.objects.get(name="Handicap International")
    assert hi.seat_code == "69123"  # 69007 is Lyon's 7th arrondissement: the seat is Lyon
    assert Organisation.objects.get(name="Université Grenoble Alpes").seat_code == "38185"
    initiative = Partnership.objects.get(external_ref="T-1")
    assert initiative.form == "cooperation_agreement"
    assert initiative.themes.filter(study_categories__name="Formation et savoirs").exists()


def test_the_metropole_reaches_actors_seated_in_its_communes_and_villeurbanne_its_own(
    demo, run_import, tmp_path
):
    """An actor seated in Villeurbanne counts in the Métropole de Lyon's scope and in
    Villeurbanne's; one seated in Grenoble in neither."""
    # given
    run_import(_sheet(tmp_path, ROWS), "suivi")
    metropole = Organisation.objects.get(name="Métropole de Lyon")
    villeurbanne = Organisation.objects.create(
        name="Villeurbanne", kind="commune", country_id="FR", insee_code="69266"
    )
    insa, hi, uga = (
        Organisation.objects.get(name=n)
        for n in ("INSA Lyon", "Handicap International", "Université Grenoble Alpes")
    )
    # when
    in_metropole = set(territory_members(metropole))
    in_villeurbanne = set(territory_members(villeurbanne))
    # then
    assert {insa.pk, hi.pk} <= in_metropole
    assert uga.pk not in in_metropole
    assert insa.pk in in_villeurbanne
    assert hi.pk not in in_villeurbanne and uga.pk not in in_villeurbanne


def test_the_metropole_dashboard_lists_its_actors_initiatives(demo, run_import, tmp_path, client):
    """The search of the Métropole's territory lists the initiatives of its actors, not
    Grenoble's."""
    # given
    run_import(_sheet(tmp_path, ROWS), "suivi", publication_state="published")
    metropole = Organisation.objects.get(name="Métropole de Lyon")
    # when
    page = client.get(f"/recherche/?territoire={metropole.pk}")
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "INSA Lyon" in text and "Handicap International" in text
    assert "Université Grenoble Alpes" not in text


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        (
            "X-1;INSA Lyon;universite;;69999;Tec;universite;Monterrey;Mexique;;;;;;",
            "siège",
            "69999",
        ),
        (
            "X-2;INSA Lyon;universite;Saint-Denis;;Tec;universite;Monterrey;Mexique;;;;;;",
            "siège",
            "Saint-Denis",
        ),
        (  # a postcode shared by Marcy-l'Étoile and Sainte-Consorce, without the commune
            "X-6;VetAgro Sup;ecole;;69280;Tec;universite;Monterrey;Mexique;;;;;;",
            "siège",
            "69280",
        ),
        ("X-3;Ville de Lyon;commune;Lyon;;Tec;universite;Monterrey;Mexique;;;;;;", "type_acteur", "commune"),
        (
            "X-4;INSA Lyon;universite;Villeurbanne;;Tec;universite;Monterrey;Mexique;Astronomie;;;;;",
            "categorie",
            "Astronomie",
        ),
        ("X-5;INSA Lyon;universite;;;Tec;universite;Monterrey;Mexique;;;;;;", "commune_acteur", ""),
    ],
)
def test_a_bad_row_is_refused_naming_its_field_and_value(demo, run_import, tmp_path, row, field, value):
    """An unknown postcode, an ambiguous commune, an authority as actor, an unknown category or a
    missing seat refuse the row, naming the field and the value; nothing of it is written."""
    # given
    path = _sheet(tmp_path, [row])
    before = Partnership.objects.count()
    # when
    report = run_import(path, "suivi", skip_invalid=True)
    # then
    assert Partnership.objects.count() == before
    [error] = report.errors
    assert error.field == field
    assert value in error.value


TRACKING_DATA = Path(__file__).resolve().parents[1] / "data" / "tracking"
LYON_SHEET = TRACKING_DATA / "initiatives_lyon_amerique_latine.csv"


def test_the_lyon_tracking_sheet_fills_the_metropole_latin_america_dashboard(demo, run_import, client):
    """47 initiatives of real actors seated in the Métropole (written for the tests from public
    facts, tests/data/tracking) import without --all; the Métropole × Amérique latine dashboard
    counts them, beside the study's published figures; the 3 actors seated elsewhere stay out."""
    # given
    metropole = Organisation.objects.get(name="Métropole de Lyon")
    # when
    report = run_import(LYON_SHEET, "suivi", publication_state="published")
    page = client.get(f"/tableau-de-bord/?territoire={metropole.pk}&zone=latin_america")
    # then
    assert report.counts["rejected"] == 0, report.errors
    assert report.counts["created"] == 50
    members = set(territory_members(metropole))
    inside = Partnership.objects.filter(external_ref__startswith="LYAL-0")
    outside = Partnership.objects.filter(external_ref__startswith="LYAL-OUT")
    assert all(any(p.organisation_id in members for p in i.participations.all()) for i in inside)
    assert not any(any(p.organisation_id in members for p in o.participations.all()) for o in outside)
    text = page.content.decode()
    assert page.status_code == 200
    gap = re.search(r'data-gap="1">(.*?)</tr>', text, re.S)
    assert gap is not None
    assert "217" in gap.group(1) and ">47<" in gap.group(1)  # the study's published count, and ours
    board = page.context["board"]
    per_country = {row.key: row.value for row in board.figures["countries"].rows}
    assert per_country["BR"] == 16 and per_country["HT"] == 9 and len(per_country) == 10
    categories = [(row.label, row.value) for row in board.study.categories]
    assert [label for label, _n in categories] == LYON_STUDY_CATEGORIES  # the study's order
    assert [n for _label, n in categories] == [19, 9, 4, 3, 2, 6, 4]
    kinds = {row.key: row.value for row in board.figures["kinds"].rows}
    assert kinds["university"] > 0 and kinds["association"] > 0 and kinds["company"] > 0
    mapped = client.get(f"/tableau-de-bord/pays.json?territoire={metropole.pk}&zone=latin_america").json()
    assert "BR" in json.dumps(mapped)


def test_a_university_is_told_to_meet_the_ngo_working_in_the_same_partner_town(demo, run_import, client):
    """On the page of a Lyon university working in Port-au-Prince, the suggestions name an NGO of
    the territory working there too, saying so (issue: connect the actors)."""
    # given
    run_import(LYON_SHEET, "suivi", publication_state="published")
    university = Organisation.objects.get(name="Université Catholique de Lyon (ESTBB)")
    # when
    page = client.get(university.get_absolute_url())
    # then
    text = page.content.decode()
    section = text[text.index('id="h-connect"') :]
    assert "Handicap International" in section
    assert "travaille aussi à Port-au-Prince, avec" in section


def test_the_tracking_template_lists_the_study_categories_and_imports_once_filled(
    demo, run_import, client, tmp_path
):
    """/imports/modele-suivi.xlsx has the tracking sheet's columns, the categories of the atlas's
    studies as a list to pick from (the Lyon study's 7, in its order); filled in, it imports."""
    from openpyxl import load_workbook

    from coopatlas.ingest.readers.tracking import TRACKING_FIELDS

    # given
    response = client.get("/imports/modele-suivi.xlsx")
    path = tmp_path / "suivi.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    sheet = workbook["Initiatives"]
    # when
    header = [cell.value for cell in sheet[1]]
    categories = [row[0] for row in workbook["Listes"].iter_rows(min_row=2, values_only=True) if row[0]]
    validations = sheet.data_validations.dataValidation
    sheet.append(
        {
            header.index(name) + 1: value
            for name, value in {
                "acteur": "INSA Lyon",
                "type_acteur": "école",
                "commune_acteur": "Villeurbanne",
                "partenaire": "Tecnológico de Monterrey",
                "type_partenaire": "université",
                "ville_partenaire": "Monterrey",
                "pays_partenaire": "Mexique",
                "categorie": categories[0],
            }.items()
        }
    )
    workbook.save(path)
    report = run_import(path, "suivi")
    # then
    assert response.status_code == 200
    assert header == list(TRACKING_FIELDS)
    assert categories[:7] == LYON_STUDY_CATEGORIES
    assert any("Listes" in (v.formula1 or "") for v in validations)
    assert report.counts["created"] == 1, report.errors


def test_the_metropole_editor_keeps_the_initiatives_of_actors_seated_on_its_territory(
    demo, run_import, tmp_path
):
    """An editor for the Métropole de Lyon may edit the initiative of an actor seated in
    Villeurbanne (one of its communes), not one of an actor seated in Grenoble."""
    from coopatlas.accounts.permissions import may
    from tests.accounts.factories import editor_of

    # given
    run_import(_sheet(tmp_path, ROWS), "suivi")
    editor = editor_of(Organisation.objects.get(name="Métropole de Lyon"))
    # when
    villeurbanne = may(editor, "partnership_edit", Partnership.objects.get(external_ref="T-1"))
    grenoble = may(editor, "partnership_edit", Partnership.objects.get(external_ref="T-3"))
    # then
    assert villeurbanne
    assert not grenoble


def test_two_actors_of_one_name_in_two_communes_are_two_and_one_seen_twice_is_one(demo, run_import, tmp_path):
    """Two « Alliance française » seated in Lyon and in Grenoble are two organisations; the Lyon one named
    again with its postcode only is the same one."""
    # given
    rows = [
        "A-1;Alliance française;association;Lyon;;Universidad de Guadalajara;universite;Guadalajara;"
        "Mexique;;;;;;",
        "A-2;Alliance française;association;Grenoble;;Universidad de Chile;universite;Santiago;Chili;;;;;;",
        "A-3;Alliance française;association;;69002;Universidad de Lima;universite;Lima;Pérou;;;;;;",
    ]
    # when
    report = run_import(_sheet(tmp_path, rows), "suivi")
    # then
    assert report.counts["created"] == 3, report.errors
    seats = sorted(Organisation.objects.filter(name="Alliance française").values_list("seat_code", flat=True))
    assert seats == ["38185", "69123"]


def test_two_actors_working_with_the_same_town_are_two_initiatives(demo, run_import, tmp_path):
    """Without references, two actors' projects with the same partner town (an authority) are two
    initiatives, not one taken twice nor merged; another file telling the same adds itself to them."""
    # given
    rows = [
        ";Université Lumière Lyon 2;universite;Lyon;;Alcaldía de Medellín;ville;Medellín;Colombie;;;;;;",
        ";Handicap International;association;Lyon;;Alcaldía de Medellín;ville;Medellín;Colombie;;;;;;",
    ]
    # when
    first = run_import(_sheet(tmp_path, rows), "suivi")
    again = run_import(_sheet(tmp_path, rows, "again.csv"), "suivi")
    # then
    assert first.counts["created"] == 2, first.errors
    assert again.counts["created"] == 0 and again.counts["converged"] == 2  # another file, same facts
    assert Partnership.objects.filter(participations__organisation__name="Medellín").count() == 2


def test_an_actor_in_another_authoritys_record_gives_its_seat_no_right_on_it(demo, run_import, tmp_path):
    """An editor for the Métropole de Lyon may not edit Grenoble's record because a Lyon
    university takes part in it: the seat's authorities keep the actors' own initiatives only."""
    from coopatlas.accounts.permissions import may
    from coopatlas.atlas.models import Participation
    from tests.accounts.factories import editor_of
    from tests.atlas.factories import commune, foreign_town, twinning

    # given
    run_import(_sheet(tmp_path, ROWS), "suivi")
    record = twinning(commune("Grenoble", insee_code="38185"), foreign_town("Medellín", "CO"))
    Participation.objects.create(
        partnership=record, organisation=Organisation.objects.get(name="INSA Lyon"), role="associated"
    )
    editor = editor_of(Organisation.objects.get(name="Métropole de Lyon"))
    # when
    allowed = may(editor, "partnership_edit", record)
    # then
    assert not allowed
