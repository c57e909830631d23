"""JSON beyond reason in an import: nesting deeper than our schema and numbers no field of ours
holds are refused as a whole file (FileRejected naming the file, line and what), in our own
streamed layout as in any other; nothing is written."""

import json

import pytest

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import ImportBatch
from coopatlas.exports.json_export import write_json
from coopatlas.exports.selection import select
from coopatlas.ingest.errors import FileRejected

pytestmark = pytest.mark.django_db


def _streamed_export(tmp_path, replace: str, by: str):
    """Our own export of the German partnerships (one record per line), with `replace` changed
    into `by` on the line of the first partnership; return its path and that line's number."""
    load_demo()
    path = tmp_path / "export.json"
    with path.open("w", encoding="utf-8") as out:
        write_json(select("pays=DE").partnerships, out)
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"participants"' in line and replace in line)
    lines[index] = lines[index].replace(replace, by, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, index + 1


def test_a_5000_digit_number_in_a_streamed_line_is_refused_with_its_line(tmp_path, run_import):
    """A 5,000-digit number on a line of our own layout refuses the file, naming the line."""
    # given
    path, line = _streamed_export(tmp_path, '"start_year": 1955', '"start_year": ' + "9" * 5000)
    # when
    with pytest.raises(FileRejected) as refused:
        run_import(path, "json")
    # then
    assert f"export.json, ligne {line}," in refused.value.fr and "nombre refusé" in refused.value.fr
    assert f"line {line}," in refused.value.en and not ImportBatch.objects.exists()


def test_a_streamed_line_nested_100000_deep_is_refused_with_its_line(tmp_path, run_import):
    """A line of our own layout nested 100,000 deep refuses the file, naming the line."""
    # given
    path, line = _streamed_export(tmp_path, '"sdgs": [', '"sdgs": ' + "[" * 100_000 + "]" * 100_000 + ", [")
    # when
    with pytest.raises(FileRejected) as refused:
        run_import(path, "json")
    # then
    assert f"ligne {line} : JSON imbriqué sur plus de 20 niveaux" in refused.value.fr


@pytest.mark.parametrize("literal", ["1e999", "NaN", "-Infinity"])
def test_numbers_json_does_not_have_are_refused(tmp_path, run_import, literal):
    """Infinity and NaN, which Python's reader would take, are refused with the literal."""
    # given
    path = tmp_path / "export.json"
    path.write_text(
        '{"schema": "coopatlas", "version": 1, "organisations": [], '
        f'"partnerships": [{{"ref": "x", "start_year": {literal}}}]}}'
    )
    # when
    with pytest.raises(FileRejected) as refused:
        run_import(path, "json")
    # then
    assert f"nombre refusé « {literal} »" in refused.value.fr


def _record(**changes) -> dict:
    record = {
        "ref": "x",
        "title": "Jumelage Lille – Cologne",
        "form": "twinning",
        "start_year": 1958,
        "participants": [
            {
                "organisation": {
                    "ref": "o1",
                    "name": "Lille",
                    "kind": "commune",
                    "country": "FR",
                    "insee_code": "59350",
                },
                "role": "french_authority",
            },
            {
                "organisation": {"ref": "o2", "name": "Köln", "kind": "foreign_authority", "country": "DE"},
                "role": "foreign_authority",
            },
        ],
    }
    return record | changes


LINES = {
    "theme priority 10**30": (
        {"themes": [{"theme": "cooperation-universitaire", "priority": 10**30}]},
        "thèmes · priorité",
    ),
    "theme priority -5": (
        {"themes": [{"theme": "cooperation-universitaire", "priority": -5}]},
        "thèmes · priorité",
    ),
    "event year 10**30": (
        {"events": [{"year": 10**30, "kind": "delegation_visit", "title": "Visite"}]},
        "événement · year",
    ),
    "event month abc": (
        {"events": [{"year": 2000, "month": "abc", "kind": "delegation_visit", "title": "V"}]},
        "événement · month",
    ),
    "event title 5000": (
        {"events": [{"year": 2000, "kind": "delegation_visit", "title": "v" * 5000}]},
        "événement · title",
    ),
    "event as text": ({"events": ["abc"]}, "enregistrement"),
    "source as text": ({"sources": ["abc"]}, "enregistrement"),
    "source date 2020-13-45": (
        {"sources": [{"title": "T", "retrieved_on": "2020-13-45"}]},
        "source · retrieved_on",
    ),
    "source title 5000": ({"sources": [{"title": "t" * 5000}]}, "source · title"),
    "volunteer name 1000": (
        {"volunteers": [{"last_name": "n" * 1000, "scheme": "vsi"}]},
        "volontaire · last_name",
    ),
}


@pytest.mark.parametrize("case", list(LINES))
def test_a_bad_value_in_a_line_written_in_bulk_is_a_rejected_row(tmp_path, run_import, case):
    """A bad value in a theme, event, source or volunteer line is a rejected row naming the field,
    not a database error."""
    # given
    changes, field = LINES[case]
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(
            {"schema": "coopatlas", "version": 1, "organisations": [], "partnerships": [_record(**changes)]}
        )
    )
    # when
    report = run_import(path, "json", dry_run=False, personal_data=True)
    # then
    assert report.counts["rejected"] == 1 and report.rolled_back
    assert report.errors[0].field.startswith(field), report.errors[0]
    assert not ImportBatch.objects.exists()
