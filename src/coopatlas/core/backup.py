"""Backups of the whole atlas in one file, and their restore (docs/backups.md).

A backup is a gzip-compressed tar archive (`.tar.gz`) holding, in this order:
- `manifest.json`: the format and its version, coopatlas' version, the database engine, the
  applied migrations, when it was made, the row count of every table, and the size and sha256
  of the database dump and of every media file;
- the database dump: `database/coopatlas.sqlite3` (a copy made by SQLite's online backup API,
  safe while the server writes) or `database/coopatlas.pgdump` (`pg_dump --format=custom`);
- `media/…`: the uploaded files (settings.MEDIA_ROOT: the partnerships' documents).

A restore reads and checks the whole archive (format, engine, every sha256) before it touches
anything, then replaces the database in one step: SQLite's file is rebuilt beside the target and
renamed over it; PostgreSQL's dump is replayed by psql in one transaction that ends by checking
every table's row count against the manifest. Media files are staged beside MEDIA_ROOT and
renamed into place once the database is restored.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections

FORMAT = "coopatlas-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/coopatlas.sqlite3"
POSTGRES_MEMBER = "database/coopatlas.pgdump"
MEDIA_PREFIX = "media/"
# Folders of MEDIA_ROOT a restore stages its files in (left only by a killed restore): not media.
STAGING_PREFIX = ".coopatlas-restore-"
CHUNK = 1024 * 1024
# Table names we accept from a manifest: they are written into SQL (the PostgreSQL count check).
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# Connection options of Django's PostgreSQL backend that are not libpq parameters.
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory"}


class BackupError(Exception):
    """A backup or restore refused, or failed, with a French message saying why and what to do."""

    def __init__(self, fr: str):
        super().__init__(fr)
        self.fr = fr


@dataclass
class BackupReport:
    path: Path
    size: int
    engine: str
    tables: dict[str, int]
    media_files: int
    media_bytes: int
    seconds: float


@dataclass
class RestoreReport:
    engine: str
    tables: dict[str, int]
    media_files: int
    media_bytes: int
    seconds: float
    replaced: bool
    pending_migrations: list[str] = field(default_factory=list)


def vendor_of(settings_dict: dict) -> str:
    """Return "sqlite" or "postgresql" for a database's settings; raise BackupError otherwise."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Moteur de base de données non pris en charge : {engine} (SQLite ou PostgreSQL).")


ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


# --- PostgreSQL connection parameters -------------------------------------------------------


def pg_params(settings_dict: dict) -> dict[str, str]:
    """The libpq parameters of a database's settings (dbname, user, password, host, port, sslmode…)."""
    params = {
        "dbname": settings_dict.get("NAME") or "",
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
    }
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key not in DJANGO_ONLY_OPTIONS and isinstance(value, str | int):
            params[key] = str(value)
    return {key: value for key, value in params.items() if value}


def pg_environment(params: dict[str, str]) -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql: the password never on a command line."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "connect_timeout": "PGCONNECT_TIMEOUT",
        "application_name": "PGAPPNAME",
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({names[key]: value for key, value in params.items() if key in names})
    return env


def _pg_connect(settings_dict: dict, **overrides: str):
    import psycopg

    params = pg_params(settings_dict) | overrides
    try:
        return psycopg.connect(**params)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        raise BackupError(
            f"Connexion à PostgreSQL impossible (base {params.get('dbname', '?')}) : {exc}"
        ) from exc


def _client(program: str) -> tuple[str, int]:
    """The path and major version of a PostgreSQL client program; BackupError when it is missing."""
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            f"{program} est introuvable : installez le client PostgreSQL (Debian : postgresql-client)."
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"Version de {program} illisible : {output.strip()}")
    return path, int(match.group(1))


