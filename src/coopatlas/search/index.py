"""Keep the search index in step with the atlas: one document per partnership, with its facet keys.

This is the one place where a partnership's search document is built: its words (`document_text`)
and the values it counts under for each facet (`search.facets`). Every write path reaches it:
the signals of `search.signals` after an edit, the importer after each chunk, `reindex` for all.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from coopatlas.atlas.choices import PartnershipForm
from coopatlas.atlas.models import FundingLine, Participation, Partnership, PartnershipTheme
from coopatlas.places.models import Country
from coopatlas.search.facets import FACETS, CountryRef, Indexed, Participant
from coopatlas.search.models import INDEX_FORMAT, FacetKey, FacetValueKey, IndexState, SearchDocument
from coopatlas.search.text import stemmed

TEXT_FIELDS = (
    "title",
    "summary",
    "context",
    "history_text",
    "objectives_local",
    "objectives_france",
    "description",
)


def document_text(partnership: Indexed) -> str:
    """Return the words a search should find the partnership by: its texts, its partners and
    their places, its countries, themes and programme."""
    parts = [*partnership.texts, partnership.form_label]
    for participant in partnership.participants:
        parts += [
            participant.name,
            participant.acronym,
            participant.admin_area,
            *participant.alternate_names,
            participant.country.name_fr,
            participant.country.name_en,
        ]
    for country in partnership.extra_countries:
        parts += [country.name_fr, country.name_en]
    for path in partnership.theme_paths:
        parts += [name for _code, name in path]
    parts.append(partnership.programme)
    return "\n".join(part for part in parts if part)


def _contiguous(ids: list[int]) -> bool:
    return bool(ids) and max(ids) - min(ids) + 1 == len(ids) == len(set(ids))


def among(ids: list[int], field: str = "partnership_id") -> Q:
    """Select the rows whose `field` is one of `ids`: a range when the ids follow each other (the
    importer's chunks of new partnerships), which spares building and binding a thousand
    parameters per query."""
    if _contiguous(ids):
        return Q(**{f"{field}__gte": min(ids), f"{field}__lte": max(ids)})
    return Q(**{f"{field}__in": ids})


class Reader:
    """Reads what the index needs of partnerships as plain values: a handful of queries per
    chunk, whatever the chunk holds, and no model instances."""

    def __init__(self) -> None:
        self.countries = {
            iso2: CountryRef(iso2, fr, en, region)
            for iso2, fr, en, region in Country.objects.values_list(
                "iso2", "name_fr", "name_en", "world_region"
            )
        }
        from coopatlas.atlas.models import Theme

        themes = {
            pk: (code, name, parent)
            for pk, code, name, parent in Theme.objects.values_list("pk", "code", "name_fr", "parent_id")
        }
        self.theme_paths: dict[int, tuple[tuple[str, str], ...]] = {}
        for pk in themes:
            path: list[tuple[str, str]] = []
            node: int | None = pk
            while node is not None:
                code, name, parent = themes[node]
                path.insert(0, (code, name))
                node = parent
            self.theme_paths[pk] = tuple(path)
        with translation.override(settings.LANGUAGE_CODE):
            self.form_labels = {code: str(label) for code, label in PartnershipForm.choices}

    def read(self, ids: list[int]) -> list[Indexed]:
        rows = (
            Partnership.objects.filter(among(ids, "pk"))
            .order_by()
            .values_list("pk", "form", "status", "programme__name", *TEXT_FIELDS)
        )
        participants: dict[int, list[Participant]] = defaultdict(list)
        for pk, *values in (
            Participation.objects.filter(among(ids))
            .order_by("partnership_id", "role", "position", "id")
            .values_list(
                "partnership_id",
                "organisation__name",
                "organisation__acronym",
                "organisation__admin_area",
                "organisation__alternate_names",
                "organisation__country_id",
                "organisation__kind",
                "organisation__region_code",
                "organisation__departement_code",
            )
        ):
            name, acronym, admin_area, alternate_names, iso2, kind, region, departement = values
            participants[pk].append(
                Participant(
                    name,
                    acronym,
                    admin_area,
                    list(alternate_names or []),
                    self.countries[iso2],
                    kind,
                    region or "",
                    departement or "",
                )
            )
        extra: dict[int, list[CountryRef]] = defaultdict(list)
        for pk, iso2 in Partnership.extra_countries.through.objects.filter(among(ids)).values_list(
            "partnership_id", "country_id"
        ):
            extra[pk].append(self.countries[iso2])
        themes: dict[int, list[tuple[tuple[str, str], ...]]] = defaultdict(list)
        for pk, theme in (
            PartnershipTheme.objects.filter(among(ids))
            .order_by("id")
            .values_list("partnership_id", "theme_id")
        ):
            themes[pk].append(self.theme_paths[theme])
        sdgs: dict[int, list[int]] = defaultdict(list)
        for pk, number in Partnership.sdgs.through.objects.filter(among(ids)).values_list(
            "partnership_id", "sustainabledevelopmentgoal__number"
        ):
            sdgs[pk].append(number)
        funded = set(FundingLine.objects.filter(among(ids)).values_list("partnership_id", flat=True))
        return [
            Indexed(
                pk=pk,
                texts=[text for text in texts if text],
                form=form,
                form_label=self.form_labels.get(form, ""),
                status=status,
                programme=programme or "",
                participants=participants[pk],
                extra_countries=extra[pk],
                theme_paths=themes[pk],
                sdgs=sdgs[pk],
                funded=pk in funded,
            )
            for pk, form, status, programme, *texts in rows
        ]


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
    reader = Reader()
    for ids in chunks:
        count += _index_chunk(ids, reader)
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


def _index_chunk(ids: list[int], reader: Reader) -> int:
    """Write the documents and facet keys of these partnerships (those that still exist)."""
    SearchDocument.objects.filter(among(ids)).delete()
    FacetKey.objects.filter(among(ids)).delete()
    partnerships = reader.read(ids)
    rows = [(p.pk, text, stemmed(text)) for p in partnerships for text in [document_text(p)]]
    pairs = [
        (p.pk, (name, value))
        for p in partnerships
        for name, facet in FACETS.items()
        for value in sorted(facet.keys(p))
    ]
    numbers = key_numbers({pair for _pk, pair in pairs})
    keys = [(pk, numbers[pair]) for pk, pair in pairs]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO search_facetkey (partnership_id, key_id) VALUES (%s, %s)", keys)
        cursor.executemany(
            "INSERT INTO search_searchdocument (partnership_id, text, stemmed, format) "
            "VALUES (%s, %s, %s, %s)",
            [(*row, INDEX_FORMAT) for row in rows],
        )
        if connection.vendor == "sqlite":
            if _contiguous(ids):
                cursor.execute("DELETE FROM search_fts WHERE rowid BETWEEN %s AND %s", [min(ids), max(ids)])
            else:
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


def key_numbers(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return the number of each (facet, value), numbering the new ones."""
    known = {
        (facet, value): pk for pk, facet, value in FacetValueKey.objects.values_list("pk", "facet", "value")
    }
    if missing := pairs - set(known):
        FacetValueKey.objects.bulk_create(
            [FacetValueKey(facet=facet, value=value) for facet, value in sorted(missing)],
            ignore_conflicts=True,
        )
        known = {
            (facet, value): pk
            for pk, facet, value in FacetValueKey.objects.values_list("pk", "facet", "value")
        }
    return known


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
