"""Resolve a raw place name to a real place, with a confidence and the reason, or say it cannot.

    resolver = get_resolver()
    resolver.resolve("Francfort", country="DE").match.name        # 'Frankfurt am Main'
    resolver.resolve("Saint-Denis", country="FR").reason          # ambiguous: several communes
    resolver.resolve("Saint-Denis (93)").match.insee_code         # '93066'

The index is built once in memory (`get_resolver`); each call is a few dictionary look-ups, plus
a fuzzy search (rapidfuzz) among the names of one country when a country is known and nothing
else matched. Names people placed by hand (places.learned, loaded once per import or run) are
answered first, when given:

    resolver.resolve("Saint-Denis", country="FR", learned=learned_names()).reason
    # 'lieu choisi par une personne le 3 décembre 2026 (lieux à vérifier)'
"""

import contextlib
import datetime
import gc
import threading
import time
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rapidfuzz.fuzz import ratio

from coopatlas.core.geo import distance_km
from coopatlas.core.text import normalise
from coopatlas.places.countries import country_code_for
from coopatlas.places.gazetteer import (
    FUZZY_MIN_POPULATION,
    Gazetteer,
    Place,
    add_world_places,
    load_cached_gazetteer,
    population_weight,
    save_cached_gazetteer,
)
from coopatlas.places.names import NameVariant, name_variants, place_key
from coopatlas.places.overseas import FRENCH_OVERSEAS

# Which place kinds fit a hint (an organisation kind, a foreign level or a plain word).
KIND_HINTS: dict[str, set[str]] = {
    "commune": {"commune"},
    "municipality": {"commune", "city"},
    "city": {"commune", "city"},
    "district": {"city", "commune"},
    "epci": {"epci"},
    "metropole": {"epci"},
    "departement": {"departement"},
    "region": {"region", "admin1", "departement"},
    "province": {"admin1", "region"},
    "foreign_authority": {"city", "admin1", "admin2"},
}
KIND_HINTS["district"] = {"city", "commune", "admin2"}
# Kind hints a name's level word gives ("district", "county", "région") that a town is not.
LEVEL_HINTS = {"district", "region", "province"}
ADMINISTRATIVE_LEVELS = {"admin1", "admin2", "departement", "region", "epci"}
# Base scores by how the name matched; a population prior (about 0.03 per power of ten) follows.
EXACT, ACCENTS, ALTERNATE, COMPOUND_PART = 1.0, 0.99, 0.97, 0.75
POPULATION_PRIOR = 0.03
# Two places whose scores are this close (populations within ×10) are a tie: ambiguous,
# unless they lie this close to each other (one town entered twice, or its two halves).
AMBIGUITY_GAP = 0.03
SAME_AREA_KM = 20.0
# A district lies this close to the town named beside it: "Porz (Cologne)", "Guro (Seoul)".
NEAR_TOWN_KM = 30.0
TOWN_KINDS = {"city", "commune", "admin2", "epci"}


# France overseas (départements, régions and collectivities): ISO and GeoNames list them as
# countries, the COG as France; a name "in" one is looked for among its French communes.
OVERSEAS = {iso2: territory.name for iso2, territory in FRENCH_OVERSEAS.items()}
# Kept for callers of the earlier name.
OVERSEAS_DEPARTEMENTS = OVERSEAS


def _overseas_named(admin: str | None) -> str | None:
    """Return the ISO code of the overseas territory an admin hint names ("La Réunion"), or None."""
    key = place_key(admin or "")
    return next((iso2 for iso2, name in OVERSEAS.items() if key and place_key(name) == key), None)


class UnknownCountry(ValueError):
    """A country hint that names no country."""


FRENCH_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()


@dataclass(frozen=True)
class LearnedAnswer:
    """The place a person chose for a name in a country, and the day it was chosen."""

    place: Place
    chosen_on: datetime.date

    @property
    def reason(self) -> str:
        day = "1er" if self.chosen_on.day == 1 else str(self.chosen_on.day)
        when = f"{day} {FRENCH_MONTHS[self.chosen_on.month - 1]} {self.chosen_on.year}"
        return f"lieu choisi par une personne le {when} (lieux à vérifier)"


