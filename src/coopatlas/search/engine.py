"""One full-text interface over two engines: SQLite FTS5 and PostgreSQL's french text search."""

from django.db import connection

from coopatlas.search.text import query_roots


def full_text_ranks(query: str) -> dict[int, float] | None:
    """Return {partnership id: relevance} for the words of `query` (all must match, as prefixes of
    their French roots), or None when the query has no searchable word."""
    roots = query_roots(query)
    if not roots:
        return None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            expression = " & ".join(f"{root}:*" for root in roots)
            cursor.execute(
                "SELECT partnership_id, ts_rank(vector, query) FROM search_searchdocument, "
                "to_tsquery('french', %s) AS query WHERE vector @@ query",
                [expression],
            )
            return {row[0]: float(row[1]) for row in cursor.fetchall()}
        if connection.vendor == "sqlite":
            expression = " AND ".join(f"{root}*" for root in roots)
            # bm25() is lower for better matches: negate it so that higher means more relevant.
            cursor.execute(
                "SELECT rowid, -bm25(search_fts) FROM search_fts WHERE search_fts MATCH %s", [expression]
            )
            return {row[0]: float(row[1]) for row in cursor.fetchall()}
    raise NotImplementedError(f"Full-text search is not available on {connection.vendor}.")
