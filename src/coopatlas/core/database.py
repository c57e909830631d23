"""What the database needs to plan our queries well.

SQLite plans a query from the statistics ANALYZE leaves in `sqlite_stat1`; without them it
guesses, and on a large atlas one guess is enough to probe a 100,000-row list once per
organisation (a dashboard that never answers instead of one that answers in a second).
PostgreSQL's autovacuum analyses tables in time, but only after a bulk load has long run.
So the statistics are refreshed after each large write (an import, `generate`, an undo) and
when the server starts.
"""

from django.db import connection

# SQLite reads this many rows per index for its statistics: a few milliseconds on any atlas.
SQLITE_ANALYSIS_LIMIT = 1000
# A write this large (partnerships added or changed) refreshes the statistics.
LARGE_WRITE = 500


def refresh_statistics() -> None:
    """Refresh the query planner's statistics of every table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
