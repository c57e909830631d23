"""Merging two organisations, or two partnerships, that are one (and undoing it): every link
moved onto the survivor, the duplicate's snapshot kept in an OrganisationMerge or a
PartnershipMerge so that the merge can be undone. The duplicates are found by atlas.duplicates;
only these functions write."""

import copy
import datetime
import json
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone

from coopatlas.accounts.permissions import require
from coopatlas.atlas.duplicates import partnership_duplicate_reason, partnership_identities
from coopatlas.atlas.models import (
    PROPOSABLE_FIELDS,
    BoardAnswer,
    BoardPost,
    Contact,
    Document,
    EuropeanProject,
    Event,
    FundingLine,
    NetworkMembership,
    Organisation,
    OrganisationMerge,
    Participation,
    Partnership,
    PartnershipMerge,
    PartnershipTheme,
    Programme,
    ProposalState,
    ProposedChange,
    PublicationStep,
    Source,
    Study,
    Volunteer,
)
from coopatlas.atlas.rules import FILLABLE_FIELDS, IDENTITY_ROLES, UNSAID_FORMS, fill_or_conflict
from coopatlas.atlas.services import next_version, note_change
from coopatlas.atlas.services.undo import _history_user
from coopatlas.atlas.signals import partnerships_changed

_SIMPLE_LINKS = [
    (Contact, "organisation"),
    (FundingLine, "funder"),
    (Event, "organisation"),
    (Volunteer, "assigned_entity"),
    (Organisation, "parent"),
    (Programme, "operator"),
    (Study, "territory"),
    (Study, "author"),
    (BoardPost, "organisation"),
    (BoardAnswer, "organisation"),
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


# --- Partnerships ----------------------------------------------------------------------------------

# The lines of a partnership that move whole onto the survivor (and back on undo), by id. Themes
# and participants are merged apart: the survivor may hold the same theme or partner already.
_PARTNERSHIP_LINES = (
    Source,
    Event,
    FundingLine,
    Contact,
    Volunteer,
    Document,
    PublicationStep,
    ProposedChange,
)


def _signed_in(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _move(model: type[models.Model], ids: list[int], target: Partnership, *, user, reason: str) -> None:
    """Point these rows at the partnership `target`: one by one, each with a history row naming
    the user and the reason, where the model keeps history; in one update otherwise."""
    rows = model._default_manager.filter(pk__in=ids)
    if not hasattr(model, "history"):
        rows.update(partnership=target)
        return
    for row in rows:
        row.partnership = target  # type: ignore[attr-defined]
        note_change(row, user=user, reason=reason)
        row.save(update_fields=["partnership"])


def _consistent_fills(survivor: Partnership, fills: dict, conflicts: dict) -> tuple[dict, dict]:
    """Keep the fills the survivor stays valid with: one that contradicts a value it keeps (a
    signature date outside its signature year, an end before its start) is a conflict too."""
    fills, conflicts = dict(fills), dict(conflicts)
    while fills:
        trial = copy.copy(survivor)
        for name, value in fills.items():
            setattr(trial, name, value)
        try:
            trial.clean()
        except ValidationError as error:
            wrong = set(error.message_dict) & set(fills)
            if not wrong:
                break
            for name in wrong:
                conflicts[name] = fills.pop(name)
        else:
            break
    return fills, conflicts


def _field(name: str) -> models.Field:
    """Return a concrete field of Partnership (the fillable ones and the form are plain fields)."""
    field = Partnership._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _shown(name: str, value: Any) -> str:
    """Return a field's value as a person reads it (a status by its label, a date as 21/11/2024)."""
    choices = dict(_field(name).choices or ())
    if value in choices:
        return str(choices[value])
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _conflict_proposal(
    survivor: Partnership, name: str, value: Any, *, merged: str, record: PartnershipMerge, user
) -> ProposedChange:
    """Put a value of the merged record that differs from the survivor's up for review."""
    label = str(_field(name).verbose_name)
    message = (
        f"Valeur du partenariat fusionné {merged} (fusion {record.pk}) : {label} = "
        f"{_shown(name, value)} ; ce partenariat garde {_shown(name, getattr(survivor, name))}."
    )
    if name not in PROPOSABLE_FIELDS:
        message += " À reporter à la main si elle est la bonne."
    proposal = ProposedChange(
        partnership=survivor,
        author=user,
        # As change_propose stores them (and change_accept reads them back): text, dates in ISO.
        changes={name: value.isoformat() if hasattr(value, "isoformat") else str(value)}
        if name in PROPOSABLE_FIELDS
        else {},
        message=message,
        batch=None,
    )
    proposal.full_clean(exclude=["author"])  # none when the system merges (the CLI without --as)
    proposal.save()
    return proposal


def _partnership_snapshot(partnership: Partnership) -> dict:
    data: dict[str, Any] = {}
    for field in Partnership._meta.concrete_fields:
        value = field.value_from_object(partnership)
        # In full: JSON's encoder would cut a time to the millisecond.
        data[field.attname] = value.isoformat() if isinstance(value, datetime.datetime) else value
    data["sdgs"] = sorted(partnership.sdgs.values_list("pk", flat=True))
    data["extra_countries"] = sorted(partnership.extra_countries.values_list("pk", flat=True))
    return _jsonable(data)


@transaction.atomic
def partnerships_merge(
    *,
    survivor: Partnership,
    duplicate: Partnership,
    reason: str = "",
    acting_user: AbstractBaseUser | None = None,
) -> PartnershipMerge:
    """Merge `duplicate` into `survivor`, two records of one partnership (atlas.duplicates: the
    same French and foreign authorities, compatible forms): move its sources, events, funding
    lines, contacts, volunteers, publication steps, proposed changes, themes, SDGs, countries and
    other participants onto the survivor; fill the survivor's unsaid fields from it and put each
    value that differs from the survivor's up for review (a proposed change, the survivor's value
    kept); delete it, its history kept; record the merge and return it."""
    require(acting_user, "partnership_merge")
    if survivor.pk == duplicate.pk:
        raise ValueError("Un partenariat ne peut pas être fusionné avec lui-même.")
    locked = list(Partnership.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]))
    if len(locked) != 2:
        raise ValueError(
            f"Fusion impossible : le partenariat n° {survivor.pk} ou n° {duplicate.pk} n'existe plus."
        )
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    identities = partnership_identities([survivor.pk, duplicate.pk])
    if (
        partnership_duplicate_reason(
            identities.get(survivor.pk), survivor.form, identities.get(duplicate.pk), duplicate.form
        )
        is None
    ):
        raise ValueError(
            f"Fusion refusée : « {survivor} » (n° {survivor.pk}) et « {duplicate} » (n° {duplicate.pk}) "
            "n'ont pas les mêmes collectivités françaises et étrangères dans des formes compatibles."
        )
    user = _signed_in(acting_user)
    merged = f"« {duplicate.title} » (n° {duplicate.pk})"
    record = PartnershipMerge.objects.create(
        survivor=survivor,
        removed_id=duplicate.pk,
        removed_title=duplicate.title[:500],
        snapshot=_partnership_snapshot(duplicate),
        reason=reason[:300],
        merged_by_id=user.pk if user is not None else None,
    )
    why = f"Repris de {merged} (fusion {record.pk})"
    # A JSON record: the ids moved by model, what was dropped, what the survivor held before.
    moved: defaultdict[str, Any] = defaultdict(list)
    with _history_user(user):  # cascades (the duplicate's last rows) name the user too
        for model in _PARTNERSHIP_LINES:
            ids = list(model._default_manager.filter(partnership=duplicate).values_list("pk", flat=True))
            _move(model, ids, survivor, user=user, reason=why)
            moved[model._meta.label] = ids
        # Themes: the union, the duplicate's after the survivor's (its main theme stays main).
        held = set(survivor.theme_links.values_list("theme_id", flat=True))
        priority = (survivor.theme_links.aggregate(top=Max("priority"))["top"] or 0) + 1
        for link in duplicate.theme_links.order_by("priority", "pk"):
            if link.theme_id in held:
                moved["dropped_themes"].append({"theme": link.theme_id, "priority": link.priority})
                continue
            moved["themes"].append([link.pk, link.priority])
            link.partnership, link.priority = survivor, priority
            priority += 1
            note_change(link, user=user, reason=why)
            link.save(update_fields=["partnership", "priority"])
        # Participants: the authorities are the survivor's already; other partners join it.
        taking_part = set(survivor.participations.values_list("organisation_id", "role"))
        for participation in duplicate.participations.all():
            if (
                participation.role in IDENTITY_ROLES
                or (participation.organisation_id, participation.role) in taking_part
            ):
                moved["dropped_participations"].append(
                    {
                        "organisation": participation.organisation_id,
                        "role": participation.role,
                        "position": participation.position,
                        "note": participation.note,
                    }
                )
                continue
            moved["atlas.Participation"].append(participation.pk)
            participation.partnership = survivor
            note_change(participation, user=user, reason=why)
            participation.save(update_fields=["partnership"])
        # Merges into the duplicate follow it: still undoable, from the survivor.
        earlier = list(PartnershipMerge.objects.filter(survivor=duplicate).values_list("pk", flat=True))
        PartnershipMerge.objects.filter(pk__in=earlier).update(survivor=survivor)
        moved["merges"] = earlier

        note_change(survivor, user=user, reason=f"A absorbé {merged} (fusion {record.pk})")
        for name, relation in (("sdgs", survivor.sdgs), ("extra_countries", survivor.extra_countries)):
            added = sorted(
                set(getattr(duplicate, name).values_list("pk", flat=True))
                - set(relation.values_list("pk", flat=True))
            )
            relation.add(*added)
            moved[f"{name}_added"] = added
        fills, conflicts = fill_or_conflict(
            {name: getattr(survivor, name) for name in FILLABLE_FIELDS},
            {name: getattr(duplicate, name) for name in FILLABLE_FIELDS},
        )
        fills, conflicts = _consistent_fills(survivor, fills, conflicts)
        # A form that says nothing takes the precise one: the survivor is that form from now on.
        if (survivor.form or "") in UNSAID_FORMS and (duplicate.form or "") not in UNSAID_FORMS:
            fills["form"] = duplicate.form
        moved["survivor_before"] = {name: getattr(survivor, name) for name in fills}
        moved["fills"] = dict(fills)
        for name, value in fills.items():
            setattr(survivor, name, value)
        note_change(survivor, user=user, reason=f"A absorbé {merged} (fusion {record.pk})")
        survivor.full_clean()
        survivor.version = next_version(survivor)
        survivor.save()
        moved["proposals"] = [
            _conflict_proposal(survivor, name, value, merged=merged, record=record, user=user).pk
            for name, value in conflicts.items()
        ]
        note_change(
            duplicate,
            user=user,
            reason=f"Fusionné dans « {survivor.title} » (n° {survivor.pk}, fusion {record.pk})",
        )
        duplicate.delete()
    record.moved = _jsonable(dict(moved))
    record.save(update_fields=["moved"])
    # Moved lines without history (sources) send no signal: the survivor is reindexed on commit.
    partnerships_changed.send(sender=Partnership, ids={survivor.pk})
    return record