def _pg_tables(cursor) -> dict[str, int]:
    """Every table of the current schema and its exact row count."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    names = [row[0] for row in cursor.fetchall()]
    counts = {}
    for name in names:
        cursor.execute(f'SELECT count(*) FROM "{name.replace(chr(34), chr(34) * 2)}"')  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    return counts


def _migrations(cursor) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    """Every table (full-text ones and their shadow tables included) and its row count."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
    ]
    return {
        name: conn.execute(f'SELECT count(*) FROM "{name.replace(chr(34), chr(34) * 2)}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def _is_memory(name: str) -> bool:
    return name in ("", ":memory:") or "mode=memory" in name


def _sqlite_open(name: str) -> sqlite3.Connection:
    return sqlite3.connect(name, uri=name.startswith("file:"))


# --- Files ----------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root(media_root: Path | None) -> Path | None:
    """MEDIA_ROOT when uploads are stored there (Django's file system storage), else None."""
    if media_root is not None:
        return Path(media_root)
    backend = settings.STORAGES.get("default", {}).get("BACKEND", "")
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path | None) -> list[tuple[str, Path]]:
    """The regular files under the media folder (relative POSIX name, path), staging folders and
    symbolic links left out."""
    if root is None or not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0].startswith(STAGING_PREFIX) or path.is_symlink() or not path.is_file():
            continue
        found.append((relative.as_posix(), path))
    return found


