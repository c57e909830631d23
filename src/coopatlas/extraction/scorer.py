"""How sure the extractor is that a page states a pair: a model learned from labelled pages.

The rules of `extractor.py` find every (French authority, foreign authority) pair a unit of the
page could state and record, for each, the signals below: the kind of unit, the words of
agreement, network or visit in it, where the French side comes from (the unit itself, its
paragraph, its section, the page's owner), how far apart the two names are and what lies between
them, how surely each name was resolved, whether the hand-written rules would make the pair, and
how the page names the pair elsewhere. The scorer turns them into a probability.

The model is trained by `coopatlas train-extractor` (extraction/training.py) on the tuning part of
the labelled corpus (tests/data/extraction/corpus/tuning) and stored as plain numbers in
`scorer_model.json`: no pickle, no scikit-learn at run time. Its probabilities are calibrated on
held-out pages of the tuning part: a candidate at 0.8 is right about four times in five.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from coopatlas.extraction import vocabulary as vocab

if TYPE_CHECKING:
    from coopatlas.extraction.extractor import Found, Mention, Unit

MODEL_PATH = Path(__file__).with_name("scorer_model.json")
# A candidate is proposed when the model finds it more likely right than wrong (its
# probabilities are calibrated: see training.py); at or above SURE it is shown as likely, below
# it folded, "à vérifier".
PROPOSE = 0.5
SURE = 0.8

FEATURES = [
    # how the unit ties the two names
    "tight",
    "pair_line",
    "enumerated",
    "between_relation",
    "between_french",
    "nearest_french",
    "french_first",
    "near",
    "mates",
    "tree_relation",
    "tree_near",
    # where the French side comes from
    "src_unit",
    "src_subject",
    "src_section",
    "src_owner",
    "src_previous",
    "src_page",
    "src_partner_subject",
    "src_partner_page",
    "best_side",
    "anaphor",
    # what the unit says
    "unit_item",
    "unit_heading",
    "relation",
    "kind_named",
    "network",
    "visits",
    # the names
    "stated",
    "cued",
    "partner_conf",
    "partner_unresolved",
    "partner_doubtful",
    "located",
    "fr_conf",
    "fr_doubtful",
    # the hand-written rules, and the page
    "rule",
    "occurrences",
]

# How plainly a unit ties a partner to a French side: the side a partner is given when several
# could be (the best wins; scorer feature "best_side").
ATTACH_WEIGHTS = {
    "pair_line": 4.0,
    "tight": 3.0,
    "enumerated": 2.0,
    "nearest_french": 2.0,
    "src_unit": 2.0,
    "src_subject": 1.5,
    "src_section": 1.2,
    "src_owner": 1.0,
    "src_previous": 0.5,
    "src_page": 0.3,
    "between_french": -1.5,
}


def attachment(signals: dict) -> float:
    return sum(weight * signals.get(name, 0.0) for name, weight in ATTACH_WEIGHTS.items())


# What may stand between two names a unit pairs: "Kiel-Brest", "Rennes et Cork", "A avec B".
_TIGHT = re.compile(
    r"^(?:\s*(?:[-–—/&,:]|et|and|und|y|e|avec|with|mit|con|est|sont|is|was|ist|jumel\w*|twinned"
    r"|partnerstadt|sister city of|a|to|aux?|à|la|le|les|l'|the|die|der|das"
    r"|(?:la |le |l'|the )?(?:ville|commune|cit[ée]|municipalit[ée]|r[ée]gion|province|district|city|town"
    r"|gemeinde|stadt)(?: rurale| urbaine)? (?:de|d'|of|von))\s*)*(?:\([^()]{0,40}\)\s*)?[-–—,]?\s*$",
    re.IGNORECASE,
)
# The partner as the object of a word of agreement: "jumelée avec Tübingen", "twinned with
# Dorking", "Partnerschaft mit Châteaudun", "convention de coopération avec la province de X".
_CUED = re.compile(
    r"(?:jumel\w*|twinn\w*|twin town of|sister city of|partenariat|partnership|partnerschaft|partnerstadt"
    r"|cooperation|convention|accord|agreement|pacte|charte|protocole|amitie|friendship|lie[es]?|gemellat\w*"
    r"|hermanad\w*)[^.;:!?]{0,40}?\b(?:avec|with|mit|con|a|à|to|entre|and|et)\s+"
    r"(?:(?:la |le |l'|les |the |die |der )?(?:ville|commune|cite|municipalite|province|region|city|town"
    r"|stadt|gemeinde|district|departement)s?\s+(?:de |d'|of |von )?)?(?:la |le |l'|the )?$"
)
_ANAPHOR = re.compile(
    r"\b(?:la|notre|cette|our|the|this|unsere|die) (?:ville|commune|collectivite|municipalite|departement"
    r"|region|metropole|agglomeration|town|city|council|village|stadt|gemeinde)\b"
    r"|\bnos (?:villes|communes) (?:jumel|partenaires|s)"
)


def _fold(text: str) -> str:
    """Folded as the vocabulary's patterns expect (lower case, no accents, apostrophes kept)."""
    from coopatlas.core.text import strip_accents

    return strip_accents(text.replace("’", "'")).casefold()


