"""Text normalisation shared by search, matching and de-duplication."""

import functools
import re
import unicodedata

_APOSTROPHES = "'’‘`´ʼʻ"  # ʻ: the Polynesian ʻokina (Taiʻarapu, Hawaiʻi)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/.,;:()\[\]«»\"" + _APOSTROPHES + r"&]+")


# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ı": "i",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
    }
)


# The combining marks of Latin, Greek and Cyrillic scripts (others are checked one by one).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def strip_accents(text: str) -> str:
    """Return text without combining marks (é → e, č → c); ligatures are expanded (œ → oe)."""
    if text.isascii():
        return text
    text = text.translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():  # most names: nothing left to remove
        return decomposed
    # a letter with its mark may decompose to a ligature ("Ǽ" → "Æ" + acute): expanded too
    stripped = _MARKS.sub("", decomposed).translate(_LETTERS)
    if stripped.isascii():
        return stripped
    return stripped.translate(_other_marks())


@functools.cache
def _other_marks() -> dict[int, None]:
    """Return a translation table deleting every combining mark (all lie below U+20000)."""
    return {code: None for code in range(0x300, 0x20000) if unicodedata.combining(chr(code))}


@functools.lru_cache(maxsize=1 << 18)
def normalise(text: str) -> str:
    """Return a comparison key: casefolded, accents removed, punctuation folded to single spaces.

    "Villeneuve-d'Ascq" and "villeneuve d ascq" give the same key.
    """
    folded = strip_accents(text).casefold()
    return _SEPARATORS.sub(" ", folded).strip()