def _safe_media_name(name: object) -> bool:
    """A media file's name in a manifest may only name a file below the media folder."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts) and not parts[0].startswith(STAGING_PREFIX)


def _writable_temp(directory: Path, suffix: str) -> tuple[int, Path]:
    try:
        handle, name = tempfile.mkstemp(dir=directory, prefix=".coopatlas-", suffix=suffix)
    except OSError as exc:
        raise BackupError(
            f"Impossible d'écrire dans le dossier {directory} : {exc.strerror or exc}."
        ) from exc
    return handle, Path(name)


# --- Backup ---------------------------------------------------------------------------------


def create_backup(
    path: Path,
    *,
    force: bool = False,
    alias: str = "default",
    source: dict | None = None,
    media_root: Path | None = None,
) -> BackupReport:
    """Write the database of `alias` (or the one `source` describes, in the shape of
    settings.DATABASES entries) and the media files of MEDIA_ROOT (or `media_root`) into one
    archive at `path`; return what it holds. The archive appears under its name only once
    complete (written beside, renamed). Raise BackupError when `path` exists (unless `force`),
    or cannot be written."""
    started = time.monotonic()
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} est un dossier : donnez le nom du fichier de sauvegarde à écrire.")
    if path.exists() and not force:
        raise BackupError(
            f"Le fichier {path} existe déjà : choisissez un autre nom, ou --force pour le remplacer."
        )
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise BackupError(f"Le dossier {directory} n'existe pas : créez-le, ou choisissez un autre chemin.")
    handle, partial = _writable_temp(directory, ".partial")
    os.close(handle)
    settings_dict = dict(source if source is not None else connections[alias].settings_dict)
    vendor = vendor_of(settings_dict)
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".coopatlas-backup-") as work:
            dump = Path(work) / "dump"
            with _database_dump(settings_dict, None if source else alias, vendor, dump) as (
                database,
                tables,
                migrations,
            ):
                media = _media_root(media_root)
                files: list[dict[str, Any]] = [
                    {"path": name, "size": file.stat().st_size, "sha256": _sha256_of(file)}
                    for name, file in _media_files(media)
                ]
                member = SQLITE_MEMBER if vendor == "sqlite" else POSTGRES_MEMBER
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "coopatlas_version": _coopatlas_version(),
                    "engine": {"vendor": vendor, "django_engine": settings_dict["ENGINE"]} | database,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "migrations": migrations,
                    "tables": tables,
                    "database": {"member": member, "size": dump.stat().st_size, "sha256": _sha256_of(dump)},
                    "media": {"included": media is not None, "files": files},
                }
                _write_archive(partial, manifest, dump, member, media, files)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(
        path=path,
        size=path.stat().st_size,
        engine=vendor,
        tables=tables,
        media_files=len(files),
        media_bytes=sum(item["size"] for item in files),
        seconds=time.monotonic() - started,
    )


def _coopatlas_version() -> str:
    import coopatlas

    return coopatlas.__version__


@contextlib.contextmanager
def _database_dump(settings_dict: dict, alias: str | None, vendor: str, dump: Path):
    """Dump the database into `dump`; yield (engine facts, row counts, applied migrations), all
    read from the same state of the database as the dump."""
    if vendor == "sqlite":
        name = str(settings_dict["NAME"])
        django = connections[alias] if alias is not None else None
        if django is not None and _is_memory(name):  # (the tests') reachable through Django only
            django.ensure_connection()
            source = django.connection
            if source.in_transaction:  # SQLite would answer "locked" to the backup for ever
                raise BackupError("Sauvegarde impossible au milieu d'une transaction d'écriture.")
        elif not _is_memory(name) and Path(name).is_file():
            source = sqlite3.connect(name, timeout=30)
        else:
            raise BackupError(f"La base SQLite {name} n'existe pas : rien à sauvegarder.")
        copy = sqlite3.connect(dump)
        try:
            # In one step: one read transaction, a consistent copy; in WAL mode writers go on.
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            tables = _sqlite_tables(copy)
            migrations = _migrations(copy.cursor())
            version = sqlite3.sqlite_version
        finally:
            copy.close()
            if django is None or source is not django.connection:
                source.close()
        yield {"server_version": version}, tables, migrations
        return
    from psycopg import IsolationLevel

    pg_dump, client = _client("pg_dump")
    with _pg_connect(settings_dict) as conn:
        # The counts and the dump read the same snapshot, whatever the server writes meanwhile.
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        server = conn.info.server_version // 10000
        if client < server:
            raise BackupError(
                f"pg_dump {client} ne peut sauvegarder un serveur PostgreSQL {server} : installez le "
                f"client PostgreSQL {server} (ou plus récent)."
            )
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _pg_tables(cursor)
            migrations = _migrations(cursor)
            result = subprocess.run(  # noqa: S603 - fixed program, arguments ours
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ],
                env=pg_environment(pg_params(settings_dict)),
                capture_output=True,
                text=True,
                check=False,
            )
            conn.rollback()
        if result.returncode != 0:
            raise BackupError(f"pg_dump a échoué : {result.stderr.strip()}")
        yield {"server_version": conn.info.server_version, "pg_dump_major": client}, tables, migrations


def _write_archive(
    partial: Path, manifest: dict, dump: Path, member: str, media: Path | None, files: list[dict]
) -> None:
    def info(name: str, size: int) -> tarfile.TarInfo:
        item = tarfile.TarInfo(name)
        item.size, item.mode, item.mtime = size, 0o600, int(time.time())
        return item

    text = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
        archive.addfile(info(MANIFEST, len(text)), io.BytesIO(text))
        with dump.open("rb") as handle:
            archive.addfile(info(member, manifest["database"]["size"]), handle)
        for item in files:
            assert media is not None  # noqa: S101 - files come from the media folder
            with (media / item["path"]).open("rb") as handle:
                archive.addfile(info(MEDIA_PREFIX + item["path"], item["size"]), handle)
    with partial.open("rb+") as written:
        os.fsync(written.fileno())


# --- Reading an archive ---------------------------------------------------------------------


def _refuse_manifest(reason: str) -> BackupError:
    return BackupError(f"{reason[0].upper()}{reason[1:]}. Rien n'a été modifié.")


def _check_manifest(manifest: Any) -> dict:
    """Check a manifest's shape; return it, or raise BackupError naming what is wrong."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse_manifest("ce fichier n'est pas une sauvegarde coopatlas (manifeste de format inconnu)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse_manifest(
            f"format de sauvegarde {manifest.get('format_version')!r} inconnu de cette version de "
            f"coopatlas (elle lit le format {FORMAT_VERSION})"
        )
    engine, database, tables = manifest.get("engine"), manifest.get("database"), manifest.get("tables")
    media, migrations = manifest.get("media"), manifest.get("migrations")
    well_formed = (
        isinstance(engine, dict)
        and engine.get("vendor") in ENGINE_LABELS
        and isinstance(database, dict)
        and database.get("member") in (SQLITE_MEMBER, POSTGRES_MEMBER)
        and isinstance(database.get("size"), int)
        and isinstance(database.get("sha256"), str)
        and isinstance(tables, dict)
        and all(isinstance(k, str) and TABLE_NAME.match(k) and isinstance(v, int) for k, v in tables.items())
        and isinstance(migrations, list)
        and all(
            isinstance(m, list) and len(m) == 2 and all(isinstance(p, str) for p in m) for m in migrations
        )
        and isinstance(media, dict)
        and isinstance(media.get("files"), list)
        and all(
            isinstance(f, dict)
            and _safe_media_name(f.get("path"))
            and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str)
            for f in media["files"]
        )
    )
    if not well_formed:
        raise _refuse_manifest("manifeste incomplet ou mal formé")
    return manifest


