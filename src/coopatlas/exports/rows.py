"""The rows an export writes, read as plain values a chunk at a time.

A chunk is up to CHUNK partnerships taken by keyset (`pk > last`, in pk order) from the
selection; its related rows — participations with their organisation, themes, goals, countries,
funding, events, sources and, with personal data, contacts and volunteers — come in one query per
relation for the whole chunk, bound to that chunk's pk range (or its ids when sparse). No model
instance is built: a partnership is a dict of its columns with its related rows as lists of
dicts, so memory and time stay flat per row whatever the size of the selection, and the number of
queries grows with the number of chunks, never of rows.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.encoding import force_str

from coopatlas.atlas.models import (
    Contact,
    Event,
    FundingLine,
    Participation,
    Partnership,
    PartnershipTheme,
    Source,
    SustainableDevelopmentGoal,
    Volunteer,
)
from coopatlas.places.models import Country

CHUNK = 2000
Row = dict[str, Any]

PARTNERSHIP_FIELDS = (
    "pk",
    "external_ref",
    "title",
    "form",
    "status",
    "publication_state",
    "signature_year",
    "signature_date",
    "start_year",
    "end_date",
    "duration_months",
    "is_triennial",
    "last_verified_on",
    "summary",
    "context",
    "history_text",
    "objectives_local",
    "objectives_france",
    "description",
    "note",
    "programme_id",
    "updated_at",
)
# Organisation columns read with each participation (and funder, contact's employer).
ORGANISATION_FIELDS = (
    "pk",
    "external_ref",
    "name",
    "kind",
    "country_id",
    "insee_code",
    "siren",
    "latitude",
    "longitude",
)
# Every relation a partnership row may carry; a format asks for the ones it writes.
RELATIONS = frozenset({"participations", "themes", "sdgs", "extra_countries", "funding", "events", "sources"})
PERSONAL_RELATIONS = frozenset({"contacts", "volunteers"})


def labels(model, field: str) -> dict[Any, str]:
    """Return value → displayed label of a field with choices, in the active language (what
    `get_<field>_display()` shows; a value outside the choices shows as itself)."""
    return {value: force_str(label) for value, label in model._meta.get_field(field).flatchoices}


def display(mapping: dict[Any, str], value: Any) -> Any:
    return mapping.get(value, value)


def country_names() -> dict[str, str]:
    """Return ISO code → French name of every country (one small table, read once)."""
    return dict(Country.objects.values_list("iso2", "name_fr"))


def _organisation(values: Row, prefix: str) -> Row | None:
    if values[prefix + "pk"] is None:
        return None
    return {field: values[prefix + field] for field in ORGANISATION_FIELDS}


def _org_columns(prefix: str) -> list[str]:
    return [f"{prefix}__{field}" for field in ORGANISATION_FIELDS]


def _grouped(rows: Iterable[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.pop("partnership_id")].append(row)
    return grouped


def _participations(chunk: Q) -> dict[int, list[Row]]:
    columns = _org_columns("organisation")
    rows = (
        Participation.objects.filter(chunk)
        .order_by("partnership_id", "position", "id")
        .values("partnership_id", "role", "note", *columns)
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        organisation = {field: row[f"organisation__{field}"] for field in ORGANISATION_FIELDS}
        grouped[row["partnership_id"]].append(
            {"role": row["role"], "note": row["note"], "organisation": organisation}
        )
    return grouped


def _themes(chunk: Q) -> dict[int, list[Row]]:
    return _grouped(
        PartnershipTheme.objects.filter(chunk)
        .order_by("partnership_id", "priority", "id")
        .values(
            "partnership_id",
            "priority",
            code=F("theme__code"),
            name_fr=F("theme__name_fr"),
            tag=F("theme__tag"),
        )
    )


def _sdgs(chunk: Q) -> dict[int, list[int]]:
    through = Partnership.sdgs.through
    goal = Partnership._meta.get_field("sdgs").m2m_reverse_name()
    numbers = dict(SustainableDevelopmentGoal.objects.values_list("pk", "number"))
    grouped: dict[int, list[int]] = defaultdict(list)
    for partnership_id, goal_id in through.objects.filter(chunk).values_list("partnership_id", goal):
        grouped[partnership_id].append(numbers[goal_id])
    for values in grouped.values():
        values.sort()
    return grouped


def _extra_countries(chunk: Q) -> dict[int, list[str]]:
    through = Partnership.extra_countries.through
    country = Partnership._meta.get_field("extra_countries").m2m_reverse_name()
    grouped: dict[int, list[str]] = defaultdict(list)
    for partnership_id, code in through.objects.filter(chunk).values_list("partnership_id", country):
        grouped[partnership_id].append(code)
    return grouped


def _funding(chunk: Q) -> dict[int, list[Row]]:
    rows = (
        FundingLine.objects.filter(chunk)
        .order_by("partnership_id", "position", "id")
        .values(
            "partnership_id",
            "funder_label",
            "amount",
            "water_one_percent_amount",
            "year",
            "kind",
            *_org_columns("funder"),
        )
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        funder = _organisation(row, "funder__")
        grouped[row["partnership_id"]].append(
            {
                "funder": funder,
                "funder_label": row["funder_label"],
                "funder_name": funder["name"] if funder else row["funder_label"],
                "amount": row["amount"],
                "water_one_percent_amount": row["water_one_percent_amount"],
                "year": row["year"],
                "kind": row["kind"],
            }
        )
    return grouped


def _events(chunk: Q) -> dict[int, list[Row]]:
    return _grouped(
        Event.objects.filter(chunk)
        .order_by("partnership_id", "year", "month", "day", "id")
        .values("partnership_id", "year", "month", "day", "kind", "title", "description")
    )


def _sources(chunk: Q) -> dict[int, list[Row]]:
    return _grouped(
        Source.objects.filter(chunk, batch_id__isnull=True)
        .order_by("partnership_id", "pk")
        .values("partnership_id", "url", "title", "retrieved_on")
    )


def _contacts(chunk: Q) -> dict[int, list[Row]]:
    rows = (
        Contact.objects.filter(chunk)
        .order_by("partnership_id", "id")
        .values(
            "partnership_id",
            "last_name",
            "first_name",
            "function",
            "email",
            "phone",
            "note",
            *_org_columns("organisation"),
        )
    )
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        contact = {k: row[k] for k in ("last_name", "first_name", "function", "email", "phone", "note")}
        contact["organisation"] = _organisation(row, "organisation__")
        grouped[row["partnership_id"]].append(contact)
    return grouped


def _volunteers(chunk: Q) -> dict[int, list[Row]]:
    return _grouped(
        Volunteer.objects.filter(chunk)
        .order_by("partnership_id", "pk")
        .values("partnership_id", "last_name", "first_name", "scheme", "mission", "field")
    )


def _related_to(rows: list[Row]) -> Q:
    """The filter of the related rows of a chunk: the range of its ids when they are dense (the
    whole atlas, a broad search: two parameters, and rows of partnerships outside the selection
    are read but never asked for), else its ids."""
    first, last = rows[0]["pk"], rows[-1]["pk"]
    if last - first < 2 * len(rows):
        return Q(partnership_id__gte=first, partnership_id__lte=last)
    return Q(partnership_id__in=[row["pk"] for row in rows])


LOADERS = {
    "participations": _participations,
    "themes": _themes,
    "sdgs": _sdgs,
    "extra_countries": _extra_countries,
    "funding": _funding,
    "events": _events,
    "sources": _sources,
    "contacts": _contacts,
    "volunteers": _volunteers,
}


def chunks(
    partnerships: QuerySet[Partnership], relations: Iterable[str], *, size: int | None = None
) -> Iterator[list[Row]]:
    """Yield the selection's partnerships in pk order, `size` at a time, each a dict of its
    columns (`programme`: its name or None) and of the `relations` asked for."""
    size = size or CHUNK
    relations = set(relations)
    unknown = relations - RELATIONS - PERSONAL_RELATIONS
    if unknown:
        raise ValueError(f"unknown relations: {sorted(unknown)}")
    selection = partnerships.order_by("pk")
    last = 0
    while True:
        # Keyset over the primary key: each chunk is one query of its own, whatever the depth.
        rows = list(
            selection.filter(pk__gt=last).values(*PARTNERSHIP_FIELDS, programme_name=F("programme__name"))[
                :size
            ]
        )
        if not rows:
            return
        last = rows[-1]["pk"]
        loaded = {name: LOADERS[name](_related_to(rows)) for name in relations if name in LOADERS}
        for row in rows:
            row["programme"] = row.pop("programme_name")
            for name, grouped in loaded.items():
                row[name] = grouped.get(row["pk"], [])
        yield rows
        if len(rows) < size:
            return


class Tally:
    """The number of partnerships an export has read, told to `progress` after each chunk."""

    def __init__(self, progress: Callable[[int], None] | None = None) -> None:
        self.rows = 0
        self.progress = progress

    def add(self, count: int) -> None:
        self.rows += count
        if self.progress is not None:
            self.progress(self.rows)


def iter_rows(
    partnerships: QuerySet[Partnership],
    relations: Iterable[str],
    tally: Tally | None = None,
    *,
    size: int | None = None,
) -> Iterator[Row]:
    """Yield the partnerships one by one, read a chunk at a time (see `chunks`), counted in `tally`."""
    for chunk in chunks(partnerships, relations, size=size):
        yield from chunk
        if tally is not None:
            tally.add(len(chunk))
