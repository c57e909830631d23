"""The worker: django-tasks-db's, on every queue; the uploads left behind are swept as it starts."""

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from coopatlas.jobs import uploads


def run(
    *, batch: bool = False, interval: float = 1.0, max_tasks: int | None = None, signals: bool = False
) -> None:
    """Run queued jobs as they come (or, with `batch`, those queued now, then return). With
    `signals`, a first SIGTERM or Ctrl+C lets the job under way finish, a second stops it."""
    uploads.sweep()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    if signals:
        worker.configure_signals()
    worker.run()
