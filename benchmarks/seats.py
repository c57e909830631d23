"""Score the seat finder (places/seats.py) on real addresses it was never tuned on, and print it.

Usage: python benchmarks/seats.py [--cases tests/data/heldout/seats.csv] [--database URL]

The cases are real postal addresses of French organisations, as their own pages write them
(Cedex, BP, arrondissements, abbreviations, overseas), each labelled with the INSEE code of its
current commune by someone who did not see the code (tests/data/heldout/README.md). Nothing in
places/seats.py is changed to fit them: a miss is reported, never tuned away.

Without --database, a fresh SQLite database in a temporary folder gets the French geography
(`coopatlas load-places`, about 20 s).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=str(ROOT / "tests" / "data" / "heldout" / "seats.csv"))
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopatlas-seats-") as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'seats.sqlite3'}"
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.base")
        if not args.database:
            for command in (["manage", "migrate", "-v", "0"], ["load-places"]):
                subprocess.run(  # noqa: S603 - our own command
                    [sys.executable, "-m", "coopatlas.cli", *command],
                    cwd=ROOT,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        from coopatlas.places.seats import SeatIndex

        index = SeatIndex()
        outcomes: Counter[str] = Counter()
        misses = []
        with open(args.cases, encoding="utf-8") as handle:
            for case in csv.DictReader(handle, delimiter=";"):
                seat = index.find(address=case["address"])
                found = seat.commune.insee_code if seat.commune else ""
                if found == case["expected_insee"]:
                    outcome = "right"
                elif not found:
                    outcome = "none (said why)"
                else:
                    outcome = "WRONG"
                outcomes[outcome] += 1
                if outcome != "right":
                    misses.append((outcome, case, seat))
        total = sum(outcomes.values())
        print(
            f"{total} adresses réelles (jamais vues au réglage) : "
            + ", ".join(f"{name} {count} ({count / total:.0%})" for name, count in outcomes.most_common())
        )
        for outcome, case, seat in misses:
            found = seat.commune.insee_code if seat.commune else "—"
            print(
                f"  {outcome}: {case['organisation']} · « {case['address']} » → {found} "
                f"(attendu {case['expected_insee']}) · {seat.reason}"
            )


if __name__ == "__main__":
    main()
