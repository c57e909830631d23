"""The worker, as it starts, marks as failed the jobs left running by a worker that is gone."""

import os
import socket
import subprocess
import sys

import pytest

from coopatlas.jobs.models import Job
from coopatlas.jobs.worker import run as run_worker

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def test_jobs_of_a_dead_worker_fail_and_those_of_a_live_one_go_on():
    """A job whose worker process has ended fails with a reason; one whose worker lives is left."""
    # given: a process that has ended, and this one, alive
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = socket.gethostname()
    orphan = Job.objects.create(
        kind="import", owner_id=1, state="running", worker=f"{host}:{ended.stdout.strip()}"
    )
    alive = Job.objects.create(kind="import", owner_id=1, state="running", worker=f"{host}:{os.getpid()}")
    # when
    run_worker(batch=True)
    # then
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.state == "failed" and "interrompue" in orphan.error_fr and "interrupted" in orphan.error_en
    assert alive.state == "running"
