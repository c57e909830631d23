"""Time `coopatlas serve` from a fresh var/ to the first 200 on /, then a second start on the same var/.

Usage: python benchmarks/startup.py [--communes FILE] [--runs 2] [--keep]

Each run starts `coopatlas serve` (as `make run` does, with its background worker) on a free port
with COOPATLAS_VAR_DIR in a temporary folder, so the first start migrates an empty SQLite
database, loads the reference data, the French geography, the demo atlas, locates the
organisations and collects the static files; the later starts reuse that var/. The script prints
when each progress line of the server appeared and when / first answered 200, then stops the
server with Ctrl+C (SIGINT, so that it stops its worker too).

The communes CSV with coordinates is the one `make run` reads when it is beside the checkout
(../shared/data/fr_admin_etalab/derived_communes_2026_with_coords.csv).

Target (issue 15, "Start-up"): the first page within 2 minutes of `make run` on a fresh clone;
a second start in seconds. The figures are printed, never asserted: they depend on the machine.
"""

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = ROOT.parent / "shared" / "data" / "fr_admin_etalab" / "derived_communes_2026_with_coords.csv"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http://127.0.0.1 only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def start_once(
    var_dir: Path, communes: Path | None, timeout: float = 900
) -> tuple[float, list[tuple[float, str]]]:
    """Start the server, wait for a 200 on /, stop it; return the seconds to that 200 and the
    server's lines with the second each appeared at."""
    port = free_port()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, COOPATLAS_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", COLUMNS="120")
    env["COOPATLAS_COMMUNES_CSV"] = str(communes) if communes else ""
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")]))
    started = time.monotonic()
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in server.stdout:
            if line.strip():
                lines.append((time.monotonic() - started, line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/"
    try:
        while answers(url) != 200:
            if server.poll() is not None:
                raise SystemExit("the server stopped before answering:\n" + "\n".join(t for _, t in lines))
            if time.monotonic() - started > timeout:
                raise SystemExit(f"no 200 on / after {timeout:.0f} s")
            time.sleep(0.2)
        seconds = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=5)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, lines


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communes", type=Path, default=COMMUNES if COMMUNES.exists() else None)
    parser.add_argument(
        "--runs", type=int, default=2, help="starts on the same var/ (the first one is fresh)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary var/ and say where it is")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="coopatlas-startup-"))
    print(f"coopatlas serve, var/ in {var_dir}, communes: {args.communes or 'none'}, {os.cpu_count()} CPU(s)")
    print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    try:
        for run in range(1, args.runs + 1):
            seconds, cpu, lines = start_once(var_dir, args.communes)
            label = "fresh var/" if run == 1 else "same var/"
            print(f"\nstart {run} ({label}): first 200 on / after {seconds:.1f} s")
            print(f"  CPU used by the server and its worker, start to stop: {cpu:.1f} s")
            for at, text in lines:
                print(f"  {at:7.1f} s  {text}")
        static = var_dir / "static"
        if static.is_dir():
            count, size = folder_size(static)
            print(f"\ncollected static files: {count} files, {size / 1e6:.1f} MB in {static}")
    finally:
        if args.keep:
            print(f"var/ kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
            time.sleep(2)  # the stopping worker may open its queue file once more
            shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
