"""Many clients at once on loopback: requests per second, latency percentiles, errors, memory.

Usage: python benchmarks/load.py [--db VAR_DIR|FILE|postgres://…] [--build N | --sizes 10000,100000]
                                 [--postgres] [--clients 20] [--duration 60] [--mix pages,api]
                                 [--url URL --pid PID]

`--clients` threads (stdlib http.client, one keep-alive connection each) ask a `coopatlas serve` on
loopback (or --url) for `--duration` seconds, each one address after another drawn from the mix:
pages (home, searches by word, country, zone and years, partnerships and organisations drawn from
the atlas, a country page) and API (lists by country and page, searches with the page's
parameters, one partnership). A client stops asking at the end of the time; the request it has
in flight is awaited (up to --timeout) and counted. Printed: requests per second, p50/p95/p99 of
the latency, the errors (an exception or a status of 400 or more), overall and per kind, and the
server's resident memory (RSS and its peak, from /proc) before and after.

Target (issue "Search at national scale"): 20 clients for 60 s on a mix of pages and API on
loopback, 0 errors.
"""

import argparse
import http.client
import random
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

import serving


def addresses(atlas: serving.Atlas, seed: int) -> dict[str, list[str]]:
    """Return the addresses of each kind of the mix, the examples drawn from the atlas."""
    connection, _placeholder = atlas.connect()
    cursor = connection.cursor()
    cursor.execute("SELECT id FROM atlas_partnership WHERE publication_state = 'published'")
    partnerships = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT DISTINCT pa.organisation_id FROM atlas_participation pa "
        "JOIN atlas_partnership p ON p.id = pa.partnership_id WHERE p.publication_state = 'published'"
    )
    organisations = [row[0] for row in cursor.fetchall()]
    connection.close()
    chosen = random.Random(seed)
    some_partnerships = chosen.sample(partnerships, min(50, len(partnerships)))
    some_organisations = chosen.sample(organisations, min(50, len(organisations)))
    searches = ["q=jumelage", "pays=DE", "zone=africa", "debut_min=1990&debut_max=2005", "q=jumelage&pays=IT"]
    return {
        "pages": [
            "/",
            *(f"/recherche/?{query}" for query in searches),
            *(f"/partenariats/{pk}/" for pk in some_partnerships[:10]),
            *(f"/organisations/{pk}/" for pk in some_organisations[:5]),
            "/pays/DE/",
        ],
        "api": [
            "/api/v1/partnerships?limit=20",
            "/api/v1/partnerships?country=DE&limit=20",
            "/api/v1/partnerships?limit=20&offset=200",
            *(f"/api/v1/partnerships?{query}" for query in searches),
            *(f"/api/v1/partnerships/{pk}" for pk in some_partnerships[:10]),
        ],
    }


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(error)


def client(
    base: str, mix: list[tuple[str, str]], stop_at: float, timeout: float, seed: int, results: Results
):
    """Ask addresses of the mix one after another on one keep-alive connection until `stop_at`."""
    chosen = random.Random(seed)
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    while time.monotonic() < stop_at:
        kind, path = chosen.choice(mix)
        started = time.perf_counter()
        error = None
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                error = f"{response.status} {path}"
        except (OSError, http.client.HTTPException) as exception:
            error = f"{type(exception).__name__} {path}"
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        results.add(kind, time.perf_counter() - started, error)
    connection.close()


def measure(atlas: serving.Atlas, args: argparse.Namespace) -> None:
    print(f"\n=== {atlas.describe()} ({atlas.engine}) ===", flush=True)
    kinds = addresses(atlas, args.seed)
    mix = [(kind, path) for kind in args.mix.split(",") for path in kinds[kind]]
    with serving.coopatlas_server(atlas, args) as server:
        print(serving.describe_memory("avant", server.pid), flush=True)
        results = Results()
        print(f"{args.clients} clients pendant {args.duration:.0f} s sur {len(mix)} adresses…", flush=True)
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=client,
                args=(server.url, mix, started + args.duration, args.timeout, args.seed + n, results),
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        print(serving.describe_memory("après", server.pid), flush=True)
    print(f"\ndurée réelle {elapsed:.1f} s (les requêtes en cours à la fin attendues)")
    header = f"{'genre':<10}{'requêtes':>10}{'req/s':>9}{'p50':>10}{'p95':>10}{'p99':>10}{'erreurs':>9}"
    print(header)
    print("-" * len(header))
    every = [seconds for latencies in results.latencies.values() for seconds in latencies]
    for kind, latencies in [*sorted(results.latencies.items()), ("tout", every)]:
        errors = sum(results.errors.values()) if kind == "tout" else results.errors[kind]
        print(
            f"{kind:<10}{len(latencies):>10}{len(latencies) / elapsed:>9.2f}"
            f"{serving.ms(serving.percentile(latencies, 0.50)):>10}"
            f"{serving.ms(serving.percentile(latencies, 0.95)):>10}"
            f"{serving.ms(serving.percentile(latencies, 0.99)):>10}{errors:>9}"
        )
    for sample in results.error_samples:
        print(f"  !!! erreur : {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    serving.add_atlas_arguments(parser)
    parser.add_argument("--clients", type=int, default=20, help="clients simultanés (défaut 20)")
    parser.add_argument("--duration", type=float, default=60, help="durée en secondes (défaut 60)")
    parser.add_argument(
        "--mix", default="pages,api", help="genres d'adresses : pages, api ou les deux (défaut)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="attente maximale d'une réponse (défaut 300 s)"
    )
    args = parser.parse_args()
    for atlas in serving.atlases(args):
        measure(atlas, args)


if __name__ == "__main__":
    main()