def read_manifest(path: Path) -> dict:
    """Read and check the manifest at the head of an archive (not the rest: see verify_archive)."""
    with _open_archive(path) as archive:
        return _manifest_of(archive)


@contextlib.contextmanager
def _open_archive(path: Path):
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Fichier de sauvegarde introuvable : {path}.")
    try:
        with tarfile.open(path, "r:gz") as archive:
            yield archive
    except (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, tarfile.TarError | EOFError) and exc.errno:
            raise BackupError(f"Lecture de {path} impossible : {exc.strerror}.") from exc
        raise _refuse_manifest(f"archive illisible ou tronquée ({exc or type(exc).__name__})") from exc


def _manifest_of(archive: tarfile.TarFile) -> dict:
    first = archive.next()
    if first is None or first.name != MANIFEST or not first.isfile() or first.size > 64 * CHUNK:
        raise _refuse_manifest("l'archive ne commence pas par un manifeste (manifest.json)")
    handle = archive.extractfile(first)
    assert handle is not None  # noqa: S101 - a regular file
    try:
        manifest = json.loads(handle.read())
    except ValueError as exc:
        raise _refuse_manifest("manifeste illisible (JSON invalide)") from exc
    return _check_manifest(manifest)


def _copy_checked(source: IO[bytes], target: Path, expected_size: int, expected_sha: str, label: str) -> None:
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != expected_size or digest.hexdigest() != expected_sha:
        raise _refuse_manifest(
            f"{label} ne correspond pas au manifeste ({size} octets, sha256 {digest.hexdigest()[:12]}… "
            f"au lieu de {expected_size} octets, {expected_sha[:12]}…) : archive altérée ou corrompue"
        )


