"""Export the whole atlas in each format and print the time, the size and the peak memory.

Usage: python benchmarks/exports.py [--db DIR|FILE|URL] [--partnerships 100000] [--seed 1]
                                    [--formats csv,json,xlsx] [--src OTHER/src]

--db: a var directory (COOPATLAS_VAR_DIR, holding coopatlas.sqlite3), a SQLite file or a
PostgreSQL URL of an atlas already built. Without it, an atlas of --partnerships is built in a
temporary var directory by `coopatlas serve --prepare-only --no-demo` then `coopatlas generate`
(which must be on the path). Each export runs in a process of its own, through the same
`export()` as `coopatlas export`, writing a file; the process prints its wall time and its peak
resident memory (ru_maxrss) beside the memory it had once Django was ready. --src runs the same
measures against another source tree (an earlier commit's src/, for a before/after).

Target (issue "Search at national scale"): the CSV of 100,000 partnerships in under 30 s.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = {
    "csv": "csv",
    "csv-plain": "csv",
    "xlsx": "xlsx",
    "json": "json",
    "geojson": "geojson",
    "iati": "xml",
}


def _environment(db: str, src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(ROOT)])
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if db.startswith(("postgres://", "postgresql://", "sqlite://")):
        env["DATABASE_URL"] = db
    elif Path(db).is_dir():
        env["COOPATLAS_VAR_DIR"] = str(Path(db).resolve())
    else:
        env["DATABASE_URL"] = f"sqlite:///{Path(db).resolve()}"
    return env


def build(folder: Path, partnerships: int, seed: int) -> str:
    """Build a synthetic atlas in `folder` (a var directory); return it."""
    env = dict(os.environ, COOPATLAS_VAR_DIR=str(folder))
    for command in (
        ["coopatlas", "serve", "--prepare-only", "--no-demo"],
        ["coopatlas", "generate", "--partnerships", str(partnerships), "--seed", str(seed), "--quiet"],
    ):
        started = time.monotonic()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own command
        print(f"{' '.join(command[:2])} : {time.monotonic() - started:.0f} s")  # noqa: T201
    return str(folder)


def child(fmt: str, out: Path) -> None:
    """In the measuring process: set Django up, export, print one line of JSON."""
    import resource

    import django

    django.setup()
    from coopatlas.atlas.models import Partnership
    from coopatlas.exports.selection import select
    from coopatlas.exports.service import export

    total = Partnership.objects.count()  # also opens the connection before the baseline
    ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    count = export(fmt, select(), out)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "format": fmt,
        "atlas": total,
        "count": count,
        "seconds": seconds,
        "ready_kb": ready,
        "peak_kb": peak,
    }
    print(json.dumps(result))  # noqa: T201 - read by the parent process


def measure(db: str, src: Path, formats: list[str], folder: Path) -> None:
    env = _environment(db, src)
    print(f"source : {src}")  # noqa: T201
    for fmt in formats:
        out = folder / f"export.{EXTENSIONS[fmt]}"
        done = subprocess.run(  # noqa: S603 - this script, run again
            [sys.executable, __file__, "--child", fmt, str(out)], env=env, capture_output=True, text=True
        )
        if done.returncode:
            print(f"{fmt} : échec\n{done.stderr[-2000:]}")  # noqa: T201
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        size = out.stat().st_size / 1e6
        print(  # noqa: T201
            f"{fmt:9} {r['count']:>7} partenariats  {r['seconds']:6.1f} s  "
            f"{r['count'] / max(r['seconds'], 1e-9):8.0f}/s  {size:7.1f} Mo  "
            f"mémoire {r['ready_kb'] / 1024:.0f} Mo prêt → pic {r['peak_kb'] / 1024:.0f} Mo"
        )
        out.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="var directory, SQLite file or database URL of an atlas")
    parser.add_argument("--partnerships", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="csv,json,xlsx")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="source tree to measure")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if unknown := [f for f in formats if f not in EXTENSIONS]:
        sys.exit(f"formats inconnus : {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="coopatlas-exports-") as temporary:
        folder = Path(temporary)
        db = args.db or build(folder / "var", args.partnerships, args.seed)
        measure(db, args.src.resolve(), formats, folder)


if __name__ == "__main__":
    main()
