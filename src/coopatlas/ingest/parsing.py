"""Turn the values people type in spreadsheets and record sheets into the atlas's values.

Each parser takes the raw text and the field's name and returns the value, or raises a Problem
naming the field and the value in French and English.
"""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.db import models

from coopatlas.atlas.choices import (
    FundingKind,
    OrganisationKind,
    ParticipationRole,
    PartnershipForm,
    PartnershipStatus,
    PublicationState,
)
from coopatlas.core.text import normalise
from coopatlas.core.years import MIN_YEAR, max_year
from coopatlas.ingest.errors import Problem
from coopatlas.places.countries import country_code_for
from coopatlas.places.overseas import FRANCE, FRENCH_OVERSEAS, french_place

EMPTY = {"", "na", "n/a", "nc", "-", "—", "?", "none", "null"}

_YEAR = r"(1[89]\d\d|20\d\d|2100)"
_APPROX = re.compile(
    rf"^(?:vers|env\.?|environ|circa|ca\.?|c\.|about|around|avant|before|après|after)\s*{_YEAR}$"
)
_RANGE = re.compile(rf"^{_YEAR}\s*(?:-|–|—|/|à|au|to)\s*{_YEAR}$")
_DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip().casefold() in EMPTY)


_SPACES = re.compile(r"[ \t\u00a0]+")


def text(raw: object) -> str:
    """Return the cell as clean text (None and "NA" become empty)."""
    if raw is None or raw == "" or is_empty(raw):
        return ""
    value = str(raw)
    if "  " in value or "\t" in value or "\u00a0" in value:
        value = _SPACES.sub(" ", value)
    return value.strip()


def _check_year(year: int, field: str, raw: str) -> int:
    if not MIN_YEAR <= year <= max_year():
        raise Problem(
            field,
            raw,
            f"l'année {year} est hors de la période admise ({MIN_YEAR} à {max_year()})",
            f"year {year} is outside the accepted span ({MIN_YEAR} to {max_year()})",
        )
    return year


def year_span(raw: object, field: str) -> tuple[int | None, int | None, bool]:
    """Return (first year, last year, approximate) from "1990", "vers 1990", "1990-1995" or a date."""
    value = text(raw)
    if not value:
        return None, None, False
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        return _check_year(int(raw), field, value), None, False
    if isinstance(raw, (datetime.date, datetime.datetime)):
        return _check_year(raw.year, field, value), None, False
    lowered = value.casefold().rstrip(".")
    if re.fullmatch(_YEAR, lowered):
        return _check_year(int(lowered), field, value), None, False
    if match := _APPROX.match(lowered):
        return _check_year(int(match.group(1)), field, value), None, True
    if match := _RANGE.match(lowered):
        first, last = int(match.group(1)), int(match.group(2))
        if last < first:
            raise Problem(
                field,
                value,
                f"la période {first}-{last} finit avant de commencer",
                f"the span {first}-{last} ends before it starts",
            )
        return _check_year(first, field, value), _check_year(last, field, value), False
    try:
        day = date(value, field)
    except Problem:
        day = None
    if day is not None:
        return _check_year(day.year, field, value), None, False
    raise Problem(
        field,
        value,
        "année illisible (attendu : 1990, « vers 1990 », 1990-1995 ou une date jj/mm/aaaa)",
        "unreadable year (expected 1990, 'vers 1990', 1990-1995 or a date dd/mm/yyyy)",
    )


def year(raw: object, field: str) -> int | None:
    return year_span(raw, field)[0]