class LearnedNames:
    """Names people placed by hand, by (name key, ISO country code): a snapshot of the database
    (places.learned.learned_names) that Resolver.resolve answers before its own index."""

    def __init__(self, answers: dict[tuple[str, str], LearnedAnswer] | None = None) -> None:
        self._answers = answers or {}

    def get(self, key: str, iso2: str) -> LearnedAnswer | None:
        return self._answers.get((key, iso2))

    def __len__(self) -> int:
        return len(self._answers)


@dataclass
class Candidate:
    place: Place
    score: float
    reason: str
    outside_admin: str | None = None  # the admin hint this place does not lie in
    approximate: bool = False  # the town the named place lies in, not the place itself
    # Whether the name names this very place (its identifiers may be taken), rather than a part,
    # a district or a county of it, or a near spelling: see Resolution.identifies.
    identifies: bool = True

    def as_dict(self) -> dict:
        return {**self.place.as_dict(), "score": round(self.score, 3), "reason": self.reason}


@dataclass
class Resolution:
    query: str
    match: Place | None
    confidence: float
    reason: str
    candidates: list[Candidate] = field(default_factory=list)
    # The match is the town the named place lies in ("Prague 6 (Prague)" → Prague): its point
    # may be used, not its identifiers.
    approximate: bool = False
    # Whether the match is the place the name names, so that its identifiers (INSEE code,
    # GeoNames id) may become the organisation's identity. False for a part of a compound name
    # ("Worms – Pfeddersheim" → Worms), a level the place is not ("Göttingen (district)" → the
    # town), a near spelling, or the town a named place lies in: those give the point only.
    identifies: bool = True

    @property
    def is_ambiguous(self) -> bool:
        return self.match is None and len(self.candidates) > 1 and self.reason.startswith("ambigu")

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "match": self.match.as_dict() if self.match else None,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def _admin_matches(place: Place, hint: str) -> bool:
    hint_key = place_key(hint)
    if not hint_key:
        return False
    if hint.strip().upper() in place.admin_codes:
        return True
    for value in (place.admin1, place.admin2):
        value_key = place_key(value) if value else ""
        if value_key and (value_key.startswith(hint_key) or (len(hint_key) >= 4 and hint_key in value_key)):
            return True
    return False


def _near(a: Place, b: Place, km: float = 25.0) -> bool:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return False
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude) <= km


@dataclass(frozen=True)
class AdminHint:
    """What a hint beside a name says: an admin unit, a town the place lies near, or nothing known.

    `loose` hints (from the caller, a parenthesis or a comma) that name nothing known are ignored;
    a strict one (the rest of a hyphenated name) then rules the reading out.
    """

    text: str
    loose: bool
    known_admin: bool
    towns: tuple[Place, ...]

    def verdict(self, place: Place) -> str:
        """Return "in", "near", "out" or "ignored" for a candidate place."""
        if _admin_matches(place, self.text):
            return "in"
        if any(_near(place, town, NEAR_TOWN_KM) for town in self.towns if town is not place):
            return "near"
        if self.known_admin or self.towns or not self.loose:
            return "out"
        return "ignored"


