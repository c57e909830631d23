"""French text for the index and the query: accents folded, words reduced to their stem."""

import functools
import re

import snowballstemmer

from coopatlas.core.text import normalise

_WORD = re.compile(r"[a-z0-9]+")
# Endings that still separate the stems of one family ("jumelag" / "jumel", "cooperat" / "cooper").
_FAMILY_ENDINGS = ("ement", "ation", "ateur", "atric", "ment", "ag", "at", "ion", "eur", "e")
STOPWORDS = frozenset(
    "a au aux avec ce ces dans de des du en et il ils la le les leur leurs ma mais me meme mes mon ne "
    "nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos votre "
    "vous y d l s n c j m t the of and in to for with".split()
)


@functools.cache
def _stemmer():
    return snowballstemmer.stemmer("french")


def words(text: str) -> list[str]:
    """Return the words of a text, accents folded and lower-cased, stop words left out."""
    return [w for w in _WORD.findall(normalise(text)) if w not in STOPWORDS]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return a word's French stem (cached: the stemmer is pure Python, and words repeat)."""
    return _stemmer().stemWord(word)


def stemmed(text: str) -> str:
    """Return the text as a space-separated string of French stems, for the SQLite index."""
    return " ".join(stem(w) for w in words(text))


def query_roots(query: str) -> list[str]:
    """Return the roots to look up as prefixes: "jumelage" → "jumel", matching "jumelées".

    Only [a-z0-9] survive, so a root can be put into an FTS5 or tsquery expression safely.
    """
    roots = []
    for root in (stem(w) for w in words(query)):
        for ending in _FAMILY_ENDINGS:
            if root.endswith(ending) and len(root) - len(ending) >= 4:
                root = root[: -len(ending)]
                break
        if root and root not in roots:
            roots.append(root)
    return roots[:12]
