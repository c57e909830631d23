"""Uploads left behind (a preview never confirmed) are swept after UPLOAD_MAX_AGE; the path of an
upload is never kept in the session, only a job's number."""

import io
import json
import os
import time

import pytest

from coopatlas.jobs import uploads
from coopatlas.jobs.worker import run as run_worker


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.UPLOAD_MAX_AGE = 24 * 3600
    return tmp_path


@pytest.mark.django_db(databases=["default", "jobs"])
def test_worker_sweeps_old_uploads_and_keeps_fresh_ones(var_dir):
    """As the worker starts, an upload older than a day is removed and a fresh one kept."""
    # given
    old = uploads.path_of(uploads.store([b"a;b\n"], "vieux.csv"))
    fresh = uploads.path_of(uploads.store([b"a;b\n"], "neuf.csv"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    # when
    run_worker(batch=True)
    # then
    assert not old.exists() and fresh.exists()


def test_an_upload_name_that_is_not_ours_is_refused(var_dir):
    """Only our random names make a path: no `..`, no absolute path, no other file."""
    # given
    names = ["../secret_key", "/etc/passwd", "secret_key", "0" * 32 + "/../x"]
    # when / then
    for name in names:
        with pytest.raises(ValueError):
            uploads.path_of(name)


@pytest.mark.django_db(databases=["default", "jobs"])
def test_the_session_holds_no_upload_path(admin_client_fr, var_dir):
    """After an upload, nothing in the session names the stored file."""
    # given
    upload = io.BytesIO(b"collectivite_francaise;partenaire\nLille;Cologne\n")
    upload.name = "jumelages.csv"
    # when
    admin_client_fr.post("/imports/apercu/", {"file": upload, "source": "table"})
    # then
    (stored,) = (var_dir / "uploads").iterdir()
    session = json.dumps(dict(admin_client_fr.session.items()))
    assert stored.name not in session and str(var_dir) not in session
