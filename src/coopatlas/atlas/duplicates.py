"""Find organisations entered twice, merge them, and undo a merge.

Two organisations are likely duplicates when they are of the same kind in the same country and
either share a place identifier (INSEE code, GeoNames id, Wikidata id) or have names that agree
once spelling is folded (or nearly agree) without their places contradicting each other.
Organisations in different countries are never merged; neither are two places known to differ
(different INSEE codes or GeoNames ids, or points more than 25 km apart).
"""

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from coopatlas.atlas.models import (
    Organisation,
)
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


# Links that point at an organisation: (model, field). Unique ones are handled in merge().
