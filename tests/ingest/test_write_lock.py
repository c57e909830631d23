"""Two writers at once on SQLite: the second waits its turn up to the busy timeout, then gets a
clear "another write is running" message (exit code 2 on the command line), never a traceback,
and nothing is half-written. Real processes on a real SQLite file."""

import os
import sqlite3
import subprocess
import sys

import pytest

# SQLite's own locking is what is tested, whatever database the rest of the suite runs on.
SQLITE_ENV = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """A var/ folder with its own SQLite database, migrated by a first `coopatlas` process."""
    folder = tmp_path_factory.mktemp("var")
    env = dict(SQLITE_ENV, COOPATLAS_VAR_DIR=str(folder), DJANGO_SETTINGS_MODULE="config.settings.base")
    subprocess.run(
        [sys.executable, "-m", "coopatlas.cli", "load-reference"], env=env, check=True, capture_output=True
    )
    return folder


def _import(var_dir, csv_path, *extra):
    env = dict(
        SQLITE_ENV,
        COOPATLAS_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings.base",
        COOPATLAS_SQLITE_BUSY_TIMEOUT_MS="500",
    )
    return subprocess.run(
        [sys.executable, "-m", "coopatlas.cli", "import", str(csv_path), "--source", "table", *extra],
        env=env,
        capture_output=True,
        text=True,
    )


def test_cli_import_meeting_another_writer_says_so_and_exits_2(var_dir, tmp_path):
    """While another process holds the write lock (as an import does for its whole transaction),
    `coopatlas import` says another write is running, exits 2, and writes nothing."""
    # given: a writer holding SQLite's write lock on the database file
    csv_path = tmp_path / "jumelages.csv"
    csv_path.write_text(CSV)
    holder = sqlite3.connect(var_dir / "coopatlas.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        # when
        result = _import(var_dir, csv_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # then
    assert result.returncode == 2
    assert "Une autre écriture (import, annulation…) est en cours" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr + result.stdout
    with sqlite3.connect(var_dir / "coopatlas.sqlite3") as database:
        assert database.execute("SELECT count(*) FROM atlas_importbatch").fetchone() == (0,)
        assert database.execute("SELECT count(*) FROM atlas_partnership").fetchone() == (0,)


def test_cli_import_runs_once_the_other_writer_is_done(var_dir, tmp_path):
    """The same import, the lock released, goes through (the message was no false alarm)."""
    # given
    csv_path = tmp_path / "jumelages.csv"
    csv_path.write_text(CSV)
    # when
    result = _import(var_dir, csv_path, "--dry-run")
    # then
    assert result.returncode == 0, result.stderr
    assert "Simulation : rien n'a été écrit." in result.stdout