def date(raw: object, field: str) -> datetime.date | None:
    """Return a date from dd/mm/yyyy, yyyy-mm-dd or a spreadsheet date."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    value = text(raw)
    if not value:
        return None
    try:
        if match := _DATE_FR.match(value):
            day, month, year_ = (int(g) for g in match.groups())
            return datetime.date(year_, month, day)
        if match := _DATE_ISO.match(value):
            year_, month, day = (int(g) for g in match.groups())
            return datetime.date(year_, month, day)
    except ValueError:
        raise Problem(
            field, value, "cette date n'existe pas au calendrier", "this date does not exist"
        ) from None
    raise Problem(
        field,
        value,
        "date illisible (attendu : jj/mm/aaaa ou aaaa-mm-jj)",
        "unreadable date (expected dd/mm/yyyy or yyyy-mm-dd)",
    )


def amount(raw: object, field: str) -> Decimal | None:
    """Return an amount in euros from "1 255,50 €", "1255.50", "1,255.50" or a number."""
    if isinstance(raw, bool):
        raise Problem(field, str(raw), "montant attendu, pas vrai/faux", "an amount, not true/false")
    if isinstance(raw, (int, float, Decimal)):
        value = Decimal(str(raw))
    else:
        cleaned = text(raw)
        if not cleaned:
            return None
        compact = re.sub(r"[\s\u00a0\u202f']|€|eur(?:os?)?$", "", cleaned, flags=re.IGNORECASE)
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", compact):  # 1,255.50
            compact = compact.replace(",", "")
        elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", compact):  # 1.255,50
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", ".")
        try:
            value = Decimal(compact)
        except InvalidOperation:
            raise Problem(
                field,
                cleaned,
                "montant illisible (attendu : 1 255,50 € ou 1255.50)",
                "unreadable amount (expected 1 255,50 € or 1255.50)",
            ) from None
    if not value.is_finite():
        raise Problem(field, str(raw), "montant illisible", "unreadable amount")
    if value < 0:
        raise Problem(field, str(raw), "un montant ne peut pas être négatif", "an amount cannot be negative")
    if value >= Decimal("1e13"):
        raise Problem(
            field, str(raw), "montant invraisemblable (10 000 milliards ou plus)", "implausible amount"
        )
    return value.quantize(Decimal("0.01"))


def boolean(raw: object, field: str) -> bool:
    value = normalise(text(raw))
    if value in {"", "non", "no", "false", "faux", "0", "n"}:
        return False
    if value in {"oui", "yes", "true", "vrai", "1", "o", "y", "x"}:
        return True
    raise Problem(field, text(raw), "attendu : oui ou non", "expected yes or no")


# Extra spellings met in sources, on top of each choice's code and French and English labels.
_SYNONYMS: dict[type[models.TextChoices], dict[str, str]] = {
    PartnershipForm: {
        "jumelage cooperation": "twinning",
        "ville jumelle": "twinning",
        "sister city": "twinning",
        "twin town": "twinning",
        "convention de cooperation": "cooperation_agreement",
        "accord de cooperation": "cooperation_agreement",
        "convention": "cooperation_agreement",
        "cooperation agreement": "cooperation_agreement",
        "accord de partenariat": "cooperation_agreement",
        "charte d'amitie": "friendship_pact",
        "pacte d'amitie": "friendship_pact",
        "friendship agreement": "friendship_pact",
        "protocole": "protocol",
        "protocole d'accord": "protocol",
        "protocole de cooperation": "protocol",
        "memorandum of understanding": "protocol",
        "projet": "project",
        "projet de cooperation": "project",
        "cooperation project": "project",
        "reseau": "network",
        "action": "initiative",
        "accord cadre": "cooperation_agreement",
        "accord": "cooperation_agreement",
        "initiative": "initiative",
    },
    OrganisationKind: {
        "universite": "university",
        "recherche": "university",
        "laboratoire": "university",
        "ecole": "school",
        "lycee": "school",
        "association": "association",
        "ong": "association",
        "fondation": "association",
        "entreprise": "company",
        "societe": "company",
        "hopital": "hospital",
        "sante": "hospital",
        "chambre": "chamber",
        "cci": "chamber",
        "culture": "cultural_body",
        "culturel": "cultural_body",
        "organisme public": "french_public_body",
        "organisme_public": "french_public_body",
        "reseau": "network",
    },
    PartnershipStatus: {
        "actif": "active",
        "en cours": "active",
        "ongoing": "active",
        "termine": "ended",
        "terminee": "ended",
        "fini": "ended",
        "finished": "ended",
        "en sommeil": "dormant",
        "inactif": "dormant",
        "en projet": "planned",
        "prevu": "planned",
        "inconnu": "unknown",
        "non connu": "unknown",
        "unknown": "unknown",
    },
}


@functools.cache
def _choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling of a vocabulary's values: codes, French and English labels, synonyms."""
    from django.utils import translation

    index: dict[str, str] = {}
    with translation.override("fr"):
        for code, label in choices.choices:
            index[normalise(code)] = code
            index[normalise(str(label))] = code
    with translation.override("en"):
        for code, label in choices.choices:
            index.setdefault(normalise(str(label)), code)
    for synonym, code in _SYNONYMS.get(choices, {}).items():
        index.setdefault(normalise(synonym), code)
    return index


