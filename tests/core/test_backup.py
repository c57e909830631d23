"""Backups and restores (core/backup.py, `coopatlas backup` and `coopatlas restore`), on the
engine the tests run on: SQLite, or PostgreSQL with DATABASE_URL."""

import io
import json
import os
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import load_backend

from coopatlas.cli import main
from coopatlas.core.backup import MANIFEST, BackupError, create_backup, restore_backup, verify_archive
from coopatlas.places.models import Country

pytestmark = pytest.mark.django_db

DOCUMENT = b"%PDF-1.4\n% convention de jumelage\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


# --- An empty database of the engine under test, and reading every row of one ------------


def _wrapper(settings_dict: dict, alias: str):
    """A Django connection of its own to the database `settings_dict` describes."""
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


@pytest.fixture
def empty_target(tmp_path):
    """The settings of an empty database beside the test one: a new SQLite file, or a new
    PostgreSQL database on the same server (dropped after)."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        yield settings_dict | {"NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    from coopatlas.core.backup import pg_params

    name = f"coopatlas_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**pg_params(settings_dict), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield settings_dict | {"NAME": name}
    finally:
        with psycopg.connect(**pg_params(settings_dict), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def every_row(settings_dict: dict | None = None) -> dict[str, list[tuple]]:
    """Every table (listed by Django's introspection: history, sessions and search index tables
    included) with all its rows, ordered by every column."""
    wrapper = connection if settings_dict is None else _wrapper(settings_dict, "compared")
    try:
        tables = sorted(wrapper.introspection.table_names(include_views=False))
        rows = {}
        with wrapper.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)} LIMIT 0")  # noqa: S608
                columns = ", ".join(str(n) for n in range(1, len(cursor.description) + 1))
                cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)} ORDER BY {columns}")  # noqa: S608
                rows[table] = [tuple(row) for row in cursor.fetchall()]
        return rows
    finally:
        if wrapper is not connection:
            wrapper.close()


def table_count(settings_dict: dict) -> int:
    """How many tables the database holds (0 for a SQLite file that does not exist)."""
    if connection.vendor == "sqlite" and not Path(settings_dict["NAME"]).exists():
        return 0
    wrapper = _wrapper(settings_dict, "counted")
    try:
        return len(wrapper.introspection.table_names(include_views=True))
    finally:
        wrapper.close()


def said(capsys) -> tuple[str, str]:
    """What the command printed (out, err), lines joined: rich wraps long messages."""
    captured = capsys.readouterr()
    return " ".join(captured.out.split()), " ".join(captured.err.split())


# --- Archives to restore --------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """A backup of the test database (its committed reference data: countries, French
    geography…) and of a media folder holding one document."""
    folder = tmp_path_factory.mktemp("backup")
    media = folder / "media"
    (media / "documents/2025/06").mkdir(parents=True)
    (media / "documents/2025/06/convention.pdf").write_bytes(DOCUMENT)
    with django_db_blocker.unblock():
        create_backup(folder / "atlas.tar.gz", media_root=media)
    return folder / "atlas.tar.gz"


def rewrite(source: Path, target: Path, *, manifest=None, members=None) -> Path:
    """Copy an archive, changing its manifest (a function of the dict) or members (name → a
    function of the bytes), to make a hostile one."""
    members = members or {}
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read()
            if member.name == MANIFEST and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member.name in members:
                data = members[member.name](data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return target


def test_backup_round_trip_restores_every_table_row_by_row(
    transactional_db, empty_target, tmp_path, settings, client, django_user_model
):
    """An atlas backed up (demo records, their history and search index, a signed-in session,
    a document) and restored into an empty database holds the same rows in every table, and
    the document comes back byte for byte."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.models import Document, Partnership
    from coopatlas.atlas.services.documents import document_add

    # given: an atlas with everything committed (pg_dump reads through its own connection)
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")
    client.force_login(admin)
    document = document_add(
        partnership=Partnership.objects.order_by("pk").first(),
        upload=SimpleUploadedFile("convention.pdf", DOCUMENT),
        title="Convention",
        kind="convention",
        access="scope",
        acting_user=admin,
    )
    before = every_row()
    assert before["django_session"] and before["atlas_historicalpartnership"] and before["search_facetkey"]
    # when
    backup = create_backup(tmp_path / "atlas.tar.gz")
    restored = restore_backup(backup.path, target=empty_target, media_root=tmp_path / "restored-media")
    # then: every table, row by row
    after = every_row(empty_target)
    assert sorted(after) == sorted(before)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert (
        restored.tables == backup.tables
        and backup.tables["atlas_partnership"] == Partnership.objects.count() > 0
    )
    assert backup.tables == {table: len(rows) for table, rows in before.items() if table in backup.tables}
    # and the document, under the name its row gives
    stored = Document.objects.get(pk=document.pk).file.name
    assert (tmp_path / "restored-media" / stored).read_bytes() == DOCUMENT
    assert restored.media_files == backup.media_files == 1 and not restored.replaced