def unit_signals(unit: Unit) -> dict:
    norm = unit.norm
    return {
        f"unit_{unit.kind}": 1.0,
        "relation": float(bool(vocab.RELATION.search(norm))),
        "kind_named": float(
            any(kind != "other" and pattern.search(norm) for kind, pattern in vocab.KIND_PATTERNS)
        ),
        "network": float(bool(vocab.NOT_PARTNERS.search(norm))),
        "visits": float(bool(vocab.VISITS.search(norm))),
    }


def partner_signals(unit: Unit, other: Mention, *, located: bool, cue_at: Mention | None = None) -> dict:
    """How surely the partner was read, whether it stands to locate another place or an actor,
    and whether the name at `cue_at` (the partner itself, or the French side when the unit does
    not name the partner) is the object of a word of agreement."""
    cued = cue_at or other
    before = _fold(unit.text[max(0, cued.start - unit.start - 60) : cued.start - unit.start])
    return {
        "stated": float(other.stated_country),
        "cued": float(bool(_CUED.search(before))),
        "partner_conf": other.confidence,
        "partner_unresolved": float(other.kind == "other"),
        "partner_doubtful": float(other.doubtful),
        "located": float(located),
    }


def pair_signals(unit: Unit, side: Mention, other: Mention, source: str, mentions: list[Mention]) -> dict:
    signals = {
        f"src_{source}": 1.0,
        "fr_conf": side.confidence,
        "fr_doubtful": float(side.doubtful),
    }
    if source != "unit":
        # "la ville entretient un jumelage avec…", "our town is twinned with…": the unit speaks
        # of a French authority it does not name
        signals["anaphor"] = float(bool(_ANAPHOR.search(unit.norm)))
        return signals
    first, second = (side, other) if side.start < other.start else (other, side)
    between = unit.text[first.end - unit.start : second.start - unit.start]
    inside = [m for m in mentions if first.end <= m.start and m.end <= second.start]
    # what is left between the two names once the names and brackets between are taken out:
    # "est jumelée avec Nürnberg (Allemagne), Brugge" leaves "est jumelée avec , "
    residue = between
    for m in sorted(inside, key=lambda m: -m.start):
        a, b = m.start - first.end, m.end - first.end
        residue = residue[:a] + "," + residue[b:]
    residue = re.sub(r"\([^()]{0,60}\)", ",", residue)
    words = re.sub(r"[\W\d_]+", " ", _fold(residue)).split()
    filler = {"et", "and", "und", "ainsi", "que", "ou", "or"}
    content = [w for w in words if w not in filler]
    french_before = [m for m in mentions if m.french and m.end <= other.start]
    nearest = max(french_before, key=lambda m: m.end) if french_before else None
    signals.update(
        {
            "near": 1 - min(len(between), 300) / 300,
            "between_relation": float(bool(vocab.RELATION.search(_fold(between)))),
            "tight": float(bool(_TIGHT.match(between))),
            # a short line naming one French and one foreign place side by side:
            # "Montbéliard - Ludwigsburg (1950)", "Kiel-Brest"
            "pair_line": float(
                len(unit.text) <= 100
                and sum(m.french for m in mentions) == 1
                and sum(not m.french for m in mentions) == 1
                and bool(_TIGHT.match(between))
            ),
            "between_french": float(any(m.french for m in inside)),
            "nearest_french": float(nearest is side),
            "enumerated": float(
                side.start < other.start
                and not any(m.french for m in inside)
                and len(content) <= 6
                and bool(vocab.RELATION.search(" ".join(content)) or not content)
            ),
            **_tree_signals(unit, side, other),
            # both in one list after a word of agreement ("Québec est jumelée avec Bordeaux,
            # Calgary"): partners of the same subject, not of each other
            "mates": float(
                side.start < other.start
                and bool(re.fullmatch(r"[\s,;]*(?:(?:et|and|und|y|e)\s+)?", between))
                and bool(vocab.RELATION.search(_fold(unit.text[: first.start - unit.start])))
                and not re.search(
                    r"(?:entre|between|zwischen|tra|entre les villes de)\s*$",
                    _fold(unit.text[: first.start - unit.start]),
                )
            ),
            "french_first": float(side.start < other.start),
        }
    )
    return signals


