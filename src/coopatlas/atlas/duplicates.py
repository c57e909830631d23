"""Find organisations entered twice, merge them, and undo a merge.

Two organisations are likely duplicates when they are of the same kind in the same country and
either share a place identifier (INSEE code, GeoNames id, Wikidata id) or have names that agree
once spelling is folded (or nearly agree) without their places contradicting each other.
Organisations in different countries are never merged; neither are two places known to differ
(different INSEE codes or GeoNames ids, or points more than 25 km apart).
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from rapidfuzz.fuzz import ratio

from coopatlas.accounts.permissions import require
from coopatlas.atlas.models import (
    Contact,
    EuropeanProject,
    Event,
    FundingLine,
    NetworkMembership,
    Organisation,
    OrganisationMerge,
    Participation,
    Programme,
    Study,
    Volunteer,
)
from coopatlas.atlas.services import note_change
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
_SIMPLE_LINKS = [
    (Contact, "organisation"),
    (FundingLine, "funder"),
    (Event, "organisation"),
    (Volunteer, "assigned_entity"),
    (Organisation, "parent"),
    (Programme, "operator"),
    (Study, "territory"),
    (Study, "author"),
]


# Fields the survivor takes from the duplicate when it has none of its own.
ABSORBED_FIELDS = (
    "insee_code",
    "siren",
    "geonames_id",
    "wikidata_id",
    "population",
    "latitude",
    "longitude",
    "website",
)


@transaction.atomic
def organisations_merge(
    *,
    survivor: Organisation,
    duplicate: Organisation,
    reason: str = "",
    acting_user: AbstractBaseUser | None = None,
) -> OrganisationMerge:
    """Move everything linked to `duplicate` onto `survivor`, delete `duplicate`, record the merge."""
    require(acting_user, "organisation_merge")
    if survivor.pk == duplicate.pk:
        raise ValueError("Une organisation ne peut pas être fusionnée avec elle-même.")
    if survivor.country_id != duplicate.country_id:
        raise ValueError(
            f"Fusion refusée : « {survivor} » ({survivor.country_id}) et « {duplicate} » "
            f"({duplicate.country_id}) ne sont pas dans le même pays."
        )
    # A JSON record: lists of moved ids by link, and what the survivor held before.
    moved: defaultdict[str, Any] = defaultdict(list)
    for model, field in _SIMPLE_LINKS:
        ids = list(model._default_manager.filter(**{field: duplicate}).values_list("pk", flat=True))
        model._default_manager.filter(pk__in=ids).update(**{field: survivor})
        moved[f"{model._meta.label}.{field}"] = ids
    # A participation the survivor already has in the same role is dropped (kept in the record).
    for participation in Participation.objects.filter(organisation=duplicate):
        if Participation.objects.filter(
            partnership=participation.partnership_id, organisation=survivor, role=participation.role
        ).exists():
            moved["dropped_participations"].append(model_to_dict(participation))
            participation.delete()
        else:
            moved["atlas.Participation.organisation"].append(participation.pk)
            participation.organisation = survivor
            participation.save(update_fields=["organisation"])
    for field, other in (("member", "network"), ("network", "member")):
        for membership in NetworkMembership.objects.filter(**{field: duplicate}):
            clash = NetworkMembership.objects.filter(**{field: survivor, other: getattr(membership, other)})
            if clash.exists() or getattr(membership, other) == survivor:
                moved["dropped_memberships"].append(model_to_dict(membership))
                membership.delete()
            else:
                moved[f"atlas.NetworkMembership.{field}"].append(membership.pk)
                setattr(membership, field, survivor)
                membership.save(update_fields=[field])
    for project in EuropeanProject.objects.filter(participants=duplicate):
        moved["european_projects"].append([project.pk, project.participants.filter(pk=survivor.pk).exists()])
        project.participants.add(survivor)
        project.participants.remove(duplicate)
    moved["survivor_before"] = {"alternate_names": list(survivor.alternate_names)}
    survivor.alternate_names = sorted(
        {*survivor.alternate_names, duplicate.name, *duplicate.alternate_names} - {survivor.name}
    )
    for field in ABSORBED_FIELDS:
        if not getattr(survivor, field) and getattr(duplicate, field):
            moved["survivor_before"][field] = getattr(survivor, field)
            setattr(survivor, field, getattr(duplicate, field))
    snapshot = model_to_dict(duplicate)
    snapshot["external_ref"] = duplicate.external_ref
    record = OrganisationMerge.objects.create(
        survivor=survivor,
        removed_id=duplicate.pk,
        removed_name=duplicate.name,
        snapshot=_jsonable(snapshot),
        moved=_jsonable(dict(moved)),
        reason=reason[:300],
        merged_by_id=acting_user.pk if acting_user is not None else None,
    )
    note_change(duplicate, user=acting_user, reason=f"Fusionnée dans « {survivor} » (fusion {record.pk})")
    duplicate.delete()
    note_change(survivor, user=acting_user, reason=f"A absorbé « {duplicate.name} » (fusion {record.pk})")
    survivor.full_clean()
    survivor.save()
    return record


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@transaction.atomic
def organisations_merge_undo(
    record: OrganisationMerge, *, acting_user: AbstractBaseUser | None = None
) -> Organisation:
    """Recreate the merged organisation with its id and move its links back; return it."""
    require(acting_user, "organisation_merge")
    if record.undone_at:
        raise ValueError(f"La fusion {record.pk} a déjà été annulée le {record.undone_at:%d/%m/%Y}.")
    snapshot = dict(record.snapshot)
    snapshot.pop("networks", None)
    moved = record.moved
    # The survivor gives back what it took first: the restored row may need its INSEE code.
    survivor = record.survivor
    for field, value in moved.get("survivor_before", {}).items():
        setattr(survivor, field, value)
    note_change(survivor, user=acting_user, reason=f"Fusion {record.pk} annulée")
    survivor.save()
    restored = Organisation(
        pk=record.removed_id,
        **{k: v for k, v in snapshot.items() if k not in ("id", "country", "parent")},
        country_id=snapshot["country"],
        parent_id=snapshot.get("parent"),
    )
    note_change(restored, user=acting_user, reason=f"Fusion {record.pk} annulée")
    restored.save(force_insert=True)
    for model, field in _SIMPLE_LINKS:
        ids = moved.get(f"{model._meta.label}.{field}", [])
        model._default_manager.filter(pk__in=ids).update(**{field: restored})
    Participation.objects.filter(pk__in=moved.get("atlas.Participation.organisation", [])).update(
        organisation=restored
    )
    for data in moved.get("dropped_participations", []):
        Participation.objects.create(
            partnership_id=data["partnership"],
            organisation=restored,
            role=data["role"],
            position=data["position"],
            note=data["note"],
        )
    for field in ("member", "network"):
        NetworkMembership.objects.filter(pk__in=moved.get(f"atlas.NetworkMembership.{field}", [])).update(
            **{field: restored}
        )
    for data in moved.get("dropped_memberships", []):
        NetworkMembership.objects.create(
            network_id=record.removed_id if data["network"] == record.removed_id else data["network"],
            member_id=record.removed_id if data["member"] == record.removed_id else data["member"],
            since_year=data["since_year"],
            is_founder=data["is_founder"],
        )
    for project_id, survivor_was_in in moved.get("european_projects", []):
        project = EuropeanProject.objects.get(pk=project_id)
        project.participants.add(restored)
        if not survivor_was_in:
            project.participants.remove(record.survivor)
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    return restored