def choice(raw: object, field: str, choices: type[models.TextChoices], default: str | None = None) -> str:
    """Return the code of a choice given as its code or its French or English label."""
    value = text(raw)
    if not value:
        if default is not None:
            return default
        raise Problem(field, "", "valeur obligatoire", "value required")
    key = normalise(value)
    index = _choice_index(choices)
    if key in index:
        return index[key]
    allowed = ", ".join(str(label) for _, label in choices.choices)
    raise Problem(
        field, value, f"valeur inconnue (admises : {allowed})", f"unknown value (allowed: {allowed})"
    )


def form(raw: object, field: str = "forme", default: str | None = None) -> str:
    return choice(raw, field, PartnershipForm, default)


def status(raw: object, field: str = "état", default: str | None = PartnershipStatus.UNKNOWN) -> str:
    """Return a status code; a source that gives none says nothing: « Non renseigné »."""
    return choice(raw, field, PartnershipStatus, default)


def publication(raw: object, field: str = "publication", default: str | None = PublicationState.DRAFT) -> str:
    return choice(raw, field, PublicationState, default)


def organisation_kind(raw: object, field: str, default: str | None = None) -> str:
    return choice(raw, field, OrganisationKind, default)


def role(raw: object, field: str) -> str:
    return choice(raw, field, ParticipationRole)


def funding_kind(raw: object, field: str) -> str:
    return choice(raw, field, FundingKind, FundingKind.OTHER)


# Country spellings of twin-town lists and record sheets that are not plain country names.
_COUNTRY_ALIASES = {
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "republic of ireland": "IE",
    "georgia (country)": "GE",
    "the netherlands": "NL",
    "holland": "NL",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "palestine": "PS",
    "kosovo": "XK",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of the congo": "CG",
    "congo-brazzaville": "CG",
    "congo-kinshasa": "CD",
    "east timor": "TL",
    "burma": "MM",
    "swaziland": "SZ",
    "macedonia": "MK",
    "vatican city": "VA",
    "south korea": "KR",
    "north korea": "KP",
    "laos": "LA",
    "russia": "RU",
    "syria": "SY",
    "iran": "IR",
    "turkey": "TR",
    "taiwan": "TW",
    "vietnam": "VN",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "brunei": "BN",
    "cape verde": "CV",
    "micronesia": "FM",
    "northern cyprus": "CY",
    "turkish republic of northern cyprus": "CY",
    "somaliland": "SO",
    "transnistria": "MD",
    "abkhazia": "GE",
    "south ossetia": "GE",
}


def country(raw: object, field: str = "pays") -> str:
    """Return the ISO alpha-2 code of a country given by name (French or English) or code.

    "Ohio, United States" and "Réunion, France" give the country after the comma;
    "Georgia (country)" and "England" are understood. France overseas is France: "Réunion",
    "Polynésie française" or "PF" give FR (`place` also tells which territory).
    """
    return place(raw, field)[0]


def place(raw: object, field: str = "pays") -> tuple[str, str]:
    """Return (country, overseas territory) of a country given by name or code: the territory
    (its COG name, "La Réunion") when the name is one of France overseas, else ""."""
    value = text(raw)
    if not value:
        raise Problem(field, "", "pays obligatoire", "country required")
    code = _country_code(value)
    if code is None:
        raise Problem(field, value, "pays inconnu", "unknown country")
    if code == FRANCE:  # "Réunion, France", "Martinique (France)": the territory is named first
        for part in re.split(r"[,()]", value):
            if (found := _country_code(part.strip(), guess=False)) in FRENCH_OVERSEAS:
                code = found
                break
    return french_place(code)


