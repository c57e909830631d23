"""Time the calendar page and its iCal feed on a synthetic atlas and print the figures.

Usage: python benchmarks/calendar.py [--size 10000] [--seed 1] [--shared ../shared]

A fresh SQLite database gets the reference data, the French geography and `--size` synthetic
partnerships (`coopatlas generate`, as benchmarks/generate.py), then, in this process, the page
and the feed of all France are requested through Django's test client (whole request: scope,
queries, template or iCal), over 12 and 24 months, cold then warm, with how many happenings the
window held and how many were kept (insights.calendar.LIMIT).
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


def measure(size: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import QueryDict
    from django.test import Client

    from coopatlas.atlas.models import Event, Partnership
    from coopatlas.insights import calendar as agenda
    from coopatlas.insights.dashboard import scope_from

    # The pages name their static files through the manifest, as `coopatlas serve` builds it.
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"atlas : {Partnership.objects.count()} partenariats, {Event.objects.count()} événements")
    client = Client(HTTP_HOST="127.0.0.1")
    for months in (12, 24):
        query, _scope = scope_from(QueryDict())
        chosen = agenda.build(query, Partnership.objects.published(), agenda.Window(_today(), months))
        print(
            f"{months} mois : {chosen.count} dans la fenêtre, "
            f"{len(chosen.happenings)} gardés (plafond {agenda.LIMIT})"
        )
        for path in ("/calendrier/", "/calendrier.ics"):
            times = []
            for _ in range(4):
                started = time.monotonic()
                response = client.get(path, {"mois": months})
                times.append(time.monotonic() - started)
                assert response.status_code == 200, response.status_code
            print(
                f"  {path:<16} {size} partenariats, {months} mois : froid {times[0]:.2f} s, "
                f"chaud {statistics.median(times[1:]):.2f} s, {len(response.content) / 1e3:.0f} ko, "
                f"charge {os.getloadavg()[0]:.1f}",
                flush=True,
            )


def _today():
    from django.utils import timezone

    return timezone.localdate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--shared", default=os.environ.get("COOPATLAS_SHARED_DIR") or str(ROOT.parent / "shared")
    )
    args = parser.parse_args()
    with bench_generate.synthetic_atlas(
        args.size, args.seed, Path(args.shared), prefix="coopatlas-bench-calendar-"
    ):
        measure(args.size)


if __name__ == "__main__":
    main()
