"""Spreadsheet exports: CSV for French Excel (semicolons, UTF-8 with BOM, dd/mm/yyyy dates,
optional decimal comma) or plain CSV, and XLSX with one sheet per entity and frozen headers.

Text that a spreadsheet would run as a formula is neutralised; contacts and volunteers are left
out unless personal data is allowed, and the file says so.
"""

import csv
import datetime
import functools
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet
from django.utils import translation

from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Event, FundingLine, Organisation, Participation, Partnership, Volunteer
from coopatlas.core.i18n import sort_key
from coopatlas.core.spreadsheet import FORMULA_STARTS, neutralise
from coopatlas.exports.records import partnership_ref
from coopatlas.exports.rows import Row, Tally, country_names, display, iter_rows, labels

NO_PERSONAL_DATA = (
    "Données personnelles (contacts, volontaires) exclues de cet export : il faut le droit de les voir."
)

PARTNERSHIP_COLUMNS = [
    "référence",
    "titre",
    "forme",
    "état",
    "publication",
    "année de signature",
    "date de signature",
    "année de début",
    "date de fin",
    "triennal",
    "collectivités françaises",
    "codes INSEE",
    "partenaires étrangers",
    "pays",
    "autres acteurs",
    "thèmes",
    "ODD",
    "financement total (€)",
    "dont 1 % eau (€)",
    "résumé",
    "programme",
    "dernière vérification",
]
SHEETS = {
    "Partenariats": PARTNERSHIP_COLUMNS,
    "Participants": [
        "référence du partenariat",
        "titre du partenariat",
        "organisation",
        "type d'acteur",
        "rôle",
        "pays",
        "code INSEE",
        "latitude",
        "longitude",
    ],
    "Financements": [
        "référence du partenariat",
        "titre du partenariat",
        "financeur",
        "montant (€)",
        "dont 1 % eau (€)",
        "année",
        "nature",
    ],
    "Événements": [
        "référence du partenariat",
        "titre du partenariat",
        "année",
        "mois",
        "jour",
        "type",
        "intitulé",
    ],
}
PERSONAL_SHEETS = {
    "Contacts": [
        "référence du partenariat",
        "organisation",
        "nom",
        "prénom",
        "fonction",
        "courriel",
        "téléphone",
    ],
    "Volontaires": ["référence du partenariat", "nom", "prénom", "dispositif", "mission", "champ d'action"],
}


def _names(participations: list[Row], role: str) -> str:
    return " ; ".join(x["organisation"]["name"] for x in participations if x["role"] == role)


CSV_RELATIONS = ("participations", "themes", "sdgs", "extra_countries", "funding")
SHEET_RELATIONS = (*CSV_RELATIONS, "events")
OTHER_ROLES = (ParticipationRole.FRENCH_AUTHORITY, ParticipationRole.FOREIGN_AUTHORITY)


def _french_labels() -> dict[str, dict]:
    """The displayed labels of every field with choices, in French whatever the interface's language."""
    with translation.override("fr"):
        return {
            "form": labels(Partnership, "form"),
            "status": labels(Partnership, "status"),
            "publication_state": labels(Partnership, "publication_state"),
            "kind": labels(Organisation, "kind"),
            "role": labels(Participation, "role"),
            "funding_kind": labels(FundingLine, "kind"),
            "event_kind": labels(Event, "kind"),
            "scheme": labels(Volunteer, "scheme"),
        }


def sheet_rows(
    partnerships: QuerySet[Partnership],
    personal_data: bool,
    *,
    sheets: bool = True,
    tally: Tally | None = None,
) -> Iterator[tuple[str, list]]:
    """Yield (sheet name, row of Python values) for every entity of the selection; only the
    partnerships' sheet unless `sheets`."""
    names = country_names()
    collation = functools.cache(sort_key)  # a few hundred country names, each row sorts some
    shown = _french_labels()
    relations = SHEET_RELATIONS if sheets else CSV_RELATIONS
    if sheets and personal_data:
        relations += ("contacts", "volunteers")
    for p in iter_rows(partnerships, relations, tally):
        ref = partnership_ref(p)
        participations = p["participations"]
        funding = p["funding"]
        countries = sorted(
            {
                names[x["organisation"]["country_id"]]
                for x in participations
                if x["role"] == ParticipationRole.FOREIGN_AUTHORITY
            }
            | {names[code] for code in p["extra_countries"]},
            key=collation,
        )
        water = [line["water_one_percent_amount"] for line in funding if line["water_one_percent_amount"]]
        yield (
            "Partenariats",
            [
                ref,
                p["title"],
                display(shown["form"], p["form"]),
                display(shown["status"], p["status"]),
                display(shown["publication_state"], p["publication_state"]),
                p["signature_year"],
                p["signature_date"],
                p["start_year"],
                p["end_date"],
                "oui" if p["is_triennial"] else "non",
                _names(participations, ParticipationRole.FRENCH_AUTHORITY),
                " ; ".join(
                    x["organisation"]["insee_code"]
                    for x in participations
                    if x["role"] == ParticipationRole.FRENCH_AUTHORITY and x["organisation"]["insee_code"]
                ),
                _names(participations, ParticipationRole.FOREIGN_AUTHORITY),
                " ; ".join(countries),
                " ; ".join(x["organisation"]["name"] for x in participations if x["role"] not in OTHER_ROLES),
                " ; ".join(link["name_fr"] for link in p["themes"]),
                " ; ".join(str(number) for number in p["sdgs"]),
                sum((line["amount"] for line in funding), Decimal("0")) if funding else None,
                sum(water, Decimal("0")) if water else None,
                p["summary"],
                p["programme"] or "",
                p["last_verified_on"],
            ],
        )
        if not sheets:
            continue
        for x in participations:
            o = x["organisation"]
            yield (
                "Participants",
                [
                    ref,
                    p["title"],
                    o["name"],
                    display(shown["kind"], o["kind"]),
                    display(shown["role"], x["role"]),
                    names[o["country_id"]],
                    o["insee_code"],
                    o["latitude"],
                    o["longitude"],
                ],
            )
        for line in funding:
            yield (
                "Financements",
                [
                    ref,
                    p["title"],
                    line["funder_name"],
                    line["amount"],
                    line["water_one_percent_amount"],
                    line["year"],
                    display(shown["funding_kind"], line["kind"]),
                ],
            )
        for e in p["events"]:
            yield (
                "Événements",
                [
                    ref,
                    p["title"],
                    e["year"],
                    e["month"],
                    e["day"],
                    display(shown["event_kind"], e["kind"]),
                    e["title"],
                ],
            )
        if personal_data:
            for c in p["contacts"]:
                yield (
                    "Contacts",
                    [
                        ref,
                        c["organisation"]["name"] if c["organisation"] else "",
                        c["last_name"],
                        c["first_name"],
                        c["function"],
                        c["email"],
                        c["phone"],
                    ],
                )
            for v in p["volunteers"]:
                yield (
                    "Volontaires",
                    [
                        ref,
                        v["last_name"],
                        v["first_name"],
                        display(shown["scheme"], v["scheme"]),
                        v["mission"],
                        v["field"],
                    ],
                )


