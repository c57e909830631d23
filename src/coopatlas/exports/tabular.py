"""Spreadsheet exports: CSV for French Excel (semicolons, UTF-8 with BOM, dd/mm/yyyy dates,
optional decimal comma) or plain CSV, and XLSX with one sheet per entity and frozen headers.

Text that a spreadsheet would run as a formula is neutralised; contacts and volunteers are left
out unless personal data is allowed, and the file says so.
"""

import csv
import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet
from django.utils import translation

from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Partnership
from coopatlas.core.i18n import sort_key
from coopatlas.core.spreadsheet import neutralise
from coopatlas.exports.records import iter_partnerships, partnership_ref

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


def _names(participations, role: str) -> str:
    return " ; ".join(p.organisation.name for p in participations if p.role == role)


def sheet_rows(partnerships: QuerySet[Partnership], personal_data: bool) -> Iterator[tuple[str, list]]:
    """Yield (sheet name, row of Python values) for every entity of the selection."""
    with translation.override("fr"):
        for p in iter_partnerships(partnerships, personal_data):
            ref = partnership_ref(p)
            participations = list(p.participations.all())
            funding = list(p.funding_lines.all())
            foreign = [x for x in participations if x.role == ParticipationRole.FOREIGN_AUTHORITY]
            countries = sorted(
                {x.organisation.country.name_fr for x in foreign}
                | {c.name_fr for c in p.extra_countries.all()},
                key=sort_key,
            )
            water = [line.water_one_percent_amount for line in funding if line.water_one_percent_amount]
            yield (
                "Partenariats",
                [
                    ref,
                    p.title,
                    p.get_form_display(),
                    p.get_status_display(),
                    p.get_publication_state_display(),
                    p.signature_year,
                    p.signature_date,
                    p.start_year,
                    p.end_date,
                    "oui" if p.is_triennial else "non",
                    _names(participations, ParticipationRole.FRENCH_AUTHORITY),
                    " ; ".join(
                        x.organisation.insee_code
                        for x in participations
                        if x.role == ParticipationRole.FRENCH_AUTHORITY and x.organisation.insee_code
                    ),
                    _names(participations, ParticipationRole.FOREIGN_AUTHORITY),
                    " ; ".join(countries),
                    " ; ".join(
                        x.organisation.name
                        for x in participations
                        if x.role
                        not in (ParticipationRole.FRENCH_AUTHORITY, ParticipationRole.FOREIGN_AUTHORITY)
                    ),
                    " ; ".join(link.theme.name_fr for link in p.theme_links.all()),
                    " ; ".join(str(g.number) for g in p.sdgs.all()),
                    sum((line.amount for line in funding), Decimal("0")) if funding else None,
                    sum(water, Decimal("0")) if water else None,
                    p.summary,
                    p.programme.name if p.programme_id else "",
                    p.last_verified_on,
                ],
            )
            for x in participations:
                o = x.organisation
                yield (
                    "Participants",
                    [
                        ref,
                        p.title,
                        o.name,
                        o.get_kind_display(),
                        x.get_role_display(),
                        o.country.name_fr,
                        o.insee_code,
                        o.latitude,
                        o.longitude,
                    ],
                )
            for line in funding:
                yield (
                    "Financements",
                    [
                        ref,
                        p.title,
                        line.funder_name,
                        line.amount,
                        line.water_one_percent_amount,
                        line.year,
                        line.get_kind_display(),
                    ],
                )
            for e in p.events.all():
                yield "Événements", [ref, p.title, e.year, e.month, e.day, e.get_kind_display(), e.title]
            if personal_data:
                for c in p.contacts.all():
                    yield (
                        "Contacts",
                        [
                            ref,
                            c.organisation.name if c.organisation_id else "",
                            c.last_name,
                            c.first_name,
                            c.function,
                            c.email,
                            c.phone,
                        ],
                    )
                for v in p.volunteers.all():
                    yield (
                        "Volontaires",
                        [ref, v.last_name, v.first_name, v.get_scheme_display(), v.mission, v.field],
                    )


def _cell(value: object, *, excel: bool, decimal_comma: bool) -> str:
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


def write_csv(
    partnerships: QuerySet[Partnership], path: Path, *, excel: bool, personal_data: bool, decimal_comma: bool
) -> int:
    """Write one row per partnership. `excel`: semicolons, BOM, dd/mm/yyyy (French Excel)."""
    count = 0
    with path.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if excel else ",")
        writer.writerow(PARTNERSHIP_COLUMNS)
        for sheet, row in sheet_rows(partnerships, personal_data=False):
            if sheet == "Partenariats":
                writer.writerow([_cell(v, excel=excel, decimal_comma=decimal_comma) for v in row])
                count += 1
    return count


def write_xlsx(partnerships: QuerySet[Partnership], path: Path, *, personal_data: bool) -> int:
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
    count = 0
    for sheet, row in sheet_rows(partnerships, personal_data):
        worksheets[sheet].append([_xlsx_value(v) for v in row])
        count += sheet == "Partenariats"
    if not personal_data:
        notice = workbook.create_sheet("À lire")
        notice.append([NO_PERSONAL_DATA])
    workbook.save(path)
    return count


def _xlsx_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(value)


def table_csv(header: list[str], rows: list[list], *, excel: bool = True) -> str:
    """Return any table as CSV text, French Excel style by default (BOM, semicolons, decimal comma)."""
    import io

    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=";" if excel else ",")
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([_cell(v, excel=excel, decimal_comma=excel) for v in row])
    return ("\ufeff" if excel else "") + handle.getvalue()
