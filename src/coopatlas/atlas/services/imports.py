"""The writes of an import that are not rows in bulk: its batch opened and closed, a programme
found or made, an embassy and its correspondents, a record replaced by a newer import of it.
The pipeline (ingest/pipeline.py) plans and validates; it writes through these and through the
bulk writer (bulk.py), naming the batch and its author."""

from django.db.models import F

from coopatlas.atlas.models import (
    Contact,
    DiplomaticPost,
    Event,
    FundingLine,
    ImportBatch,
    Participation,
    Partnership,
    PartnershipTheme,
    Programme,
)
from coopatlas.atlas.services import note_change

# The lines a newer import of a record replaces (the bulk writer then writes the source's).
REPLACED_LINES = (Participation, PartnershipTheme, FundingLine, Event)


def batch_reason(batch: ImportBatch) -> str:
    """Return the change reason of the batch's history rows (undo reads it)."""
    return f"Import (lot {batch.pk})"


def import_batch_open(*, source_kind: str, file_name: str, file_sha256: str, acting_user) -> ImportBatch:
    """Open the batch an import writes under, its author recorded; return it."""
    return ImportBatch.objects.create(
        source_kind=source_kind,
        file_name=file_name[:300],
        file_sha256=file_sha256,
        created_by_id=acting_user.pk if acting_user is not None else None,
    )


def import_batch_close(batch: ImportBatch, *, counts: dict, finished_at) -> None:
    """Record when the batch ended and what it did."""
    batch.finished_at = finished_at
    batch.counts = dict(counts)
    batch.save(update_fields=["finished_at", "counts"])


def programme_find_or_create(name: str) -> int:
    """Return the id of the programme of this name, made if new."""
    found = Programme.objects.filter(name=name).order_by("pk").first()
    return found.pk if found is not None else Programme.objects.create(name=name).pk


def diplomatic_post_create(post: DiplomaticPost, contacts: list[Contact]) -> DiplomaticPost:
    """Save an embassy's post with its correspondents (each contact validated by the caller; the
    post once they have their ids)."""
    for contact in contacts:
        contact.save()
    for role in ("correspondent", "counsellor"):
        if (assigned := getattr(post, role, None)) is not None:
            setattr(post, role, assigned)  # its id, now that it is saved
    post.full_clean(exclude=["country", "correspondent", "counsellor"])
    post.save()
    return post


def partnership_replace(
    current: Partnership,
    new: Partnership,
    *,
    fields: tuple[str, ...],
    acting_user,
    batch: ImportBatch,
    personal_data: bool,
) -> Partnership:
    """Give a record the newer import's fields and drop its lines, the history keeping the old
    ones under the batch's reason; the caller writes the new lines. Contacts and volunteers are
    replaced only by an import allowed to carry personal data."""
    for name in fields:
        setattr(current, name, getattr(new, name))
    current.programme_id = new.programme_id
    current.import_hash = new.import_hash
    reason = batch_reason(batch)
    note_change(current, user=acting_user, reason=reason, batch=batch)
    current.full_clean(exclude=["external_ref"])
    current.save()
    for model in REPLACED_LINES:
        for line in model.objects.filter(partnership=current):
            note_change(line, user=acting_user, reason=reason, batch=batch)
            line.delete()
    current.sdgs.clear()
    current.extra_countries.clear()
    current.sources.filter(batch__isnull=True).delete()
    if personal_data:
        current.contacts.all().delete()
        current.volunteers.all().delete()
    return current


def partnership_mark_imported(pk: int) -> None:
    """Record that the record is as its last import left it (a later hand edit shows as newer)."""
    Partnership.objects.filter(pk=pk).update(imported_at=F("updated_at"))
