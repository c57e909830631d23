"""Exports open correctly: the French-Excel CSV with its BOM, semicolons and accents, the XLSX
with openpyxl, the GeoJSON against counts computed here, the IATI XML with its elements."""

import csv
import datetime
import json
from decimal import Decimal

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from coopatlas.atlas import services
from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import Partnership
from coopatlas.exports.selection import SelectionError, select
from coopatlas.exports.service import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def atlas(db):
    load_demo()
    return select()


def test_french_excel_csv(atlas, tmp_path):
    # given: a title a spreadsheet would run as a formula
    lyon = Partnership.objects.get(external_ref="demo:lyon-birmingham")
    services.partnership_update(lyon, title='=HYPERLINK("http://example.invalid";"clic")')
    path = tmp_path / "atlas.csv"
    # when
    count = export("csv", atlas, path, decimal_comma=True)
    # then
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert count == Partnership.objects.count() == len(rows) - 1
    header = rows[0]
    assert header[:4] == ["référence", "titre", "forme", "état"]
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    rivm = by_ref["demo:clermont-rivm"]
    assert rivm["date de fin"] == "31/12/2021"
    assert rivm["financement total (€)"] == "1380394,00"
    assert "Biélorussie" in rivm["pays"] and "Querétaro" in rivm["partenaires étrangers"]
    assert by_ref["demo:lyon-birmingham"]["titre"].startswith("'=HYPERLINK")


def test_plain_csv_uses_commas_and_iso_dates(atlas, tmp_path):
    path = tmp_path / "atlas.csv"
    export("csv-plain", atlas, path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode().splitlines()))
    rivm = next(r for r in rows if r["référence"] == "demo:clermont-rivm")
    assert rivm["date de fin"] == "2021-12-31" and rivm["financement total (€)"] == "1380394.00"


def test_xlsx_has_a_sheet_per_entity_and_no_personal_data_unless_allowed(atlas, tmp_path):
    public, private = tmp_path / "public.xlsx", tmp_path / "private.xlsx"
    export("xlsx", atlas, public)
    export("xlsx", atlas, private, personal_data=True)
    workbook = load_workbook(public)
    assert workbook.sheetnames == ["Partenariats", "Participants", "Financements", "Événements", "À lire"]
    assert all(workbook[name].freeze_panes == "A2" for name in workbook.sheetnames[:4])
    assert "exclues" in workbook["À lire"]["A1"].value
    funding = list(workbook["Financements"].iter_rows(min_row=2, values_only=True))
    rivm = [row for row in funding if row[0] == "demo:clermont-rivm"]
    assert len(rivm) == 29 and sum(Decimal(str(row[3])) for row in rivm) == Decimal("1380394")
    private_book = load_workbook(private)
    assert "Contacts" in private_book.sheetnames and private_book["Contacts"].max_row > 20
    emails = [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str) and "@" in value
    ]
    assert not [sheet for sheet in workbook.sheetnames if sheet == "Contacts"] and not emails


def test_geojson_points_and_pairs_match_the_atlas(atlas, tmp_path, resolver):
    from coopatlas.atlas.localisation import organisations_locate

    organisations_locate()
    path = tmp_path / "atlas.geojson"
    export("geojson", atlas, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    places = [f for f in data["features"] if f["properties"]["feature"] == "place"]
    pairs = [f for f in data["features"] if f["properties"]["feature"] == "pair"]
    expected_pairs = sum(
        1
        for p in Partnership.objects.all()
        for a in p.french_participations
        for b in p.foreign_participations
        if a.organisation.latitude is not None and b.organisation.latitude is not None
    )
    expected_places = {
        x.organisation_id
        for p in Partnership.objects.all()
        for x in p.participations.all()
        if x.organisation.latitude is not None
    }
    assert len(pairs) == expected_pairs > 30
    assert len(places) == len(expected_places)
    assert all(-180 <= f["geometry"]["coordinates"][0] <= 180 for f in places)


def test_iati_activities_are_well_formed(atlas, tmp_path):
    path = tmp_path / "atlas.xml"
    count = export("iati", atlas, path)
    root = ElementTree.parse(path).getroot()
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    activities = root.findall("iati-activity")
    assert len(activities) == count == Partnership.objects.count()
    for activity in activities:
        assert activity.findtext("iati-identifier")
        assert activity.find("reporting-org").get("type") == "11"
        assert activity.find("title/narrative").text
        assert activity.find("activity-status").get("code") in {"1", "2", "4", "6"}
        assert activity.findall("participating-org")
        shares = [Decimal(s.get("percentage")) for s in activity.findall("sector")]
        assert sum(shares) == 100
        countries = [Decimal(c.get("percentage")) for c in activity.findall("recipient-country")]
        assert not countries or sum(countries) == 100
    rivm = next(a for a in activities if a.findtext("iati-identifier").endswith("demo-clermont-rivm"))
    budgets = {
        b.find("period-start").get("iso-date")[:4]: Decimal(b.findtext("value"))
        for b in rivm.findall("budget")
    }
    assert budgets == {"2020": Decimal("473397.00"), "2021": Decimal("906997.00")}
    assert len(rivm.findall("recipient-country")) == 18
    roles = {o.get("role") for o in rivm.findall("participating-org")}
    assert {"1", "2", "4"} <= roles
    end = rivm.find("activity-date[@type='4']")
    assert end.get("iso-date") == "2021-12-31" and datetime.date(2021, 12, 31) < datetime.date.today()


def test_a_search_selects_what_is_exported_and_bad_filters_are_refused(atlas, tmp_path):
    germany = select("pays=DE")
    path = tmp_path / "de.csv"
    count = export("csv", germany, path)
    assert count == Partnership.objects.with_country("DE").count() >= 2
    with pytest.raises(SelectionError) as caught:
        select("pays=XX&debut_min=abc")
    assert "XX" in str(caught.value) and "abc" in str(caught.value)


def test_a_failed_export_leaves_no_half_file(atlas, tmp_path):
    path = tmp_path / "atlas.unknown"
    with pytest.raises(ValueError):
        export("pdf-of-everything", atlas, path)
    assert list(tmp_path.iterdir()) == []