def _country_code(value: str, *, guess: bool = True) -> str | None:
    if not value:
        return None
    bare = re.sub(r"^(?:in|en|au|aux)\s+", "", value, flags=re.IGNORECASE)  # "in Italy"
    for candidate in (value, value.split(",")[-1], re.sub(r"\s*\(.*\)\s*$", "", value), bare):
        key = normalise(candidate)
        if key in _COUNTRY_ALIASES:
            return _COUNTRY_ALIASES[key]
        if code := country_code_for(candidate) or _overseas_names().get(key) or _country_names().get(key):
            return code
    return _country_by_spelling(value) if guess else None


def local_authority(name: str, raw_country: object, field: str = "pays") -> tuple[dict, str]:
    """Return (organisation, role) of a local authority a source names with its country: in
    France, overseas included, a French commune in the French authority's role, its overseas
    territory kept as the hint that tells it from a mainland homonym (Saint-Denis, La Réunion);
    elsewhere a foreign authority."""
    iso2, territory = place(raw_country, field)
    if iso2 != FRANCE:
        organisation = {"name": name, "kind": OrganisationKind.FOREIGN_AUTHORITY, "country": iso2}
        return organisation, ParticipationRole.FOREIGN_AUTHORITY
    organisation = {"name": name, "kind": OrganisationKind.COMMUNE, "country": FRANCE}
    if territory:
        organisation["admin_area"] = territory
    return organisation, ParticipationRole.FRENCH_AUTHORITY


def overseas_as_france(organisation: dict, role: str | None) -> tuple[dict, str | None]:
    """Return an organisation given with country codes (a JSON record, a reviewed candidate) and
    its role, placed in France when its code is one of France overseas (RE, PF…): its territory
    becomes its admin area, a foreign authority there a French commune in the French authority's
    role. Any other organisation is returned as it is."""
    iso2 = str(organisation.get("country") or "").upper()
    if iso2 not in FRENCH_OVERSEAS:
        return organisation, role
    country, territory = french_place(iso2)
    # Located again, among the French communes, by the importer.
    moved = {k: v for k, v in organisation.items() if k not in ("place_status", "place_reason")}
    moved["country"] = country
    moved["admin_area"] = organisation.get("admin_area") or territory
    if organisation.get("kind") == OrganisationKind.FOREIGN_AUTHORITY:
        moved["kind"] = OrganisationKind.COMMUNE
        moved.pop("foreign_level", None)
    if role == ParticipationRole.FOREIGN_AUTHORITY:
        role = ParticipationRole.FRENCH_AUTHORITY
    return moved, role


def country_or_none(value: str) -> str | None:
    """Return the ISO alpha-2 code of a country name written in full (no guess at misspellings:
    for names found in running text), or None."""
    key = normalise(value)
    if len(key) < 2:
        return None
    if len(key) <= 3 and not value.strip().isupper():  # "Est", "Can": words, not ISO codes
        code = _country_names().get(key)
        return french_place(code)[0] if code else None
    code = _COUNTRY_ALIASES.get(key) or country_code_for(value) or _country_names().get(key)
    return french_place(code)[0] if code else None


@functools.cache
def _overseas_names() -> dict[str, str]:
    """France overseas by the COG's names ("Guyane", "Wallis et Futuna"), which CLDR may not use."""
    return {normalise(territory.name): iso2 for iso2, territory in FRENCH_OVERSEAS.items()}


@functools.cache
def _country_names() -> dict[str, str]:
    from coopatlas.places.countries import iter_countries

    names: dict[str, str] = {}
    for row in iter_countries():
        for name in (row.name_fr, row.name_en, *row.alternate_names):
            names.setdefault(normalise(name), row.iso2)
    # Country names in the languages partner towns' lists are often written in (CLDR, via Babel).
    from babel import Locale

    for language in ("de", "es", "it", "pt", "nl", "pl"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(normalise(name), code)
    return names


def _country_by_spelling(value: str) -> str | None:
    """Return the country a misspelt name clearly means ("Madagaskar"), or None when unsure."""
    from rapidfuzz import fuzz, process

    key = normalise(value)
    if len(key) < 5:
        return None
    names = _country_names()
    found = process.extract(key, names.keys(), scorer=fuzz.ratio, limit=2, score_cutoff=88)
    if not found:
        return None
    codes = {names[name] for name, _score, _ in found}
    return codes.pop() if len(codes) == 1 else None
