"""Undo an import batch: remove what it created, put back what it changed (from history).

Who may undo is decided here, once (`can_undo`), for every caller: the web page, the API, the
background worker and the command line. An undo removes published work, so it is allowed to the
batch's author while nobody else has edited what the batch wrote, and to users with the right to
delete partnerships (scoped roles will narrow that right in `_may_delete_in_scope`)."""

import datetime
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coopatlas.accounts.permissions import is_administrator, may
from coopatlas.atlas.models import (
    Contact,
    Event,
    FundingLine,
    ImportBatch,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Volunteer,
)
from coopatlas.atlas.signals import partnerships_changed
from coopatlas.core.database import LARGE_WRITE, refresh_statistics

LINE_MODELS = (Participation, PartnershipTheme, FundingLine, Event)
# What else an undo removes with the records (by cascade), so what someone else's work there
# forbids the author to undo: a partnership's contacts and volunteers, an organisation's contacts
# and events.
PARTNERSHIP_ATTACHED = (*LINE_MODELS, Contact, Volunteer)
ORGANISATION_ATTACHED = (Contact, Event)
DELETE_PERMISSION = "atlas.delete_partnership"


class UndoError(Exception):
    pass


class UndoNotAllowed(UndoError):
    """The acting user may not undo this batch; the message says who may and why not them."""


@dataclass(frozen=True)
class LaterEdit:
    """An edit made after the batch to a record it created or changed."""

    record: str
    by: str
    on: datetime.datetime


def _name(user) -> str:
    if user is None:
        return "un script ou la ligne de commande"
    return user.get_full_name() or user.get_username()


def _written_by(batch: ImportBatch) -> Q:
    """Return the filter of the history rows the batch wrote: by their batch (models.BatchedHistory),
    or, for rows written before history rows named it, by their reason "Import (lot N)"."""
    return Q(history_batch_id=batch.pk) | Q(
        history_batch__isnull=True, history_change_reason=_batch_reason(batch)
    )


def _batch_reason(batch: ImportBatch) -> str:
    return f"Import (lot {batch.pk})"


def _partnerships_of(batch: ImportBatch) -> tuple[list[int], set[int]]:
    """Return the ids of the partnerships the batch created and of those it updated."""
    created = list(Partnership.objects.filter(created_by_batch=batch).values_list("pk", flat=True))
    updated = set(
        Partnership.history.filter(_written_by(batch), history_type="~").values_list("id", flat=True)
    )
    return created, updated


def edits_since(batch: ImportBatch, *, except_by=None) -> list[LaterEdit]:
    """Return the edits made after the batch, by anyone but `except_by`, to the partnerships it
    created or changed (their fields and lines) and to the organisations it created; oldest first."""
    # Sub-queries, not lists of ids: a batch may hold 100,000 records (SQLite caps parameters).
    created = Partnership.objects.filter(created_by_batch=batch).values("pk")
    updated = Partnership.history.filter(_written_by(batch), history_type="~").values("id")
    organisations = Organisation.objects.filter(created_by_batch=batch).values("pk")
    since = batch.finished_at or batch.started_at
    histories = [
        (
            Partnership.history.filter(Q(id__in=created) | Q(id__in=updated)),
            lambda h: f"le partenariat « {h.title} »",
        ),
        (Organisation.history.filter(id__in=organisations), lambda h: f"l'organisation « {h.name} »"),
    ]
    for model in PARTNERSHIP_ATTACHED:
        histories.append(
            (
                model.history.filter(Q(partnership_id__in=created) | Q(partnership_id__in=updated)),
                lambda h: (
                    f"le partenariat n° {h.partnership_id} (ses partenaires, thèmes, financements, dates, "
                    "contacts ou volontaires)"
                ),
            )
        )
    for model in ORGANISATION_ATTACHED:
        histories.append(
            (
                model.history.filter(organisation_id__in=organisations),
                lambda h: f"l'organisation n° {h.organisation_id} (ses contacts ou événements)",
            )
        )
    edits = []
    for history, label in histories:
        later = history.filter(history_date__gt=since).exclude(_written_by(batch))
        if except_by is not None:
            later = later.exclude(history_user_id=except_by.pk)
        for row in later.select_related("history_user").order_by("history_date")[:1]:
            edits.append(LaterEdit(record=label(row), by=_name(row.history_user), on=row.history_date))
    return sorted(edits, key=lambda edit: edit.on)


