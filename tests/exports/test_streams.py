"""Exports as streams: every format gives the same file as before on the demo atlas (the files in
tests/data/exports/ were written by the exports that built a model instance per row), and the
number of queries does not grow with the number of rows."""

import json
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.localisation import organisations_locate
from coopatlas.atlas.models import Partnership
from coopatlas.exports.selection import select
from coopatlas.exports.service import export

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent.parent / "data" / "exports"
# Set to rewrite the files from the current exports (only when an export's shape changes on purpose).
REGENERATE = os.environ.get("COOPATLAS_REGENERATE_EXPORTS") == "1"
CASES = [
    ("csv", {"decimal_comma": True}, "atlas.csv"),
    ("csv-plain", {}, "atlas-plain.csv"),
    ("xlsx", {}, "atlas.xlsx.json"),
    ("xlsx", {"personal_data": True}, "atlas-personal.xlsx.json"),
    ("json", {}, "atlas.json"),
    ("json", {"personal_data": True}, "atlas-personal.json"),
    ("geojson", {}, "atlas.geojson"),
    ("iati", {}, "atlas.xml"),
]


def _comparable(fmt: str, path: Path) -> str:
    """The file as text to compare: an XLSX's cells as JSON; IATI without its timestamps."""
    if fmt == "xlsx":
        workbook = load_workbook(path)
        sheets = {
            sheet.title: [[_plain(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
        return json.dumps(sheets, ensure_ascii=False, indent=1) + "\n"
    text = path.read_bytes().decode("utf-8")
    if fmt == "iati":
        text = re.sub(r'(generated|last-updated)-datetime="[^"]*"', r'\1-datetime=""', text)
    return text


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@pytest.mark.parametrize(("fmt", "options", "name"), CASES)
def test_exports_write_the_same_files_as_before_on_the_demo_atlas(fmt, options, name, tmp_path, resolver):
    """Each format, with and without personal data, gives the file the earlier exports gave."""
    # given: the demo atlas, its organisations placed
    load_demo()
    organisations_locate()
    path = tmp_path / name.removesuffix(".json") if fmt == "xlsx" else tmp_path / name
    # when
    export(fmt, select(), path, **options)
    # then
    got = _comparable(fmt, path)
    if REGENERATE:
        (GOLDEN / name).write_bytes(got.encode())
    assert got == (GOLDEN / name).read_bytes().decode()


def _add_partnerships(count: int) -> None:
    """Add `count` partnerships, each with two participants, a theme, a goal, a country, a funding
    line, an event, a source, a contact and a volunteer."""
    from coopatlas.atlas.models import (
        Contact,
        Event,
        FundingLine,
        Participation,
        PartnershipTheme,
        Source,
        SustainableDevelopmentGoal,
        Theme,
        Volunteer,
    )
    from tests.atlas.factories import commune, foreign_town

    lyon, leipzig = commune("Lyon", "69123"), foreign_town("Leipzig", "DE")
    theme = Theme.objects.first()
    goal = SustainableDevelopmentGoal.objects.first()
    start = Partnership.objects.count()
    made = Partnership.objects.bulk_create(
        Partnership(
            title=f"Jumelage n° {start + i}", form="twinning", start_year=1990, publication_state="published"
        )
        for i in range(count)
    )
    Participation.objects.bulk_create(
        Participation(partnership=p, organisation=o, role=role)
        for p in made
        for o, role in ((lyon, "french_authority"), (leipzig, "foreign_authority"))
    )
    PartnershipTheme.objects.bulk_create(PartnershipTheme(partnership=p, theme=theme) for p in made)
    Partnership.sdgs.through.objects.bulk_create(
        Partnership.sdgs.through(partnership=p, sustainabledevelopmentgoal=goal) for p in made
    )
    Partnership.extra_countries.through.objects.bulk_create(
        Partnership.extra_countries.through(partnership=p, country_id="BJ") for p in made
    )
    FundingLine.objects.bulk_create(
        FundingLine(partnership=p, funder=lyon, amount=1000, year=2020) for p in made
    )
    Event.objects.bulk_create(Event(partnership=p, year=1990, title="Signature") for p in made)
    Source.objects.bulk_create(Source(partnership=p, url="https://www.lyon.fr/jumelages") for p in made)
    Contact.objects.bulk_create(Contact(partnership=p, organisation=lyon, last_name="Martin") for p in made)
    Volunteer.objects.bulk_create(Volunteer(partnership=p, last_name="Durand", scheme="vsi") for p in made)


FORMATS = [
    ("csv", {}),
    ("xlsx", {"personal_data": True}),
    ("json", {"personal_data": True}),
    ("geojson", {}),
    ("iati", {}),
]
MAX_QUERIES = 20


@pytest.mark.parametrize(("fmt", "options"), FORMATS)
def test_an_export_takes_as_many_queries_for_500_rows_as_for_50(
    fmt, options, tmp_path, django_assert_max_num_queries
):
    """The queries of an export are bounded whatever the number of rows: never one per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for total in (50, 500):
        # given
        _add_partnerships(total - Partnership.objects.count())
        # when
        with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as queries:
            written = export(fmt, select(), tmp_path / f"{total}.{fmt}", **options)
        # then
        assert written == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("fmt", "options"), [("csv", {}), ("xlsx", {"personal_data": True}), ("json", {"personal_data": True})]
)
def test_an_export_read_in_small_chunks_is_the_same_file(fmt, options, tmp_path, monkeypatch):
    """Reading by keyset in chunks of 7 gives the file read in one chunk, every row once."""
    from coopatlas.exports import rows

    # given
    _add_partnerships(50)
    whole, chunked = tmp_path / f"whole.{fmt}", tmp_path / f"chunked.{fmt}"
    export(fmt, select(), whole, **options)
    # when
    monkeypatch.setattr(rows, "CHUNK", 7)
    count = export(fmt, select(), chunked, **options)
    # then
    assert count == 50
    assert _comparable(fmt, chunked) == _comparable(fmt, whole)
