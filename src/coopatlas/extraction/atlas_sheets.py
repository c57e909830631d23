"""A national-atlas record sheet is a page of its own kind: its partner table says who the
partners are. It is read by the importer's sheet reader and each French × foreign participant
becomes a candidate, with the sheet's year, form and themes."""

import functools
import re

from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.reference.themes import THEMES
from coopatlas.core.text import normalise
from coopatlas.extraction.pages import Page, PageError
from coopatlas.extraction.vocabulary import THEME_PATTERNS

_LABELS = ("partenaires etrangers du partenariat", "collectivites territoriales partenaires du partenariat")
# The atlas's forms → the extraction's kinds.
KINDS = {
    "twinning": "jumelage",
    "cooperation_agreement": "cooperation_agreement",
    "protocol": "protocol",
    "friendship_pact": "friendship_pact",
    "project": "project",
}


def is_atlas_sheet(text: str) -> bool:
    folded = normalise(text[:200000])
    return all(normalise(label) in folded for label in _LABELS) and "titre" in folded


@functools.cache
def _theme_tags() -> dict[str, str]:
    """Theme labels (French and English, alone or as a path "A > B") → the extraction tag."""
    tags: dict[str, str] = {}

    def walk(nodes, path_fr, path_en):
        for code, fr, en, tag, children in nodes:
            for key in (fr, en, code, " > ".join([*path_fr, fr]), " > ".join([*path_en, en])):
                tags.setdefault(normalise(key), tag)
            walk(children, [*path_fr, fr], [*path_en, en])

    walk(THEMES, [], [])
    return tags


def theme_tag(label: str) -> str | None:
    tags = _theme_tags()
    key = normalise(label.replace("›", ">"))
    if key in tags:
        return tags[key]
    parts = [normalise(p) for p in re.split(r">", label)]
    for part in reversed(parts):
        if part in tags:
            return tags[part]
    return None


def sheet_candidates(page: Page) -> list[dict]:
    from coopatlas.extraction.extractor import FRENCH_KINDS, _spelling, normalise_keep
    from coopatlas.extraction.service import country_names
    from coopatlas.ingest.errors import FileRejected, Problem
    from coopatlas.ingest.readers.atlas_sheet import AtlasSheetReader
    from coopatlas.places.resolver import get_resolver

    try:
        record = AtlasSheetReader.from_text(page.html or page.text, page.url or "page")
    except (FileRejected, Problem) as error:
        raise PageError(
            f"Fiche de l'atlas illisible : {getattr(error, 'fr', error)}",
            f"Unreadable atlas sheet: {getattr(error, 'en', error)}",
        ) from None
    resolver, names = get_resolver(), country_names()
    french = [
        p["organisation"] for p in record["participants"] if p["role"] == ParticipationRole.FRENCH_AUTHORITY
    ]
    foreign = [
        p["organisation"] for p in record["participants"] if p["role"] == ParticipationRole.FOREIGN_AUTHORITY
    ]
    themes: list[str] = []
    for item in sorted(record.get("themes") or [], key=lambda t: t.get("priority", 0)):
        parts = [p.strip() for p in item["theme"].split(">")]
        tags = [theme_tag(parts[-1])]  # the most precise level names the subject
        if item.get("priority", 0) == 0:
            tags.insert(0, theme_tag(parts[0]))  # the main theme counts at every level
        folded = normalise_keep(parts[-1])
        tags += [tag for tag, pattern in THEME_PATTERNS.items() if pattern.search(folded)]
        for tag in tags:
            if tag and tag not in themes:
                themes.append(tag)
    kind = KINDS.get(record.get("form") or "", "other")
    year = record.get("signature_year") or record.get("start_year")
    table_at = normalise_index(page.text, "Partenaires étrangers du partenariat")
    result = []
    for side in french:
        french_place = resolver.resolve(side["name"], country="FR").match
        french_name = _spelling(side["name"], french_place.name) if french_place else side["name"]
        french_kind = FRENCH_KINDS.get(french_place.kind, "other") if french_place else "other"
        for partner in foreign:
            place = resolver.resolve(partner["name"], country=partner["country"]).match
            start = page.text.find(partner["name"], table_at)
            end = page.text.find("\n", start) if start >= 0 else -1
            if start < 0:
                start, end = 0, 0
            end = end if end >= 0 else len(page.text)
            result.append(
                {
                    "french_authority": french_name,
                    "french_authority_kind": french_kind,
                    "foreign_authority": _spelling(partner["name"], place.name) if place else partner["name"],
                    "country": names.get(partner["country"], partner["country"]),
                    "country_iso2": partner["country"],
                    "year": year,
                    "kind": kind,
                    "themes": themes,
                    "confidence": 0.95 if place else 0.8,
                    "evidence": {"text": page.text[start:end], "start": start, "end": end},
                }
            )
    return result


def normalise_index(text: str, label: str) -> int:
    """Offset of a label in the text (accents and case aside), 0 when absent."""
    pattern = "".join("[eéèê]" if c in "eéèê" else re.escape(c) for c in label)
    match = re.search(pattern, text, re.IGNORECASE)
    return match.start() if match else 0
