"""Queue a job and follow it: what the web app and the API call."""

import os
import socket
import time

from django.utils import timezone

from coopatlas.jobs.models import Job


def submit(kind: str, owner, params: dict) -> Job:
    """Record a job for `owner` (None: a visitor not signed in, for an export) and queue it for
    the worker; return it."""
    from coopatlas.jobs.tasks import run_job

    job = Job.objects.create(kind=kind, owner_id=owner.pk if owner is not None else 0, params=params)
    run_job.enqueue(job.pk)
    return job


class Progress:
    """Write a running job's progress, at most every `every` seconds (each write is a commit)."""

    def __init__(self, job: Job, every: float = 0.5) -> None:
        self.job, self.every, self.last = job, every, 0.0

    def __call__(self, rows: int, done: int = 0, total: int = 0) -> None:
        # The job in memory always has the last figures: they are saved with its final state.
        self.job.rows, self.job.done, self.job.total = rows, done, total
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        Job.objects.filter(pk=self.job.pk).update(rows=rows, done=done, total=total)


def mark(job: Job, state: str, **fields) -> None:
    """Set a job's state (and the given fields), stamping when it started or finished."""
    job.state = state
    if state == Job.State.RUNNING:
        job.started_at = timezone.now()
        job.worker = this_process()
    elif state in (Job.State.DONE, Job.State.FAILED):
        job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def fail_orphans() -> int:
    """Mark as failed the jobs left running by a worker of this machine that is gone (killed, the
    machine restarted): their transaction was rolled back, nothing was written. Return how many."""
    host = socket.gethostname()
    count = 0
    for job in Job.objects.filter(state=Job.State.RUNNING, worker__startswith=f"{host}:"):
        pid = job.worker.rpartition(":")[2]
        if pid.isdigit() and not _alive(int(pid)):
            mark(
                job,
                Job.State.FAILED,
                error_fr="Tâche interrompue (le travailleur s'est arrêté) : rien n'a été écrit, relancez-la.",
                error_en="Job interrupted (the worker stopped): nothing was written, start it again.",
            )
            count += 1
    return count