def _cell(value: object, *, excel: bool, decimal_comma: bool) -> str:
    if type(value) is str:  # most cells: text, neutralised as below without the round trips
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y") if excel else value.isoformat()
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    return str(neutralise(str(value)))


# Text is handed on in pieces of about this many characters (a chunk of a streamed response).
PIECE = 64 * 1024


def iter_csv(
    partnerships: QuerySet[Partnership], *, excel: bool, decimal_comma: bool, tally: Tally | None = None
) -> Iterator[str]:
    """Yield the CSV text in pieces, one row per partnership. `excel`: semicolons, BOM, dd/mm/yyyy
    (French Excel; the BOM is the first character). Never personal data."""
    handle = io.StringIO()
    if excel:
        handle.write("\ufeff")
    writer = csv.writer(handle, delimiter=";" if excel else ",")
    writer.writerow(PARTNERSHIP_COLUMNS)
    for _sheet, row in sheet_rows(partnerships, personal_data=False, sheets=False, tally=tally):
        writer.writerow([_cell(v, excel=excel, decimal_comma=decimal_comma) for v in row])
        if handle.tell() >= PIECE:
            yield handle.getvalue()
            handle.seek(0)
            handle.truncate()
    yield handle.getvalue()


def write_csv(
    partnerships: QuerySet[Partnership], path: Path, *, excel: bool, personal_data: bool, decimal_comma: bool
) -> int:
    """Write one row per partnership. `excel`: semicolons, BOM, dd/mm/yyyy (French Excel)."""
    tally = Tally()
    with path.open("w", encoding="utf-8", newline="") as handle:
        for piece in iter_csv(partnerships, excel=excel, decimal_comma=decimal_comma, tally=tally):
            handle.write(piece)
    return tally.rows


def write_xlsx(
    partnerships: QuerySet[Partnership], path: Path, *, personal_data: bool, tally: Tally | None = None
) -> int:
    """Write one sheet per entity (streamed: openpyxl's write-only mode), headers frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheets = dict(SHEETS) | (PERSONAL_SHEETS if personal_data else {})
    worksheets = {}
    bold = Font(bold=True)
    for name, columns in sheets.items():
        worksheet = workbook.create_sheet(name)
        worksheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(worksheet, value=column)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        worksheets[name] = worksheet
    tally = tally or Tally()
    for sheet, row in sheet_rows(partnerships, personal_data, tally=tally):
        worksheets[sheet].append([_xlsx_value(v) for v in row])
    if not personal_data:
        notice = workbook.create_sheet("À lire")
        notice.append([NO_PERSONAL_DATA])
    workbook.save(path)
    return tally.rows


def _xlsx_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(value)


def table_csv(header: list[str], rows: list[list], *, excel: bool = True) -> str:
    """Return any table as CSV text, French Excel style by default (BOM, semicolons, decimal comma)."""
    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=";" if excel else ",")
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([_cell(v, excel=excel, decimal_comma=excel) for v in row])
    return ("\ufeff" if excel else "") + handle.getvalue()


def tables_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """Return a workbook of any tables, one sheet each (name, header, rows): headers bold and
    frozen, amounts as numbers with two decimals, text neutralised against formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, header, rows in sheets:
        worksheet = workbook.create_sheet(name[:31])  # Excel's limit on a sheet's name
        worksheet.freeze_panes = "A2"
        cells = []
        for column in header:
            cell = WriteOnlyCell(worksheet, value=str(neutralise(str(column))))
            cell.font = bold
            cells.append(cell)
        worksheet.append(cells)
        for row in rows:
            values = []
            for value in row:
                cell = WriteOnlyCell(worksheet, value=_xlsx_value(value))
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
                values.append(cell)
            worksheet.append(values)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()