def _unpack(archive: tarfile.TarFile, manifest: dict, dump: Path, staging: Path | None) -> None:
    """Copy the dump to `dump` and each media file below `staging`, checking each against the
    manifest (size and sha256) and that nothing is missing or added; BackupError otherwise."""
    database = manifest["database"]
    expected = {MEDIA_PREFIX + item["path"]: item for item in manifest["media"]["files"]}
    seen: set[str] = set()
    while (member := archive.next()) is not None:  # after the manifest (iterating would restart)
        if member.name in seen or (member.name != database["member"] and member.name not in expected):
            raise _refuse_manifest(f"l'archive contient « {member.name} », que le manifeste ne liste pas")
        if not member.isfile():
            raise _refuse_manifest(f"« {member.name} » n'est pas un fichier ordinaire")
        seen.add(member.name)
        handle = archive.extractfile(member)
        assert handle is not None  # noqa: S101 - a regular file
        if member.name == database["member"]:
            _copy_checked(handle, dump, database["size"], database["sha256"], "La copie de la base")
            continue
        item = expected[member.name]
        if staging is None:  # a check only: read and hash, keep nothing
            target = Path(os.devnull)
        else:
            target = staging / item["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
        _copy_checked(handle, target, item["size"], item["sha256"], f"Le fichier « {item['path']} »")
    # Read to the end of the compressed stream: gzip checks its length and CRC there, so an
    # archive missing its last bytes is refused even though every member was read whole.
    while archive.fileobj is not None and archive.fileobj.read(CHUNK):
        pass
    missing = sorted(({database["member"]} | set(expected)) - seen)
    if missing:
        raise _refuse_manifest(f"il manque {', '.join(missing[:5])} dans l'archive (tronquée ?)")


def verify_archive(path: Path) -> dict:
    """Read the whole archive and check every member against its manifest; return the manifest."""
    with tempfile.TemporaryDirectory(prefix="coopatlas-check-") as work, _open_archive(path) as archive:
        manifest = _manifest_of(archive)
        _unpack(archive, manifest, Path(work) / "dump", None)
    return manifest


# --- Restore --------------------------------------------------------------------------------


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _describe(tables: dict[str, int]) -> str:
    biggest = sorted(tables.items(), key=lambda item: (-item[1], item[0]))[:5]
    rows = sum(tables.values())
    named = ", ".join(f"{name} ({count} lignes)" for name, count in biggest)
    return f"{len(tables)} table(s), {rows} ligne(s) en tout, dont {named}"


def _target_tables(vendor: str, settings_dict: dict) -> dict[str, int]:
    """The tables already in the target database and their row counts ({} when it is empty)."""
    if vendor == "sqlite":
        name = str(settings_dict["NAME"])
        if not _is_memory(name) and not Path(name).exists():
            return {}
        conn = _sqlite_open(name)
        try:
            return _sqlite_tables(conn) | {
                row[0]: 0
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('view', 'trigger')")
            }
        finally:
            conn.close()
    with _pg_connect(settings_dict) as conn, conn.cursor() as cursor:
        tables = _pg_tables(cursor)
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm', 'f')"
        )
        return tables | {row[0]: 0 for row in cursor.fetchall() if row[0] not in tables}


