"""Place-name keys and the administrative phrases wrapped around place names.

A key folds what varies between spellings of one place: case, accents, hyphens, apostrophes
and spaces, "St"/"Saint", French articles and connector words ("&", "and", "et", "am", "sur").
"""

import re
from dataclasses import dataclass

from coopatlas.core.text import normalise

_TOKEN_REWRITES = {"st": "saint", "ste": "sainte", "sankt": "saint", "san": "san", "sta": "santa"}
_DROPPED_TOKENS = {"and", "et", "und", "am", "sur", "le", "la", "les", "l"}
_LEADING_ARTICLES = ("le ", "la ", "les ", "l ")


def place_key(name: str) -> str:
    """Return the comparison key of a place name ("Saint-Étienne" and "St Etienne" agree)."""
    text = normalise(name)
    for article in _LEADING_ARTICLES:
        if text.startswith(article) and len(text) > len(article) + 2:
            text = text[len(article) :]
            break
    tokens = []
    for token in text.split():
        token = _TOKEN_REWRITES.get(token, token)
        if token and (token not in _DROPPED_TOKENS or not tokens):
            tokens.append(token)
    # Separators are dropped, not kept as spaces: "Bad-Kreuznach", "Bad Kreuznach" and
    # "Ra'anana", "Raanana" must meet.
    return "".join(tokens)


@dataclass(frozen=True)
class NameVariant:
    """One way of reading a raw name: the name to look up, and what the wrapping words imply."""

    name: str
    kind_hint: str | None = None  # "municipality", "district", "region", "epci"
    admin_hint: str | None = None  # a département, région, state… named beside the place
    why: str = ""
    # Where the admin hint came from: "parenthèse" and "virgule" hints may name a town the place
    # lies in, or something unknown (then ignored); "reste" (the rest of a hyphenated name) must
    # be a real admin unit or a town nearby.
    hint_source: str = ""


# Words that announce the level of a place, in French, English and a few local forms.
_REGION_WORDS = (
    r"r[ée]gion|province|provincia|oblast|obl|voi[vï]odie|voivodeship|wojew[óo]dztwo|land|bundesland"
    r"|[ée]tat|state|gouvernorat|governorate|pr[ée]fecture|prefecture|comt[ée]|county|canton|kraj"
    r"|okrug|krai|raion|rayon|departamento|d[ée]partement|department|wilaya|emirate|municipio"
)
_DISTRICT_WORDS = r"arrondissement|borough|district|bezirk|quartier|ward|sector|secteur"
_TOWN_WORDS = (
    r"ville|commune|municipalit[ée]|municipality|municipio|cit[ée]|city|town|stadt|gemeinde"
    r"|comune|concello|ayuntamiento|mairie|village"
)
_EPCI_WORDS = (
    r"m[ée]tropole|communaut[ée] urbaine|communaut[ée] d.agglom[ée]ration|communaut[ée] de communes"
    r"|agglom[ée]ration|intercommunalit[ée]"
)
_OF = r"(?:de la |de l'|de l’|de |d'|d’|du |des |of |von |di |del |de los )"
_ARTICLE = r"(?:la |le |les |l'|l’|the )?"

_PREFIXES = [
    (re.compile(rf"^{_ARTICLE}(?:london |royal )?(?:{_DISTRICT_WORDS}) {_OF}?", re.I), "district"),
    (re.compile(rf"^{_ARTICLE}(?:{_REGION_WORDS}) {_OF}?", re.I), "region"),
    (re.compile(rf"^{_ARTICLE}(?:{_TOWN_WORDS}) {_OF}", re.I), "municipality"),
    (re.compile(rf"^{_ARTICLE}(?:{_EPCI_WORDS}) {_OF}", re.I), "epci"),
    (re.compile(r"^(?:landkreis|kreis|stadt|gemeinde|comune di|municipio de) ", re.I), "municipality"),
]
_SUFFIXES = [
    (re.compile(rf" (?:{_REGION_WORDS}|oblast'|oblast’)\.?$", re.I), "region"),
    (re.compile(rf" (?:{_DISTRICT_WORDS})$", re.I), "district"),
    (re.compile(r" (?:city|municipality|shi|-shi|si|gun)$", re.I), "municipality"),
]
_PARENTHESIS = re.compile(r"\s*[(\[]([^)\]]*)[)\]]\s*")
# A parenthesis that only says the level: "Göttingen (district)", "Lubin (rural gmina)".
_LEVEL_IN_PARENTHESIS = [
    (
        re.compile(
            r"^(?:urban |rural |urban-rural )?gmina$|^(?:municipality|commune|city|town|village)$", re.I
        ),
        "municipality",
    ),
    (re.compile(r"^(?:district|county|landkreis|kreis|borough|arrondissement|bezirk)$", re.I), "district"),
    (re.compile(r"^(?:region|province|state|oblast|r[ée]gion)$", re.I), "region"),
    (re.compile(r"^communaut[ée].*$|^intercommunalit[ée]$", re.I), "epci"),
]
# A locator after the name: "Rottenburg am Neckar", "Weiden in der Oberpfalz", "Bad Kötzting".
_LOCATOR = re.compile(r"^(\S.{2,}?)\s+(?:am|an der|in der|im|ob der|bei|upon|on)\s+\S.*$", re.I)
_SPA_TITLE = re.compile(r"^Bad\s+(\S.{2,})$")
_COMPOUND = re.compile(r"\s+(?:&|and|et|und)\s+|\s*/\s*|\s+[–—-]\s+|\s*–\s*", re.I)
_HYPHEN = re.compile(r"-")
_LINK_WORDS = {
    "en",
    "sur",
    "sous",
    "lès",
    "les",
    "lez",
    "le",
    "la",
    "de",
    "du",
    "des",
    "am",
    "an",
    "der",
    "im",
}


