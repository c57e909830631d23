"""`coopatlas serve --prod` with 1, then 2 and more gunicorn workers: requests per second per page.

Usage: python benchmarks/serve_prod.py [--postgres postgres://postgres@127.0.0.1:5432]
                                       [--workers 1,2,4] [--clients 8] [--seconds 8]
                                       [--cache redis://127.0.0.1:6379/12 | db | none]

A PostgreSQL database `coopatlas_bench_serve_prod` is made afresh with the demo atlas
(`coopatlas load-demo`) and prepared once (`serve --prod --prepare-only`: French geography,
places, index, static files). Then, for each worker count, a `coopatlas serve --prod` (production
settings, 4 threads per worker) is started on loopback and `--clients` threads (stdlib
http.client, one keep-alive connection each, sending X-Forwarded-Proto as the proxy does) ask
one page after another for `--seconds` each, after one warming request. Printed: requests per
second and the median latency per page and worker count, and the machine's cores and load (the
figures depend on both: on a shared two-core machine, two workers cannot double anything).
"""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
DATABASE = "coopatlas_bench_serve_prod"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    cache = "" if args.cache == "none" else args.cache
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": f"{args.postgres}/{DATABASE}",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COOPATLAS_VAR_DIR": str(var_dir),
        "COOPATLAS_CACHE_URL": cache,
        "COOPATLAS_REQUEST_LOG_LEVEL": "WARNING",  # the figures, not a million log lines
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
    }


def cli(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *arguments],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def fresh_database(args: argparse.Namespace) -> None:
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')


def pages(args: argparse.Namespace) -> dict[str, str]:
    with psycopg.connect(f"{args.postgres}/{DATABASE}") as connection:
        (partnership,) = connection.execute(
            "SELECT id FROM atlas_partnership WHERE external_ref = 'demo:clermont-rivm'"
        ).fetchone()
        (organisation,) = connection.execute(
            "SELECT id FROM atlas_organisation WHERE name = 'Boulogne-Billancourt'"
        ).fetchone()
    return {
        "home": "/",
        "search": "/recherche/?q=jumelage",
        "partnership": f"/partenariats/{partnership}/",
        "organisation": f"/organisations/{organisation}/",
        "country": "/pays/DE/",
        "api list": "/api/v1/partnerships?limit=20",
        "health": "/sante/",
    }


class Served:
    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "coopatlas.cli", "serve", "--prod", "--no-worker"]
        command += ["--workers", str(workers), "--threads", "4", "--bind", f"127.0.0.1:{self.port}"]
        self.output = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            command, cwd=REPO, env=env, stdout=self.output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/sante/")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}")
            time.sleep(0.5)
        raise SystemExit(f"no answer from /sante/ in 300 s: see {log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.output.close()


def get(port: int, path: str, connection: http.client.HTTPConnection | None = None) -> tuple[int, float]:
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"})
        answer = connection.getresponse()
        answer.read()
        return answer.status, time.perf_counter() - started
    finally:
        if own:
            connection.close()


def hammer(port: int, path: str, clients: int, seconds: float) -> tuple[float, float, int]:
    """Return requests per second, the median latency (s) and the errors of `clients` threads
    asking `path` for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            try:
                status, elapsed = get(port, path, connection)
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            mine.append(elapsed)
            failed += status >= 400
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    median = latencies[len(latencies) // 2] if latencies else float("nan")
    return len(latencies) / elapsed, median, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    var_dir = Path(tempfile.gettempdir()) / "coopatlas-bench-serve-prod"
    var_dir.mkdir(exist_ok=True)
    env = environment(args, var_dir)
    started = time.perf_counter()
    fresh_database(args)
    cli(env, "load-demo")
    cli(env, "serve", "--prod", "--prepare-only")
    print(f"demo atlas on PostgreSQL, prepared in {time.perf_counter() - started:.0f} s; cache: {args.cache}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    addresses = pages(args)
    counts = [int(n) for n in args.workers.split(",")]
    table: dict[str, list[str]] = {name: [] for name in addresses}
    for workers in counts:
        server = Served(env, workers, var_dir / f"server-{workers}.log")
        try:
            for name, path in addresses.items():
                status, first = get(server.port, path)  # warm: this worker's models, the cache
                assert status == 200, (path, status)
                rate, median, errors = hammer(server.port, path, args.clients, args.seconds)
                cell = f"{rate:7.1f}/s p50 {median * 1000:5.0f} ms" + (f" {errors} err" if errors else "")
                table[name].append(cell)
        finally:
            server.stop()
    print(f"\n{args.clients} clients, {args.seconds:.0f} s per page, 4 threads per worker")
    print(f"{'page':<14}" + "".join(f"{f'{n} worker(s)':<28}" for n in counts))
    for name, cells in table.items():
        print(f"{name:<14}" + "".join(f"{cell:<28}" for cell in cells))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
