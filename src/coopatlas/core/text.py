"""Text normalisation shared by search, matching and de-duplication."""

import re
import unicodedata

_APOSTROPHES = "'’‘`´ʼ"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/.,;:()\[\]«»\"" + _APOSTROPHES + r"&]+")


def strip_accents(text: str) -> str:
    """Return text without combining marks (é → e, č → c); ligatures are expanded (œ → oe)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = text.replace("ß", "ss").replace("ı", "i").replace("ł", "l").replace("Ł", "L")
    text = text.replace("đ", "d").replace("Đ", "D").replace("ø", "o").replace("Ø", "O")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Return a comparison key: casefolded, accents removed, punctuation folded to single spaces.

    "Villeneuve-d'Ascq" and "villeneuve d ascq" give the same key.
    """
    folded = strip_accents(text).casefold()
    return _SEPARATORS.sub(" ", folded).strip()
