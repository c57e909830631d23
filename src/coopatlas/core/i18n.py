"""The language of the page and the names of reference data in it.

Reference rows (countries, themes, SDGs) carry a French and an English name; every page, facet,
chart, map and API label shows them through `display_name`, so one switch turns them all.
"""

import functools

from django.utils.translation import get_language


def english() -> bool:
    """Tell whether the page is shown in English (names then come in English where we have them)."""
    return (get_language() or "fr").startswith("en")


def localised(name_fr: str, name_en: str) -> str:
    """Return the name in the active language: English when the page is English and one is known."""
    return name_en if english() and name_en else name_fr


class BilingualName:
    """Mixin for a model with `name_fr` and `name_en`: `display_name` in the active language."""

    name_fr: str
    name_en: str

    @property
    def display_name(self) -> str:
        """Return the name in the active language."""
        return localised(self.name_fr, self.name_en)


@functools.cache
def _collator():
    # The Unicode Collation Algorithm with its default table orders French as CLDR does
    # (accents second, case third): Bénin before Brésil, États-Unis among the E's.
    from pyuca import Collator

    return Collator()


def sort_key(text: str) -> tuple[int, ...]:
    """Return the key that sorts names in dictionary order: accents and case only break ties,
    spaces and hyphens do not jump ahead of letters (Île-de-France among the I's)."""
    return _collator().sort_key(text or "")
