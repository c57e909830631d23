"""The publication workflow: draft → submitted → published → archived, each step checked against
the actor's roles (accounts.permissions) and recorded (PublicationStep, and the history).

    draft      → submitted (an editor asks for review) or published (who may publish)
    submitted  → published (a reviewer accepts) or draft (sent back, with a comment)
    published  → archived, or draft (taken down for rework, by who may publish)
    archived   → published (restored)
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone

from coopatlas.accounts.permissions import edits_need_review, is_administrator, may, require
from coopatlas.atlas.choices import PublicationState
from coopatlas.atlas.models import (
    PROPOSABLE_FIELDS,
    ImportBatch,
    Partnership,
    ProposalState,
    ProposedChange,
    PublicationStep,
    Source,
    footprints_of_partnerships,
)
from coopatlas.atlas.services import Provenance, _save
from coopatlas.atlas.signals import partnerships_changed

State = PublicationState

# (from, to) → the permission the step needs.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, State.SUBMITTED): "partnership_submit",
    (State.DRAFT, State.PUBLISHED): "partnership_publish",
    (State.SUBMITTED, State.PUBLISHED): "partnership_publish",
    (State.SUBMITTED, State.DRAFT): "partnership_publish",
    (State.PUBLISHED, State.ARCHIVED): "partnership_archive",
    (State.PUBLISHED, State.SUBMITTED): "partnership_submit",
    (State.PUBLISHED, State.DRAFT): "partnership_publish",
    (State.ARCHIVED, State.PUBLISHED): "partnership_archive",
}

STEP_REASONS = {
    State.SUBMITTED: "Soumis à la revue",
    State.PUBLISHED: "Publié",
    State.DRAFT: "Renvoyé en brouillon",
    State.ARCHIVED: "Archivé",
}


def _actor(user) -> Any:
    """Return the signed-in user recorded as the author, or None (the system, a visitor)."""
    return user if user is not None and user.is_authenticated else None


def _label(state: str) -> str:
    return str(State(state).label)


@transaction.atomic
def partnership_move(
    partnership: Partnership,
    to_state: str,
    *,
    acting_user: AbstractBaseUser | None,
    comment: str = "",
    batch: ImportBatch | None = None,
) -> Partnership:
    """Move a partnership to `to_state` if the workflow allows that step and the actor's roles
    allow it; record the step. Raise ValidationError for a step the workflow has not, and
    PermissionDenied for an actor who may not take it."""
    from_state = partnership.publication_state
    action = TRANSITIONS.get((from_state, to_state))
    if action is None:
        raise ValidationError(
            {
                "publication_state": (
                    f"« {partnership} » est {_label(from_state).lower()} : il ne peut pas passer à "
                    f"« {_label(to_state).lower()} »."
                )
            }
        )
    require(acting_user, action, partnership)
    if (from_state, to_state) == (State.SUBMITTED, State.DRAFT) and not comment.strip():
        raise ValidationError(
            {"comment": "Dites pourquoi le partenariat est renvoyé : un commentaire est requis."}
        )
    partnership.publication_state = to_state
    reason = STEP_REASONS[State(to_state)] + (f" : {comment.strip()}" if comment.strip() else "")
    _save(partnership, Provenance(acting_user, batch, reason=reason))
    PublicationStep.objects.create(
        partnership=partnership,
        from_state=from_state,
        to_state=to_state,
        actor=_actor(acting_user),
        batch=batch,
        comment=comment.strip(),
    )
    return partnership


def review_if_asked(partnership: Partnership, *, acting_user) -> Partnership:
    """After an editor's change to a published record, send it back to review if a coordinator of
    its territory asked for that (accounts.permissions.edits_need_review); else leave it."""
    if partnership.publication_state == State.PUBLISHED and edits_need_review(acting_user, partnership):
        partnership_move(
            partnership,
            State.SUBMITTED,
            acting_user=acting_user,
            comment="Modifié par son éditeur : la revue de ce territoire le relit avant de le republier.",
        )
    return partnership


def partnership_submit(partnership: Partnership, *, acting_user, comment: str = "") -> Partnership:
    """Ask for the review of a draft."""
    return partnership_move(partnership, State.SUBMITTED, acting_user=acting_user, comment=comment)


def partnership_publish(partnership: Partnership, *, acting_user, comment: str = "") -> Partnership:
    """Publish a draft or a submitted partnership (or restore an archived one)."""
    return partnership_move(partnership, State.PUBLISHED, acting_user=acting_user, comment=comment)


def partnership_send_back(partnership: Partnership, *, acting_user, comment: str) -> Partnership:
    """Send a submitted partnership back to its editors as a draft, saying why."""
    return partnership_move(partnership, State.DRAFT, acting_user=acting_user, comment=comment)


def partnership_archive(partnership: Partnership, *, acting_user, comment: str = "") -> Partnership:
    """Archive a published partnership (it leaves the public atlas, its history stays)."""
    return partnership_move(partnership, State.ARCHIVED, acting_user=acting_user, comment=comment)


@transaction.atomic
def partnership_verify(partnership: Partnership, *, acting_user) -> Partnership:
    """Record that the partnership was checked and is still right ("Toujours exact"): today, by
    the actor (in the history)."""
    require(acting_user, "partnership_verify", partnership)
    partnership.last_verified_on = timezone.localdate()
    return _save(partnership, Provenance(acting_user, reason="Vérifié : toujours exact"))


@dataclass
class BulkOutcome:
    """What a bulk publication did: how many published, and those refused with the reason."""

    published: int = 0
    refused: list[tuple[Partnership, str]] = field(default_factory=list)


# A publication of many records records its steps in blocks of this many rows.
_BLOCK = 500


def partnerships_publish(
    partnerships: Iterable[Partnership], *, acting_user, batch: ImportBatch | None = None
) -> BulkOutcome:
    """Publish every draft or submitted partnership given that the actor may publish; the
    others are refused one by one with the reason (nothing else is skipped in silence).

    One transaction for all: the search index and the caches move once. The records are
    written in bulk, with a history row and a PublicationStep each, in blocks."""
    outcome = BulkOutcome()
    chosen: list[Partnership] = []
    partnerships = list(partnerships)
    # Who publishes anywhere is not asked per record; others, against footprints read at once.
    everywhere = acting_user is None or is_administrator(acting_user)
    footprints = {} if everywhere else footprints_of_partnerships([p.pk for p in partnerships])
    for partnership in partnerships:
        if partnership.publication_state not in (State.DRAFT, State.SUBMITTED):
            outcome.refused.append((partnership, f"déjà {_label(partnership.publication_state).lower()}"))
            continue
        if not everywhere and not may(acting_user, "partnership_publish", footprints[partnership.pk]):
            outcome.refused.append((partnership, "hors du périmètre de vos rôles"))
            continue
        chosen.append(partnership)
    if not chosen:
        return outcome
    with transaction.atomic():
        _publish_in_bulk(chosen, acting_user=acting_user, batch=batch)
    outcome.published = len(chosen)
    return outcome


def _publish_in_bulk(chosen: list[Partnership], *, acting_user, batch: ImportBatch | None) -> None:
    user = _actor(acting_user)
    reason = STEP_REASONS[State.PUBLISHED] + (f" (lot {batch.pk})" if batch is not None else "")
    now = timezone.now()
    steps = []
    for partnership in chosen:
        steps.append(
            PublicationStep(
                partnership=partnership,
                from_state=partnership.publication_state,
                to_state=State.PUBLISHED,
                actor=user,
                batch=batch,
                at=now,
            )
        )
        partnership.publication_state = State.PUBLISHED
        partnership.updated_at = now
        partnership.version += 1  # an edit begun before this publication is told of it
    for start in range(0, len(chosen), _BLOCK):
        block = chosen[start : start + _BLOCK]
        Partnership.objects.bulk_update(block, ["publication_state", "updated_at", "version"])
        Partnership.history.bulk_history_create(
            block,
            update=True,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
            custom_historical_attrs={"history_batch_id": batch.pk} if batch is not None else None,
        )
        PublicationStep.objects.bulk_create(steps[start : start + _BLOCK])
    partnerships_changed.send(sender=Partnership, ids={p.pk for p in chosen})


def check_may(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` may do `action` (re-exported for the interfaces)."""
    require(user, action, obj)


