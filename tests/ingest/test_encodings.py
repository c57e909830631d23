"""Encodings of the files people bring: UTF-8 with a few damaged bytes stays UTF-8 (the bytes are
replaced and their lines reported), UTF-16 is known by its byte-order mark (Excel's « Texte
Unicode »), Windows-1252 stays Windows-1252 — the rule measured on the real CSVs of shared/data."""

import codecs

import pytest

from coopatlas.atlas.models import Organisation
from coopatlas.ingest.files import SAMPLE, csv_rows, detect_encoding, open_text
from tests.conftest import SHARED

COMMUNES = (
    "collectivite_francaise;code_insee;partenaire;pays_partenaire;annee_debut\n"
    "Besançon;25056;Fribourg-en-Brisgau;Allemagne;1959\n"
    "Orléans;45234;Münster;Allemagne;1960\n"
    "Évry-Courcouronnes;91228;Kaolack;Sénégal;1989\n"
    "Sète;34301;Neuss;Allemagne;1964\n"
)
DATA = SHARED / "data"
REAL_CSVS = [
    DATA / "fr_communes_rcarlier" / "communes.csv",
    DATA / "fr_communes_rcarlier" / "departements.csv",
    DATA / "fr_admin_etalab" / "derived_communes_2026_with_coords.csv",
    DATA / "world_countries" / "countries_fr_en.csv",
    DATA / "twins_wikipedia_hekman" / "derived_france_pairs_insee.csv",
    DATA / "twins_wikipedia_hekman" / "twin_cities_raw.csv",
    DATA / "twins_wikidata_l3viathan" / "names.tsv",
]


