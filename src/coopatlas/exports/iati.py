"""IATI activity XML (standard version 2.03): one activity per partnership, with the reporting
organisation (the French authority, organisation type 11 "local government"), participating
organisations and their roles, recipient countries, status and dates, DAC sectors mapped from
our themes, and yearly budgets from the funding lines."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO
from xml.etree.ElementTree import Element, SubElement, tostring

from django.db.models import QuerySet

from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS, OrganisationKind, ParticipationRole
from coopatlas.atlas.models import Partnership
from coopatlas.exports.records import partnership_ref
from coopatlas.exports.rows import Row, Tally, iter_rows

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# IATI OrganisationType codes.
ORGANISATION_TYPE = {
    **dict.fromkeys(FRENCH_AUTHORITY_KINDS, "11"),
    OrganisationKind.FOREIGN_AUTHORITY: "11",
    OrganisationKind.FRENCH_PUBLIC_BODY: "10",
    OrganisationKind.NATIONAL_BODY: "10",
    OrganisationKind.EMBASSY: "10",
    OrganisationKind.UNIVERSITY: "80",
    OrganisationKind.SCHOOL: "80",
    OrganisationKind.ASSOCIATION: "22",
    OrganisationKind.COMPANY: "70",
    OrganisationKind.NETWORK: "21",
    OrganisationKind.FUNDER: "40",
    OrganisationKind.OTHER: "90",
}
# IATI OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing.
ROLE = {
    ParticipationRole.FRENCH_AUTHORITY: "2",
    ParticipationRole.FOREIGN_AUTHORITY: "4",
    ParticipationRole.ASSOCIATED: "4",
    ParticipationRole.COORDINATOR: "3",
    ParticipationRole.OPERATOR: "4",
}
# IATI ActivityStatus: 1 pipeline, 2 implementation, 4 closed, 6 suspended.
STATUS = {"planned": "1", "active": "2", "ended": "4", "dormant": "6"}
# OECD DAC 5-digit sector for each tag of our theme taxonomy; decentralised cooperation at large
# is "decentralisation and support to subnational government" (15112).
DAC_SECTOR = {
    "water_sanitation": "14030",
    "education": "11110",
    "research_higher_education": "11420",
    "youth": "11330",
    "health": "12110",
    "agriculture_food": "31110",
    "economy": "25010",
    "energy": "23110",
    "environment": "41010",
    "culture": "16061",
    "heritage": "16061",
    "sport": "16061",
    "tourism": "33210",
    "mobility": "21010",
    "urban_development": "43030",
    "governance": "15112",
    "gender": "15170",
    "social": "16010",
    "humanitarian": "72010",
    "digital": "22040",
}
DEFAULT_SECTOR = "15112"


def _org_ref(organisation: Row) -> str | None:
    """The organisation identifier of a French body: its SIREN in INSEE's Sirene register."""
    if organisation["country_id"] == "FR" and organisation["siren"]:
        return f"FR-INSEE-{organisation['siren']}"
    return None


def _narrative(parent: Element, tag: str, text: str, **attributes: str) -> Element:
    element = SubElement(parent, tag, attributes)
    SubElement(element, "narrative").text = text
    return element


def _percentages(n: int) -> list[str]:
    """Split 100 into n shares with two decimals that add up exactly."""
    base = (Decimal(100) / n).quantize(Decimal("0.01"))
    shares = [base] * n
    shares[-1] = Decimal(100) - base * (n - 1)
    return [str(s) for s in shares]


RELATIONS = ("participations", "themes", "extra_countries", "funding")


