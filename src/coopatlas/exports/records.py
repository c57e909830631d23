"""The atlas in our own JSON schema (docs/import-export.md), shared by the JSON export, the
tabular exports and the importer's round trip."""

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from coopatlas.atlas.models import (
    ORGANISATION_DATA_FIELDS,
    Contact,
    Event,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
)

SCHEMA = "coopatlas"
VERSION = 1
ORGANISATION_KEYS = ("name", "kind", "country", *ORGANISATION_DATA_FIELDS)


def organisation_ref(organisation: Organisation) -> str:
    return organisation.external_ref or f"coopatlas:organisation:{organisation.pk}"


def partnership_ref(partnership: Partnership) -> str:
    return partnership.external_ref or f"coopatlas:partnership:{partnership.pk}"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _day(value) -> str | None:
    return value.isoformat() if value else None


def organisation_record(organisation: Organisation) -> dict:
    record = {"ref": organisation_ref(organisation)}
    for key in ORGANISATION_KEYS:
        record[key] = organisation.country_id if key == "country" else getattr(organisation, key)
    return record


def with_details(partnerships: QuerySet[Partnership], personal_data: bool) -> QuerySet[Partnership]:
    lookups = [
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("organisation").order_by("position", "id"),
        ),
        Prefetch(
            "theme_links",
            queryset=PartnershipTheme.objects.select_related("theme").order_by("priority", "id"),
        ),
        Prefetch(
            "funding_lines", queryset=FundingLine.objects.select_related("funder").order_by("position", "id")
        ),
        Prefetch("events", queryset=Event.objects.order_by("year", "month", "day", "id")),
        "sources",
        "sdgs",
        "extra_countries",
    ]
    if personal_data:
        lookups += [
            Prefetch("contacts", queryset=Contact.objects.select_related("organisation").order_by("id")),
            "volunteers",
        ]
    return partnerships.select_related("programme").prefetch_related(*lookups)


def partnership_record(partnership: Partnership, *, personal_data: bool) -> dict:
    """Return a partnership in our schema; organisations are given by their reference."""
    record = {
        "ref": partnership_ref(partnership),
        "title": partnership.title,
        "form": partnership.form,
        "status": partnership.status,
        "publication_state": partnership.publication_state,
        "signature_year": partnership.signature_year,
        "signature_date": _day(partnership.signature_date),
        "start_year": partnership.start_year,
        "end_date": _day(partnership.end_date),
        "duration_months": partnership.duration_months,
        "is_triennial": partnership.is_triennial,
        "last_verified_on": _day(partnership.last_verified_on),
        "summary": partnership.summary,
        "context": partnership.context,
        "history": partnership.history_text,
        "objectives_local": partnership.objectives_local,
        "objectives_france": partnership.objectives_france,
        "description": partnership.description,
        "note": partnership.note,
        "programme": partnership.programme.name if partnership.programme_id else None,
        "themes": [
            {"theme": link.theme.code, "priority": link.priority} for link in partnership.theme_links.all()
        ],
        "sdgs": sorted(goal.number for goal in partnership.sdgs.all()),
        "extra_countries": sorted(country.iso2 for country in partnership.extra_countries.all()),
        "participants": [
            {"organisation": organisation_ref(p.organisation), "role": p.role, "note": p.note}
            for p in partnership.participations.all()
        ],
        "funding": [
            {
                "funder": organisation_ref(line.funder) if line.funder_id else None,
                "funder_label": line.funder_label,
                "amount": _money(line.amount),
                "water_one_percent_amount": _money(line.water_one_percent_amount),
                "year": line.year,
                "kind": line.kind,
            }
            for line in partnership.funding_lines.all()
        ],
        "events": [
            {
                "year": e.year,
                "month": e.month,
                "day": e.day,
                "kind": e.kind,
                "title": e.title,
                "description": e.description,
            }
            for e in partnership.events.all()
        ],
        "sources": [
            {"url": s.url, "title": s.title, "retrieved_on": _day(s.retrieved_on)}
            for s in sorted(partnership.sources.all(), key=lambda s: s.pk)
            if s.batch_id is None
        ],
    }
    if personal_data:
        record["contacts"] = [
            {
                "organisation": organisation_ref(c.organisation) if c.organisation_id else None,
                "last_name": c.last_name,
                "first_name": c.first_name,
                "function": c.function,
                "email": c.email,
                "phone": c.phone,
                "note": c.note,
            }
            for c in partnership.contacts.all()
        ]
        record["volunteers"] = [
            {
                "last_name": v.last_name,
                "first_name": v.first_name,
                "scheme": v.scheme,
                "mission": v.mission,
                "field": v.field,
            }
            for v in sorted(partnership.volunteers.all(), key=lambda v: v.pk)
        ]
    return record


def iter_partnerships(partnerships: QuerySet[Partnership], personal_data: bool) -> Iterator[Partnership]:
    """Iterate with every detail fetched, a thousand at a time (memory stays flat)."""
    yield from with_details(partnerships.order_by("pk"), personal_data).iterator(chunk_size=1000)


def organisations_of(partnerships: QuerySet[Partnership]) -> QuerySet[Organisation]:
    """Return the organisations the partnerships name (participants, funders, contacts' employers)."""
    chosen = partnerships.values("pk")
    return Organisation.objects.filter(
        Q(pk__in=Participation.objects.filter(partnership__in=chosen).values("organisation_id"))
        | Q(pk__in=FundingLine.objects.filter(partnership__in=chosen).values("funder_id"))
        | Q(pk__in=Contact.objects.filter(partnership__in=chosen).values("organisation_id"))
    )