def _organisation_now(pk: int) -> int | None:
    """Return the organisation `pk` is now: itself, or the one it was merged into since."""
    seen: set[int] = set()
    while not Organisation.objects.filter(pk=pk).exists():
        merge = OrganisationMerge.objects.filter(removed_id=pk, undone_at__isnull=True).first()
        if merge is None or pk in seen:
            return None
        seen.add(pk)
        pk = merge.survivor_id
    return pk


def _partnership_restored(record: PartnershipMerge) -> Partnership:
    """Return the merged partnership rebuilt from its snapshot (not saved), with its id."""
    snapshot = record.snapshot
    values: dict[str, Any] = {}
    for field in Partnership._meta.concrete_fields:
        if field.attname not in snapshot:
            continue
        value = snapshot[field.attname]
        if value is not None and field.is_relation and field.related_model is not None:
            if not field.related_model._default_manager.filter(pk=value).exists():
                value = None  # a programme or batch deleted since
        values[field.attname] = field.to_python(value) if value is not None else None
    external_ref = values.get("external_ref")
    if external_ref and (taken := Partnership.objects.filter(external_ref=external_ref).first()):
        raise ValueError(
            f"La fusion {record.pk} ne peut pas être annulée : le partenariat n° {taken.pk} porte "
            f"désormais la référence externe {external_ref} du partenariat fusionné."
        )
    return Partnership(**values)