def _damaged(data: bytes, count: int) -> bytes:
    """UTF-8 bytes with the lead byte of `count` multi-byte characters, spread over the file,
    overwritten by 0xFF (which never occurs in UTF-8)."""
    leads = [i for i, b in enumerate(data) if 0xC2 <= b <= 0xF4]
    damaged = bytearray(data)
    for k in range(count):
        damaged[leads[(k * len(leads)) // count]] = 0xFF
    return bytes(damaged)


def test_a_utf8_table_with_one_bad_byte_keeps_its_accents(tmp_path, run_import):
    """One damaged byte does not turn a UTF-8 file into Windows-1252: Besançon stays Besançon."""
    # given: the « è » of Sète (line 5) damaged
    data = COMMUNES.encode().replace("Sète".encode(), b"S\xffte")
    path = tmp_path / "communes.csv"
    path.write_bytes(data)
    # when
    report = run_import(path, "table", dry_run=False)
    # then
    assert report.counts["created"] == 4, report.errors
    assert Organisation.objects.get(insee_code="25056").name == "Besançon"
    assert Organisation.objects.get(insee_code="91228").name == "Évry-Courcouronnes"
    assert Organisation.objects.filter(name="Münster", country_id="DE").exists()
    assert not Organisation.objects.filter(name__contains="Ã").exists()
    assert "encodage : utf-8-sig" in report.notes


def test_a_utf8_table_with_bad_bytes_reports_their_lines(tmp_path, run_import):
    """The lines whose bytes were replaced are named in the notes, in French and English."""
    # given
    data = COMMUNES.encode().replace("Sète".encode(), b"S\xffte")
    path = tmp_path / "communes.csv"
    path.write_bytes(data)
    # when
    report = run_import(path, "table", dry_run=True)
    # then
    note = next(n for n in report.notes if "remplacés" in n)
    assert "ligne(s) 5 " in note and "line(s) 5)" in note


@pytest.mark.parametrize(
    "bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_excel_unicode_text_in_utf16_is_read(tmp_path, run_import, bom, codec):
    """Excel's « Texte Unicode » (UTF-16 with its byte-order mark, tab-separated, CRLF) is read."""
    # given: what Excel writes
    text = COMMUNES.replace(";", "\t").replace("\n", "\r\n")
    path = tmp_path / "jumelages.txt"
    path.write_bytes(bom + text.encode(codec))
    # when
    report = run_import(path, "table", dry_run=False)
    # then
    assert report.counts["created"] == 4, report.errors
    assert "encodage : utf-16" in report.notes and "délimiteur : tabulation" in report.notes
    assert Organisation.objects.get(insee_code="45234").name == "Orléans"
    assert Organisation.objects.filter(name="Münster").exists()


def test_a_windows_1252_table_is_still_read_as_windows_1252(tmp_path, run_import):
    """A file saved by Excel on Windows (Windows-1252) keeps its accents."""
    # given
    path = tmp_path / "communes.csv"
    path.write_bytes(COMMUNES.encode("cp1252"))
    # when
    report = run_import(path, "table", dry_run=False)
    # then
    assert report.counts["created"] == 4, report.errors
    assert "encodage : cp1252" in report.notes
    assert Organisation.objects.get(insee_code="34301").name == "Sète"
    assert not any("remplacés" in n for n in report.notes)


def test_a_bad_byte_past_the_first_sample_is_replaced_and_reported(tmp_path):
    """A bad byte after the first 64 KB (past the sample) is replaced and its line reported,
    instead of stopping the reading with a decoding error."""
    # given: 3,000 lines of UTF-8, line 2,900 with a damaged byte
    lines = ["ville;partenaire\n"] + [f"Besançon {n};Münster\n" for n in range(2, 3001)]
    lines[2899] = "Besan\udcffon;Münster\n"
    path = tmp_path / "long.csv"
    path.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
    assert path.stat().st_size > SAMPLE
    # when
    source = open_text(path)
    _header, rows = csv_rows(source)
    cells = [cells for _number, cells in rows]
    source.close()
    # then
    assert source.encoding == "utf-8-sig" and len(cells) == 2999
    assert cells[2898][0] == "Besan\ufffdon" and cells[0][0] == "Besançon 2"
    assert source.replaced_lines == [2900]
    assert any("ligne(s) 2900 " in note for note in source.notes)


@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data absent: {DATA} (set COOPATLAS_SHARED_DIR)")
@pytest.mark.parametrize("csv_path", REAL_CSVS, ids=lambda p: p.name)
def test_the_encoding_rule_on_real_csvs(tmp_path, csv_path):
    """On each real CSV: re-encoded in Windows-1252 it is read as Windows-1252; in UTF-8 with 1,
    5 or 20 damaged bytes, as UTF-8; with a UTF-16 byte-order mark, as UTF-16."""
    # given
    original = csv_path.read_bytes()
    text = original.decode("utf-8")
    variants = {
        "utf-8-sig": [original, _damaged(original, 1), _damaged(original, 5), _damaged(original, 20)],
        "cp1252": [text.encode("cp1252", "replace")],
        "utf-16": [codecs.BOM_UTF16_LE + text.encode("utf-16-le")],
    }
    for expected, contents in variants.items():
        for index, content in enumerate(contents):
            path = tmp_path / f"{expected}-{index}.csv"
            path.write_bytes(content)
            # when
            found = detect_encoding(path, content[:SAMPLE])
            # then
            assert found == expected, (expected, index)


def test_a_nul_past_the_first_sample_is_replaced_and_reported(tmp_path):
    """A NUL character after the first 64 KB (which no database text field takes) is read as
    « � » and its line reported."""
    # given: 3,000 lines of UTF-8, line 2,950 with a NUL in a cell
    lines = ["ville;partenaire\n"] + [f"Besançon {n};Münster\n" for n in range(2, 3001)]
    lines[2949] = "Besan\x00çon;Münster\n"
    path = tmp_path / "long.csv"
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size > SAMPLE
    # when
    source = open_text(path)
    _header, rows = csv_rows(source)
    cells = [cells for _number, cells in rows]
    source.close()
    # then
    assert cells[2948][0] == "Besan\ufffdçon"
    assert not any("\x00" in cell for row in cells for cell in row)
    assert source.replaced_lines == [2950]
