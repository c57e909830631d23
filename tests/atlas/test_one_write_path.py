"""One write path: no database write in the code base outside the services, except the sites
listed below, each with the reason it is not a write of the atlas's records.

The scan reads every module of src/coopatlas (the syntax tree, not the text) for the calls that
write through Django's ORM or raw SQL: save, create, delete, bulk_create, bulk_update,
get_or_create, update_or_create, bulk_history_create, execute, executemany; `update` on a
queryset (`….objects…` or `….filter(…)…`); and add, remove, clear or set on a many-to-many field
of one of our models. atlas/services/, accounts/services.py and alerts/services.py (the alerts'
own models) are the services; migrations are left out. A site not listed fails the test, and so
does a listed site that no longer exists."""

import ast
from pathlib import Path

from django.apps import apps

SRC = Path(__file__).resolve().parents[2] / "src" / "coopatlas"
SERVICES = ("atlas/services/", "accounts/services.py", "alerts/services.py")
WRITES = {
    "save",
    "create",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "bulk_history_create",
    "execute",
    "executemany",
}
M2M_WRITES = {"add", "remove", "clear", "set"}

# (module, function, method) → why this write is not the atlas's records, or why it is here.
ALLOWED = {
    # The search index: derived data, rebuilt from the records by `reindex`, with no author.
    ("search/index.py", "_index_chunk", "delete"): "search index (derived)",
    ("search/index.py", "_index_chunk", "execute"): "search index (derived)",
    ("search/index.py", "_index_chunk", "executemany"): "search index (derived)",
    ("search/index.py", "reindex", "delete"): "search index (derived)",
    ("search/index.py", "reindex", "execute"): "search index (derived)",
    ("search/index.py", "remove", "execute"): "search index (derived)",
    ("search/index.py", "key_numbers", "bulk_create"): "search index: numbers of facet values",
    ("search/index.py", "_moved", "get_or_create"): "the index's version (caches, ETags)",
    ("search/index.py", "_moved", "update"): "the index's version (caches, ETags)",
    # Raw SQL that only reads.
    ("search/engine.py", "ranked", "execute"): "a read: full-text ranking",
    ("insights/tallies.py", "_grouped_union", "execute"): "a read: the dashboard's counts",
    ("core/database.py", "refresh_statistics", "execute"): "ANALYZE: the planner's statistics",
    # Reference data, versioned with the code and loaded by the system (ADR 2): no author.
    ("atlas/reference/loader.py", "_load_theme", "update_or_create"): "reference themes",
    ("atlas/reference/loader.py", "load_reference", "update_or_create"): "reference SDGs",
    ("places/countries.py", "load_countries", "update_or_create"): "reference countries",
    ("places/french.py", "load_french_geography", "delete"): "reference geography, reloaded whole",
    ("places/french.py", "load_french_geography", "bulk_create"): "reference geography, reloaded whole",
    # The job queue, in its own database; the owner is a column of the job.
    ("jobs/service.py", "submit", "create"): "job queue",
    ("jobs/service.py", "mark", "save"): "job queue",
    ("jobs/service.py", "__call__", "update"): "job queue: progress",
    ("web/imports.py", "import_confirm", "save"): "job queue: a preview confirmed",
    # Extraction's working records (pages read, their candidates): not atlas records; accepting
    # a candidate writes the atlas through the import pipeline and the services.
    ("extraction/review.py", "save_page", "create"): "extraction's page read",
    ("extraction/review.py", "save_page", "bulk_create"): "extraction's candidates",
    ("extraction/review.py", "accept", "save"): "a candidate's decision (who, when)",
    ("extraction/review.py", "merge", "save"): "a candidate's decision (who, when)",
    ("extraction/review.py", "reject", "save"): "a candidate's decision (who, when)",
    # The demo atlas's studies, programmes and European projects: models without history, written
    # once by the system's demo loader (its partnerships and organisations go through services).
    ("atlas/demo/loader.py", "lyon_birmingham", "get_or_create"): "demo European project",
    ("atlas/demo/loader.py", "lyon_birmingham", "add"): "demo European project's participants",
    ("atlas/demo/loader.py", "lyon_latin_america", "create"): "demo study and its categories",
    ("atlas/demo/loader.py", "lyon_latin_america", "set"): "demo study's countries and themes",
    ("atlas/demo/loader.py", "lyon_latin_america", "add"): "demo study's countries, in its order",
    ("atlas/demo/loader.py", "hauts_de_france_2024", "get_or_create"): "demo programmes",
    # The place learned for a name, written by the manual choice it comes from (the place_choose
    # permission checked there, its author in the row's history).
    ("atlas/localisation.py", "_learn", "save"): "a learned place, with the choice it comes from",
    # The model's own save (its normalised name).
    ("atlas/models.py", "save", "save"): "Organisation.save calls the model's save",
    # The back-office's inline rows of a partnership that partnership_save has let the user
    # change; each row carries the user and the reason (note_change) before it is saved.
    ("atlas/admin.py", "save_formset", "save"): "back-office inline rows, checked and noted",
    # Spreadsheets written with openpyxl: files, not the database.
    ("web/imports.py", "_template", "save"): "openpyxl workbook (a file)",
    ("exports/tabular.py", "write_xlsx", "save"): "openpyxl workbook (a file)",
    ("exports/tabular.py", "tables_xlsx", "save"): "openpyxl workbook (in memory)",
    # Deployment: an advisory lock taken and released around the start's preparation (no row).
    ("cli.py", "_one_preparing_at_a_time", "execute"): "pg_advisory_lock / unlock, no row written",
    # Health: a SELECT 1, and a random cache key set, read and removed (the cache, not the atlas).
    ("web/health.py", "check_database", "execute"): "SELECT 1 on each database alias",
    ("web/health.py", "check_cache", "delete"): "the health check's own cache key",
    # Backups: reading the database's tables, counts and migrations, and the snapshot they are read
    # in; restore replaces a whole database from a checked archive (docs/backups.md), not records.
    ("core/backup.py", "_database_dump", "execute"): "a repeatable-read snapshot for pg_dump",
    ("core/backup.py", "_migrations", "execute"): "reads django_migrations",
    ("core/backup.py", "_pg_tables", "execute"): "reads the catalogue's table list",
    ("core/backup.py", "_sqlite_tables", "execute"): "reads sqlite_master",
    ("core/backup.py", "_target_tables", "execute"): "reads the target's table list and counts",
    ("core/backup.py", "_restore_sqlite", "execute"): "checks the restored copy, folds the WAL in",
}


