"""Jobs and the task queue's rows go to the `jobs` database.

On SQLite that is a file of its own: a worker's import holds SQLite's single write lock for its
whole transaction, and the progress it reports meanwhile, like the jobs other users queue, must
still be written. On PostgreSQL jobs go through a second connection to the same database, so
progress is committed apart from the import's transaction."""

from django.conf import settings

APPS = {"jobs", "django_tasks_database"}
ALIAS = "jobs"


def shares_main_database() -> bool:
    """Whether the jobs database is the main one (PostgreSQL), reached by a second connection."""
    return getattr(settings, "JOBS_DATABASE_SHARED", True)


class JobsRouter:
    def db_for_read(self, model, **hints):
        if ALIAS not in settings.DATABASES or model._meta.app_label not in APPS:
            return None
        # On PostgreSQL only the jobs need a connection of their own (for their progress); the
        # queue's rows stay on the main one, where its own data migrations expect them.
        if model._meta.app_label != "jobs" and shares_main_database():
            return None
        return ALIAS

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if ALIAS not in settings.DATABASES:
            return None
        if app_label in APPS:
            if shares_main_database():  # one database, migrated through `default`
                return db == "default"
            return db == ALIAS
        return db != ALIAS
