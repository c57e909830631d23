"""Time the yearly APD declaration (page, workbook) on a synthetic atlas and print the figures.

Usage: python benchmarks/oda.py [--size 10000] [--seed 1] [--shared ../shared]

A fresh SQLite database gets the reference data, the French geography and `--size` synthetic
partnerships with their funding lines (`coopatlas generate`, as benchmarks/generate.py); then, in
this process, the declaration of all France and of the French authority with the most funding
lines is asked through Django's test client (whole request: scope, queries, template or
workbook), for the atlas's most funded year and for every year, four times each (the first one
cold), with how many lines it read and how many it could not give to one country.
"""

import argparse
import importlib.util
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
bench_generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_generate)


def measure() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from coopatlas.atlas.models import FundingLine, Participation, Partnership
    from coopatlas.insights import oda

    call_command("collectstatic", interactive=False, verbosity=0)
    lines = FundingLine.objects.count()
    print(f"atlas : {Partnership.objects.count()} partenariats, {lines} lignes de financement")
    year = (
        FundingLine.objects.values_list("year").annotate(n=Count("pk")).order_by("-n").first() or (2021,)
    )[0]
    busiest = (
        Participation.objects.filter(organisation__country_id="FR", partnership__funding_lines__isnull=False)
        .values_list("organisation_id")
        .annotate(n=Count("partnership__funding_lines"))
        .order_by("-n")
        .first()
    )
    scopes = [("toute la France", {})]
    if busiest:
        scopes.append((f"la collectivité n° {busiest[0]} ({busiest[1]} lignes)", {"territoire": busiest[0]}))
    result = oda.build(Partnership.objects.published())
    unattributed = sum(len(s.unattributed.partnerships) for s in result.years)
    print(
        f"toutes années : {sum(s.total.lines for s in result.years)} lignes lues, "
        f"{len(result.unattributed)} non attribuées ({unattributed} partenariats), "
        f"{len(result.rows)} lignes pays"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    for label, params in scopes:
        for years in ({"annee": year}, {}):
            for path in ("/tableau-de-bord/declaration-apd/", "/tableau-de-bord/declaration-apd.xlsx"):
                times = []
                for _ in range(4):
                    started = time.monotonic()
                    response = client.get(path, params | years)
                    times.append(time.monotonic() - started)
                    assert response.status_code == 200, response.status_code
                period = f"année {year}" if years else "toutes années"
                what = path.rsplit("/", 1)[-1] or "page"
                print(
                    f"  {label}, {period}, {what} : "
                    f"premier {times[0]:.2f} s, suivants {statistics.median(times[1:]):.2f} s, "
                    f"{len(response.content) / 1e3:.0f} ko, charge {os.getloadavg()[0]:.1f}",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--shared", default=os.environ.get("COOPATLAS_SHARED_DIR") or str(ROOT.parent / "shared")
    )
    args = parser.parse_args()
    with bench_generate.synthetic_atlas(
        args.size, args.seed, Path(args.shared), prefix="coopatlas-bench-oda-"
    ):
        measure()


if __name__ == "__main__":
    main()
