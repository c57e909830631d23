"""`/sante/`: whether this server can serve, for the reverse proxy's and the orchestrator's checks.

JSON, 200 when every check passes and 503 otherwise, each check with its status and a short
French message. A shared cache that does not answer is « dégradé », still 200: pages are
computed without it (core/cache.py), so taking every server out of the proxy for it would turn a
slower site into no site; no personal data and nothing secret (a failure's details go to the log, under
the request's id). Cheap enough to be asked every few seconds: a handful of small queries.
"""

import functools
import logging
import secrets
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from coopatlas.jobs.router import ALIAS, shares_main_database
from coopatlas.search.index import is_stale

logger = logging.getLogger(__name__)
# The index's count of documents against partnerships reads two whole tables: its good answer is
# kept this long in each process (a stale index is said at once, and asked again each time).
INDEX_CHECK_SECONDS = 60.0
_index_fresh_until = 0.0


class CheckFailed(Exception):
    """A check's failure, with the French message the answer gives."""


@functools.cache
def _latest_migrations() -> frozenset[tuple[str, str]]:
    """The last migration of each app in this code (read from disk once per process)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _aliases() -> list[str]:
    return ["default"] + ([ALIAS] if ALIAS in connections.settings and not shares_main_database() else [])


def check_database() -> str:
    for alias in _aliases():
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    return "Base de données joignable."


def check_migrations() -> str:
    pending = 0
    for alias in _aliases():
        applied = MigrationRecorder(connections[alias]).applied_migrations()
        pending += len(_latest_migrations() - set(applied))
    if pending:
        raise CheckFailed(
            f"{pending} migration(s) non appliquée(s) : lancez `coopatlas serve --prepare-only`."
        )
    return "Migrations appliquées."


def check_search_index() -> str:
    global _index_fresh_until
    if time.monotonic() < _index_fresh_until:
        return "Index de recherche à jour."
    if is_stale():
        raise CheckFailed("Index de recherche incomplet : lancez `coopatlas reindex`.")
    _index_fresh_until = time.monotonic() + INDEX_CHECK_SECONDS
    return "Index de recherche à jour."


def forget_index_check() -> None:
    """Ask the index again at the next check (tests, after a reindex)."""
    global _index_fresh_until
    _index_fresh_until = 0.0


def check_cache() -> str:
    key, value = f"sante:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    found = cache.get(key)
    cache.delete(key)
    if found != value:
        raise CheckFailed("Le cache ne rend pas ce qu'on y a mis.")
    return "Cache joignable."


FAILED = {
    "database": "Base de données injoignable.",
    "migrations": "Migrations non vérifiables.",
    "search_index": "Index de recherche non vérifiable.",
    "cache": "Cache injoignable.",
}
CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "search_index": check_search_index,
    "cache": check_cache,
}


# Checks whose failure leaves the server able to serve, more slowly: « dégradé », not 503.
DEGRADABLE = frozenset({"cache"})


def run_checks() -> dict[str, dict[str, str]]:
    """Run each check; return its status ("ok", "dégradé" or "erreur") and French message, by name."""
    results: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        needs = {"migrations": "database", "search_index": "migrations"}.get(name)
        if needs and results[needs]["status"] != "ok":
            because = "base de données injoignable" if needs == "database" else "migrations en attente"
            results[name] = {"status": "erreur", "message": f"Non vérifié : {because}."}
            continue
        try:
            results[name] = {"status": "ok", "message": check()}
        except CheckFailed as failure:
            results[name] = {"status": "erreur", "message": str(failure)}
        except Exception:  # noqa: BLE001 — any driver or cache error means "not well"
            logger.warning("Health check %s failed", name, exc_info=True)
            results[name] = {"status": "erreur", "message": FAILED[name]}
        if name in DEGRADABLE and results[name]["status"] == "erreur":
            logger.warning("Health check %s degraded: %s", name, results[name]["message"])
            results[name]["status"] = "dégradé"
    return results


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the server can serve (every check passes, or only the cache is degraded),
    503 otherwise, with each check's status and message."""
    checks = run_checks()
    statuses = {check["status"] for check in checks.values()}
    overall = "erreur" if "erreur" in statuses else "dégradé" if "dégradé" in statuses else "ok"
    return JsonResponse(
        {"status": overall, "checks": checks},
        status=503 if overall == "erreur" else 200,
        json_dumps_params={"ensure_ascii": False},
    )