def test_restore_command_into_an_empty_configured_database(archive, empty_target, tmp_path):
    """`coopatlas restore FILE`, run as an administrator would (its own process, DATABASE_URL
    naming an empty database), restores the atlas and its document, then says so (exit 0)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    db = empty_target
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = os.environ | {
        "DATABASE_URL": url,
        "COOPATLAS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", "restore", str(archive)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "restaurée" in done.stdout and "1 document(s) remis" in " ".join(done.stdout.split())
    assert (tmp_path / "var/media/documents/2025/06/convention.pdf").read_bytes() == DOCUMENT
    assert every_row(empty_target)["places_country"] == every_row()["places_country"]


def test_backup_while_another_connection_writes(archive, empty_target, tmp_path):
    """A backup made while another connection holds an uncommitted write (a server importing)
    completes, and holds the database as it was committed."""
    restore_backup(archive, target=empty_target, media_root=tmp_path / "media")
    insert = "INSERT INTO django_migrations (app, name, applied) VALUES ('zz', 'uncommitted', '2020-01-01')"
    if connection.vendor == "sqlite":
        writer = sqlite3.connect(empty_target["NAME"], isolation_level=None)
        writer.execute("PRAGMA journal_mode=WAL")  # as the server opens it
        writer.execute("BEGIN IMMEDIATE")  # SQLite's write lock, held
    else:
        import psycopg

        from coopatlas.core.backup import pg_params

        writer = psycopg.connect(**pg_params(empty_target))
    try:
        writer.execute(insert)
        report = create_backup(tmp_path / "during.tar.gz", source=empty_target, media_root=tmp_path / "none")
    finally:
        writer.rollback() if connection.vendor != "sqlite" else writer.execute("ROLLBACK")
        writer.close()
    manifest = verify_archive(report.path)
    assert ["zz", "uncommitted"] not in manifest["migrations"]
    assert manifest["tables"] == verify_archive(archive)["tables"]


def test_backup_manifest_says_what_the_archive_holds(archive):
    """The manifest gives the format, version, engine, applied migrations, row counts and
    every media file with its size and sha256."""
    import hashlib

    from django.db.migrations.recorder import MigrationRecorder

    manifest = verify_archive(archive)
    assert manifest["format"] == "coopatlas-backup" and manifest["format_version"] == 1
    assert manifest["engine"]["vendor"] == connection.vendor
    assert manifest["engine"]["django_engine"] == connection.settings_dict["ENGINE"]
    applied = {(m.app, m.name) for m in MigrationRecorder(connection).migration_qs}
    assert {tuple(m) for m in manifest["migrations"]} == applied
    assert manifest["tables"]["places_country"] == Country.objects.count()
    assert manifest["media"]["files"] == [
        {
            "path": "documents/2025/06/convention.pdf",
            "size": len(DOCUMENT),
            "sha256": hashlib.sha256(DOCUMENT).hexdigest(),
        }
    ]
    assert manifest["created_at"] and manifest["coopatlas_version"]


def test_restore_refuses_a_database_that_is_not_empty(archive, capsys):
    """`coopatlas restore` into the configured database, which holds the reference data, is
    refused (exit 2) naming what is there, and leaves it as it was."""
    countries = Country.objects.count()
    assert main(["restore", str(archive)]) == 2
    err = said(capsys)[1]
    assert "n'est pas vide" in err and "places_country" in err and "--replace" in err
    assert Country.objects.count() == countries


def test_restore_replace_over_a_database_holding_an_atlas(archive, empty_target, tmp_path):
    """With replace, a database holding data becomes the backup's; without, it is refused."""
    restore_backup(archive, target=empty_target, media_root=tmp_path / "media")
    with pytest.raises(BackupError, match="n'est pas vide"):
        restore_backup(archive, target=empty_target, media_root=tmp_path / "media")
    report = restore_backup(archive, target=empty_target, media_root=tmp_path / "media", replace=True)
    assert report.replaced
    source, restored = every_row(), every_row(empty_target)
    assert restored["places_commune"] == source["places_commune"]
    assert {table: len(rows) for table, rows in restored.items() if table in report.tables} == report.tables


