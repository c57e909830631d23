"""Resolve the towns of the real twin-town datasets and print how well and how fast.

Usage: python benchmarks/resolution.py [--shared ../shared] [--limit N]

Reads ../shared/data/twins_wikipedia_hekman/ (CC BY-SA 4.0, Wikipedia contributors via
Hekman/twincities): the French pairs file (French side checked by INSEE code, partner side by
distance) and the worldwide geocoded pairs (every distinct town checked by distance). A town is
"right" when the resolved place lies within 25 km of the dataset's own coordinates (or has the
same INSEE code), "wrong" when it is resolved elsewhere. The dataset's own geocodes are not all
correct, so a few "wrong" answers are the dataset's errors.
"""

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def country_of(raw: str) -> str | None:
    from coopatlas.places.countries import country_code_for

    raw = raw.strip()
    if code := country_code_for(raw):
        return code
    if "," in raw:  # "Ohio, United States", "Réunion, France"
        return country_code_for(raw.rsplit(",", 1)[1])
    return None


def admin_of(raw: str) -> str | None:
    return raw.split(",", 1)[0].strip() if "," in raw else None


def dataset_point_in_country(items: list[tuple]) -> list[bool]:
    """Tell, for each item, whether the dataset's own point lies in the stated country (nearest
    GeoNames town by reverse-geocode); points abroad are the dataset's geocoding errors."""
    import reverse_geocode

    located = [(i, (lat, lon)) for i, (_n, _c, _a, lat, lon, _x) in enumerate(items) if lat is not None]
    verdict = [True] * len(items)
    if not located:
        return verdict
    found = reverse_geocode.search([point for _, point in located])
    for (i, _point), place in zip(located, found, strict=True):
        country = items[i][1]
        if country and place.get("country_code") and place["country_code"] != country:
            verdict[i] = False
    return verdict