def restore_backup(
    path: Path,
    *,
    replace: bool = False,
    alias: str = "default",
    target: dict | None = None,
    media_root: Path | None = None,
) -> RestoreReport:
    """Restore an archive into the database of `alias` (or the database `target` describes, in
    the shape of settings.DATABASES entries) and its media files into MEDIA_ROOT (or
    `media_root`); return what was restored. The database must hold no table, unless `replace`.
    Raise BackupError, having changed nothing, when the archive is refused (unreadable,
    truncated, altered, of another engine or of a newer coopatlas) or the target is not empty."""
    started = time.monotonic()
    settings_dict = dict(target if target is not None else connections[alias].settings_dict)
    vendor = vendor_of(settings_dict)
    media = _media_root(media_root)
    with _open_archive(path) as archive:
        manifest = _manifest_of(archive)
        source = manifest["engine"]["vendor"]
        if source != vendor:
            raise BackupError(
                f"Cette sauvegarde vient d'une base {ENGINE_LABELS[source]} ; la base configurée est "
                f"{ENGINE_LABELS[vendor]}. Restaurez-la sur {ENGINE_LABELS[source]} (DATABASE_URL), "
                "puis passez de l'une à l'autre par l'export JSON (coopatlas export --format json). "
                "Rien n'a été modifié."
            )
        unknown = sorted({tuple(m) for m in manifest["migrations"]} - _known_migrations())
        if unknown:
            names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
            raise BackupError(
                f"Cette sauvegarde vient d'une version plus récente de coopatlas "
                f"({manifest['coopatlas_version']}) : migrations inconnues ici ({names}). Mettez "
                "coopatlas à jour, puis restaurez. Rien n'a été modifié."
            )
        if vendor == "postgresql":
            needed, have = manifest["engine"].get("pg_dump_major", 0), _client("pg_restore")[1]
            if isinstance(needed, int) and have < needed:
                raise BackupError(
                    f"Cette sauvegarde a été faite par pg_dump {needed} ; pg_restore {have} ne peut la "
                    f"lire : installez le client PostgreSQL {needed}. Rien n'a été modifié."
                )
        present = _target_tables(vendor, settings_dict)
        if present and not replace:
            raise BackupError(
                f"La base cible n'est pas vide : {_describe(present)}. Restaurez dans une base vide "
                "(sans aucune table), ou relancez avec --replace pour remplacer entièrement son "
                "contenu. Rien n'a été modifié."
            )
        if vendor == "sqlite" and _is_memory(str(settings_dict["NAME"])):
            raise BackupError("La base configurée est en mémoire : restaurez dans un fichier SQLite.")
        conflicts = _media_conflicts(manifest, media)
        if conflicts and not replace:
            raise BackupError(
                f"Des fichiers du dossier des médias ({media}) ont un autre contenu que ceux de la "
                f"sauvegarde : {', '.join(conflicts[:5])}. Relancez avec --replace pour les remplacer. "
                "Rien n'a été modifié."
            )
        if vendor == "sqlite" and not Path(str(settings_dict["NAME"])).resolve().parent.is_dir():
            raise BackupError(
                f"Le dossier de la base {settings_dict['NAME']} n'existe pas : créez-le. "
                "Rien n'a été modifié."
            )
        created_media = media is not None and not media.exists()
        staging = _staging_folder(media) if manifest["media"]["files"] else None
        placed = 0
        try:
            work_dir = Path(str(settings_dict["NAME"])).resolve().parent if vendor == "sqlite" else None
            with tempfile.TemporaryDirectory(dir=work_dir, prefix=".coopatlas-restore-") as work:
                dump = Path(work) / "dump"
                _unpack(archive, manifest, dump, staging)
                if vendor == "sqlite":
                    _restore_sqlite(dump, manifest, settings_dict, alias if target is None else None)
                else:
                    _restore_postgresql(dump, manifest, settings_dict, replace=bool(present))
            placed = _place_media(staging, manifest, media)
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            if created_media and not placed and media is not None:
                shutil.rmtree(media, ignore_errors=True)  # made for the staging only
    applied = {tuple(m) for m in manifest["migrations"]}
    pending = sorted(f"{app}.{name}" for app, name in _known_migrations() - applied)
    return RestoreReport(
        engine=vendor,
        tables=manifest["tables"],
        media_files=placed,
        media_bytes=sum(item["size"] for item in manifest["media"]["files"]),
        seconds=time.monotonic() - started,
        replaced=bool(present),
        pending_migrations=pending,
    )


def _media_conflicts(manifest: dict, media: Path | None) -> list[str]:
    if media is None:
        if manifest["media"]["files"]:
            raise BackupError(
                "Les documents sont rangés ailleurs que dans un dossier (COOPATLAS_FILE_STORAGE) : "
                "cette commande ne sait remettre les fichiers de la sauvegarde que dans MEDIA_ROOT."
            )
        return []
    conflicts = []
    for item in manifest["media"]["files"]:
        existing = media / item["path"]
        if existing.exists() and (
            existing.stat().st_size != item["size"] or _sha256_of(existing) != item["sha256"]
        ):
            conflicts.append(item["path"])
    return conflicts


def _staging_folder(media: Path | None) -> Path:
    assert media is not None  # noqa: S101 - _media_conflicts refused a backup with files and no folder
    try:
        media.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=media, prefix=STAGING_PREFIX))
    except OSError as exc:
        raise BackupError(
            f"Impossible d'écrire dans le dossier des médias {media} : {exc.strerror or exc}. "
            "Rien n'a été modifié."
        ) from exc


def _place_media(staging: Path | None, manifest: dict, media: Path | None) -> int:
    """Move the staged media files into place (renames within one file system)."""
    if staging is None or media is None:
        return 0
    for item in manifest["media"]["files"]:
        destination = media / item["path"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / item["path"], destination)
    return len(manifest["media"]["files"])


