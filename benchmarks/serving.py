"""What the web benchmarks share: an atlas to measure, a `coopatlas serve` on loopback, timed GETs,
resident memory from /proc, and medians and percentiles.

An atlas is a var dir (its SQLite file `coopatlas.sqlite3`) or, with a PostgreSQL URL, that database
beside a var dir for the secret key and the static files. `--build N` makes one with
`coopatlas serve --prepare-only --no-demo` then `coopatlas generate --partnerships N --seed S`.
"""

import argparse
import http.client
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432"
TMP = Path(tempfile.gettempdir())  # the atlases built here: TMP/bench-N
DEFAULT_SIZE = 10_000


@dataclass
class Atlas:
    """An atlas to measure: a var dir, and a PostgreSQL URL when it is not the var dir's SQLite file."""

    var_dir: Path
    database_url: str | None = None

    @property
    def sqlite_path(self) -> Path | None:
        return None if self.database_url else self.var_dir / "coopatlas.sqlite3"

    @property
    def engine(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def env(self) -> dict[str, str]:
        """Return the environment for a `coopatlas` command on this atlas."""
        env = dict(os.environ, COOPATLAS_VAR_DIR=str(self.var_dir))
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.setdefault("PYTHONPATH", f"{ROOT / 'src'}{os.pathsep}{ROOT}")
        return env

    def describe(self) -> str:
        return self.database_url or str(self.sqlite_path)

    def connect(self):
        """Return a DB-API connection to the atlas (read-only for SQLite) and its placeholder."""
        if self.database_url:
            import psycopg  # only for PostgreSQL atlases

            return psycopg.connect(self.database_url, autocommit=True), "%s"
        import sqlite3

        return sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, check_same_thread=False), "?"


