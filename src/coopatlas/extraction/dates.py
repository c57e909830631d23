"""Years in a page: written ones ("1955", "21 novembre 2024", "13/12/2024") and relative ones
("en février dernier", "ce jeudi 21 novembre", "l'an dernier") resolved with the page's
publication date."""

import datetime
import re
from dataclasses import dataclass

from coopatlas.core.years import MIN_YEAR
from coopatlas.extraction.pages import MONTHS

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_PATTERNS = [
    # 13/12/2024, 21 novembre 2024, November 21, 2024, novembre 2024
    ("full", re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.](?P<y>(?:19|20)\d\d)\b")),
    (
        "full",
        re.compile(
            rf"\b(?:\d{{1,2}}(?:er|st|nd|rd|th)?\s+)?(?:{_MONTH})\s+(?:\d{{1,2}},?\s+)?(?P<y>(?:19|20)\d\d)\b",
            re.IGNORECASE,
        ),
    ),
    # ce jeudi 21 novembre, le 22 novembre dernier, en février dernier, last February
    (
        "relative",
        re.compile(
            rf"\b(?:(?:le|ce|this|on)\s+)?(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
            rf"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+)?(?P<d>\d{{1,2}})(?:er)?\s+"
            rf"(?P<m>{_MONTH})\b(?!\s+(?:19|20)\d\d)(?:\s+derni(?:er|ère))?",
            re.IGNORECASE,
        ),
    ),
    (
        "relative",
        re.compile(
            rf"\b(?:en|in|last|au mois de)\s+(?P<m>{_MONTH})\b(?!\s+(?:19|20)\d\d)(?:\s+derni(?:er|ère))?",
            re.IGNORECASE,
        ),
    ),
    ("last_year", re.compile(r"\bl'(?:an|année) derni(?:er|ère)|\blast year\b", re.IGNORECASE)),
    ("this_year", re.compile(r"\bcette année\b|\bthis year\b", re.IGNORECASE)),
    # A bare year, not a count ("1955 habitants"), not part of a longer number.
    (
        "year",
        re.compile(
            r"(?<![\d.,/])(?P<y>(?:19|20)\d\d)(?![\d.,]\d)(?!\s*(?:habitants|inhabitants|km|m²|euros?|€|ha\b))"
        ),
    ),
]


@dataclass(frozen=True)
class YearMention:
    year: int
    start: int  # offsets in the text given to `find_years`
    end: int
    relative: bool = False


def _month_number(word: str) -> int | None:
    return MONTHS.get(word.lower())


def find_years(text: str, published: datetime.date | None) -> list[YearMention]:
    """Return the years `text` gives, each once, in order; relative dates need `published`."""
    found: list[YearMention] = []
    taken: list[tuple[int, int]] = []
    last_year = datetime.date.today().year + 5
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            year = None
            if kind in ("full", "year"):
                year = int(match["y"])
            elif published is not None:
                if kind == "last_year":
                    year = published.year - 1
                elif kind == "this_year":
                    year = published.year
                else:
                    month = _month_number(match["m"]) or 1
                    day = int(match.groupdict().get("d") or 1)
                    year = (
                        published.year
                        if (month, day) <= (published.month, published.day)
                        else published.year - 1
                    )
            if year is None or not MIN_YEAR <= year <= last_year:
                continue
            taken.append((start, end))
            found.append(YearMention(year, start, end, kind not in ("full", "year")))
    return sorted(found, key=lambda y: y.start)


YEAR_HEADING = re.compile(
    r"^(?:depuis|since|dès|des|en|in|année|year|jumelée?s? en|twinned in)?\s*(?:l'an(?:née)?\s*)?"
    r"(?P<y>(?:19|20)\d\d)\s*:?$",
    re.IGNORECASE,
)


def heading_year(line: str) -> int | None:
    """Return the year of a heading line such as "Depuis 1955 :" or "1968", else None."""
    match = YEAR_HEADING.match(line.strip())
    return int(match["y"]) if match else None