__all__ = [
    "TRANSITIONS",
    "change_accept",
    "change_propose",
    "change_refuse",
    "BulkOutcome",
    "PermissionDenied",
    "check_may",
    "partnership_archive",
    "partnership_move",
    "partnership_publish",
    "partnership_send_back",
    "partnership_submit",
    "partnership_verify",
    "partnerships_publish",
]


def _field(name: str) -> Field:
    """Return a concrete field of Partnership (the proposable ones are all plain fields)."""
    field = Partnership._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _proposed_values(partnership: Partnership, changes: dict) -> dict:
    """Return the proposed values as the model's fields read them, raising ValidationError
    naming the field for an unknown field or a value that does not fit."""
    values = {}
    for name, raw in changes.items():
        if name not in PROPOSABLE_FIELDS:
            raise ValidationError({name: f"Le champ « {name} » ne peut pas être proposé ici."})
        model_field = _field(name)
        values[name] = model_field.to_python(raw if raw != "" else None) if raw is not None else None
        if values[name] is None and not model_field.null:
            values[name] = ""
    return values


@transaction.atomic
def change_propose(
    partnership: Partnership, *, acting_user, changes: dict, message: str = "", source_url: str = ""
) -> ProposedChange:
    """Record a correction proposed to a published partnership (new values checked as the
    record itself would check them: nothing invalid waits for review)."""
    require(acting_user, "partnership_propose", partnership)
    if partnership.publication_state != State.PUBLISHED:
        raise ValidationError("Seul un partenariat publié reçoit des propositions de correction.")
    values = _proposed_values(partnership, changes)
    changed = {name: value for name, value in values.items() if getattr(partnership, name) != value}
    if not changed and not message.strip():
        raise ValidationError({"message": "Proposez au moins une valeur nouvelle ou écrivez un message."})
    trial = Partnership.objects.get(pk=partnership.pk)
    for name, value in changed.items():
        setattr(trial, name, value)
    trial.full_clean()
    proposal = ProposedChange(
        partnership=partnership,
        author=_actor(acting_user),
        changes={name: _field(name).value_to_string(trial) for name in changed},
        message=message.strip(),
        source_url=source_url.strip(),
    )
    proposal.full_clean()
    proposal.save()
    return proposal