def undo_preview(batch: ImportBatch) -> dict[str, int]:
    """Return what undoing the batch would do, without doing it: the partnerships it would remove
    and restore, the organisations it would remove (those still unused elsewhere may be fewer)."""
    updated = Partnership.history.filter(_written_by(batch), history_type="~")
    return {
        "removed": Partnership.objects.filter(created_by_batch=batch).count(),
        "restored": updated.values("id").distinct().count(),
        "organisations": Organisation.objects.filter(created_by_batch=batch).count(),
    }


def _may_delete_in_scope(user, batch: ImportBatch) -> bool:
    """Whether the user may delete the partnerships of this batch. Scoped roles (a territory, a
    team) will narrow this right here, and only here."""
    return user.has_perm(DELETE_PERMISSION) or is_administrator(user)


def can_undo(user, batch: ImportBatch) -> tuple[bool, str]:
    """Return whether `user` may undo `batch`, and if not why (in French, naming who may)."""
    who_may = (
        "Un lot peut être annulé par son auteur, tant que personne d'autre n'a modifié ce qu'il a "
        "écrit, et par les utilisateurs ayant le droit de supprimer des partenariats."
    )
    if user is None or not user.is_authenticated or not user.is_active:
        return False, f"Annuler le lot n° {batch.pk} demande d'être connecté. {who_may}"
    if _may_delete_in_scope(user, batch):
        return True, ""
    if not may(user, "batch_undo", batch):
        author = _name(batch.created_by) if batch.created_by_id else "un script ou la ligne de commande"
        return False, (
            f"Le lot n° {batch.pk} a été importé par {author}, pas par vous ({_name(user)}), et votre "
            f"compte n'a pas le droit de supprimer des partenariats. {who_may}"
        )
    if edits := edits_since(batch, except_by=user):
        first = edits[0]
        return False, (
            f"Le lot n° {batch.pk} ne peut plus être annulé par vous : {first.record} a été modifié "
            f"depuis par {first.by} le {timezone.localtime(first.on):%d/%m/%Y à %H:%M}, et l'annulation "
            f"effacerait ce travail. Seuls les utilisateurs ayant le droit de supprimer des "
            f"partenariats peuvent encore l'annuler."
        )
    return True, ""


@contextmanager
def _history_user(user) -> Iterator[None]:
    """Name `user` as the author of every history row written inside, deletions and cascades
    included (what simple_history's middleware does for a web request, for any caller)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def batch_undo(batch: ImportBatch, *, acting_user) -> Counter:
    """Remove the partnerships and organisations the batch created and restore the records it
    updated to their state before it, as `acting_user` (named in the history); return counts.
    A batch is undone once; UndoNotAllowed when `can_undo` refuses the user."""
    allowed, reason = can_undo(acting_user, batch)
    if not allowed:
        raise UndoNotAllowed(reason)
    with _history_user(acting_user):
        counts = _undo(batch, acting_user)
    batch.refresh_from_db(fields=["undone_at"])
    return counts


@transaction.atomic
def _undo(batch: ImportBatch, acting_user) -> Counter:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.undone_at is not None:
        raise UndoError(f"Le lot {batch.pk} a déjà été annulé le {batch.undone_at:%d/%m/%Y à %H:%M}.")
    counts: Counter = Counter()
    created, updated = _partnerships_of(batch)
    # Lines of updated records: drop the ones the batch added, put back the ones it removed.
    for model in LINE_MODELS:
        history = model.history.filter(_written_by(batch), partnership_id__in=updated)
        added = [h.id for h in history.filter(history_type="+")]
        model.objects.filter(pk__in=added).delete()
        for record in history.filter(history_type="-"):
            record.instance.save()
            counts["lines_restored"] += 1
    for pk in sorted(updated):
        # The batch may have written several history rows for one record (fields, then its
        # SDGs and countries): go back to the state before the first of them.
        first = (
            Partnership.history.filter(_written_by(batch), id=pk)
            .order_by("history_date", "history_id")
            .first()
        )
        previous = first.prev_record if first is not None else None
        if previous is not None:
            instance = previous.instance
            instance._change_reason = f"Annulation du lot {batch.pk}"
            instance._history_user = acting_user
            instance.save()
            counts["restored"] += 1
    # Deleted partnerships leave the search index through its post_delete handler.
    counts["removed"] = Partnership.objects.filter(pk__in=created).delete()[1].get("atlas.Partnership", 0)
    for organisation in Organisation.objects.filter(created_by_batch=batch):
        try:
            organisation.delete()
            counts["organisations_removed"] += 1
        except ProtectedError:
            counts["organisations_kept"] += 1  # used since by another record
    partnerships_changed.send(sender=Partnership, ids=set(updated))
    if len(created) + len(updated) >= LARGE_WRITE:
        refresh_statistics()
    batch.undone_at = timezone.now()
    batch.save(update_fields=["undone_at"])
    return counts
