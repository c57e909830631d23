"""Write the corpus of bad import files kept in this folder (run from anywhere):

    python tests/data/bad/make_corpus.py

The two large ones (a 50 MB single line, a zip bomb disguised as XLSX) are made by the tests in
a temporary folder instead of being stored.
"""

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADER = "collectivite_francaise;partenaire;pays_partenaire;annee_debut;montant;annee_financement\n"


def main() -> None:
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "header_only.csv").write_text(HEADER, encoding="utf-8")
    (HERE / "wrong_delimiter.csv").write_text(HEADER + "Lille;Cologne;Allemagne;1958;;\n", encoding="utf-8")
    (HERE / "ragged.csv").write_text(
        HEADER
        + "Lille;Cologne;Allemagne;1958;;\n"
        + "Rennes;Erlangen;Allemagne;1964;;;en trop;encore\n"
        + "Nantes\n",
        encoding="utf-8",
    )
    (HERE / "unknown_columns.csv").write_text(
        "collectivite_francaise;partenaire;pays_partenaire;couleur préférée;Unnamed: 7\n"
        "Lille;Cologne;Allemagne;bleu;\n",
        encoding="utf-8",
    )
    (HERE / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (HERE / "cp1252.csv").write_bytes(
        (
            HEADER
            + "Besançon;Fribourg-en-Brisgau;Allemagne;1959;;\nSaint-Étienne;Wuppertal;Allemagne;1960;;\n"
        ).encode("cp1252")
    )
    (HERE / "duplicated_headers.csv").write_text(
        "collectivite_francaise;partenaire;partenaire;pays_partenaire\nLille;Cologne;Köln;Allemagne\n",
        encoding="utf-8",
    )
    (HERE / "years_amounts.csv").write_text(
        HEADER
        + "Lille;Cologne;Allemagne;vers 1958;1 255,50 €;2020\n"
        + "Rennes;Erlangen;Allemagne;1964-1995;2 000;1990\n",
        encoding="utf-8",
    )
    # A workbook with formulas (never evaluated) and a macro part (never run).
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["collectivite_francaise", "partenaire", "pays_partenaire", "annee_debut"])
    sheet.append(["Lille", "Cologne", "Allemagne", 1958])
    sheet.append(["Lyon", '=HYPERLINK("http://example.invalid","Birmingham")', "Royaume-Uni", "=1950+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real macro project")
    (HERE / "formulas_macros.xlsm").write_bytes(buffer.getvalue())
    # A workbook whose sheet XML holds an entity expansion bomb ("billion laughs").
    workbook = Workbook()
    workbook.active.append(["collectivite_francaise", "partenaire", "pays_partenaire"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(HERE / "xml_bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = bomb.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            archive.writestr(item.filename, data)
    (HERE / "not_a_sheet.txt").write_text(
        "Bonjour,\nceci est une lettre et non une fiche.\n", encoding="utf-8"
    )
    (HERE / "not_json.json").write_text(
        '{"schema": "coopatlas", "version": 1, "partnerships": [ {oops ]}', encoding="utf-8"
    )


if __name__ == "__main__":
    main()
