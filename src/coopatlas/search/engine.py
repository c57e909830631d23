"""One full-text interface over two engines: SQLite FTS5 and PostgreSQL's french text search.

A match is a sub-query of partnership ids, used inside the search's own query (never a list of
ids fetched into Python), and a ranked page of ids computed by the database.
"""

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from coopatlas.search.text import query_roots


class TextMatch:
    """The partnerships whose document holds every word of a query, as prefixes of their roots."""

    def __init__(self, roots: list[str]) -> None:
        self.roots = roots
        if connection.vendor == "postgresql":
            self.expression = " & ".join(f"{root}:*" for root in roots)
        elif connection.vendor == "sqlite":
            self.expression = " AND ".join(f"{root}*" for root in roots)
        else:
            raise NotImplementedError(f"Full-text search is not available on {connection.vendor}.")

    @classmethod
    def of(cls, query: str) -> "TextMatch | None":
        """Return the match of `query`, or None when it has no searchable word."""
        roots = query_roots(query)
        return cls(roots) if roots else None

    def ids(self) -> RawSQL:
        """The matching partnership ids, as a sub-query (`pk__in=match.ids()`)."""
        if connection.vendor == "postgresql":
            return RawSQL(
                "SELECT partnership_id FROM search_searchdocument WHERE vector @@ to_tsquery('french', %s)",
                [self.expression],
            )
        return RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [self.expression])

    def ranked(self, within: QuerySet, offset: int, limit: int) -> list[int]:
        """Return ids of `within` (a queryset of partnerships that this match already filters),
        most relevant first, from `offset` to `offset + limit`: ranked by the database."""
        # `sql` is Django's own compilation of a queryset, its values all bound as parameters.
        sql, params = within.order_by().values("pk").query.sql_with_params()
        if connection.vendor == "postgresql":
            statement = (
                "SELECT d.partnership_id FROM search_searchdocument d, to_tsquery('french', %s) AS q "  # noqa: S608
                f"WHERE d.vector @@ q AND d.partnership_id IN ({sql}) "
                "ORDER BY ts_rank(d.vector, q) DESC, d.partnership_id LIMIT %s OFFSET %s"
            )
        else:
            # FTS5's `rank` is bm25(): lower is more relevant. The matches are ranked once, apart
            # (MATERIALIZED): left to itself, SQLite hands `rowid IN (…)` to FTS5, which then
            # runs the whole match again for every id of the list.
            statement = (
                "WITH matched AS MATERIALIZED "  # noqa: S608
                "(SELECT rowid AS id, rank FROM search_fts WHERE search_fts MATCH %s) "
                f"SELECT id FROM matched WHERE id IN ({sql}) ORDER BY rank, id LIMIT %s OFFSET %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(statement, [self.expression, *params, limit, offset])
            return [row[0] for row in cursor.fetchall()]
