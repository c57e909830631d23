"""An import killed with SIGKILL halfway through leaves the database exactly as it was: the whole
import is one transaction. Runs `coopatlas import` in a real process on a database of its own
(a SQLite file, or a throwaway PostgreSQL database when the suite runs on PostgreSQL)."""

import os
import signal
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from tests.conftest import REPO, SHARED

DERIVED = SHARED / "data" / "twins_wikipedia_hekman" / "derived_france_pairs_insee.csv"
TABLES = [
    "atlas_partnership",
    "atlas_organisation",
    "atlas_participation",
    "atlas_importbatch",
    "atlas_source",
]
pytestmark = [
    pytest.mark.skipif(not DERIVED.exists(), reason=f"twin-town data absent: {DERIVED}"),
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL is a POSIX signal"),
    pytest.mark.django_db,
]


@pytest.fixture
def scratch_database(tmp_path):
    """Yield (DATABASE_URL, counting function) for a database the subprocess owns."""
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        name = f"coopatlas_kill_{uuid.uuid4().hex[:8]}"
        admin = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = admin.rsplit("/", 1)[0] + f"/{name}"

        def count() -> dict[str, int]:
            with psycopg.connect(url) as conn:
                return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608

        yield url, count
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "kill.sqlite3"

        def count() -> dict[str, int]:
            with sqlite3.connect(path) as conn:
                return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608

        yield f"sqlite:///{path}", count


def _coopatlas(url: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *args], cwd=REPO, env=env, text=True, **kwargs
    )


def test_an_import_killed_halfway_leaves_the_database_as_it_was(scratch_database, tmp_path):
    url, count = scratch_database
    # given: a database holding one earlier import
    assert _coopatlas(url, "load-reference", stdout=subprocess.DEVNULL).wait(timeout=300) == 0
    head = tmp_path / "head.csv"
    with DERIVED.open(encoding="utf-8") as source:
        head.write_text("".join(line for _, line in zip(range(60), source, strict=False)), encoding="utf-8")
    first = _coopatlas(url, "import", str(head), "--source", "twins", "--quiet", stdout=subprocess.DEVNULL)
    assert first.wait(timeout=300) == 0
    before = count()
    assert before["atlas_partnership"] > 40
    # when: the whole file is imported and the process is killed once half of it is read
    process = _coopatlas(
        url, "import", str(DERIVED), "--source", "twins", stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    rows = 0
    for line in process.stderr:
        if " lignes (" in line:
            rows = int(line.split(" : ")[1].split()[0])
            if rows >= 2000:
                break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    process.stderr.close()
    # then
    assert rows >= 2000, "the import never got halfway"
    assert process.returncode == -signal.SIGKILL
    assert count() == before
