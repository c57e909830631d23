"""Run the extractor over labelled pages and print precision, recall, F1, year accuracy and speed.

Usage: python benchmarks/extraction.py [FOLDER] [--verbose]

FOLDER (default ../shared/examples/extraction/) holds JSON files, each with "text", "source_url"
and "gold" records (the format of that folder's README); the project's labelled corpus is in
tests/data/extraction/corpus/{tuning,test}. A found record matches a gold one when the (French
authority, foreign authority, country) triples agree, names compared without case, accents or
punctuation; the gold's alternative spellings and countries are accepted
(coopatlas.extraction.training.matches, the rule the scorer is trained with). Year accuracy is
counted on matched pairs (the gold's alternative years accepted), as are the kind (alternative
kinds accepted) and the themes (mean Jaccard overlap). Also printed: the share of the pages
stating no pair that get no candidate, and the calibration (share right per confidence band).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


BANDS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "examples" / "extraction"))
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    folder = Path(args.folder)
    files = sorted(folder.glob("*.json"))
    if not files:
        print(f"No labelled pages (*.json) in {folder}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from coopatlas.extraction.pages import read_page
    from coopatlas.extraction.service import extract_page, get_extractor
    from coopatlas.extraction.training import matches

    started = time.perf_counter()
    get_extractor("fr")
    load_seconds = time.perf_counter() - started
    true_pos = false_pos = false_neg = years_right = kinds_right = 0
    empty_pages = empty_pages_quiet = 0
    bands = {band: [0, 0] for band in BANDS}  # confidence band → [candidates, right]
    theme_overlap = 0.0
    seconds = 0.0
    for path in files:
        case = json.loads(path.read_text(encoding="utf-8"))
        url = case.get("source_url", "")
        started = time.perf_counter()
        page = read_page(case["text"], url="" if url.startswith("seed:") else url)
        found = extract_page(page, lang=case.get("language"))
        seconds += time.perf_counter() - started
        gold = list(case.get("gold") or [])
        if not gold:
            empty_pages += 1
            empty_pages_quiet += not found
        unmatched = list(gold)
        extra = []
        for item in found:
            hit = next((g for g in unmatched if matches(item, g)), None)
            band = next(b for b in BANDS if b[0] <= item["confidence"] < b[1])
            bands[band][0] += 1
            bands[band][1] += hit is not None
            if hit is None:
                extra.append(item)
                continue
            unmatched.remove(hit)
            true_pos += 1
            if item.get("kind") == hit.get("kind") or item.get("kind") in (hit.get("alt_kinds") or []):
                kinds_right += 1
            elif args.verbose:
                print(
                    f"  {path.name}: kind {item.get('kind')} for {hit['foreign_authority']}, gold {hit.get('kind')}"
                )
            found_themes, gold_themes = set(item.get("themes") or []), set(hit.get("themes") or [])
            union = found_themes | gold_themes
            theme_overlap += len(found_themes & gold_themes) / len(union) if union else 1.0
            if args.verbose and found_themes != gold_themes:
                print(
                    f"  {path.name}: themes of {hit['foreign_authority']}: "
                    f"+{sorted(found_themes - gold_themes)} -{sorted(gold_themes - found_themes)}"
                )
            if item.get("year") == hit.get("year") or item.get("year") in (hit.get("alt_years") or []):
                years_right += 1
            elif args.verbose:
                print(
                    f"  {path.name}: year {item.get('year')} for {hit['foreign_authority']}, gold {hit.get('year')}"
                )
        false_pos += len(extra)
        false_neg += len(unmatched)
        print(
            f"{path.name}: {len(found)} found, {len(gold)} gold, {len(extra)} extra, {len(unmatched)} missed"
        )
        if args.verbose:
            for item in extra:
                print(
                    f"  extra:  {item['french_authority']} – {item['foreign_authority']} ({item['country_iso2']})"
                )
            for item in unmatched:
                print(
                    f"  missed: {item['french_authority']} – {item['foreign_authority']} ({item['country_iso2']})"
                )
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print()
    print(
        f"pages: {len(files)} ({empty_pages} stating no pair)   gold records: {true_pos + false_neg}   "
        f"found: {true_pos + false_pos}"
    )
    print(f"precision {precision:.3f}   recall {recall:.3f}   F1 {f1:.3f}")
    print(
        f"year accuracy on matched pairs: {years_right / true_pos if true_pos else 0:.3f} ({years_right}/{true_pos})"
    )
    print(f"kind accuracy on matched pairs: {kinds_right / true_pos if true_pos else 0:.3f}")
    print(f"themes on matched pairs (mean Jaccard): {theme_overlap / true_pos if true_pos else 0:.3f}")
    if empty_pages:
        print(
            f"pages stating no pair left without candidate: {empty_pages_quiet / empty_pages:.3f} "
            f"({empty_pages_quiet}/{empty_pages})"
        )
    print("calibration (share right per confidence band of the proposed candidates):")
    for (low, high), (count, right) in bands.items():
        share = f"{right / count:.3f}" if count else "—"
        print(f"  {low:.1f}–{min(high, 1.0):.1f}: {share} ({right}/{count})")
    print(
        f"speed: {len(files) / seconds:.1f} pages/s ({seconds:.2f} s in all; models loaded in {load_seconds:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