def _m2m_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        if model.__module__.startswith("coopatlas."):
            for field in model._meta.get_fields():
                if field.many_to_many:
                    names.add(field.get_accessor_name() if field.auto_created else field.name)
    return names


QUERYSET_METHODS = {"filter", "exclude", "all", "select_for_update", "order_by", "using", "none"}


def _queryset_call(node: ast.expr) -> bool:
    """Whether `node` is a call of a queryset method (`x.filter(…)`), not of a function."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERYSET_METHODS
    )


def _sites() -> set[tuple[str, str, str]]:
    m2m = _m2m_names()
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if "/migrations/" in module or module.startswith(SERVICES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for child in ast.walk(node):
                    owner[id(child)] = node.name
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method, receiver = node.func.attr, node.func.value
            text = ast.unparse(receiver)
            is_write = (
                method in WRITES
                or (method == "update" and ("objects" in text or _queryset_call(receiver)))
                or (method in M2M_WRITES and isinstance(receiver, ast.Attribute) and receiver.attr in m2m)
            )
            if is_write:
                found.add((module, owner.get(id(node), "<module>"), method))
    return found


def test_no_write_outside_the_services_but_the_listed_ones():
    unlisted = sorted(_sites() - set(ALLOWED))
    assert not unlisted, (
        "writes outside the services (move them to a service, or list them with a reason):\n"
        + ("\n".join(f"{m}: {f}() .{w}(" for m, f, w in unlisted))
    )


def test_the_list_names_only_sites_that_exist():
    stale = sorted(set(ALLOWED) - _sites())
    assert not stale, f"listed writes that are gone (remove them from ALLOWED): {stale}"


def test_the_scan_sees_a_write(tmp_path, monkeypatch):
    """The scan is not blind: a queryset update and an m2m set in a new module are found."""
    module = SRC / "web" / "_scan_probe.py"
    module.write_text(
        "def probe(p, qs):\n    qs.filter(pk=1).update(title='x')\n    p.sdgs.set([])\n    p.save()\n",
        encoding="utf-8",
    )
    try:
        sites = _sites()
    finally:
        module.unlink()
    assert {("web/_scan_probe.py", "probe", m) for m in ("update", "set", "save")} <= sites
