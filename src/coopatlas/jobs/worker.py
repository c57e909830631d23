"""The worker: django-tasks-db's, on every queue; the uploads left behind are swept as it starts."""

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from coopatlas.jobs import uploads
from coopatlas.jobs.service import fail_orphans


def _worker(*, interval: float = 1.0, max_tasks: int | None = None) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )


def run_queued() -> int:
    """Run the jobs queued now, one after the other, in this thread; return how many ran.

    The same claim and run as the worker's loop, without its recycling of database connections
    between tasks: what `coopatlas worker --batch` and the tests use."""
    worker, count = _worker(), 0
    while True:
        tasks = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return count
        worker.run_task(task_result)
        count += 1


def run(*, batch: bool = False, interval: float = 1.0, signals: bool = False) -> None:
    """Run queued jobs as they come (or, with `batch`, those queued now, then return). With
    `signals`, a first SIGTERM or Ctrl+C lets the job under way finish, a second stops it. Jobs
    left running by a worker that is gone are marked failed first."""
    fail_orphans()
    uploads.sweep()
    if batch:
        run_queued()
        return
    worker = _worker(interval=interval)
    if signals:
        worker.configure_signals()
    worker.run()
