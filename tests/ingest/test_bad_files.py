"""The corpus of bad files (tests/data/bad/, made by its make_corpus.py): each gets a clear
error or a correct parse, in bounded memory, and a failed import leaves the database as it was."""

import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from coopatlas.atlas.models import ImportBatch, Organisation, Partnership
from coopatlas.ingest.errors import FileRejected

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


def _state() -> tuple[int, int, int]:
    return Partnership.objects.count(), Organisation.objects.count(), ImportBatch.objects.count()


@pytest.mark.parametrize(
    ("name", "source", "options", "message"),
    [
        ("empty.csv", "table", {}, "est vide"),
        ("binary.bin", "table", {}, "binaire"),
        ("duplicated_headers.csv", "table", {}, "« partenaire » apparaît deux fois"),
        ("wrong_delimiter.csv", "table", {"delimiter": ","}, "colonne(s) obligatoire(s) introuvable(s)"),
        ("xml_bomb.xlsx", "table", {}, "XML dangereux"),
        ("not_a_sheet.txt", "atlas-sheet", {}, "pas de champ « Titre »"),
        ("not_json.json", "json", {}, "JSON invalide"),
        ("cp1252.csv", "twins", {}, "colonnes non reconnues"),
        ("binary.bin", "json", {}, "binaire"),
    ],
)
def test_unreadable_files_are_refused_clearly_and_change_nothing(run_import, name, source, options, message):
    before = _state()
    with pytest.raises(FileRejected) as caught:
        run_import(BAD / name, source, **options)
    assert message in caught.value.fr, caught.value.fr
    assert name.split(".")[0] in caught.value.fr or source == "table" and name == "empty.csv"
    assert caught.value.en
    assert _state() == before


def test_header_only_is_an_empty_import(run_import):
    report = run_import(BAD / "header_only.csv", "table")
    assert report.rows == 0 and not report.errors


def test_ragged_rows_are_rejected_by_line(run_import):
    before = _state()
    report = run_import(BAD / "ragged.csv", "table")
    assert report.rolled_back and _state() == before
    assert [(e.where, e.field) for e in report.errors] == [("ligne 3", "ligne"), ("ligne 4", "partenaire")]
    assert "8 cellules pour 6 colonnes" in report.errors[0].fr


def test_unknown_columns_are_ignored_and_said(run_import):
    report = run_import(BAD / "unknown_columns.csv", "table")
    assert report.counts["created"] == 1
    assert any(note == "colonnes ignorées : couleur préférée, Unnamed: 7" for note in report.notes)


def test_windows_1252_accents_read_right(run_import):
    report = run_import(BAD / "cp1252.csv", "table")
    assert report.counts["created"] == 2 and "encodage : cp1252" in report.notes
    assert Organisation.objects.filter(name__in=["Besançon", "Saint-Étienne"]).count() == 2


def test_approximate_years_spans_and_french_amounts_parse(run_import):
    report = run_import(BAD / "years_amounts.csv", "table")
    assert report.counts["created"] == 2, report.errors
    lille = Partnership.objects.get(participations__organisation__name="Cologne")
    rennes = Partnership.objects.get(participations__organisation__name="Erlangen")
    assert (lille.start_year, lille.funding_total()) == (1958, Decimal("1255.50"))
    assert (rennes.start_year, rennes.end_date.year, rennes.funding_total()) == (1964, 1995, 2000)


def test_formulas_are_never_evaluated_and_macros_never_run(run_import):
    report = run_import(BAD / "formulas_macros.xlsm", "table", skip_invalid=True)
    assert "macros présentes : ignorées, jamais exécutées" in report.notes
    assert report.counts["created"] == 1
    # The formula cells have no stored result: the row is rejected, naming the empty partner.
    assert [(e.where, e.field) for e in report.errors] == [("feuille Sheet, ligne 3", "partenaire")]
    assert not Organisation.objects.filter(name__contains="HYPERLINK").exists()


def test_a_50_mb_single_line_is_refused_in_bounded_memory(run_import, tmp_path):
    path = tmp_path / "one_line.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("collectivite_francaise;partenaire;pays_partenaire\n")
        chunk = "x" * 1_000_000
        for _ in range(50):
            out.write(chunk)
    before = _state()
    tracemalloc.start()
    try:
        with pytest.raises(FileRejected) as caught:
            run_import(path, "table")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "ligne 2" in caught.value.fr and "million de caractères" in caught.value.fr
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert _state() == before


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_unpacking(run_import, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = b"\0" * (1 << 20)
            for _ in range(320):
                member.write(zeros)
    assert path.stat().st_size < 2_000_000
    before = _state()
    with pytest.raises(FileRejected) as caught:
        run_import(path, "table")
    assert "bombe zip" in caught.value.fr
    assert _state() == before
