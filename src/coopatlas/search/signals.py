"""Reindex a partnership when anything its document or facet keys read changes: the partnership,
its participants and their organisations, its themes, SDGs, countries and funding lines."""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from coopatlas.atlas.models import FundingLine, Organisation, Participation, Partnership, PartnershipTheme
from coopatlas.atlas.signals import partnerships_changed

# The ids waiting for their transaction's commit live on the thread's own database connection:
# a process-wide set let one server thread flush, before their commit, the ids of another
# thread's open transaction, whose new text then never reached the index.
_PENDING = "_coopatlas_reindex_pending"


def _pending(using: str = DEFAULT_DB_ALIAS) -> set[int]:
    connection = connections[using]  # one object per thread
    if not hasattr(connection, _PENDING):
        setattr(connection, _PENDING, set())
    return getattr(connection, _PENDING)


def apply_pending() -> None:
    """Bring the index up to date with this thread's own writes not yet committed.

    A search run in the same transaction as an edit (a request that saves then lists, a
    test) reads the index as that edit left it; other threads see it when it commits."""
    _flush()


def _flush() -> None:
    from coopatlas.search.index import reindex

    pending = _pending()
    if not pending:
        return
    ids = set(pending)
    pending.clear()
    reindex(ids)  # in chunks; ids of partnerships deleted since are left out


def _later(ids: set[int]) -> None:
    """Reindex these partnerships once this thread's transaction commits, all in one batch.

    Every change registers the flush, but only the first flush after a commit finds work to
    do: an import of thousands of rows reindexes once. Ids left by a rolled-back transaction
    are reindexed with the thread's next batch (reindexing is harmless).
    """
    if ids:
        _pending().update(ids)
        transaction.on_commit(_flush)


@receiver(post_save, sender=Partnership)
def _partnership_saved(sender, instance: Partnership, raw=False, **kwargs) -> None:
    if not raw:
        _later({instance.pk})


@receiver(post_delete, sender=Partnership)
def _partnership_deleted(sender, instance: Partnership, **kwargs) -> None:
    from coopatlas.search.index import remove

    remove(instance.pk)


@receiver([post_save, post_delete], sender=Participation)
@receiver([post_save, post_delete], sender=PartnershipTheme)
@receiver([post_save, post_delete], sender=FundingLine)
def _part_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and Partnership.objects.filter(pk=instance.partnership_id).exists():
        _later({instance.partnership_id})


@receiver(post_save, sender=Organisation)
def _organisation_saved(sender, instance: Organisation, raw=False, **kwargs) -> None:
    if not raw:
        _later(set(instance.participations.values_list("partnership_id", flat=True)))


@receiver(m2m_changed, sender=Partnership.extra_countries.through)
@receiver(m2m_changed, sender=Partnership.sdgs.through)
@receiver(m2m_changed, sender=Partnership.themes.through)
def _links_changed(sender, instance, action, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Partnership):
        _later({instance.pk})
    elif pk_set:  # changed from the other side (a country's, a goal's or a theme's set)
        _later(set(pk_set))


@receiver(partnerships_changed)
def _bulk_changed(sender, ids, **kwargs) -> None:
    _later(set(ids))
