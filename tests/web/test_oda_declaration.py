"""The APD declaration pages: the scope's amounts per country and year, as a page, XLSX and CSV."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from coopatlas.atlas.models import Organisation
from coopatlas.atlas.services import FundingSpec, funding_line_add
from tests.atlas.factories import foreign_town, twinning

pytestmark = pytest.mark.django_db


@pytest.fixture
def clermont(demo_atlas):
    return Organisation.objects.get(name="Clermont-Ferrand")


def test_declaration_page_gives_each_year_and_says_what_is_not_attributed(client, clermont):
    """The page names each year's total, the DAC list it uses and the lines set apart, and is
    reached from the tracking tabs."""
    html = client.get(f"/tableau-de-bord/declaration-apd/?territoire={clermont.pk}").content.decode()
    assert "473\u202f397\u00a0€" in html
    assert "906\u202f997" in html
    assert "APD du CAD pour 2018, 2019 et 2020" in html
    assert "18 pays partenaires" in html
    assert "Non attribué à un pays" in html
    dashboard = client.get(f"/tableau-de-bord/?territoire={clermont.pk}").content.decode()
    assert f"/tableau-de-bord/declaration-apd/?territoire={clermont.pk}" in dashboard


def test_declaration_workbook_is_ready_to_copy(client, clermont):
    """The workbook has the amounts per country and year as numbers, then the lines set apart."""
    benin = twinning(clermont, foreign_town("Abomey", "BJ"), year=2005)
    funding_line_add(
        partnership=benin,
        spec=FundingSpec(
            amount=Decimal("12000"), year=2021, funder=clermont, water_one_percent_amount=Decimal("8000")
        ),
    )
    response = client.get(f"/tableau-de-bord/declaration-apd.xlsx?territoire={clermont.pk}&annee=2021")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="declaration-apd-2021.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Par pays", "Non attribué"]
    rows = list(workbook["Par pays"].iter_rows(values_only=True))
    assert rows[1][:7] == (2021, "Bénin", "BJ", "oui", 12000, 4000, 8000)
    assert rows[2][1] == "Non attribué à un pays" and rows[2][4] == 906997
    unattributed = list(workbook["Non attribué"].iter_rows(values_only=True))
    assert len(unattributed) == 1 + 15
    assert sum(row[4] for row in unattributed[1:]) == 906997


def test_declaration_csv_is_for_french_excel(client, clermont):
    """The CSV has the BOM, semicolons and decimal commas."""
    response = client.get(f"/tableau-de-bord/declaration-apd.csv?territoire={clermont.pk}&annee=2020-2021")
    text = response.content.decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[1][:5] == ["2020", "Non attribué à un pays", "", "", "473397,00"]
    assert rows[2][4] == "906997,00"


def test_bad_years_are_named_and_left_out(client, clermont):
    """A year that is not one is shown back and left out; the page still answers."""
    response = client.get(f"/tableau-de-bord/declaration-apd/?territoire={clermont.pk}&annee=20x1")
    assert response.status_code == 200
    assert "20x1" in response.content.decode()
    assert client.get("/tableau-de-bord/declaration-apd.pdf").status_code == 404


def test_declaration_command_writes_the_workbook(clermont, tmp_path):
    """`coopatlas declaration-apd` prints each year and writes the workbook."""
    from coopatlas.cli import main

    target = tmp_path / "apd.xlsx"
    assert main(["declaration-apd", "--scope", f"territoire={clermont.pk}", "-o", str(target)]) == 0
    rows = list(load_workbook(target, read_only=True)["Par pays"].iter_rows(values_only=True))
    assert [r[4] for r in rows[1:]] == [473397, 906997]
    assert main(["declaration-apd", "--year", "vingt"]) == 2


def test_page_lists_a_bounded_number_of_unattributed_groups(client, clermont, monkeypatch):
    """Past its limit the page counts the partnership-years it leaves to the workbook."""
    from coopatlas.web import oda

    monkeypatch.setattr(oda, "UNATTRIBUTED_SHOWN", 1)
    html = client.get(f"/tableau-de-bord/declaration-apd/?territoire={clermont.pk}").content.decode()
    assert "Et 1 autre partenariat-année" in html and "le classeur donne toutes les lignes." in html
    assert html.count('<td class="num">2021</td>') == 0