@transaction.atomic
def partnerships_merge_undo(
    record: PartnershipMerge, *, acting_user: AbstractBaseUser | None = None
) -> Partnership:
    """Recreate the merged partnership with its id, fields, SDGs and countries; move its lines,
    themes and partners back; give the survivor back the fields it took (unless edited since), the
    SDGs and countries it gained; withdraw the proposals the merge made that still wait; return
    the restored partnership."""
    require(acting_user, "partnership_merge")
    record = PartnershipMerge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at:
        raise ValueError(f"La fusion {record.pk} a déjà été annulée le {record.undone_at:%d/%m/%Y}.")
    user = _signed_in(acting_user)
    moved = record.moved
    why = f"Fusion {record.pk} annulée"
    survivor = record.survivor
    with _history_user(user):
        restored = _partnership_restored(record)
        fills = moved.get("fills", {})
        for name, before in moved.get("survivor_before", {}).items():
            # A field edited since the merge keeps its edit.
            if _jsonable(getattr(survivor, name)) == fills.get(name):
                setattr(survivor, name, _field(name).to_python(before) if before is not None else None)
        note_change(survivor, user=user, reason=why)
        survivor.sdgs.remove(*moved.get("sdgs_added", []))
        survivor.extra_countries.remove(*moved.get("extra_countries_added", []))
        note_change(survivor, user=user, reason=why)
        survivor.version = next_version(survivor)
        survivor.save()
        ProposedChange.objects.filter(pk__in=moved.get("proposals", []), state=ProposalState.OPEN).delete()

        note_change(restored, user=user, reason=why)
        restored.save(force_insert=True)
        # auto_now_add set the creation date to now: the record's own comes back.
        Partnership.objects.filter(pk=restored.pk).update(created_at=record.snapshot.get("created_at"))
        restored.sdgs.set(record.snapshot.get("sdgs", []))
        restored.extra_countries.set(record.snapshot.get("extra_countries", []))
        for model in _PARTNERSHIP_LINES:
            _move(model, moved.get(model._meta.label, []), restored, user=user, reason=why)
        _move(Participation, moved.get("atlas.Participation", []), restored, user=user, reason=why)
        for pk, priority in moved.get("themes", []):
            for link in PartnershipTheme.objects.filter(pk=pk):
                link.partnership, link.priority = restored, priority
                note_change(link, user=user, reason=why)
                link.save(update_fields=["partnership", "priority"])
        for data in moved.get("dropped_themes", []):
            link = PartnershipTheme(partnership=restored, theme_id=data["theme"], priority=data["priority"])
            note_change(link, user=user, reason=why)
            link.save()
        restored_partners: set[tuple[int, str]] = set()
        for data in moved.get("dropped_participations", []):
            organisation_id = _organisation_now(data["organisation"])
            if organisation_id is None or (organisation_id, data["role"]) in restored_partners:
                continue
            restored_partners.add((organisation_id, data["role"]))
            participation = Participation(
                partnership=restored,
                organisation_id=organisation_id,
                role=data["role"],
                position=data["position"],
                note=data["note"],
            )
            note_change(participation, user=user, reason=why)
            participation.save()
        PartnershipMerge.objects.filter(pk__in=moved.get("merges", [])).update(survivor=restored)
    partnerships_changed.send(sender=Partnership, ids={survivor.pk, restored.pk})
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    return restored
