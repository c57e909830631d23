"""A tour of every page type on a running server: median and p95 of each, and the server's memory.

Usage: python benchmarks/pages.py [--db VAR_DIR|FILE|postgres://…] [--build N | --sizes 10000,100000]
                                  [--postgres] [--runs 7] [--timeout 120] [--url URL --pid PID]

A `coopatlas serve` on loopback (or --url) is asked, as an anonymous visitor, the home page, the
search (empty and with a word), a partnership and its printable sheet, the organisation with the
most published partnerships, the country with the most, the map and its data, the dashboard and
its data, the network view, the watch lists, the API's list, and exports (the CSV and JSON of a
country's result, the whole CSV). Each page is asked once untimed (its status and size shown),
then `--runs` times, the pages interleaved. A page that does not answer within --timeout is
shown so and not asked again (its thread may go on working in the server). The resident memory
(RSS, and its peak) of the server process is read from /proc after start and after the tour.

Target (issue "Search at national scale"): none over 1 s at p95 at 100,000 partnerships, exports
aside; a web process under 300 MB.
"""

import argparse
import math

import serving


def tour(atlas: serving.Atlas) -> list[tuple[str, str]]:
    """Return (label, path) of the pages to visit, the examples chosen in the atlas."""
    connection, _placeholder = atlas.connect()
    cursor = connection.cursor()
    cursor.execute("SELECT min(p.id) FROM atlas_partnership p WHERE p.publication_state = 'published'")
    partnership = cursor.fetchone()[0]
    cursor.execute(
        "SELECT pa.organisation_id, count(*) n FROM atlas_participation pa "
        "JOIN atlas_partnership p ON p.id = pa.partnership_id WHERE p.publication_state = 'published' "
        "GROUP BY pa.organisation_id ORDER BY n DESC LIMIT 1"
    )
    organisation = cursor.fetchone()[0]
    cursor.execute(
        "SELECT o.country_id, count(DISTINCT pa.partnership_id) n FROM atlas_participation pa "
        "JOIN atlas_organisation o ON o.id = pa.organisation_id "
        "JOIN atlas_partnership p ON p.id = pa.partnership_id "
        "WHERE p.publication_state = 'published' AND o.country_id <> 'FR' "
        "GROUP BY o.country_id ORDER BY n DESC LIMIT 1"
    )
    row = cursor.fetchone()
    country = row[0] if row else "DE"
    connection.close()
    return [
        ("accueil", "/"),
        ("recherche", "/recherche/"),
        ("recherche mot", "/recherche/?q=jumelage"),
        ("partenariat", f"/partenariats/{partnership}/"),
        ("fiche PDF", f"/partenariats/{partnership}/fiche.pdf"),
        ("grande organisation", f"/organisations/{organisation}/"),
        (f"pays {country}", f"/pays/{country}/"),
        ("carte", "/carte/"),
        ("carte : pays", "/carte/pays.json"),
        ("carte : lieux", "/carte/lieux.geojson"),
        ("tableau de bord", "/tableau-de-bord/"),
        ("tableau : pays", "/tableau-de-bord/pays.json"),
        ("réseau", "/tableau-de-bord/reseau/"),
        ("veille", "/tableau-de-bord/veille/"),
        ("API liste", "/api/v1/partnerships?limit=20"),
        ("API partenariat", f"/api/v1/partnerships/{partnership}"),
        (f"export CSV {country}", f"/exporter/?pays={country}&format=csv"),
        (f"export JSON {country}", f"/exporter/?pays={country}&format=json"),
        ("export CSV complet", "/exporter/?format=csv"),
    ]


def measure(atlas: serving.Atlas, args: argparse.Namespace) -> None:
    print(f"\n=== {atlas.describe()} ({atlas.engine}) ===", flush=True)
    pages = tour(atlas)
    with serving.coopatlas_server(atlas, args) as server:
        print(serving.describe_memory("après le démarrage", server.pid), flush=True)
        times: dict[str, list[float]] = {label: [] for label, _path in pages}
        gave_up: dict[str, str] = {}
        print("\nPremier passage (non chronométré)", flush=True)
        for label, path in pages:
            outcome = ask(server.url + path, args.timeout)
            if isinstance(outcome, str):
                gave_up[label] = outcome
                print(f"  {label:<22} {path:<45} {outcome}", flush=True)
                continue
            status, size, seconds = outcome
            # A large export is handed to the worker: the page answers with a redirect to the
            # export's job (its time to the file is measured by benchmarks/exports.py).
            expected = (200, 302) if label.startswith("export") else (200,)
            flag = "" if status in expected else "  !!! statut inattendu"
            flag += "  (confié au worker)" if status == 302 else ""
            print(f"  {label:<22} {path:<45} {status} {size / 1e6:8.2f} Mo {serving.ms(seconds):>9}{flag}")
            if status not in expected:
                gave_up[label] = f"statut {status}"
        print(serving.describe_memory("après le premier passage", server.pid), flush=True)
        for number in range(args.runs):
            for label, path in pages:
                if label in gave_up:
                    continue
                outcome = ask(server.url + path, args.timeout)
                if isinstance(outcome, str):
                    gave_up[label] = outcome
                else:
                    times[label].append(outcome[2])
            print(f"  passage {number + 1}/{args.runs}", flush=True)
        print(serving.describe_memory("après la visite", server.pid), flush=True)
    print(f"\n{'page':<22}{'médiane':>10}{'p95':>10}  ")
    print("-" * 44)
    slow = []
    for label, _path in pages:
        if label in gave_up and not times[label]:
            print(f"{label:<22}{gave_up[label]:>20}")
            slow += [] if label.startswith("export") else [label]
            continue
        p95 = serving.percentile(times[label], 0.95)
        if p95 > 1 and not label.startswith("export"):
            slow.append(label)
        print(f"{label:<22}{serving.ms(serving.median(times[label])):>10}{serving.ms(p95):>10}")
    print(f"\nAu-delà de 1 s au p95 (exports mis à part) : {', '.join(slow) or 'aucune'}")


def ask(url: str, timeout: float) -> tuple[int, int, float] | str:
    """Return (status, size, seconds) of a GET, or why it gave nothing."""
    try:
        status, body, seconds = serving.get(url, timeout=timeout)
    except TimeoutError:
        return f"pas de réponse en {timeout:.0f} s"
    except OSError as error:
        return f"erreur : {error}"
    return status, len(body), seconds if math.isfinite(seconds) else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    serving.add_atlas_arguments(parser)
    parser.add_argument("--runs", type=int, default=7, help="passages chronométrés par page (défaut 7)")
    parser.add_argument(
        "--timeout", type=float, default=120, help="attente maximale d'une page (défaut 120 s)"
    )
    args = parser.parse_args()
    for atlas in serving.atlases(args):
        measure(atlas, args)


if __name__ == "__main__":
    main()
