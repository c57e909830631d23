"""Time an authority's widget over a large synthetic atlas and print the figures: the widget page
(list and map, list only, in English), its theme stylesheet, its script, and a revalidation (304).

Usage: python benchmarks/widgets.py [--size 100000] [--rebuild] [--seed 1] [--runs 30]
       python benchmarks/widgets.py --db VAR_DIR|postgres://… [--size N --rebuild]

The atlas: /tmp/coopatlas-widgets-bench-N (N = --size, 10,000 by default), made when missing or
with --rebuild (`coopatlas serve --prepare-only --no-demo`, then `coopatlas generate
--partnerships N`); or the one --db names (with --rebuild, a PostgreSQL database named there is
recreated and generated).

The authority is the French authority with the most published partnerships. Each answer goes
through Django's test client in this process (URL routing, every middleware, the view, the
template), after one untimed first call of each (what a process loads once): "cold" is asked
`--runs` times with an empty cache (the rows read from the database, the page rendered), as after
a new publication; "warm" `--runs` times with the page remembered under the index's version.
Printed: median and p95 of the wall time in milliseconds, the median CPU time of the thread
(which SQLite's work runs in: a figure less shaken by other processes on the machine), and the
size of the answer.

Target (issue 17, "Run it for a whole country"): under 50 ms of server time.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def build(n: int, seed: int, env: dict[str, str]) -> None:
    """Make an atlas of `n` synthetic partnerships where `env` points."""
    for command in (
        ["serve", "--prepare-only", "--no-demo"],
        ["generate", "--partnerships", str(n), "--seed", str(seed)],
    ):
        started = time.monotonic()
        print(f"$ coopatlas {' '.join(command)}", flush=True)
        done = subprocess.run([sys.executable, "-m", "coopatlas.cli", *command], env=env, check=False)  # noqa: S603
        if done.returncode:
            sys.exit(f"coopatlas {command[0]} a échoué (statut {done.returncode}).")
        print(f"  {time.monotonic() - started:.0f} s", flush=True)


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000, metavar="N", help="partenariats synthétiques")
    parser.add_argument("--rebuild", action="store_true", help="refaire l'atlas même s'il existe")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="dossier var d'un atlas SQLite, ou URL postgres://")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    db = args.db
    postgres = bool(db and db.startswith(("postgres://", "postgresql://")))
    if postgres:
        os.environ["DATABASE_URL"] = db
        os.environ["COOPATLAS_VAR_DIR"] = "/tmp/coopatlas-widgets-bench-pg"  # noqa: S108 — secret key, static files
        missing = False
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["COOPATLAS_VAR_DIR"] = db or f"/tmp/coopatlas-widgets-bench-{args.size}"  # noqa: S108
        missing = not Path(os.environ["COOPATLAS_VAR_DIR"], "coopatlas.sqlite3").exists()
    Path(os.environ["COOPATLAS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    if args.rebuild or missing:
        if postgres:
            _recreate_postgres(db)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(os.environ["COOPATLAS_VAR_DIR"], f"coopatlas.sqlite3{suffix}").unlink(missing_ok=True)
        env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}{os.pathsep}{ROOT}")
        build(args.size, args.seed, env)

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db.models import Count, Q
    from django.test import Client

    from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS
    from coopatlas.atlas.models import Organisation, Partnership

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    published = Partnership.objects.published()
    authority = (
        Organisation.objects.filter(kind__in=FRENCH_AUTHORITY_KINDS)
        .annotate(
            n=Count("participations", filter=Q(participations__partnership__publication_state="published"))
        )
        .order_by("-n")
        .values_list("pk", "name", "n")
        .first()
    )
    if authority is None:
        sys.exit("Aucune collectivité française dans l'atlas : rien à mesurer.")
    pk, name, count = authority
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"atlas ({engine}) : {published.count()} partenariats publiés")
    print(f"collectivité mesurée : {name} (n° {pk}), {count} partenariats publiés")

    client = Client()
    asks = [
        ("widget liste et carte", f"/widgets/{pk}/"),
        ("widget liste seule", f"/widgets/{pk}/?vue=liste&compact=1"),
        ("widget en anglais", f"/widgets/{pk}/?langue=en&couleur=c9191e"),
        ("feuille de style", "/widgets/theme.css?couleur=c9191e&fond=fafafa"),
        ("script", f"/widgets/{pk}.js?couleur=c9191e"),
    ]

    cpu: list[float] = []  # the CPU time of the last call (its thread's: SQLite runs in it)

    def timed(path: str, **headers) -> tuple[float, int, int]:
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(path, **headers)
        elapsed = time.perf_counter() - started
        cpu[:] = [time.thread_time() - started_cpu]
        return elapsed, response.status_code, len(response.content)

    # The process's first answers load what a server loads once (templates, the collation
    # table, the static manifest): asked once untimed, their time shown apart.
    for label, path in asks:
        seconds, status, _size = timed(path)
        print(f"premier appel du processus, {label} : {ms(seconds)} (statut {status})")
    print(
        f"\n{'réponse':<24}{'froid méd.':>11}{'froid p95':>11}{'CPU méd.':>10}"
        f"{'chaud méd.':>11}{'chaud p95':>11}{'CPU méd.':>10}{'taille':>10}"
    )
    print("-" * 98)
    for label, path in asks:
        cold, warm, cold_cpu, warm_cpu = [], [], [], []
        size = 0
        for _ in range(args.runs):
            cache.clear()
            seconds, status, size = timed(path)
            assert status == 200, (path, status)
            cold.append(seconds)
            cold_cpu += cpu
        for _ in range(args.runs):
            seconds, status, size = timed(path)
            warm.append(seconds)
            warm_cpu += cpu
        print(
            f"{label:<24}{ms(statistics.median(cold)):>11}{ms(percentile(cold, 0.95)):>11}"
            f"{ms(statistics.median(cold_cpu)):>10}"
            f"{ms(statistics.median(warm)):>11}{ms(percentile(warm, 0.95)):>11}"
            f"{ms(statistics.median(warm_cpu)):>10}{size / 1000:>8.1f} ko"
        )
    # A browser or a cache asking again with the ETag it has.
    etag = client.get(f"/widgets/{pk}/")["ETag"]
    again = []
    for _ in range(args.runs):
        seconds, status, _size = timed(f"/widgets/{pk}/", HTTP_IF_NONE_MATCH=etag)
        assert status == 304, status
        again.append(seconds)
    print(
        f"{'revalidation (304)':<24}{'':>22}"
        f"{ms(statistics.median(again)):>11}{ms(percentile(again, 0.95)):>11}"
    )
    print("\nObjectif : moins de 50 ms de temps serveur.")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    main()