def evaluate(
    resolver,
    items: list[tuple[str, str | None, str | None, float | None, float | None, str | None]],
    label: str,
    show_errors: int,
) -> dict:
    """Resolve (name, country, admin, lat, lon, insee) items; print and return the figures."""
    from coopatlas.core.geo import distance_km

    right = wrong = unresolved = located = misplaced = admin_near = unknown = ambiguous = 0
    errors: list[str] = []
    in_country = dataset_point_in_country(items)
    started = time.perf_counter()
    results = []
    for name, country, admin, _lat, _lon, _insee in items:
        try:
            results.append(resolver.resolve(name, country=country, admin=admin))
        except ValueError:
            results.append(None)
    elapsed = time.perf_counter() - started
    for (name, country, admin, lat, lon, insee), result, trusted in zip(
        items, results, in_country, strict=True
    ):
        has_truth = insee is not None or (lat is not None and trusted)
        misplaced += lat is not None and not trusted
        located += has_truth
        if result is None or result.match is None:
            unresolved += 1
            if has_truth:
                why = "no reading" if result is None else result.reason
                unknown += why.startswith("aucun lieu connu")
                ambiguous += result is not None and result.is_ambiguous
            continue
        match = result.match
        if not has_truth:
            continue
        if insee is not None and match.insee_code == insee:
            right += 1
        elif (
            lat is not None
            and match.latitude is not None
            and distance_km(lat, lon, match.latitude, match.longitude) <= 25
        ):
            right += 1
        else:
            # A region's or county's centre depends on who computed it: note the near misses.
            if (
                match.kind in ("admin1", "admin2", "region", "departement", "epci")
                and lat is not None
                and (
                    match.latitude is not None
                    and distance_km(lat, lon, match.latitude, match.longitude) <= 100
                )
            ):
                admin_near += 1
            wrong += 1
            if len(errors) < show_errors:
                where = (
                    f"{distance_km(lat, lon, match.latitude, match.longitude):.0f} km"
                    if (lat is not None and match.latitude is not None)
                    else "no point"
                )
                errors.append(
                    f"    {name!r} ({country}, {admin}) → {match.name} [{match.kind} {match.country_iso2}] "
                    f"{where} · {result.reason}"
                )
    total = len(items)
    figures = {
        "names": total,
        "located_by_dataset": located,
        "resolved": (total - unresolved) / total,
        "right": right / located if located else 0.0,
        "wrong": wrong / located if located else 0.0,
        "names_per_second": total / elapsed if elapsed else float("inf"),
    }
    print(
        f"{label}: {total} names, {located} located by the dataset in their stated country"
        f" ({misplaced} dataset points lie in another country and are not scored)"
    )
    figures["right_among_resolved"] = right / (right + wrong) if right + wrong else 0.0
    print(
        f"  resolved {figures['resolved']:.1%} · right {figures['right']:.2%} · wrong {figures['wrong']:.2%}"
        f" · right among those resolved {figures['right_among_resolved']:.2%}"
        f" · {figures['names_per_second']:,.0f} names/s"
    )
    if located:
        print(
            f"  of those located and not resolved: {unknown / located:.2%} have no place of that name"
            f" in the gazetteer (in their country), {ambiguous / located:.2%} are ambiguous"
            " (homonyms of similar size), the rest are ruled out by their hint"
        )
    if admin_near:
        print(
            f"  of the wrong: {admin_near} regions or counties whose centre is 25–100 km from the dataset's"
        )
    if errors:
        print("  some wrong answers:")
        print("\n".join(errors))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--limit", type=int, default=0, help="at most N names per set (0: all)")
    parser.add_argument("--errors", type=int, default=8, help="how many wrong answers to print")
    args = parser.parse_args()
    folder = Path(args.shared) / "data" / "twins_wikipedia_hekman"
    if not folder.exists():
        print(f"skipped: {folder} is absent (the twin-town datasets live in ../shared/data)")
        return 0

    import django

    django.setup()
    from coopatlas.places import resolver as resolver_module

    started = time.perf_counter()
    resolver = resolver_module.get_resolver()
    startup = time.perf_counter() - started
    print(
        f"start-up: {startup:.1f} s ({len(resolver.gazetteer.places):,} places, "
        f"French communes {'loaded' if resolver.gazetteer.has_french_communes else 'NOT loaded'})"
    )

    french_side, partners = [], []
    with (folder / "derived_france_pairs_insee.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["is_duplicate"] == "True":
                continue
            insee = row["fr_insee_code"] or None
            if insee and row["fr_insee_type"] in ("commune-actuelle", "commune-deleguee"):
                french_side.append((row["fr_name_wikipedia"], "FR", None, None, None, insee))
            lat = float(row["partner_lat"]) if row["partner_lat"] else None
            lon = float(row["partner_lng"]) if row["partner_lng"] else None
            partners.append(
                (
                    row["partner_name"],
                    country_of(row["partner_country_raw"]),
                    admin_of(row["partner_country_raw"]),
                    lat,
                    lon,
                    None,
                )
            )
    world: dict[tuple[str, str], tuple] = {}
    with (folder / "twin_cities_geocoded.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for side in ("1", "2"):
                name, raw_country = row[f"city{side}"], row[f"country{side}"]
                lat, lon = row[f"lat{side}"], row[f"lng{side}"]
                if (name, raw_country) in world or not lat:
                    continue
                if float(lat) == 0 and float(lon) == 0:
                    continue
                world[(name, raw_country)] = (
                    name,
                    country_of(raw_country),
                    admin_of(raw_country),
                    float(lat),
                    float(lon),
                    None,
                )
    sets = [
        ("French side (INSEE code)", french_side),
        ("Partners of French towns", partners),
        ("All towns of the worldwide pairs", list(world.values())),
    ]
    for label, items in sets:
        evaluate(resolver, items[: args.limit or None], label, args.errors)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory (resident set): {peak_kb / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
