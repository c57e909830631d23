"""The atlas in our own JSON schema (docs/import-export.md), shared by the JSON export, the
tabular exports and the importer's round trip."""

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Q, QuerySet

from coopatlas.atlas.models import (
    ORGANISATION_DATA_FIELDS,
    Contact,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
)
from coopatlas.exports.rows import Row

SCHEMA = "coopatlas"
VERSION = 1
ORGANISATION_KEYS = ("name", "kind", "country", *ORGANISATION_DATA_FIELDS)


def organisation_ref(organisation: Row) -> str:
    return organisation["external_ref"] or f"coopatlas:organisation:{organisation['pk']}"


def partnership_ref(partnership: Row) -> str:
    return partnership["external_ref"] or f"coopatlas:partnership:{partnership['pk']}"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _day(value) -> str | None:
    return value.isoformat() if value else None


def organisation_record(organisation: Row) -> dict:
    """Return an organisation (its values, as `organisation_rows` reads them) in our schema."""
    record = {"ref": organisation_ref(organisation)}
    for key in ORGANISATION_KEYS:
        record[key] = organisation["country_id" if key == "country" else key]
    return record


# What a partnership record is made of (see coopatlas.exports.rows).
RECORD_RELATIONS = ("participations", "themes", "sdgs", "extra_countries", "funding", "events", "sources")
PERSONAL_RELATIONS = ("contacts", "volunteers")


def record_relations(personal_data: bool) -> tuple[str, ...]:
    return RECORD_RELATIONS + (PERSONAL_RELATIONS if personal_data else ())


def partnership_record(partnership: Row, *, personal_data: bool) -> dict:
    """Return a partnership (a row of coopatlas.exports.rows) in our schema; organisations are
    given by their reference."""
    p = partnership
    record = {
        "ref": partnership_ref(p),
        "title": p["title"],
        "form": p["form"],
        "status": p["status"],
        "publication_state": p["publication_state"],
        "signature_year": p["signature_year"],
        "signature_date": _day(p["signature_date"]),
        "start_year": p["start_year"],
        "end_date": _day(p["end_date"]),
        "duration_months": p["duration_months"],
        "is_triennial": p["is_triennial"],
        "last_verified_on": _day(p["last_verified_on"]),
        "summary": p["summary"],
        "context": p["context"],
        "history": p["history_text"],
        "objectives_local": p["objectives_local"],
        "objectives_france": p["objectives_france"],
        "description": p["description"],
        "note": p["note"],
        "programme": p["programme"],
        "themes": [{"theme": link["code"], "priority": link["priority"]} for link in p["themes"]],
        "sdgs": sorted(p["sdgs"]),
        "extra_countries": sorted(p["extra_countries"]),
        "participants": [
            {"organisation": organisation_ref(x["organisation"]), "role": x["role"], "note": x["note"]}
            for x in p["participations"]
        ],
        "funding": [
            {
                "funder": organisation_ref(line["funder"]) if line["funder"] else None,
                "funder_label": line["funder_label"],
                "amount": _money(line["amount"]),
                "water_one_percent_amount": _money(line["water_one_percent_amount"]),
                "year": line["year"],
                "kind": line["kind"],
            }
            for line in p["funding"]
        ],
        "events": [
            {
                "year": e["year"],
                "month": e["month"],
                "day": e["day"],
                "kind": e["kind"],
                "title": e["title"],
                "description": e["description"],
            }
            for e in p["events"]
        ],
        "sources": [
            {"url": s["url"], "title": s["title"], "retrieved_on": _day(s["retrieved_on"])}
            for s in p["sources"]
        ],
    }
    if personal_data:
        record["contacts"] = [
            {
                "organisation": organisation_ref(c["organisation"]) if c["organisation"] else None,
                "last_name": c["last_name"],
                "first_name": c["first_name"],
                "function": c["function"],
                "email": c["email"],
                "phone": c["phone"],
                "note": c["note"],
            }
            for c in p["contacts"]
        ]
        record["volunteers"] = [
            {
                "last_name": v["last_name"],
                "first_name": v["first_name"],
                "scheme": v["scheme"],
                "mission": v["mission"],
                "field": v["field"],
            }
            for v in p["volunteers"]
        ]
    return record


def organisations_of(partnerships: QuerySet[Partnership]) -> QuerySet[Organisation]:
    """Return the organisations the partnerships name (participants, funders, contacts' employers):
    sub-queries, never a list of ids."""
    chosen = partnerships.values("pk")
    return Organisation.objects.filter(
        Q(pk__in=Participation.objects.filter(partnership__in=chosen).values("organisation_id"))
        | Q(pk__in=FundingLine.objects.filter(partnership__in=chosen).values("funder_id"))
        | Q(pk__in=Contact.objects.filter(partnership__in=chosen).values("organisation_id"))
    )


def organisation_rows(partnerships: QuerySet[Partnership]) -> Iterator[Row]:
    """Yield the values of the organisations the partnerships name, as `organisation_record` reads them."""
    fields = ("pk", "external_ref", "name", "kind", "country_id", *ORGANISATION_DATA_FIELDS)
    yield from organisations_of(partnerships).values(*fields).iterator(chunk_size=2000)
