"""Reindex a partnership when it, its participants, its themes or a participant organisation change."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from coopatlas.atlas.models import Organisation, Participation, Partnership, PartnershipTheme

_pending: set[int] = set()


def _flush() -> None:
    from coopatlas.search.index import reindex

    if not _pending:
        return
    ids = set(_pending)
    _pending.clear()
    existing = set(Partnership.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if existing:
        reindex(existing)


def _later(ids: set[int]) -> None:
    """Reindex these partnerships once the transaction commits, all in one batch.

    Every change registers the flush, but only the first flush after a commit finds work to
    do: an import of thousands of rows reindexes once. Ids left by a rolled-back transaction
    are reindexed with the next batch (reindexing is harmless).
    """
    if ids:
        _pending.update(ids)
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
def _part_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and Partnership.objects.filter(pk=instance.partnership_id).exists():
        _later({instance.partnership_id})


@receiver(post_save, sender=Organisation)
def _organisation_saved(sender, instance: Organisation, raw=False, **kwargs) -> None:
    if not raw:
        _later(set(instance.participations.values_list("partnership_id", flat=True)))


@receiver(m2m_changed, sender=Partnership.extra_countries.through)
def _countries_changed(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Partnership):
        _later({instance.pk})
