"""Jobs and the task queue's rows go to the `jobs` database.

On SQLite that is a file of its own: a worker's import holds SQLite's single write lock for its
whole transaction, and the progress it reports meanwhile, like the jobs other users queue, must
still be written. On PostgreSQL it is a second connection to the same database, so progress is
committed apart from the import's transaction."""

from django.conf import settings

APPS = {"jobs", "django_tasks_database"}
ALIAS = "jobs"


def shares_main_database() -> bool:
    """Whether the jobs database is the main one (PostgreSQL), reached by a second connection."""
    jobs, default = settings.DATABASES.get(ALIAS), settings.DATABASES["default"]
    return jobs is None or (jobs["ENGINE"], jobs["NAME"]) == (default["ENGINE"], default["NAME"])


class JobsRouter:
    def db_for_read(self, model, **hints):
        return ALIAS if model._meta.app_label in APPS and ALIAS in settings.DATABASES else None

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if ALIAS not in settings.DATABASES:
            return None
        if app_label in APPS:
            # Tests create a shared database once, through `default`: its tables are made there.
            return db == ALIAS or (db == "default" and shares_main_database())
        return db != ALIAS
