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
    ids = list(queryset.values_list("pk", flat=True))
    SearchDocument.objects.filter(partnership_id__in=ids).delete()
    if partnership_ids is None:
        SearchDocument.objects.all().delete()
    documents = [
        SearchDocument(partnership_id=p.pk, text=(text := document_text(p)), stemmed=stemmed(text))
        for p in partnerships_with_details(queryset.select_related("programme"))
    ]
    SearchDocument.objects.bulk_create(documents, batch_size=1000)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if partnership_ids is None:
                cursor.execute("DELETE FROM search_fts")
            else:
                cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, stemmed) VALUES (%s, %s)",
                [(d.partnership_id, d.stemmed) for d in documents],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE search_searchdocument SET vector = to_tsvector('french', unaccent(text)) "
                "WHERE partnership_id = ANY(%s)",
                [ids],
            )
    return len(documents)


def remove(partnership_id: int) -> None:
    """Drop a deleted partnership from the index."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [partnership_id])
