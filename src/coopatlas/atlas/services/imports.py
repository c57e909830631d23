"""The writes of an import that are not rows in bulk: its batch opened and closed, a programme
found or made, an embassy and its correspondents, a record replaced by a newer import of it.
The pipeline (ingest/pipeline.py) plans and validates; it writes through these and through the
bulk writer (bulk.py), naming the batch and its author."""

import json
from dataclasses import dataclass, field

from django.db.models import F

from coopatlas.atlas.models import (
    PROPOSABLE_FIELDS,
    Contact,
    DiplomaticPost,
    Event,
    FundingLine,
    ImportBatch,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Programme,
    ProposalState,
    ProposedChange,
    Source,
)
from coopatlas.atlas.rules import FILLABLE_FIELDS, fill_or_conflict
from coopatlas.atlas.services import next_version, note_change

# The identifiers an organisation found again by another source may receive when it has none.
IDENTIFIER_FIELDS = ("insee_code", "siren", "geonames_id", "wikidata_id")

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
    current.version = next_version(current)  # an edit begun before this import is told of it
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


def organisations_enrich(updates: dict[int, dict], *, acting_user, batch: ImportBatch) -> int:
    """Give organisations that another source named again what it adds: its spelling as an
    alternate name ({"alternate_names": [...]}) and identifiers they had none of. Return how many
    changed. Nothing they hold is overwritten."""
    changed = 0
    reason = batch_reason(batch)
    ids = list(updates)
    for start in range(0, len(ids), 500):
        for organisation in Organisation.objects.filter(pk__in=ids[start : start + 500]):
            update = updates[organisation.pk]
            before = (
                list(organisation.alternate_names),
                [getattr(organisation, f) for f in IDENTIFIER_FIELDS],
            )
            known = {organisation.name.casefold(), *(n.casefold() for n in organisation.alternate_names)}
            for name in update.get("alternate_names", ()):
                if name.casefold() not in known:
                    organisation.alternate_names.append(name)
                    known.add(name.casefold())
            for name in IDENTIFIER_FIELDS:
                if update.get(name) and not getattr(organisation, name):
                    setattr(organisation, name, update[name])
            if before == (
                organisation.alternate_names,
                [getattr(organisation, f) for f in IDENTIFIER_FIELDS],
            ):
                continue
            note_change(organisation, user=acting_user, reason=reason, batch=batch)
            organisation.save()
            changed += 1
    return changed


@dataclass
class Convergence:
    """Another source of a partnership already in the atlas: what it gives (`given`, the fields
    it states) and its sources (dicts of Source fields; `batch` for the import's own line)."""

    pk: int
    given: dict
    sources: list[dict]
    where: str = ""


@dataclass
class ConvergenceResult:
    changed: set[int] = field(default_factory=set)  # a source added or a field filled
    filled: set[int] = field(default_factory=set)  # a field filled (its search document changes)
    # (partnership id, its title, field, value in the atlas, value of the source)
    conflicts: list[tuple[int, str, str, object, object]] = field(default_factory=list)


def partnerships_converge(
    items: list[Convergence], *, acting_user, batch: ImportBatch, conflict_message: str
) -> ConvergenceResult:
    """Record, for many partnerships at once, that other sources tell of them: add each source
    not yet listed, fill the fields they leave unsaid (atlas.rules.fill_or_conflict), and put each
    value that differs from one already set up for review as a proposed change from the batch
    (one per record and batch), never overwriting it. A handful of queries per call."""
    result = ConvergenceResult()
    if not items:
        return result
    pks = {item.pk for item in items}
    current = {
        row["pk"]: row
        for row in Partnership.objects.filter(pk__in=pks).values("pk", "title", *FILLABLE_FIELDS)
    }
    # A source is listed once: the same address and title, whether an import's own line or
    # a line copied by our JSON export (which carries every source of a record).
    listed = set(Source.objects.filter(partnership_id__in=pks).values_list("partnership_id", "url", "title"))
    proposed_before = {
        (pid, json.dumps(changes, sort_keys=True))
        for pid, changes in ProposedChange.objects.filter(
            partnership_id__in=pks, batch__isnull=False, state=ProposalState.OPEN
        ).values_list("partnership_id", "changes")
    }
    fills_by_pk: dict[int, dict] = {}
    new_sources: list[Source] = []
    proposals: list[ProposedChange] = []
    for item in items:
        row = current[item.pk]
        fills, conflicts = fill_or_conflict(row, item.given)
        if fills:
            fills_by_pk.setdefault(item.pk, {}).update(fills)
            row.update(fills)  # a later source of the same record sees them filled
        for source in item.sources:
            key = (item.pk, source.get("url") or "", source.get("title") or "")
            if key not in listed:
                listed.add(key)
                new_sources.append(Source(partnership_id=item.pk, **source))
                result.changed.add(item.pk)
        for name, value in conflicts.items():
            result.conflicts.append((item.pk, row["title"], name, row[name], value))
        # As a proposal stores them (and change_accept reads them back): text, dates in ISO.
        proposed = {
            name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in conflicts.items()
            if name in PROPOSABLE_FIELDS
        }
        proposal_key = (item.pk, json.dumps(proposed, sort_keys=True))
        if proposed and proposal_key not in proposed_before:
            proposed_before.add(proposal_key)
            proposals.append(
                ProposedChange(
                    partnership_id=item.pk,
                    author=acting_user,
                    changes=proposed,
                    message=f"{conflict_message} ({item.where})"[:2000],
                    batch=batch,
                )
            )
    reason = batch_reason(batch)
    for partnership in Partnership.objects.filter(pk__in=list(fills_by_pk)):
        fills = fills_by_pk[partnership.pk]
        for name, value in fills.items():
            setattr(partnership, name, value)
        note_change(partnership, user=acting_user, reason=reason, batch=batch)
        partnership.full_clean(exclude=["external_ref"])
        partnership.save(update_fields=[*fills, "updated_at"])
        result.changed.add(partnership.pk)
        result.filled.add(partnership.pk)
    Source.objects.bulk_create(new_sources, batch_size=500)
    ProposedChange.objects.bulk_create(proposals, batch_size=500)
    return result