def _author_name(user) -> str:
    if user is None:
        return "un compte supprimé"
    return user.get_full_name() or user.email or user.get_username()


@transaction.atomic
def change_accept(proposal: ProposedChange, *, acting_user, comment: str = "") -> Partnership:
    """Apply a proposed correction to its partnership; its history names the contributor."""
    partnership = proposal.partnership
    require(acting_user, "proposal_decide", partnership)
    if proposal.state != ProposalState.OPEN:
        raise ValidationError(f"{proposal} est déjà {proposal.get_state_display().lower()}.")
    for name, value in _proposed_values(partnership, proposal.changes).items():
        setattr(partnership, name, value)
    reason = f"Correction proposée par {_author_name(proposal.author)} (proposition n° {proposal.pk})"
    _save(
        partnership,
        Provenance(acting_user, reason=reason + (f" : {comment.strip()}" if comment.strip() else "")),
    )
    if proposal.source_url:
        _save(Source(partnership=partnership, url=proposal.source_url, title=reason), Provenance(acting_user))
    _decide(proposal, ProposalState.ACCEPTED, acting_user, comment)
    return partnership


@transaction.atomic
def change_refuse(proposal: ProposedChange, *, acting_user, comment: str) -> ProposedChange:
    """Refuse a proposed correction, saying why to its author."""
    require(acting_user, "proposal_decide", proposal.partnership)
    if proposal.state != ProposalState.OPEN:
        raise ValidationError(f"{proposal} est déjà {proposal.get_state_display().lower()}.")
    if not comment.strip():
        raise ValidationError(
            {"comment": "Dites pourquoi la proposition est refusée : un commentaire est requis."}
        )
    return _decide(proposal, ProposalState.REFUSED, acting_user, comment)


def _decide(proposal: ProposedChange, state: str, acting_user, comment: str) -> ProposedChange:
    proposal.state = state
    proposal.decided_by = _actor(acting_user)
    proposal.decided_at = timezone.now()
    proposal.decision_comment = comment.strip()
    proposal.save()
    return proposal
