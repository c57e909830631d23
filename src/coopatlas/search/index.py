"""Keep the search index in step with the atlas: one document per partnership."""

from collections.abc import Iterable

from django.db import connection, transaction

from coopatlas.atlas.models import Partnership
from coopatlas.atlas.selectors import partnerships_with_details
from coopatlas.search.models import SearchDocument
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
    if partnership.programme_id:
        parts.append(partnership.programme.name)
    return "\n".join(part for part in parts if part)


@transaction.atomic
def reindex(partnership_ids: Iterable[int] | None = None) -> int:
    """Rebuild the documents of the given partnerships (all when None); return how many."""
    queryset = (
        Partnership.objects.all()
        if partnership_ids is None
        else Partnership.objects.filter(pk__in=list(partnership_ids))
    )
    if partnership_ids is None:
        SearchDocument.objects.all().delete()
    else:
        SearchDocument.objects.filter(partnership__in=queryset).delete()
    texts = [
        (p.pk, document_text(p)) for p in partnerships_with_details(queryset.select_related("programme"))
    ]
    _write(texts, replace=partnership_ids is None)
    return len(texts)


def index_texts(texts: list[tuple[int, str]]) -> None:
    """Index new partnerships whose document texts are already known (the importer builds them
    from what it has in hand, rather than reading the records back)."""
    _write(texts, replace=False)


def _write(texts: list[tuple[int, str]], *, replace: bool) -> None:
    rows = [(pk, text, stemmed(text)) for pk, text in texts]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_searchdocument (partnership_id, text, stemmed) VALUES (%s, %s, %s)", rows
        )
        if connection.vendor == "sqlite":
            if replace:
                cursor.execute("DELETE FROM search_fts")
            else:
                cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(pk,) for pk, _, _ in rows])
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


def remove(partnership_id: int) -> None:
    """Drop a deleted partnership from the index."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [partnership_id])
