"""Find organisations and partnerships entered twice (atlas/services/merges.py merges them).

Two organisations are likely duplicates when they are of the same kind in the same country and
either share a place identifier (INSEE code, GeoNames id, Wikidata id) or have names that agree
once spelling is folded (or nearly agree) without their places contradicting each other.
Organisations in different countries are never merged; neither are two places known to differ
(different INSEE codes or GeoNames ids, or points more than 25 km apart).

Two partnerships are duplicates when they have the same French authorities and the same foreign
authorities (as sets, at least one of each) and compatible forms (atlas.rules): one real-world
fact entered twice, by two sources or before two organisations were merged.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet, Window
from django.utils.translation import gettext as _
from rapidfuzz.fuzz import ratio

from coopatlas.atlas.choices import ParticipationRole, PartnershipForm, PublicationState
from coopatlas.atlas.models import (
    Event,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Source,
)
from coopatlas.atlas.rules import IDENTITY_ROLES, UNSAID_FORMS, forms_compatible, partnership_identity
from coopatlas.core.geo import distance_km
from coopatlas.places.names import place_key

NEAR_NAME = 92  # rapidfuzz ratio of two name keys that counts as "nearly the same"
SAME_PLACE_KM = 25


@dataclass
class DuplicatePair:
    survivor: Organisation
    duplicate: Organisation
    reason: str


def _km(a: Organisation, b: Organisation) -> float | None:
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _identifiers_conflict(a: Organisation, b: Organisation) -> bool:
    for field in ("insee_code", "geonames_id", "wikidata_id", "siren"):
        left, right = getattr(a, field), getattr(b, field)
        if left and right and left != right:
            return True
    distance = _km(a, b)
    return distance is not None and distance > SAME_PLACE_KM


def _shared_identifier(a: Organisation, b: Organisation) -> str | None:
    for field, label in (
        ("insee_code", "code INSEE"),
        ("geonames_id", "identifiant GeoNames"),
        ("wikidata_id", "identifiant Wikidata"),
        ("siren", "SIREN"),
    ):
        value = getattr(a, field)
        if value and value == getattr(b, field):
            return f"même {label} ({value})"
    return None


def _keys(organisation: Organisation) -> set[str]:
    return {place_key(name) for name in [organisation.name, *organisation.alternate_names] if place_key(name)}


def duplicate_reason(a: Organisation, b: Organisation) -> str | None:
    """Return why two organisations look like one, or None when they must stay apart."""
    if a.pk == b.pk or a.country_id != b.country_id or a.kind != b.kind:
        return None
    if a.foreign_level and b.foreign_level and a.foreign_level != b.foreign_level:
        return None
    if shared := _shared_identifier(a, b):
        distance = _km(a, b)
        return None if distance is not None and distance > SAME_PLACE_KM else shared
    if _identifiers_conflict(a, b):
        return None
    keys_a, keys_b = _keys(a), _keys(b)
    if keys_a & keys_b:
        return f"même nom, à l'orthographe près (« {a.name} » / « {b.name} »)"
    best = max((ratio(x, y) for x in keys_a for y in keys_b), default=0)
    if best >= NEAR_NAME and min(len(k) for k in keys_a | keys_b) >= 6:
        return f"noms presque identiques (« {a.name} » / « {b.name} », {best:.0f} %)"
    return None


def _survivor_first(a: Organisation, b: Organisation) -> tuple[Organisation, Organisation]:
    """Keep the organisation with more links, then the older one."""

    def weight(o: Organisation) -> tuple[int, int]:
        return (o.participations.count() + o.contacts.count() + o.fundings.count(), -o.pk)

    return (a, b) if weight(a) >= weight(b) else (b, a)


def find_duplicates(queryset=None) -> list[DuplicatePair]:
    """Return likely duplicate pairs among the organisations, survivor first."""
    organisations = list((queryset if queryset is not None else Organisation.objects.all()).order_by("pk"))
    blocks: dict[tuple, list[Organisation]] = defaultdict(list)
    for organisation in organisations:
        for key in _keys(organisation):
            # Block on the first letters of the key so near spellings still meet.
            blocks[(organisation.country_id, organisation.kind, key[:3])].append(organisation)
        for field in ("insee_code", "geonames_id", "wikidata_id"):
            if value := getattr(organisation, field):
                blocks[(organisation.country_id, organisation.kind, field, value)].append(organisation)
    seen: set[tuple[int, int]] = set()
    pairs: list[DuplicatePair] = []
    merged: set[int] = set()
    for members in blocks.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (min(a.pk, b.pk), max(a.pk, b.pk))
                if pair in seen or a.pk in merged or b.pk in merged:
                    continue
                seen.add(pair)
                if reason := duplicate_reason(a, b):
                    survivor, duplicate = _survivor_first(a, b)
                    merged.add(duplicate.pk)
                    pairs.append(DuplicatePair(survivor, duplicate, reason))
    return pairs


# --- Partnerships entered twice ------------------------------------------------------------------

CHUNK = 500  # ids read at a time (SQLite caps a query's parameters)


@dataclass
class PartnershipDuplicatePair:
    survivor: Partnership
    duplicate: Partnership
    partners: str  # the authorities they share, by name
    reason: str


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def partnership_identities(ids: Iterable[int]) -> dict[int, frozenset]:
    """Return the identity (atlas.rules.partnership_identity) of those of these partnerships that
    have at least one French and one foreign authority; the others have none to share."""
    organisations: defaultdict[int, set[int]] = defaultdict(set)
    roles: defaultdict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(ids):
        rows = Participation.objects.filter(partnership_id__in=chunk, role__in=IDENTITY_ROLES)
        for pk, organisation_id, role in rows.values_list("partnership_id", "organisation_id", "role"):
            organisations[pk].add(organisation_id)
            roles[pk].add(role)
    return {
        pk: partnership_identity(found)
        for pk, found in organisations.items()
        if roles[pk] >= set(IDENTITY_ROLES)
    }


def _form_label(form: str) -> str:
    return str(PartnershipForm(form).label) if form in PartnershipForm.values else _("non précisée")


def partnership_duplicate_reason(
    identity_a: frozenset | None, form_a: str, identity_b: frozenset | None, form_b: str
) -> str | None:
    """Return why two partnerships, given by their identities and forms, are one fact, or None
    when they are two: the rule of every partnership merge, said once."""
    if not identity_a or identity_a != identity_b or not forms_compatible(form_a, form_b):
        return None
    if (form_a or "") == (form_b or ""):
        return _("mêmes collectivités, même forme (%(form)s)") % {"form": _form_label(form_a)}
    return _("mêmes collectivités, formes compatibles (%(a)s / %(b)s)") % {
        "a": _form_label(form_a),
        "b": _form_label(form_b),
    }


def _sharing_authorities(scope: QuerySet[Partnership]) -> list[int]:
    """Return the partnerships of `scope` whose French authority and foreign authority, as a pair,
    are those of another partnership of `scope` too: the only ones that may be duplicates. One
    query: the database counts the partnerships of each pair (a window over the pairs)."""
    pairs = Participation.objects.filter(
        role=ParticipationRole.FRENCH_AUTHORITY,
        partnership_id__in=scope.values("pk"),
        partnership__participations__role=ParticipationRole.FOREIGN_AUTHORITY,
    ).annotate(
        sharing=Window(
            Count("partnership_id"),
            partition_by=[F("organisation_id"), F("partnership__participations__organisation_id")],
        )
    )
    shared = pairs.filter(sharing__gt=1).order_by().values_list("partnership_id", flat=True)
    return sorted(set(shared))


def _weights(ids: list[int]) -> dict[int, tuple]:
    """Return each partnership's claim to survive, smallest first: published, then more sources
    and lines (funding, events, themes), then older."""
    lines: defaultdict[int, int] = defaultdict(int)
    rows: dict[int, tuple] = {}
    for chunk in _chunks(ids):
        for model in (Source, FundingLine, Event, PartnershipTheme):
            counted = (
                model._default_manager.filter(partnership_id__in=chunk)
                .values("partnership_id")
                .annotate(n=Count("pk"))
                .values_list("partnership_id", "n")
            )
            for pk, n in counted:
                lines[pk] += n
        rows.update(
            (pk, (state, created))
            for pk, state, created in Partnership.objects.filter(pk__in=chunk).values_list(
                "pk", "publication_state", "created_at"
            )
        )
    return {
        pk: (state != PublicationState.PUBLISHED, -lines[pk], created, pk)
        for pk, (state, created) in rows.items()
    }


def find_partnership_duplicates(
    queryset: QuerySet[Partnership] | None = None,
) -> list[PartnershipDuplicatePair]:
    """Return the duplicate pairs among the partnerships (of `queryset`, both in it), survivor
    first. A group of three or more gives one pair per record to merge into the same survivor;
    records whose forms are incompatible stay apart even when their authorities are the same."""
    scope = queryset if queryset is not None else Partnership.objects.all()
    identities = partnership_identities(_sharing_authorities(scope))
    facts: defaultdict[frozenset, list[int]] = defaultdict(list)
    for pk, identity in identities.items():
        facts[identity].append(pk)
    groups = [members for members in facts.values() if len(members) > 1]
    ids = [pk for members in groups for pk in members]
    records: dict[int, Partnership] = {}
    for chunk in _chunks(ids):
        records.update(Partnership.objects.in_bulk(chunk))
    weights = _weights(ids)
    found: list[tuple[int, int, str]] = []
    for members in groups:
        ordered = sorted((pk for pk in members if pk in records), key=weights.__getitem__)
        absorbed: set[int] = set()
        for index, kept in enumerate(ordered):
            if kept in absorbed:
                continue
            # The survivor takes a precise form from a record that says one (services.merges):
            # after that it is compatible only with that form.
            form = records[kept].form
            for other in ordered[index + 1 :]:
                if other in absorbed:
                    continue
                reason = partnership_duplicate_reason(
                    identities[kept], form, identities[other], records[other].form
                )
                if reason is None:
                    continue
                absorbed.add(other)
                found.append((kept, other, reason))
                if (form or "") in UNSAID_FORMS:
                    form = records[other].form
    names = _partner_names({o for kept, _other, _reason in found for o in identities[kept]})
    return [
        PartnershipDuplicatePair(records[kept], records[other], names(identities[kept]), reason)
        for kept, other, reason in sorted(found)
    ]


def _partner_names(ids: set[int]):
    """Return a function naming a set of these organisations: « French ones – foreign ones »."""
    known: dict[int, tuple[bool, str]] = {}
    for chunk in _chunks(ids):
        rows = Organisation.objects.filter(pk__in=chunk).values_list("pk", "country_id", "name")
        known.update((pk, (country != "FR", name)) for pk, country, name in rows)

    def named(organisations: frozenset) -> str:
        found = [known[o] for o in organisations if o in known]
        sides = [
            sorted((name for abroad, name in found if abroad is side), key=str.casefold)
            for side in (False, True)
        ]
        return " – ".join(", ".join(names) for names in sides if names)

    return named
