"""Train the extraction scorer on labelled pages, and the one rule that says a found pair is a
labelled one (the benchmark scores with it too).

`coopatlas train-extractor FOLDER…` reads the labelled pages (the format of
`../shared/examples/extraction/README.md`), lets the extractor propose every candidate pair with its
signals, labels each by the pages' gold records and fits a logistic regression (scikit-learn, a
development dependency). Out-of-fold probabilities (folds by page) choose the proposal threshold
and measure the calibration; the weights are written to `scorer_model.json` as plain numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from coopatlas.core.text import normalise
from coopatlas.extraction import scorer, vocabulary

FOLDS = 5
REGULARISATION = 1.0  # scikit-learn's C


def key(name: str | None) -> str:
    return normalise(name or "").replace(" ", "")


def matches(found: dict, gold: dict) -> bool:
    """A found record is a gold one when the French side, the foreign side and the country agree
    (names without case, accents or punctuation; the gold's alternative spellings accepted)."""
    french = {key(gold["french_authority"]), *map(key, gold.get("french_authority_alt_names") or [])}
    foreign = {key(gold["foreign_authority"]), *map(key, gold.get("foreign_authority_alt_names") or [])}
    countries = {gold.get("country_iso2"), *(gold.get("alt_country_iso2") or [])}
    return (
        key(found.get("french_authority")) in french
        and key(found.get("foreign_authority")) in foreign
        and found.get("country_iso2") in countries
    )


@dataclass
class Example:
    page: str
    signals: dict
    label: bool
    description: str


def labelled_pages(folders: list[Path]) -> list[tuple[Path, dict]]:
    cases = []
    for folder in folders:
        files = sorted(folder.glob("*.json")) if folder.is_dir() else [folder]
        for path in files:
            cases.append((path, json.loads(path.read_text(encoding="utf-8"))))
    return cases


def examples(cases: list[tuple[Path, dict]]) -> list[Example]:
    """Every candidate of every page, labelled by the page's gold records."""
    from coopatlas.extraction.atlas_sheets import is_atlas_sheet
    from coopatlas.extraction.pages import read_page
    from coopatlas.extraction.service import get_extractor, guess_language

    rows = []
    for path, case in cases:
        url = case.get("source_url", "")
        page = read_page(case["text"], url="" if url.startswith("seed:") else url)
        if is_atlas_sheet(page.text):  # read by the sheet reader, not scored
            continue
        extractor = get_extractor(case.get("language") or guess_language(page.text))
        _, _, found = extractor.candidates(page)
        items = list(found.values())
        scorer.page_signals(items)
        gold = case.get("gold") or []
        for item in items:
            record = {
                "french_authority": item.french.name,
                "foreign_authority": item.foreign.name,
                "country_iso2": item.foreign.iso2,
            }
            label = any(matches(record, g) for g in gold)
            rows.append(
                Example(
                    str(path),
                    item.signals,
                    label,
                    f"{item.french.name} – {item.foreign.name} ({item.foreign.iso2})",
                )
            )
    return rows


def _fit(rows: list[Example]):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([scorer.vector(r.signals) for r in rows], dtype=float)
    y = np.array([r.label for r in rows], dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    fitted = LogisticRegression(C=REGULARISATION, max_iter=5000).fit((x - mean) / scale, y)
    return {
        "features": scorer.FEATURES,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": fitted.coef_[0].tolist(),
        "intercept": float(fitted.intercept_[0]),
    }


def out_of_fold(rows: list[Example]) -> list[float]:
    """Each candidate's probability from a model trained without its page."""
    pages = sorted({r.page for r in rows})
    fold_of = {page: index % FOLDS for index, page in enumerate(pages)}
    result = [0.0] * len(rows)
    for fold in range(FOLDS):
        train = [r for r in rows if fold_of[r.page] != fold]
        model = _fit(train)
        for index, row in enumerate(rows):
            if fold_of[row.page] == fold:
                result[index] = scorer.probability(row.signals, model)
    return result


def figures_at(rows: list[Example], probabilities: list[float], gold_total: int, threshold: float) -> dict:
    """Out-of-fold precision, recall and F1 of the candidates at or above `threshold`."""
    kept = [r for r, p in zip(rows, probabilities, strict=True) if p >= threshold]
    right = sum(r.label for r in kept)
    precision = right / len(kept) if kept else 0.0
    recall = right / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "kept": len(kept),
    }


def calibration(rows: list[Example], probabilities: list[float]) -> list[dict]:
    bands = [(0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)]
    table = []
    for low, high in bands:
        inside = [r.label for r, p in zip(rows, probabilities, strict=True) if low <= p < high]
        table.append(
            {"band": f"{low:.1f}–{min(high, 1.0):.1f}", "candidates": len(inside), "right": sum(inside)}
        )
    return table


def train(folders: list[Path]) -> dict:
    cases = labelled_pages(folders)
    rows = examples(cases)
    gold_total = sum(len(case.get("gold") or []) for _, case in cases)
    probabilities = out_of_fold(rows)
    model = _fit(rows)
    model["trained_on"] = {
        "pages": len(cases),
        "gold_records": gold_total,
        "candidates": len(rows),
        "positive_candidates": sum(r.label for r in rows),
        "out_of_fold_proposed": figures_at(rows, probabilities, gold_total, scorer.PROPOSE),
        "out_of_fold_sure": figures_at(rows, probabilities, gold_total, scorer.SURE),
        "out_of_fold_calibration": calibration(rows, probabilities),
    }
    return model


def partner_country_counts(path: Path) -> dict:
    """Count the foreign partners of French authorities per country in a twin-town CSV: the
    derived France file of `../shared/data/twins_wikipedia_hekman` (columns partner_country_norm
    and is_duplicate) or any file with a `partner_country` column. Countries are read by name."""
    import csv
    from collections import Counter

    from coopatlas.ingest.parsing import country_or_none

    counts: Counter[str] = Counter()
    unread: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("is_duplicate") == "1":
                continue
            name = row.get("partner_country_norm") or row.get("partner_country") or ""
            code = country_or_none(name)
            if code is None:
                unread[name] += 1
            elif code != "FR":
                counts[code] += 1
    return {
        "source": path.name,
        "counts": dict(counts.most_common()),
        "unread": dict(unread.most_common()),
    }


def write_partner_countries(data: dict) -> None:
    path = vocabulary.PARTNER_COUNTRIES_PATH
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    vocabulary._file_shares.cache_clear()


def write_model(model: dict, path: Path = scorer.MODEL_PATH) -> None:
    path.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    scorer.model.cache_clear()
