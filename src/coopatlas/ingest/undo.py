"""Undo an import batch: remove what it created, put back what it changed (from history)."""

from collections import Counter

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from coopatlas.atlas.models import (
    Event,
    FundingLine,
    ImportBatch,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
)
from coopatlas.search.index import reindex, remove

LINE_MODELS = (Participation, PartnershipTheme, FundingLine, Event)


class UndoError(Exception):
    pass


@transaction.atomic
def batch_undo(batch: ImportBatch, acting_user=None) -> Counter:
    """Remove the partnerships and organisations the batch created and restore the records it
    updated to their state before it; return counts. A batch is undone once. `acting_user` is
    who asks (the web app and the API pass it)."""
    if batch.undone_at is not None:
        raise UndoError(f"Le lot {batch.pk} a déjà été annulé le {batch.undone_at:%d/%m/%Y à %H:%M}.")
    counts: Counter = Counter()
    reason = f"Import (lot {batch.pk})"
    created = list(Partnership.objects.filter(created_by_batch=batch).values_list("pk", flat=True))
    updated = set(
        Partnership.history.filter(history_change_reason=reason, history_type="~").values_list(
            "id", flat=True
        )
    )
    # Lines of updated records: drop the ones the batch added, put back the ones it removed.
    for model in LINE_MODELS:
        history = model.history.filter(history_change_reason=reason, partnership_id__in=updated)
        added = [h.id for h in history.filter(history_type="+")]
        model.objects.filter(pk__in=added).delete()
        for record in history.filter(history_type="-"):
            record.instance.save()
            counts["lines_restored"] += 1
    for pk in sorted(updated):
        # The batch may have written several history rows for one record (fields, then its
        # SDGs and countries): go back to the state before the first of them.
        first = (
            Partnership.history.filter(id=pk, history_change_reason=reason)
            .order_by("history_date", "history_id")
            .first()
        )
        previous = first.prev_record if first is not None else None
        if previous is not None:
            instance = previous.instance
            instance._change_reason = f"Annulation du lot {batch.pk}"
            instance.save()
            counts["restored"] += 1
    for pk in created:
        remove(pk)
    counts["removed"] = Partnership.objects.filter(pk__in=created).delete()[1].get("atlas.Partnership", 0)
    for organisation in Organisation.objects.filter(created_by_batch=batch):
        try:
            organisation.delete()
            counts["organisations_removed"] += 1
        except ProtectedError:
            counts["organisations_kept"] += 1  # used since by another record
    reindex(sorted(updated))
    batch.undone_at = timezone.now()
    batch.save(update_fields=["undone_at"])
    return counts
