"""Import every twin-town source onto the demo atlas, in two orders, and print what converged.

Usage: python benchmarks/convergence.py [--shared ../shared] [--engine sqlite|postgres]
                                        [--postgres postgres://postgres@127.0.0.1:5432]

The acceptance of issue "One record per real-world fact", on the whole real files (the test
suite runs the same on samples: tests/ingest/test_one_record.py):

- order A: demo atlas → French pairs (derived_france_pairs_insee.csv) → worldwide pairs
  (twin_cities_geocoded.csv, --all) → our JSON export of the demo → Wikidata P190 pairs;
- order B: our JSON export of the demo (into an atlas with only the reference data) → Wikidata →
  worldwide pairs → French pairs.

After each it prints the counts of every import (created, converged, conflicts…), how many
GeoNames, INSEE, SIREN or Wikidata ids are held by two organisations of the same kind, how many
partnerships share their French and foreign authorities and form, and whether the two orders
end with the same facts (organisations by identifiers, partnerships by their authorities, form,
status and year).
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("import_benchmark", ROOT / "benchmarks" / "import.py")
assert _spec is not None and _spec.loader is not None
import_benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_benchmark)


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}


def coopatlas(url: str, *args: str, capture: bool = False) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *args],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        sys.exit(f"coopatlas {' '.join(args)} → {done.returncode}\n{done.stderr[-2000:]}")
    return done.stdout if capture else ""


def run_import(url: str, path: Path, source: str, *extra: str) -> dict:
    started = time.monotonic()
    out = coopatlas(
        url,
        "import",
        str(path),
        "--source",
        source,
        *extra,
        "--skip-invalid",
        "--json",
        "--quiet",
        "--state",
        "published",
        capture=True,
    )
    report = json.loads(out or "{}")
    counts = report.get("counts", {})
    seconds = time.monotonic() - started
    print(
        f"  {path.name} ({source}{' ' + ' '.join(extra) if extra else ''}) : "
        + ", ".join(
            f"{key} {counts.get(key, 0)}"
            for key in ("created", "converged", "updated", "unchanged", "skipped", "rejected", "conflicts")
        )
        + f" ; organisations créées {counts.get('organisations_created', 0)}, enrichies "
        f"{counts.get('organisations_enriched', 0)} — {seconds:.1f} s"
    )
    return counts


FACTS = """
import json, sys
from collections import Counter
from coopatlas.atlas.models import Organisation, Participation, Partnership
from coopatlas.atlas.rules import IDENTITY_ROLES
shared = {}
for field in ("geonames_id", "insee_code", "siren", "wikidata_id"):
    values = Counter(Organisation.objects.exclude(**{field + "__isnull": True}).values_list("kind", field))
    shared[field] = sum(1 for (kind, value), n in values.items() if n > 1 and value != "")
facts = {}
for o in Organisation.objects.values("pk", "kind", "country_id", "insee_code", "geonames_id", "wikidata_id"):
    ids = [str(o[f] or "") for f in ("insee_code", "geonames_id", "wikidata_id")]
    facts[o["pk"]] = "|".join([o["kind"], o["country_id"], *ids]) if any(ids) else None
members = {}
links = Participation.objects.filter(role__in=IDENTITY_ROLES)
for pid, oid in links.values_list("partnership_id", "organisation_id"):
    members.setdefault(pid, set()).add(oid)
rows = Partnership.objects.values_list("pk", "form", "status", "signature_year")
keys = Counter((frozenset(members.get(pk, ())), form) for pk, form, _, _ in rows)
identified = sorted(
    "&".join(sorted(facts[o] for o in members.get(pk, ()))) + f"#{form}#{status}#{year}"
    for pk, form, status, year in rows
    if members.get(pk) and all(facts[o] for o in members[pk])
)
demo = Partnership.objects.filter(external_ref__startswith="demo:", form="twinning")
print(json.dumps({
    "shared": shared,
    "duplicate_partnerships": sum(n - 1 for n in keys.values() if n > 1),
    "partnerships": len(rows),
    "organisations": len(facts),
    "demo_twinnings": [p.sources.count() for p in demo],
    "identified": identified,
}))
"""


def facts(url: str) -> dict:
    out = coopatlas(url, "manage", "shell", "-c", FACTS, capture=True)
    return json.loads(out.strip().splitlines()[-1])


def report(name: str, found: dict) -> None:
    print(
        f"  → {found['partnerships']} partenariats, {found['organisations']} organisations ; "
        f"identifiants partagés : {found['shared']} ; partenariats en double : "
        f"{found['duplicate_partnerships']} ; jumelages de la démo : {len(found['demo_twinnings'])} "
        f"(sources : {found['demo_twinnings']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    shared = Path(args.shared)
    twins = shared / "data" / "twins_wikipedia_hekman"
    french, world = twins / "derived_france_pairs_insee.csv", twins / "twin_cities_geocoded.csv"
    wikidata = shared / "data" / "twins_wikidata_l3viathan" / "relations.tsv"
    for path in (french, world, wikidata):
        if not path.exists():
            sys.exit(f"fichier absent : {path}")
    with tempfile.TemporaryDirectory(prefix="coopatlas-convergence-") as tmp:
        folder = Path(tmp)
        urls = {}
        for order in ("A", "B"):
            if args.engine == "sqlite":
                urls[order] = f"sqlite:///{folder / f'{order}.sqlite3'}"
            else:
                name = f"coopatlas_convergence_{uuid.uuid4().hex[:8]}_{order.lower()}"
                subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)  # noqa: S603,S607
                urls[order] = f"{args.postgres}/{name}"
            coopatlas(urls[order], "manage", "migrate", "-v", "0")
            import_benchmark.prepare(urls[order], shared)
        export = folder / "demo.json"
        coopatlas(urls["A"], "load-demo")
        coopatlas(urls["A"], "export", "--format", "json", "-o", str(export))
        results = {}
        print("Ordre A : démo → paires françaises → paires mondiales (--all) → export JSON → Wikidata")
        report("A", facts(urls["A"]))
        for path, source, extra in (
            (french, "twins", ()),
            (world, "twins", ("--all",)),
            (export, "json", ()),
            (wikidata, "wikidata", ()),
        ):
            run_import(urls["A"], path, source, *extra)
        results["A"] = facts(urls["A"])
        report("A", results["A"])
        print("Ordre B : export JSON de la démo → Wikidata → paires mondiales (--all) → paires françaises")
        for path, source, extra in (
            (export, "json", ()),
            (wikidata, "wikidata", ()),
            (world, "twins", ("--all",)),
            (french, "twins", ()),
        ):
            run_import(urls["B"], path, source, *extra)
        results["B"] = facts(urls["B"])
        report("B", results["B"])
        a, b = Counter(results["A"]["identified"]), Counter(results["B"]["identified"])
        same = sum((a & b).values())
        print(
            f"Partenariats identifiés (toutes organisations avec identifiant) : A {sum(a.values())}, "
            f"B {sum(b.values())}, identiques {same} ; seulement A {sum((a - b).values())}, "
            f"seulement B {sum((b - a).values())}"
        )
        for line in list((a - b).elements())[:5]:
            print(f"  seulement A : {line}")
        for line in list((b - a).elements())[:5]:
            print(f"  seulement B : {line}")


if __name__ == "__main__":
    main()