def test_restore_that_fails_its_count_check_leaves_the_database_as_before(archive, empty_target, tmp_path):
    """A restore whose rows do not match the manifest's counts (here a manifest lying by one
    country) is undone whole: the database replaced keeps its previous rows."""
    restore_backup(archive, target=empty_target, media_root=tmp_path / "media")
    before = every_row(empty_target)
    lying = rewrite(
        archive,
        tmp_path / "lying.tar.gz",
        manifest=lambda m: (
            m | {"tables": m["tables"] | {"places_country": m["tables"]["places_country"] + 1}}
        ),
    )
    with pytest.raises(BackupError, match="places_country"):
        restore_backup(lying, target=empty_target, media_root=tmp_path / "media", replace=True)
    assert every_row(empty_target) == before


def test_restore_refuses_a_backup_of_the_other_engine(archive, empty_target, tmp_path):
    """A SQLite backup is not restored into PostgreSQL, nor the reverse; nothing is touched."""
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = rewrite(
        archive, tmp_path / "other.tar.gz", manifest=lambda m: m | {"engine": m["engine"] | {"vendor": other}}
    )
    with pytest.raises(BackupError, match="vient d'une base") as refused:
        restore_backup(foreign, target=empty_target, media_root=tmp_path / "media")
    assert "Rien n'a été modifié" in refused.value.fr
    assert table_count(empty_target) == 0 and not (tmp_path / "media").exists()


@pytest.mark.parametrize("cut", ["half", "trailer"])
def test_restore_refuses_a_truncated_archive(archive, empty_target, tmp_path, cut, capsys):
    """An archive cut short (in its middle, or its last bytes) is refused with exit 2 before
    anything is written."""
    data = archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) // 2] if cut == "half" else data[:-6])
    with pytest.raises(BackupError, match="tronquée"):
        restore_backup(truncated, target=empty_target, media_root=tmp_path / "media")
    assert table_count(empty_target) == 0 and not (tmp_path / "media").exists()
    assert main(["restore", str(truncated), "--check"]) == 2
    assert "tronquée" in said(capsys)[1]