def _tree_signals(unit: Unit, side: Mention, other: Mention) -> dict:
    """How the sentence's parse links the two names: the number of words on the path between
    them and whether a word of agreement lies on it ("Avignon est jumelée avec New Haven")."""
    tree = unit.tree
    if tree is None:
        return {}
    a = tree.token_at(side.start - unit.tree_shift)
    b = tree.token_at(other.start - unit.tree_shift)
    if a == b:
        return {}
    path = tree.path(a, b)
    return {
        "tree_relation": float(any(tree.relation[t] for t in path)),
        "tree_near": 1 / (1 + len(path)),
    }


def evidence_rank(signals: dict) -> tuple:
    return (signals.get("rule", 0.0), signals.get("src_unit", 0.0), signals.get("tight", 0.0))


def combine(current: dict, new: dict) -> dict:
    """One pair named in several units: each signal at its strongest, the occurrences counted."""
    merged = dict(current)
    for key, value in new.items():
        merged[key] = max(merged.get(key, 0.0), value)
    merged["_count"] = current.get("_count", 1.0) + 1
    return merged


def page_signals(items: list[Found]) -> None:
    """Add to each candidate what the page as a whole says of it: how often the page ties the
    pair, and whether its French side is the one the page ties its partner to most plainly."""
    best: dict[str, float] = {}
    for item in items:
        item.signals["_attach"] = max(attachment(o) for o in item.occurrences or [item.signals])
        best[item.foreign.key] = max(best.get(item.foreign.key, -99.0), item.signals["_attach"])
    for item in items:
        item.signals["best_side"] = float(item.signals["_attach"] >= best[item.foreign.key])
        item.signals["occurrences"] = min(item.signals.get("_count", 1.0), 5) / 5


def vector(signals: dict) -> list[float]:
    return [float(signals.get(name, 0.0)) for name in FEATURES]


@functools.cache
def model() -> dict:
    try:
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RuntimeError(
            f"The extraction scorer's model is missing ({MODEL_PATH}); train it with "
            "`coopatlas train-extractor tests/data/extraction/corpus/tuning`."
        ) from error
    if data.get("features") != FEATURES:
        raise RuntimeError(
            f"The extraction scorer's model ({MODEL_PATH}) was trained on other features; "
            "train it again with `coopatlas train-extractor tests/data/extraction/corpus/tuning`."
        )
    return data


# A list entry led by the partner with its country, under a heading about twin towns or partners
# ("• Viersen (Allemagne)" under "Nos villes jumelles"): the rules' surest pattern (rule 0.9),
# right on every page of the tuning part and of the examples where it fired, but too rare there
# for the model to learn it. Its candidates are never scored below this floor.
LIST_ENTRY_FLOOR = 0.9


def probability(signals: dict, data: dict | None = None) -> float:
    learned = _learned(signals, data)
    if signals.get("rule", 0.0) >= 0.9:
        return max(learned, LIST_ENTRY_FLOOR)
    return learned


def _learned(signals: dict, data: dict | None = None) -> float:
    data = data or model()
    values = vector(signals)
    z = data["intercept"] + sum(
        w * (v - m) / s for w, v, m, s in zip(data["coef"], values, data["mean"], data["scale"], strict=True)
    )
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def is_sure(confidence: float) -> bool:
    """Whether a candidate is shown as likely; below SURE it is folded "à vérifier"."""
    return confidence >= SURE


def share_right(confidence: float) -> float | None:
    """The share of candidates of this confidence's band that were right on pages the model did
    not see while it was trained (its out-of-fold calibration), or None when the band was empty."""
    for band in model().get("trained_on", {}).get("out_of_fold_calibration", []):
        low, high = (float(x) for x in band["band"].split("–"))
        if low <= confidence < high or (high >= 1.0 and confidence >= low):
            return band["right"] / band["candidates"] if band["candidates"] else None
    return None


def score(items: Iterable[Found], data: dict | None = None) -> None:
    items = list(items)
    page_signals(items)
    for item in items:
        item.score = probability(item.signals, data)
