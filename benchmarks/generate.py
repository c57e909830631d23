"""Generate synthetic atlases (`coopatlas generate`) and print the time, CPU, memory and size.

Usage: python benchmarks/generate.py [--sizes 10000,100000] [--seed 1] [--engines sqlite,postgres]
                                     [--shared ../shared] [--postgres postgres://postgres@127.0.0.1:5432]

Each engine gets one database prepared with the reference data and the French geography (every
commune's point from shared/data/fr_admin_etalab when present); each size is generated into a
fresh copy of it (a file copy on SQLite, a template database on PostgreSQL) by `coopatlas
generate` in a process of its own, whose CPU time and peak resident memory are read from the
kernel. The wall time includes the command's start (Django, migrations check, reading GeoNames).

Target (issue "Search at national scale"): 100,000 partnerships in at most ~10 minutes on a
2-core machine. The machine's load average is printed beside each figure: other work on the same
cores stretches the wall time, not the CPU time.
"""

import argparse
import contextlib
import os
import shutil
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


def prepare(url: str, var: Path, shared: Path) -> None:
    communes = shared / "data" / "fr_admin_etalab" / "derived_communes_2026_with_coords.csv"
    for args in (
        ["load-reference"],
        ["load-places", *(["--communes", str(communes)] if communes.exists() else [])],
    ):
        code = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "coopatlas.cli", *args],
            cwd=ROOT,
            env=_env(url, var),
            stdout=subprocess.DEVNULL,
            check=False,
        ).returncode
        if code:
            sys.exit(f"préparation impossible : coopatlas {' '.join(args)} → {code}")


def generate(url: str, var: Path, size: int, seed: int) -> tuple[float, float, float, int]:
    """Run `coopatlas generate`; return wall seconds, CPU seconds, peak MB and its exit status."""
    child = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", "generate", "--partnerships", str(size), "--seed", str(seed)],
        cwd=ROOT,
        env=_env(url, var),
        stdout=subprocess.DEVNULL,
    )
    started = time.monotonic()
    _, status, usage = os.wait4(child.pid, 0)
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, status >> 8


@contextlib.contextmanager
def synthetic_atlas(size: int, seed: int, shared: Path, *, prefix: str):
    """Make a fresh SQLite atlas of `size` synthetic partnerships in a temporary folder, point
    this process's environment at it (Django not set up yet), and yield that folder."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        var = Path(tmp)
        url = f"sqlite:///{var / 'coopatlas.sqlite3'}"
        prepare(url, var, shared)
        wall, _cpu, _peak, status = generate(url, var, size, seed)
        print(f"atlas synthétique de {size} partenariats généré en {wall:.0f} s (statut {status})")
        os.environ.update(_env(url, var))
        yield var


def report(engine: str, size: int, figures: tuple[float, float, float, int], megabytes: float) -> None:
    wall, cpu, peak, status = figures
    print(
        f"{engine} {size:>7} partenariats : {wall:6.1f} s ({size / wall:.0f}/s), CPU {cpu:.1f} s, "
        f"mémoire max {peak:.0f} Mo, base {megabytes:.0f} Mo, charge {os.getloadavg()[0]:.1f} "
        f"(statut {status})",
        flush=True,
    )


def run_sqlite(sizes: list[int], seed: int, shared: Path, folder: Path) -> None:
    base = folder / "base"
    base.mkdir()
    prepare(f"sqlite:///{base / 'coopatlas.sqlite3'}", base, shared)
    for size in sizes:
        var = folder / f"sqlite-{size}"
        shutil.copytree(base, var)
        path = var / "coopatlas.sqlite3"
        figures = generate(f"sqlite:///{path}", var, size, seed)
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report("SQLite", size, figures, path.stat().st_size / 1e6)


def run_postgres(sizes: list[int], seed: int, shared: Path, server: str, folder: Path) -> None:
    import psycopg

    prefix = f"coopatlas_bench_generate_{uuid.uuid4().hex[:8]}"
    names = [f"{prefix}_base", *(f"{prefix}_{size}" for size in sizes)]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{names[0]}"')
    try:
        prepare(f"{server}/{names[0]}", folder, shared)
        for size, name in zip(sizes, names[1:], strict=True):
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{names[0]}"')
            figures = generate(f"{server}/{name}", folder, size, seed)
            with psycopg.connect(f"{server}/{name}") as conn:
                megabytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
            report("PostgreSQL", size, figures, megabytes)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument(
        "--shared", default=os.environ.get("COOPATLAS_SHARED_DIR") or str(ROOT.parent / "shared")
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="coopatlas-bench-generate-") as tmp:
        for engine in args.engines.split(","):
            if engine == "sqlite":
                run_sqlite(sizes, args.seed, Path(args.shared), Path(tmp))
            elif engine == "postgres":
                run_postgres(sizes, args.seed, Path(args.shared), args.postgres, Path(tmp))


if __name__ == "__main__":
    main()