def add_atlas_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --db, --build, --sizes, --seed, --postgres, --url, --pid and --port to a parser."""
    parser.add_argument(
        "--db",
        help="atlas existant : un dossier var, son fichier coopatlas.sqlite3, ou une URL postgres:// "
        "(défaut : $DATABASE_URL, sinon $COOPATLAS_VAR_DIR, sinon var/)",
    )
    parser.add_argument(
        "--build", type=int, metavar="N", help="construire un atlas de N partenariats (coopatlas generate)"
    )
    parser.add_argument(
        "--sizes",
        help="tailles à mesurer l'une après l'autre, ex. 10000,100000 : /tmp/bench-N (ou la base "
        "coopatlas_bench_N avec --postgres), construits s'ils manquent",
    )
    parser.add_argument("--seed", type=int, default=1, help="graine de coopatlas generate (défaut 1)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=PG_BASE,
        metavar="URL",
        help=f"avec --build/--sizes : construire sur PostgreSQL (serveur, défaut {PG_BASE})",
    )
    parser.add_argument("--url", help="un serveur déjà lancé (sinon le script lance coopatlas serve)")
    parser.add_argument("--pid", type=int, help="avec --url : le processus du serveur, pour sa mémoire")
    parser.add_argument("--port", type=int, default=0, help="port du serveur lancé (défaut : un port libre)")
    parser.add_argument("--threads", type=int, default=8, help="fils du serveur lancé (défaut 8)")


def atlases(args: argparse.Namespace) -> list[Atlas]:
    """Return the atlases the arguments name, building those asked for or missing."""
    sizes = [args.build] if args.build else []
    if args.sizes:
        sizes += [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    if sizes:
        return [
            sized_atlas(n, seed=args.seed, postgres=args.postgres, rebuild=n == args.build) for n in sizes
        ]
    db = args.db or os.environ.get("DATABASE_URL") or os.environ.get("COOPATLAS_VAR_DIR") or str(ROOT / "var")
    if db.startswith(("postgres://", "postgresql://")):
        var_dir = Path(os.environ.get("COOPATLAS_VAR_DIR", TMP / "bench-pg"))
        var_dir.mkdir(parents=True, exist_ok=True)
        return [Atlas(var_dir, db)]
    path = Path(db)
    var_dir = path.parent if path.suffix == ".sqlite3" else path
    if not (var_dir / "coopatlas.sqlite3").exists():
        if args.db:
            sys.exit(
                f"Pas d'atlas dans {var_dir} (coopatlas.sqlite3 absent) : --build N pour en construire un."
            )
        # Nothing named and no atlas in var/ (as under `make bench`): the 10,000 one, built if missing.
        print(f"Pas d'atlas dans {var_dir} : celui de {DEFAULT_SIZE} partenariats.", flush=True)
        return [sized_atlas(DEFAULT_SIZE, seed=args.seed, postgres=None, rebuild=False)]
    return [Atlas(var_dir)]


def sized_atlas(n: int, *, seed: int, postgres: str | None, rebuild: bool) -> Atlas:
    """Return the atlas of `n` partnerships (/tmp/bench-N, or coopatlas_bench_N on PostgreSQL),
    built with `coopatlas generate` if it is missing or `rebuild` is asked."""
    if postgres:
        name = f"coopatlas_bench_{n}"
        atlas = Atlas(TMP / f"bench-{n}-pg", f"{postgres.rstrip('/')}/{name}")
        exists = _pg_database_exists(postgres, name)
        if exists and not rebuild:
            return atlas
        _pg_recreate(postgres, name)
    else:
        atlas = Atlas(TMP / f"bench-{n}")
        if atlas.sqlite_path.exists() and not rebuild:
            return atlas
        for suffix in ("", "-wal", "-shm"):
            Path(f"{atlas.sqlite_path}{suffix}").unlink(missing_ok=True)
    build(atlas, n, seed=seed)
    return atlas


def build(atlas: Atlas, n: int, *, seed: int) -> None:
    """Prepare an empty atlas and generate `n` synthetic partnerships in it."""
    atlas.var_dir.mkdir(parents=True, exist_ok=True)
    for command in (
        ["serve", "--prepare-only", "--no-demo"],
        ["generate", "--partnerships", str(n), "--seed", str(seed)],
    ):
        started = time.monotonic()
        print(f"$ coopatlas {' '.join(command)}  ({atlas.describe()})", flush=True)
        done = subprocess.run([sys.executable, "-m", "coopatlas.cli", *command], env=atlas.env(), check=False)  # noqa: S603
        if done.returncode:
            sys.exit(f"coopatlas {command[0]} a échoué (statut {done.returncode}).")
        print(f"  {time.monotonic() - started:.0f} s", flush=True)


def _pg_admin(base: str):
    import psycopg

    return psycopg.connect(f"{base.rstrip('/')}/postgres", autocommit=True)


def _pg_database_exists(base: str, name: str) -> bool:
    with _pg_admin(base) as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )


def _pg_recreate(base: str, name: str) -> None:
    with _pg_admin(base) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


# -- the server -------------------------------------------------------------------------------------
@dataclass
class Server:
    url: str
    pid: int | None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def coopatlas_server(atlas: Atlas, args: argparse.Namespace) -> Iterator[Server]:
    """Run `coopatlas serve` on loopback for the block (or use --url), and stop it after."""
    if args.url:
        yield Server(args.url.rstrip("/"), args.pid)
        return
    # A benchmark stopped by kill stops its server too (the `finally` below runs).
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(f"arrêté (signal {_signal})"))
    port = args.port or free_port()
    log = (atlas.var_dir / "bench-serve.log").open("w")
    command = [sys.executable, "-m", "coopatlas.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-demo", "--no-worker", "--threads", str(args.threads)]
    process = subprocess.Popen(command, env=atlas.env(), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, timeout=600)
        yield Server(url, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_until_up(url: str, process: subprocess.Popen | None, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            sys.exit(f"Le serveur s'est arrêté (statut {process.returncode}) : voir bench-serve.log.")
        try:
            status, _body, _seconds = get(url + "/accessibilite/", timeout=10)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} ne répond pas après {timeout:.0f} s.")


def get(url: str, *, timeout: float = 600, headers: dict | None = None) -> tuple[int, bytes, float]:
    """GET a URL on a fresh connection; return (status, body, seconds to the last byte)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.perf_counter()
    try:
        connection.request("GET", path or "/", headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
    finally:
        connection.close()


# -- memory and statistics --------------------------------------------------------------------------
def memory_mb(pid: int | None) -> tuple[float, float] | None:
    """Return (resident, peak resident) memory of a process in MB, from /proc; None if unknown."""
    if not pid:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", math.nan), values.get("VmHWM", math.nan)


def describe_memory(label: str, pid: int | None) -> str:
    memory = memory_mb(pid)
    if memory is None:
        return f"mémoire du serveur {label} : inconnue (--pid pour un serveur déjà lancé)"
    return f"mémoire du serveur {label} : RSS {memory[0]:.0f} Mo (pic {memory[1]:.0f} Mo)"


def percentile(values: list[float], fraction: float) -> float:
    """Return the percentile by linear interpolation between the closest ranks (p95: 0.95)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def geometric_mean(values: list[float]) -> float:
    kept = [v for v in values if v > 0 and math.isfinite(v)]
    return statistics.geometric_mean(kept) if kept else math.nan


def ms(seconds: float) -> str:
    """Format a duration: milliseconds under 10 s, seconds above."""
    if not math.isfinite(seconds):
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
