"""The query planner's statistics, refreshed after large writes (core/database.py)."""

import pytest
from django.db import connection

from coopatlas.core.database import refresh_statistics
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


def test_statistics_are_refreshed_for_the_planner():
    """After a refresh the planner knows the partnerships table: SQLite's sqlite_stat1 names it,
    PostgreSQL's pg_stats holds its columns."""
    for n in range(3):
        twinning(commune(f"Commune {n}", f"0100{n}"), foreign_town(f"Town {n}", "DE"))
    refresh_statistics()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'atlas_partnership'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'atlas_partnership'")
        assert cursor.fetchone()[0] > 0