def _restore_sqlite(dump: Path, manifest: dict, settings_dict: dict, alias: str | None) -> None:
    """Check the restored copy's row counts, then rename it over the target database file."""
    copy = sqlite3.connect(dump)
    try:
        _compare_counts(_sqlite_tables(copy), manifest["tables"])
    finally:
        copy.close()
    if alias is not None:
        connections[alias].close()  # no connection of ours stays on the file we replace
    name = Path(str(settings_dict["NAME"]))
    if name.exists():
        # Fold the write-ahead log into the old file and leave WAL mode: a log left beside would
        # be replayed into the restored file. Refused when another process has the file open.
        old = sqlite3.connect(name, timeout=1)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            mode = old.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError as exc:
            mode = str(exc)
        finally:
            old.close()
        if mode != "delete" or Path(f"{name}-wal").exists():
            raise BackupError(
                f"La base {name} est ouverte par un autre processus (serveur, travailleur) : "
                "arrêtez-les, puis relancez la restauration. Rien n'a été modifié."
            )
    os.replace(dump, name)


def _compare_counts(found: dict[str, int], expected: dict[str, int]) -> None:
    differences = [
        f"{name} : {found.get(name, 'absente')} au lieu de {expected.get(name, 'absente')}"
        for name in sorted(set(found) | set(expected))
        if found.get(name) != expected.get(name)
    ]
    if differences:
        raise _refuse_manifest(f"lignes restaurées différentes du manifeste ({'; '.join(differences[:5])})")


def _restore_postgresql(dump: Path, manifest: dict, settings_dict: dict, *, replace: bool) -> None:
    """Replay the dump with psql in one transaction: the old schema dropped first when
    replacing, every table's row count checked last; on any error nothing is committed."""
    env = pg_environment(pg_params(settings_dict))
    psql_path, pg_restore = _client("psql")[0], _client("pg_restore")[0]
    quoted = {name: '"' + name + '"' for name in manifest["tables"]}  # names checked by TABLE_NAME
    checks = "\n".join(
        f"  SELECT count(*) INTO found FROM public.{quoted[name]};\n"  # noqa: S608 - names checked
        f"  IF found <> {count} THEN\n"
        f"    RAISE EXCEPTION 'coopatlas: % lignes dans {name}, {count} attendues', found;\n  END IF;"
        for name, count in manifest["tables"].items()
    )
    # table names checked against TABLE_NAME, counts are integers
    epilogue = (
        "\nDO $coopatlas$\nDECLARE found bigint;\nBEGIN\n"  # noqa: S608
        f"{checks}\n"
        "  SELECT count(*) INTO found FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p');\n"
        f"  IF found <> {len(manifest['tables'])} THEN RAISE EXCEPTION 'coopatlas: % tables, "
        f"{len(manifest['tables'])} attendues', found; END IF;\n"
        "END $coopatlas$;\n"
    )
    prologue = "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n" if replace else ""
    with tempfile.TemporaryFile() as errors:
        psql = subprocess.Popen(  # noqa: S603 - fixed program, arguments ours
            [
                psql_path,
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        assert psql.stdin is not None  # noqa: S101
        restore = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert restore.stdout is not None  # noqa: S101
        restore_failed = False
        try:
            psql.stdin.write(prologue.encode())
            shutil.copyfileobj(restore.stdout, psql.stdin, CHUNK)
            if restore.wait() != 0:
                # psql commits at the end of its input: killed, its transaction is rolled back.
                restore_failed = True
                psql.kill()
            else:
                psql.stdin.write(epilogue.encode())
        except BrokenPipeError:  # psql stopped on an error: said below
            restore.kill()
        finally:
            restore.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
            restore.wait()
            psql.wait()
        if restore_failed:
            errors.seek(0)
            raise _refuse_manifest(f"pg_restore a échoué : {errors.read().decode(errors='replace').strip()}")
        if psql.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()
            raise BackupError(
                "Restauration PostgreSQL annulée, la base est restée comme avant : "
                + " ".join(
                    line for line in message if "ERROR" in line or "ERREUR" in line or "coopatlas" in line
                )[:600]
            )