class Resolver:
    """Answer resolve() from a gazetteer built once."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._hints: dict[tuple, AdminHint] = {}

    def resolve(
        self,
        raw: str,
        country: str | None = None,
        kind: str | None = None,
        admin: str | None = None,
        limit: int = 5,
        learned: LearnedNames | None = None,
    ) -> Resolution:
        """Return the best place for `raw`, ranked candidates, a confidence in 0..1 and the reason.

        `country` is an ISO alpha-2 code or a country name; `kind` an organisation kind or level
        (commune, epci, region, municipality, district, province…); `admin` a département,
        région, state or province the place lies in. Raise UnknownCountry for a bad country.
        A name in `learned` for that country is answered with the place a person chose for it
        (confidence 1), unless `admin` names an area that place does not lie in.
        """
        query = raw
        raw = (raw or "").strip()
        iso2 = self._country(country)
        key = place_key(raw)
        if not raw or not key:
            return Resolution(query, None, 0.0, "nom vide")
        if learned and iso2 and (answer := learned.get(key, iso2)) is not None:
            if not admin or _admin_matches(answer.place, admin):
                place = self._indexed(answer.place)
                return Resolution(query, place, 1.0, answer.reason, [Candidate(place, 1.0, answer.reason)])
        variants = name_variants(raw)
        found: dict[int, Candidate] = {}
        if iso2 in OVERSEAS and self.gazetteer.has_french_communes:
            iso2, admin = "FR", admin or OVERSEAS[iso2]
        elif iso2 == "FR" and not self.gazetteer.has_french_communes and (code := _overseas_named(admin)):
            iso2 = code  # without the COG, GeoNames files the place under its own code
        for variant in variants:
            variant_country, variant_admin = iso2, admin or variant.admin_hint
            if variant.admin_hint and not iso2 and (code := country_code_for(variant.admin_hint)):
                variant_country, variant_admin = code, admin
                if code in OVERSEAS and self.gazetteer.has_french_communes:
                    variant_country, variant_admin = "FR", admin or OVERSEAS[code]
            loose = bool(admin) or variant.hint_source in ("parenthèse", "virgule")
            hint = self._hint(variant_admin, variant_country, loose) if variant_admin else None
            for candidate in self._exact(variant, variant_country, kind, hint):
                key = id(candidate.place)
                if key not in found or found[key].score < candidate.score:
                    found[key] = candidate
        if not found and iso2:
            hint = self._hint(admin, iso2, True) if admin else None
            for candidate in self._fuzzy(variants[0], iso2, kind, hint):
                found[id(candidate.place)] = candidate
        if not found:
            found = {id(c.place): c for c in self._within_town(variants, iso2)}
        ranked = sorted(found.values(), key=lambda c: -c.score)[:limit]
        return self._decide(query, ranked)

    def _indexed(self, chosen: Place) -> Place:
        """Return the index's own entry for a place a person chose (it knows the place's codes),
        or the place as stored when the index no longer holds it."""
        for place, _own in self.gazetteer.lookup(place_key(chosen.name)):
            same = (place.kind, place.country_iso2, place.insee_code, place.geonames_id) == (
                chosen.kind,
                chosen.country_iso2,
                chosen.insee_code,
                chosen.geonames_id,
            )
            # A state, county or EPCI has no code: its name and the area it lies in identify it.
            if same and (place.insee_code or place.geonames_id or place.admin1 == chosen.admin1):
                return place
        return chosen

    def _hint(self, text: str, iso2: str | None, loose: bool) -> AdminHint:
        """Read an admin hint in a country (cached: the same hints come back again and again)."""
        cache_key = (text, iso2, loose)
        if (known := self._hints.get(cache_key)) is not None:
            return known
        key = place_key(text)
        towns = tuple(
            place
            for place, _own in self.gazetteer.lookup(key)
            if place.kind in TOWN_KINDS and (iso2 is None or place.country_iso2 == iso2)
        )
        admin_keys = self.gazetteer.admin_keys(iso2)
        known_admin = bool(key) and (
            text.strip().upper() in admin_keys
            or any(k.startswith(key) or (len(key) >= 4 and key in k) for k in admin_keys)
        )
        hint = AdminHint(text, loose, known_admin, towns)
        if len(self._hints) > 50_000:
            self._hints.clear()
        self._hints[cache_key] = hint
        return hint

    def _within_town(self, variants: list[NameVariant], iso2: str | None) -> list[Candidate]:
        """When the name itself is unknown but a parenthesis names the town it lies in ("Prague 6
        (Prague)", "Guro (Seoul)"), answer with that town, saying so."""
        for variant in variants:
            if variant.hint_source != "parenthèse" or not variant.admin_hint:
                continue
            towns = [
                place
                for place in self._hint(variant.admin_hint, iso2, True).towns
                if place.kind in ("city", "commune") and place.population >= 10_000
            ]
            if not towns:
                continue
            town = max(towns, key=lambda place: place.population)
            reason = (
                f"« {variant.name} » est inconnu de l'index ; situé dans « {variant.admin_hint} », "
                f"placé à {town.name}"
            )
            return [Candidate(town, 0.6, reason, approximate=True, identifies=False)]
        return []

    # -- matching ---------------------------------------------------------------------------------
    @staticmethod
    def _country(country: str | None) -> str | None:
        if not country:
            return None
        code = country.strip().upper() if len(country.strip()) == 2 else country_code_for(country)
        if code and (len(country.strip()) != 2 or country_code_for(code)):
            return code
        raise UnknownCountry(f"Pays inconnu : « {country} ».")

    def _score(
        self,
        place: Place,
        base: float,
        kind_hint: str | None,
        variant_hint: str | None,
        admin: AdminHint | None,
    ) -> tuple[float, str, str | None]:
        """Return the score of a place, notes on the hints, and the admin hint it lies outside."""
        score = base + POPULATION_PRIOR * population_weight(place.population)
        notes = []
        hint = kind_hint or variant_hint
        if hint and hint in KIND_HINTS:
            if place.kind in KIND_HINTS[hint]:
                score += 0.1
            else:
                score -= 0.3
        elif place.kind in ADMINISTRATIVE_LEVELS:
            score -= 0.1  # with no hint, a town is likelier than the region of the same name
        outside = None
        if admin:
            verdict = admin.verdict(place)
            if verdict == "in":
                score += 0.2
                notes.append(f"dans « {admin.text} »")
            elif verdict == "near":
                # The rest of a hyphenated name only allows its first part ("Heusden-Zolder"):
                # it must not beat the whole name known as such ("Berlin-Neukölln").
                score += 0.2 if admin.loose else 0.0
                notes.append(f"près de « {admin.text} »")
            elif verdict == "ignored":
                notes.append(f"« {admin.text} » non reconnu, ignoré")
            else:
                score -= 0.4
                outside = admin.text
        return score, ", ".join(notes), outside

    def _exact(
        self, variant: NameVariant, iso2: str | None, kind: str | None, admin: AdminHint | None
    ) -> list[Candidate]:
        key = place_key(variant.name)
        results = []
        for place, own in self.gazetteer.lookup(key):
            if iso2 and place.country_iso2 != iso2:
                continue
            if own and variant.name.casefold() == place.name.casefold():
                base, reason = EXACT, "nom exact"
            elif own:
                base, reason = ACCENTS, "même nom aux accents, tirets ou espaces près"
            elif ratio(normalise(variant.name), normalise(place.name)) < 75:
                base, reason = ALTERNATE, f"exonyme ou autre nom de « {place.name} »"
            else:
                base, reason = ALTERNATE, f"autre graphie de « {place.name} »"
            identifies = True
            if variant.why == "partie d'un nom composé":
                base, reason = COMPOUND_PART, f"{reason} ; partie du nom composé"
                identifies = False
            elif variant.kind_hint in LEVEL_HINTS and place.kind in ("city", "commune"):
                # "Göttingen (district)", "Borough of Hammersmith": a level the town is not.
                identifies = False
            elif variant.why in ("mention administrative retirée", "mention de lieu retirée"):
                # Less literal than the name as written: "Atlantic City" must beat "Atlantic".
                base -= 0.15
                reason += f" ; {variant.why}"
            score, notes, outside = self._score(place, base, kind, variant.kind_hint, admin)
            if admin and admin.verdict(place) == "ignored":
                # "Stolberg (Südharz)": a hint that names nothing known leaves open which of the
                # places of that name is meant; the first one must not take the name's identity.
                identifies = False
            results.append(
                Candidate(
                    place, score, reason + (f" ; {notes}" if notes else ""), outside, identifies=identifies
                )
            )
        return results

    def _fuzzy(
        self, variant: NameVariant, iso2: str, kind: str | None, admin: AdminHint | None
    ) -> list[Candidate]:
        key = place_key(variant.name)
        keys = self.gazetteer.country_keys(iso2)
        if len(key) < 4 or not keys:
            return []
        results = []
        for other, distance, _ in process.extract(
            key, keys, scorer=Levenshtein.distance, score_cutoff=2, limit=10
        ):
            for place, _own in self.gazetteer.lookup(other):
                if place.country_iso2 != iso2:
                    continue
                # A near spelling is trusted only for a sizeable town with the same initial, and
                # two edits only when they swap letters ("Golem" for "Gomel"): typos of small
                # places, or of other letters, would match some other town.
                if key[0] != other[0] or not (
                    (distance == 1 and len(key) >= 7 and place.population >= FUZZY_MIN_POPULATION)
                    or (distance == 2 and sorted(key) == sorted(other) and place.population >= 100_000)
                ):
                    continue
                score, notes, outside = self._score(
                    place, 0.8 - 0.1 * distance, kind, variant.kind_hint, admin
                )
                reason = f"approché : « {variant.name} » à {distance} lettre(s) de « {place.name} »"
                results.append(
                    Candidate(
                        place, score, reason + (f" ; {notes}" if notes else ""), outside, identifies=False
                    )
                )
        return results

    # -- decision -----------------------------------------------------------------------------------
    @staticmethod
    def _decide(query: str, ranked: list[Candidate]) -> Resolution:
        if not ranked:
            return Resolution(query, None, 0.0, "aucun lieu connu sous ce nom")
        best = ranked[0]
        if best.outside_admin:
            return Resolution(
                query,
                None,
                0.2,
                f"aucun lieu de ce nom dans « {best.outside_admin} » ; le plus proche, "
                f"{best.place.name} ({best.place.admin2 or best.place.admin1 or best.place.country_iso2}), "
                "est ailleurs",
                ranked,
            )
        rivals = [
            c
            for c in ranked[1:]
            if best.score - c.score < AMBIGUITY_GAP
            and c.place.kind == best.place.kind
            and not _near(best.place, c.place, SAME_AREA_KM)
        ]
        if rivals:
            names = ", ".join(
                f"{c.place.name} ({c.place.admin2 or c.place.admin1 or c.place.country_iso2})"
                for c in [best, *rivals]
            )
            return Resolution(
                query,
                None,
                0.3,
                f"ambigu : {len(rivals) + 1} lieux possibles ({names}) ; précisez le "
                "département, la région ou le pays",
                ranked,
            )
        gap = best.score - ranked[1].score if len(ranked) > 1 else 1.0
        base = 0.95 if "exact" in best.reason or "accents" in best.reason else 0.9
        if best.reason.startswith("approché"):
            base = 0.7
        if "partie du nom composé" in best.reason:
            base = 0.6
        if best.approximate:
            base = 0.5
        confidence = base * (1.0 if gap >= 0.1 else 0.85 + 1.5 * gap)
        return Resolution(
            query,
            best.place,
            round(min(confidence, 0.99), 3),
            best.reason,
            ranked,
            best.approximate,
            identifies=best.identifies and not best.approximate,
        )


def build_gazetteer(*, with_french: bool = True) -> Gazetteer:
    """Build the gazetteer: French places from the database (when loaded) and world places.

    The result is kept in a cache file (var/cache/) named after everything it was built from, so
    that later processes start in a second or two.
    """
    from coopatlas.places.french import add_french_places, french_fingerprint

    fingerprint = french_fingerprint() if with_french else "none"
    with _collector_paused():
        cached = load_cached_gazetteer(fingerprint)
        if cached is not None:
            return cached
        gazetteer = Gazetteer()
        french = add_french_places(gazetteer) if with_french else 0
        gazetteer.has_french_communes = french > 0
        # With the French communes loaded, GeoNames's French entries would only duplicate them.
        skip = {"FR", *OVERSEAS} if french else set()
        add_world_places(gazetteer, skip_countries=skip)
        gazetteer.finish()
    # Writing the cache file takes a few seconds: the caller need not wait for it.
    threading.Thread(
        target=save_cached_gazetteer, args=(gazetteer, fingerprint), name="gazetteer-cache"
    ).start()
    return gazetteer


@contextlib.contextmanager
def _collector_paused():
    """Pause the garbage collector while a million small objects are made, then freeze them.

    The index holds no reference cycles; scanning it again and again would only cost time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


_lock = threading.Lock()
_resolver: Resolver | None = None
build_seconds: float = 0.0


def get_resolver() -> Resolver:
    """Return the process-wide resolver, building its index on first use."""
    global _resolver, build_seconds
    with _lock:
        if _resolver is None:
            started = time.perf_counter()
            _resolver = Resolver(build_gazetteer())
            build_seconds = time.perf_counter() - started
        return _resolver


def reset_resolver() -> None:
    """Forget the resolver so that the next call rebuilds it (after reloading places)."""
    global _resolver
    with _lock:
        _resolver = None
