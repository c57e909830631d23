"""Answers computed from the atlas, kept in Django's cache under the search index's version.

Every write that changes what a partnership shows (itself, its participants, themes, countries,
funding lines, an organisation's name or place) reindexes it, and each reindex moves the index's
version in the database inside the writer's transaction. A figure keyed by that version (its
number and the instant it moved: a database rolled back or restored may count the same number
again, never at the same instant) is therefore right for every process that reads the same
database, and an unchanged atlas answers the same question from memory.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from coopatlas.search.index import version
from coopatlas.search.signals import apply_pending

T = TypeVar("T")
TIMEOUT = 3600


def scope_key(scope: QuerySet) -> tuple:
    """Return what identifies a queryset's rows for a cache key: its primary keys' SQL."""
    try:
        sql, params = scope.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can hold no row
        return ("empty",)
    return (sql, tuple(params))


def remembered(name: str, material: object, compute: Callable[[], T]) -> T:
    """Return `compute()`, kept under `name`, the index's version and `material` (its repr).

    `material` says everything the answer depends on besides the atlas (the scope's SQL, the
    options); it must not depend on the interface's language (labels are added after).
    The thread's own pending reindexing is applied first (a writer reads its writes).
    """
    apply_pending()
    number, changed_at = version()
    if changed_at is None:  # an atlas never indexed: nothing to key on
        return compute()
    digest = hashlib.sha256(repr((number, changed_at, material)).encode()).hexdigest()
    key = f"{name}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    answer = compute()
    cache.set(key, answer, timeout=TIMEOUT)
    return answer
