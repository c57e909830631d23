"""Merging two organisations that are one (and undoing it): every link moved onto the survivor,
the duplicate's snapshot kept in an OrganisationMerge so that the merge can be undone. The
duplicates are found by atlas.duplicates; only these functions write."""

import json
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

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
