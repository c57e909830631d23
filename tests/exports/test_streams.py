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
