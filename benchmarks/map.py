"""Time the map's data over an existing atlas and print the figures: `/carte/lieux.geojson` at a
world view, a country view, an organisation's view and street level, and one place's popup.

Usage: COOPATLAS_VAR_DIR=/tmp/atlas python benchmarks/map.py [--runs 7]
       (or DATABASE_URL=postgres://… ; build the atlas first, e.g.
        `coopatlas load-reference && coopatlas generate --partnerships 100000 --seed 1`)

Each request goes through Django's test client (the whole view: parameters, queries, JSON, gzip),
first cold then `--runs` times warm; printed: median and worst time, bytes sent gzipped and raw,
features and places counted.

Target (issue "Search at national scale"): the map's first paint under 1 s at 100,000 partnerships.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from coopatlas.atlas.mapping import map_places
    from coopatlas.atlas.models import Organisation, Partnership

    published = Partnership.objects.published().count()
    located = map_places().count()
    biggest = (
        map_places().annotate(n=Count("participations")).order_by("-n").values_list("pk", "name", "n").first()
    )
    if biggest is None:
        sys.exit("Aucune organisation localisée : rien à mesurer.")
    paris = Organisation.objects.filter(pk=biggest[0]).values_list("latitude", "longitude").get()
    print(f"atlas : {published} partenariats publiés, {located} organisations localisées sur la carte")
    print(f"plus grande organisation : {biggest[1]} ({biggest[2]} participations)")
    lat, lon = paris
    views = {
        "monde, premier appel (zoom 2, sans bbox)": {"zoom": 2},
        "monde (zoom 2, bbox)": {"zoom": 2, "bbox": "-180,-85,180,85"},
        "France (zoom 6)": {"zoom": 6, "bbox": "-5.5,41,10,51.5"},
        "page pays DE, premier appel": {"zoom": 2, "pays": "DE"},
        "page pays DE (zoom 5)": {"zoom": 5, "pays": "DE", "bbox": "-10,40,25,58"},
        f"page organisation {biggest[1]}": {"zoom": 2, "organisation": biggest[0]},
        "rue (zoom 12) autour de la plus grande": {
            "zoom": 12,
            "bbox": f"{lon - 0.25:.4f},{lat - 0.12:.4f},{lon + 0.25:.4f},{lat + 0.12:.4f}",
        },
    }
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
    columns = ("froid", "médiane", "pire", "gzip", "brut", "objets", "lieux")
    widths = (8, 8, 8, 9, 10, 7, 7)
    print(f"{'vue':48} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for name, params in views.items():
        times = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            response = client.get("/carte/lieux.geojson", params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (name, response.status_code, response.content[:200])
        raw = gzip.decompress(response.content)
        data = json.loads(raw)
        places = sum(f["properties"]["count"] for f in data["features"])
        warm = times[1:]
        print(
            f"{name[:48]:48} {times[0] * 1000:7.0f}ms {statistics.median(warm) * 1000:7.0f}ms "
            f"{max(warm) * 1000:7.0f}ms {len(response.content) / 1024:7.1f}kB {len(raw) / 1024:8.1f}kB "
            f"{len(data['features']):7} {places:7}"
        )
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(f"/carte/lieux/{biggest[0]}.json")
        times.append(time.perf_counter() - started)
    print(
        f"{'popup de ' + biggest[1]:48} {'':>8} {statistics.median(times) * 1000:7.0f}ms "
        f"{max(times) * 1000:7.0f}ms {len(response.content) / 1024:7.1f}kB"
    )


if __name__ == "__main__":
    main()
