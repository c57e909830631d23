"""Read a page of (almost) 1,000,000 characters, the longest the extractor accepts, and print the
time it takes and the memory the process peaks at.

Usage: python benchmarks/extraction_memory.py [FOLDER]

The page is made of the labelled real pages of FOLDER (default: the corpus's tuning part) put one
after the other until it holds just under pages.MAX_TEXT_CHARS characters, so that it has the
names, lists and sentences of real pages, many partnerships among them. Needs a database with
the places loaded (DATABASE_URL), as `coopatlas extract` does.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    folder = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT / "tests" / "data" / "extraction" / "corpus" / "tuning"
    )
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(folder.glob("*.json"))]
    if not texts:
        print(f"No labelled pages in {folder}", file=sys.stderr)
        return 2
    import django

    django.setup()
    from coopatlas.extraction.pages import MAX_TEXT_CHARS, read_page
    from coopatlas.extraction.service import extract_page, get_extractor

    parts, size, index = [], 0, 0
    while True:
        text = texts[index % len(texts)]
        if size + len(text) + 2 > MAX_TEXT_CHARS:
            break
        parts.append(text)
        size += len(text) + 2
        index += 1
    page = read_page("\n\n".join(parts))
    get_extractor("fr")
    before = peak_mb()
    started = time.perf_counter()
    found = extract_page(page, lang="fr")
    seconds = time.perf_counter() - started
    print(f"page: {len(page.text):,} characters ({index} real pages put one after the other)")
    print(f"candidates proposed: {len(found)}")
    print(f"time: {seconds:.1f} s")
    print(f"peak memory: {peak_mb():.0f} MB (after loading the models: {before:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