def name_variants(raw: str) -> list[NameVariant]:
    """Return the readings of a raw name to try, most literal first.

    "l'oblast de Dnipropetrovsk" gives itself, then "Dnipropetrovsk" with a region hint;
    "Saint-Denis (93)" gives "Saint-Denis" with the admin hint "93"; "Springfield, Ohio" gives
    "Springfield" with the admin hint "Ohio"; "Hammersmith & Fulham" also gives its two parts.
    """
    raw = " ".join(raw.split())
    variants: list[NameVariant] = []

    def add(variant: NameVariant) -> None:
        if variant.name and all(
            v.name != variant.name or v.admin_hint != variant.admin_hint for v in variants
        ):
            variants.append(variant)

    admin_hint = level = None
    source = ""
    base = raw
    if match := _PARENTHESIS.search(base):
        # "Frankfurt (Oder)" is a name in its own right; "Saint-Denis (93)" is a name and a hint.
        add(NameVariant(raw, why="nom complet"))
        inside = match.group(1).strip()
        level = next((kind for pattern, kind in _LEVEL_IN_PARENTHESIS if pattern.match(inside)), None)
        admin_hint, source = (None, "") if level else (inside or None, "parenthèse")
        base = _PARENTHESIS.sub(" ", base).strip()
    if "," in base:
        head, _, tail = base.partition(",")
        if head.strip() and tail.strip():
            add(NameVariant(base, admin_hint=admin_hint, why="nom complet", hint_source=source))
            if admin_hint is None:
                admin_hint, source = tail.strip(), "virgule"
            base = head.strip()
    add(NameVariant(base, kind_hint=level, admin_hint=admin_hint, why="nom tel quel", hint_source=source))
    stripped, hint = base, None
    for pattern, kind in _PREFIXES:
        new = pattern.sub("", stripped, count=1)
        if new != stripped and new.strip():
            stripped, hint = new.strip(), kind
            break
    for pattern, kind in _SUFFIXES:
        new = pattern.sub("", stripped, count=1)
        if new != stripped and new.strip():
            stripped, hint = new.strip(), hint or kind
            break
    hint = hint or level
    if stripped != base:
        add(
            NameVariant(
                stripped,
                kind_hint=hint,
                admin_hint=admin_hint,
                why="mention administrative retirée",
                hint_source=source,
            )
        )
    for pattern in (_LOCATOR, _SPA_TITLE):
        if located := pattern.match(stripped):
            add(
                NameVariant(
                    located.group(1),
                    kind_hint=hint,
                    admin_hint=admin_hint,
                    why="mention de lieu retirée",
                    hint_source=source,
                )
            )
    parts = [p.strip() for p in _COMPOUND.split(stripped) if p.strip()]
    if len(parts) > 1:
        # "Havana – Playa": the district (last) is the more precise place.
        for part in reversed(parts):
            add(
                NameVariant(
                    part,
                    kind_hint=hint or "district",
                    admin_hint=admin_hint,
                    why="partie d'un nom composé",
                    hint_source=source,
                )
            )
    elif "-" in stripped:
        # Merged municipalities ("Comines-Warneton") are often known by their first part; in
        # "Leuze-en-Hainaut" the rest says where.
        pieces = _HYPHEN.split(stripped)
        if len(pieces) >= 2 and len(pieces[0]) >= 4:
            rest = " ".join(p for p in pieces[1:] if p.lower() not in _LINK_WORDS)
            add(
                NameVariant(
                    pieces[0],
                    kind_hint=hint,
                    admin_hint=admin_hint or rest or None,
                    why="partie d'un nom composé",
                    hint_source=source if admin_hint else "reste",
                )
            )
    return variants
