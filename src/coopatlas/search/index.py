"""Keep the search index in step with the atlas: one document per partnership, with its facet keys.

This is the one place where a partnership's search document is built: its words (`document_text`)
and the values it counts under for each facet (`search.facets`). Every write path reaches it:
the signals of `search.signals` after an edit, the importer after each chunk, `reindex` for all.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from coopatlas.atlas.models import Partnership
from coopatlas.atlas.selectors import partnerships_with_details
from coopatlas.search.facets import FACETS
from coopatlas.search.models import INDEX_FORMAT, FacetKey, IndexState, SearchDocument
from coopatlas.search.text import stemmed


def document_text(partnership: Partnership) -> str:
    """Return the words a search should find the partnership by: its texts, its partners and
    their places, its countries, themes and programme."""
    parts = [
        partnership.title,
        partnership.summary,
        partnership.context,
        partnership.history_text,
        partnership.objectives_local,
        partnership.objectives_france,
        partnership.description,
        partnership.get_form_display(),
    ]
    for participation in partnership.participations.all():
        organisation = participation.organisation
        parts += [
            organisation.name,
            organisation.acronym,
            organisation.admin_area,
            *organisation.alternate_names,
            organisation.country.name_fr,
            organisation.country.name_en,
        ]
    for country in partnership.extra_countries.all():
        parts += [country.name_fr, country.name_en]
    for link in partnership.theme_links.all():
        parts += [theme.name_fr for theme in link.theme.path]
    if partnership.programme is not None:
        parts.append(partnership.programme.name)
    return "\n".join(part for part in parts if part)


CHUNK = 1000  # partnerships read and written at a time: memory stays flat on any atlas


@transaction.atomic
def reindex(partnership_ids: Iterable[int] | None = None) -> int:
    """Rebuild the documents of the given partnerships (all when None); return how many."""
    if partnership_ids is None:
        SearchDocument.objects.all().delete()
        FacetKey.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_fts")
        chunks = _chunks_of_all()
    else:
        wanted = sorted(set(partnership_ids))
        chunks = (wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK))
    count = 0
    for ids in chunks:
        count += _index_chunk(ids)
    _moved()
    return count


def _moved() -> None:
    """Move the index's version (inside the writer's transaction: seen when it commits)."""
    if not IndexState.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now()):
        IndexState.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": timezone.now()})


def version() -> tuple[int, datetime.datetime | None]:
    """Return the index's version and when it last moved (0 and None for a new atlas)."""
    state = IndexState.objects.filter(pk=1).values_list("version", "changed_at").first()
    return state if state is not None else (0, None)


def _chunks_of_all():
    last = 0
    while ids := list(
        Partnership.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
    ):
        yield ids
        last = ids[-1]


def _index_chunk(ids: list[int]) -> int:
    """Write the documents and facet keys of these partnerships (those that still exist)."""
    SearchDocument.objects.filter(partnership_id__in=ids).delete()
    FacetKey.objects.filter(partnership_id__in=ids).delete()
    partnerships = list(
        partnerships_with_details(Partnership.objects.filter(pk__in=ids).select_related("programme"))
    )
    rows = [(p.pk, text, stemmed(text)) for p in partnerships for text in [document_text(p)]]
    FacetKey.objects.bulk_create(
        [
            FacetKey(partnership_id=p.pk, facet=name, value=value)
            for p in partnerships
            for name, facet in FACETS.items()
            for value in sorted(facet.keys(p))
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_searchdocument (partnership_id, text, stemmed, format) "
            "VALUES (%s, %s, %s, %s)",
            [(*row, INDEX_FORMAT) for row in rows],
        )
        if connection.vendor == "sqlite":
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(pk,) for pk in ids])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, stemmed) VALUES (%s, %s)",
                [(pk, stem) for pk, _, stem in rows],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE search_searchdocument SET vector = to_tsvector('french', unaccent(text)) "
                "WHERE partnership_id = ANY(%s)",
                [[pk for pk, _, _ in rows]],
            )
    return len(rows)


def is_stale() -> bool:
    """Whether the index misses a partnership or holds documents of an older format."""
    documents = SearchDocument.objects.filter(format=INDEX_FORMAT)
    return (
        documents.count() != Partnership.objects.count()
        or SearchDocument.objects.exclude(format=INDEX_FORMAT).exists()
    )


def remove(partnership_id: int) -> None:
    """Drop a deleted partnership from the index."""
    _moved()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [partnership_id])
