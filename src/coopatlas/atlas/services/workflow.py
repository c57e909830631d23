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
from django.utils import timezone

from coopatlas.accounts.permissions import may, require
from coopatlas.atlas.choices import PublicationState
from coopatlas.atlas.models import ImportBatch, Partnership, PublicationStep
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
    for partnership in partnerships:
        if partnership.publication_state not in (State.DRAFT, State.SUBMITTED):
            outcome.refused.append((partnership, f"déjà {_label(partnership.publication_state).lower()}"))
            continue
        if not may(acting_user, "partnership_publish", partnership):
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
    for start in range(0, len(chosen), _BLOCK):
        block = chosen[start : start + _BLOCK]
        Partnership.objects.bulk_update(block, ["publication_state", "updated_at"])
        Partnership.history.bulk_history_create(
            block, update=True, default_user=user, default_change_reason=reason, default_date=now
        )
        PublicationStep.objects.bulk_create(steps[start : start + _BLOCK])
    partnerships_changed.send(sender=Partnership, ids={p.pk for p in chosen})


def check_may(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` may do `action` (re-exported for the interfaces)."""
    require(user, action, obj)


__all__ = [
    "TRANSITIONS",
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
