"""Back up and restore atlases (`coopatlas backup`, `coopatlas restore`) and print the time and sizes.

Usage: python benchmarks/backup.py [--engines sqlite,postgres] [--partnerships 10000] [--documents 10]
                                   [--shared ../shared] [--postgres postgres://postgres@127.0.0.1:5432]

Two atlases per engine: the demo atlas (reference data and demo records, no French geography),
and a synthetic one (reference data, French geography, `coopatlas generate --partnerships N`).
Each gets `--documents` files of 500 kB of random bytes in its media folder (documents do not
compress: PDFs and photos are compressed already). Each command runs in a process of its own,
as an administrator would run it; the wall time includes the command's start (Django, about a
second). The restore goes into an empty database: a new SQLite file, or a new PostgreSQL database.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(url: str, var: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "COOPATLAS_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }


def coopatlas(url: str, var: Path, *args: str) -> float:
    """Run one command; return its wall time, or stop with its output when it fails."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *args],
        cwd=ROOT,
        env=_env(url, var),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"coopatlas {' '.join(args)} → {done.returncode}\n{done.stdout}\n{done.stderr}")
    return time.monotonic() - started


def _psql(admin: str, sql: str) -> None:
    subprocess.run(["psql", admin, "-qc", sql], check=True)  # noqa: S603, S607


def prepare(url: str, var: Path, kind: str, partnerships: int, documents: int, shared: Path) -> None:
    if kind == "demo":
        coopatlas(url, var, "load-demo")
    else:
        communes = shared / "data" / "fr_admin_etalab" / "derived_communes_2026_with_coords.csv"
        coopatlas(url, var, "load-places", *(["--communes", str(communes)] if communes.exists() else []))
        coopatlas(url, var, "generate", "--partnerships", str(partnerships), "--quiet")
    folder = var / "media" / "documents" / "2025" / "06"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(documents):
        (folder / f"document-{n}.pdf").write_bytes(os.urandom(500_000))


def measure(engine: str, kind: str, source: str, target: str, folder: Path, args) -> None:
    var, restored = folder / f"{engine}-{kind}", folder / f"{engine}-{kind}-restored"
    prepare(source, var, kind, args.partnerships, args.documents, args.shared)
    archive = folder / f"{engine}-{kind}.tar.gz"
    backup = coopatlas(source, var, "backup", str(archive))
    check = coopatlas(source, var, "restore", str(archive), "--check")
    restore = coopatlas(target, restored, "restore", str(archive))
    database = (var / "coopatlas.sqlite3").stat().st_size if engine == "sqlite" else None
    label = f"{kind} ({args.partnerships} partenariats)" if kind == "synthetic" else kind
    print(
        f"{engine:<10} {label:<30} sauvegarde {backup:6.1f} s, archive {archive.stat().st_size / 1e6:7.1f} Mo"
        + (f" (base {database / 1e6:.1f} Mo)" if database else "")
        + f", vérification {check:5.1f} s, restauration {restore:6.1f} s, charge {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--partnerships", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopatlas-backup-bench-") as work:
        folder = Path(work)
        for engine in args.engines.split(","):
            for kind in ("demo", "synthetic"):
                if engine == "sqlite":
                    source = f"sqlite:///{folder / f'{engine}-{kind}' / 'coopatlas.sqlite3'}"
                    target = f"sqlite:///{folder / f'{engine}-{kind}-restored' / 'coopatlas.sqlite3'}"
                    measure(engine, kind, source, target, folder, args)
                    continue
                names = [f"bench_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
                admin = f"{args.postgres}/postgres"
                for name in names:
                    _psql(admin, f'CREATE DATABASE "{name}"')
                try:
                    measure(engine, kind, *(f"{args.postgres}/{name}" for name in names), folder, args)
                finally:
                    for name in names:
                        _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
