"""Render the all-France dashboard over the imported twin-town data and print how long it takes.

Usage: python benchmarks/dashboard.py [--shared ../shared] [--engines sqlite,postgres]
                                      [--postgres postgres://postgres@127.0.0.1:5432]

A fresh database per engine gets the reference data, the French geography and 25,000 French pairs:
the real ones of ../shared/data/twins_wikipedia_hekman/derived_france_pairs_insee.csv (CC BY-SA
4.0, Wikipedia contributors via Hekman/twincities) and generated ones made of real names (an
Etalab commune and a GeoNames town, as in benchmarks/import.py); then every pair of the
worldwide file with --all (foreign–foreign pairs that France's dashboard leaves out), all imported
by `coopatlas import`. Then, in this process, the pages are requested
through Django's test client (whole request: scope, queries, figures, template), cold then warm.

Target (issue "Tracking and networking"): the all-France dashboard renders in under 2 s at 25,000
pairs.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_import", ROOT / "benchmarks" / "import.py")
bench_import = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_import)


def load(url: str, shared: Path, folder: Path, french_pairs: int = 25_000) -> None:
    """Import the French pairs file, generated French pairs up to `french_pairs`, and the worldwide
    file with --all (its foreign–foreign pairs are in the atlas but outside France's dashboard)."""
    bench_import.prepare(url, shared)
    twins = shared / "data" / "twins_wikipedia_hekman"
    derived, world = twins / "derived_france_pairs_insee.csv", twins / "twin_cities_geocoded.csv"
    for path in (derived, world):
        if not path.exists():
            sys.exit(f"{path} est absent : rien à mesurer.")
    generated = folder / "generated.csv"
    french_in_file = sum(1 for _ in derived.open(encoding="utf-8")) - 1
    bench_import.write_generated(shared, max(0, french_pairs - french_in_file), generated)
    for path, source, extra in (
        (derived, "twins", []),
        (generated, "table", []),
        (world, "twins", ["--all"]),
    ):
        started = time.monotonic()
        code = bench_import._coopatlas(
            url,
            "import",
            str(path),
            "--source",
            source,
            *extra,
            "--skip-invalid",
            "--quiet",
            "--state",
            "published",
        )
        print(f"import {path.name} : {time.monotonic() - started:.0f} s (statut {code})")


def timed(client, path: str, runs: int = 3) -> tuple[float, float, int]:
    """Return (first request, median of the next `runs`) in seconds, and the response size."""
    started = time.perf_counter()
    response = client.get(path)
    first = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        warm.append(time.perf_counter() - started)
    return first, statistics.median(warm), len(response.content)


def measure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from coopatlas.atlas.models import Organisation, Partnership

    # The pages name their static files through the manifest, as `coopatlas serve` builds it.
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()
    count = Partnership.objects.count()
    french = Partnership.objects.filter(participations__organisation__country_id="FR").distinct().count()
    busiest = (
        Organisation.objects.filter(country_id="FR", kind="commune")
        .annotate(n=django.db.models.Count("participations"))
        .order_by("-n")
        .first()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{count} partenariats dans la base, dont {french} avec un participant français")
    pages = [
        ("tableau de bord, toute la France × le monde", "/tableau-de-bord/"),
        ("tableau de bord, API JSON", "/api/v1/dashboard"),
        ("tableau de bord, France × Afrique, 2000–2025", "/tableau-de-bord/?zone=africa&du=2000&au=2025"),
        (f"tableau de bord, {busiest.name}", f"/tableau-de-bord/?territoire={busiest.pk}"),
        ("carte de densité (JSON)", "/tableau-de-bord/pays.json"),
        ("réseau des acteurs", "/tableau-de-bord/reseau/"),
        ("listes de veille", "/tableau-de-bord/veille/"),
        (f"page de {busiest.name} (acteurs à connecter)", busiest.get_absolute_url()),
        (
            "partenariats similaires (page d'un partenariat)",
            Partnership.objects.filter(participations__organisation=busiest).first().get_absolute_url(),
        ),
    ]
    for label, path in pages:
        first, warm, size = timed(client, path)
        print(
            f"{label} : premier appel {first:.2f} s, ensuite {warm:.2f} s (médiane de 3) ; {size // 1024} Ko"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    shared = Path(args.shared)
    engine = args.engines.split(",")[0]
    if len(args.engines.split(",")) > 1:
        # Django is set up once per process: one engine per run.
        for other in args.engines.split(","):
            os.spawnv(  # noqa: S606 - this very script, once per engine
                os.P_WAIT,
                sys.executable,
                [sys.executable, __file__, "--shared", str(shared), "--engines", other],
            )  # noqa: S606
        return
    with tempfile.TemporaryDirectory(prefix="coopatlas-bench-") as tmp:
        print(f"== {engine} ==")
        if engine == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            load(url, shared, Path(tmp))
            measure(url)
        else:
            import psycopg

            name = f"coopatlas_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = f"{args.postgres}/{name}"
                load(url, shared, Path(tmp))
                measure(url)
            finally:
                from django.db import connections

                connections.close_all()
                with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