def activity(p: Row) -> Element:
    """Return the iati-activity of a partnership (a row of coopatlas.exports.rows)."""
    participations = p["participations"]
    french = [x["organisation"] for x in participations if x["role"] == ParticipationRole.FRENCH_AUTHORITY]
    reporter = french[0] if french else participations[0]["organisation"] if participations else None
    reporter_ref = (_org_ref(reporter) if reporter else None) or "XI-COOPATLAS"
    element = Element("iati-activity", {XML_LANG: "fr", "default-currency": "EUR"})
    element.set("last-updated-datetime", p["updated_at"].replace(microsecond=0).isoformat())
    identifier = partnership_ref(p).replace(":", "-").replace(" ", "-")
    SubElement(element, "iati-identifier").text = f"{reporter_ref}-{identifier}"
    _narrative(
        element,
        "reporting-org",
        reporter["name"] if reporter else "coopatlas",
        ref=reporter_ref,
        type=ORGANISATION_TYPE.get(reporter["kind"], "90") if reporter else "90",
    )
    _narrative(element, "title", p["title"])
    if p["summary"] or p["description"]:
        _narrative(element, "description", p["summary"] or p["description"], type="1")
    for x in participations:
        o = x["organisation"]
        attributes = {"role": ROLE.get(x["role"], "4"), "type": ORGANISATION_TYPE.get(o["kind"], "90")}
        if ref := _org_ref(o):
            attributes["ref"] = ref
        _narrative(element, "participating-org", o["name"], **attributes)
    funders = {line["funder"]["pk"]: line["funder"] for line in p["funding"] if line["funder"]}
    for funder in funders.values():
        attributes = {"role": "1", "type": ORGANISATION_TYPE.get(funder["kind"], "90")}
        if ref := _org_ref(funder):
            attributes["ref"] = ref
        _narrative(element, "participating-org", funder["name"], **attributes)
    SubElement(element, "activity-status", code=STATUS.get(p["status"], "2"))
    first_year = p["start_year"] or p["signature_year"]
    if first_year:
        SubElement(element, "activity-date", {"type": "2", "iso-date": f"{first_year}-01-01"})
    if p["end_date"]:
        ended = p["end_date"] <= datetime.date.today()
        SubElement(
            element, "activity-date", {"type": "4" if ended else "3", "iso-date": p["end_date"].isoformat()}
        )
    countries = sorted(
        {x["organisation"]["country_id"] for x in participations if x["organisation"]["country_id"] != "FR"}
        | set(p["extra_countries"])
    )
    for code, share in zip(countries, _percentages(len(countries)) if countries else [], strict=False):
        SubElement(element, "recipient-country", code=code, percentage=share)
    sectors = []
    for link in p["themes"]:
        code = DAC_SECTOR.get(link["tag"], DEFAULT_SECTOR)
        if code not in sectors:
            sectors.append(code)
    sectors = sectors or [DEFAULT_SECTOR]
    for code, share in zip(sectors, _percentages(len(sectors)), strict=True):
        SubElement(element, "sector", vocabulary="1", code=code, percentage=share)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for line in p["funding"]:
        by_year[line["year"]] += line["amount"]
    for year in sorted(by_year):
        budget = SubElement(element, "budget", type="1", status="2")
        SubElement(budget, "period-start", {"iso-date": f"{year}-01-01"})
        SubElement(budget, "period-end", {"iso-date": f"{year}-12-31"})
        SubElement(
            budget, "value", {"currency": "EUR", "value-date": f"{year}-01-01"}
        ).text = f"{by_year[year]:.2f}"
    return element


def iter_iati(partnerships: QuerySet[Partnership], *, tally: Tally | None = None) -> Iterator[str]:
    """Yield an iati-activities document, one activity at a time."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<iati-activities version="{IATI_VERSION}" generated-datetime="{now}">\n'
    for p in iter_rows(partnerships, RELATIONS, tally):
        yield tostring(activity(p), encoding="unicode") + "\n"
    yield "</iati-activities>\n"


def write_iati(partnerships: QuerySet[Partnership], out: BinaryIO) -> int:
    """Write an iati-activities document, one activity at a time; return the count."""
    tally = Tally()
    for piece in iter_iati(partnerships, tally=tally):
        out.write(piece.encode())
    return tally.rows