def test_restore_refuses_an_altered_media_file(archive, empty_target, tmp_path):
    """A media file whose bytes no longer match its sha256 (same size) is refused; neither the
    database nor the media folder is touched."""
    tampered = rewrite(
        archive,
        tmp_path / "tampered.tar.gz",
        members={
            "media/documents/2025/06/convention.pdf": lambda data: data.replace(b"jumelage", b"JUMELAGE")
        },
    )
    with pytest.raises(BackupError, match="convention.pdf.*ne correspond pas"):
        restore_backup(tampered, target=empty_target, media_root=tmp_path / "media")
    assert table_count(empty_target) == 0 and not (tmp_path / "media").exists()


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        pytest.param(
            lambda m: m | {"format_version": 99}, "Format de sauvegarde 99 inconnu", id="unknown-version"
        ),
        pytest.param(
            lambda m: m | {"format": "autre-chose"}, "pas une sauvegarde coopatlas", id="other-format"
        ),
        pytest.param(
            lambda m: m | {"media": {"files": [{"path": "../../evil", "size": 1, "sha256": "0"}]}},
            "mal formé",
            id="path-outside-media",
        ),
    ],
)
def test_restore_refuses_a_manifest_it_does_not_know(archive, empty_target, tmp_path, hostile, message):
    """A manifest of another format, a newer version or naming a file outside the media folder
    is refused before anything is written."""
    strange = rewrite(archive, tmp_path / "strange.tar.gz", manifest=hostile)
    with pytest.raises(BackupError, match=message):
        restore_backup(strange, target=empty_target, media_root=tmp_path / "media")
    assert table_count(empty_target) == 0 and not (tmp_path / "media").exists()


def test_restore_refuses_a_file_that_is_not_an_archive(empty_target, tmp_path, capsys):
    """A file that is not a backup at all is refused with exit 2."""
    other = tmp_path / "notes.tar.gz"
    other.write_text("pas une archive")
    assert main(["restore", str(other)]) == 2
    assert "illisible" in said(capsys)[1]
    assert main(["restore", str(tmp_path / "absent.tar.gz")]) == 2
    assert "introuvable" in said(capsys)[1]


def test_restore_refuses_to_overwrite_a_different_media_file(archive, empty_target, tmp_path):
    """A media file of the same name but another content is kept unless replace."""
    media = tmp_path / "media"
    (media / "documents/2025/06").mkdir(parents=True)
    (media / "documents/2025/06/convention.pdf").write_bytes(b"another file")
    with pytest.raises(BackupError, match="autre contenu"):
        restore_backup(archive, target=empty_target, media_root=media)
    assert table_count(empty_target) == 0
    assert (media / "documents/2025/06/convention.pdf").read_bytes() == b"another file"
    restore_backup(archive, target=empty_target, media_root=media, replace=True)
    assert (media / "documents/2025/06/convention.pdf").read_bytes() == DOCUMENT


def test_backup_refuses_an_existing_file_unless_force(transactional_db, tmp_path, capsys):
    """`coopatlas backup FILE` never overwrites FILE silently: exit 2 naming it; --force replaces it."""
    path = tmp_path / "atlas.tar.gz"
    path.write_bytes(b"an older backup")
    assert main(["backup", str(path)]) == 2
    assert "existe déjà" in said(capsys)[1] and path.read_bytes() == b"an older backup"
    assert main(["backup", str(path), "--force"]) == 0
    assert "Sauvegarde écrite" in said(capsys)[0]
    assert verify_archive(path)["tables"]["places_country"] == Country.objects.count()
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it holds personal data
    assert [p.name for p in tmp_path.iterdir()] == ["atlas.tar.gz"]  # no partial file left


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/atlas.tar.gz", "n'existe pas"),
        ("folder", "est un dossier"),
        ("/proc/atlas.tar.gz", "Impossible d'écrire"),
    ],
)
def test_backup_to_a_path_it_cannot_write_is_a_clear_error(tmp_path, capsys, where, message):
    """A folder that does not exist, a folder given as the file, or a place one may not write
    into: exit 2 with the reason, nothing written."""
    (tmp_path / "folder").mkdir()
    path = Path(where) if where.startswith("/") else tmp_path / where
    assert main(["backup", str(path)]) == 2
    assert message in said(capsys)[1]
    assert not os.path.exists(tmp_path / "missing")
