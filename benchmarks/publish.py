"""Bulk publication of an import batch: the real French twin-town pairs imported as drafts, then
published in one action by an administrator, as the review page's "Publier les N brouillons"
does (accounts' rules checked per record, a history row and a publication step each, the search
index brought up to date on commit). Prints the records published and the seconds taken.

Usage: python benchmarks/publish.py [--shared ../shared] [--var-dir DIR]

The rows: ../shared/data/twins_wikipedia_hekman/derived_france_pairs_insee.csv (CC BY-SA 4.0,
Wikipedia contributors via Hekman/twincities), imported by `coopatlas import --state draft` into
a fresh SQLite atlas.

Target (issue "A shared atlas"): the batch of 3,504 records published in under 10 s on SQLite.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = Path("data") / "twins_wikipedia_hekman" / "derived_france_pairs_insee.csv"


def _coopatlas(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "coopatlas.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument(
        "--var-dir", type=Path, default=None, help="atlas folder (default: a new temporary one)"
    )
    args = parser.parse_args()
    pairs = args.shared / PAIRS
    if not pairs.exists():
        print(f"Fichier absent : {pairs} (donnez --shared).")
        return 2
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="coopatlas-publish-"))
    env = {**os.environ, "COOPATLAS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop("DATABASE_URL", None)
    print(f"atlas : {var_dir}")
    _coopatlas(env, "serve", "--prepare-only", "--no-demo")
    _coopatlas(env, "import", str(pairs), "--source", "twins", "--state", "draft")

    os.environ.update({"COOPATLAS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings.base"})
    os.environ.pop("DATABASE_URL", None)
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from coopatlas.accounts.models import Role, RoleKind
    from coopatlas.atlas.models import ImportBatch, Partnership
    from coopatlas.atlas.services.workflow import partnerships_publish

    batch = ImportBatch.objects.order_by("-pk").first()
    admin, _ = get_user_model().objects.get_or_create(
        username="equipe@example.org", email="equipe@example.org"
    )
    Role.objects.get_or_create(user=admin, kind=RoleKind.ADMINISTRATOR)
    drafts = Partnership.objects.filter(created_by_batch=batch, publication_state="draft")
    count = drafts.count()
    started = time.perf_counter()
    outcome = partnerships_publish(drafts.iterator(chunk_size=2000), acting_user=admin, batch=batch)
    seconds = time.perf_counter() - started
    published = Partnership.objects.published().count()
    print(
        f"lot n° {batch.pk} : {count} brouillons ; {outcome.published} publiés, "
        f"{len(outcome.refused)} refusés"
    )
    print(
        f"publication en bloc : {seconds:.2f} s ({outcome.published / seconds:.0f} par seconde) ; "
        f"publiés dans l'atlas : {published}"
    )
    ok = outcome.published == count == published

    # The same batch as drafts again, published by the coordinator of Île-de-France: each record
    # is checked against the coordinator's territory (one query per record for its footprint).
    from coopatlas.accounts.models import RoleKind as Kind

    drafts_again = Partnership.objects.filter(created_by_batch=batch)
    drafts_again.update(publication_state="draft")  # the benchmark's own reset, not a user's write
    coordinator, _ = get_user_model().objects.get_or_create(
        username="idf@example.org", email="idf@example.org"
    )
    Role.objects.get_or_create(user=coordinator, kind=Kind.COORDINATOR, region_id="11")
    started = time.perf_counter()
    outcome = partnerships_publish(
        drafts_again.iterator(chunk_size=2000), acting_user=coordinator, batch=batch
    )
    seconds = time.perf_counter() - started
    print(
        f"par la coordination d'Île-de-France : {outcome.published} publiés, "
        f"{len(outcome.refused)} hors de son périmètre, en {seconds:.2f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
