"""Where a French actor has its seat: the current commune named by a commune's name, a postcode,
an address ending with them, or an INSEE code.

An actor (a university, an NGO, a company…) belongs to the territory of its seat: the commune,
its EPCI or métropole, its département and its région. The communes are read once per index
from the French geography (`places.Commune`): current communes only, a municipal arrondissement
or a delegated commune giving the commune it belongs to.
"""

import re
from dataclasses import dataclass

from coopatlas.core.text import normalise
from coopatlas.places.models import Commune

# The end of a French address line: "69361 Lyon Cedex 07", "75013 PARIS", "97400 Saint-Denis".
ADDRESS_END = re.compile(r"\b(\d{5})\s+([^\d,;]*[^\W\d][^,;]*?)\s*$")
CEDEX = re.compile(r"\s+c[eé]dex(\s*\d+)?\s*$", re.IGNORECASE)
# How addresses are typed: "75 011 Paris" (a spaced postcode), "F-87000", "(73200) ALBERTVILLE",
# "LYON (69005)", parts joined by " - ", "… France" at the end.
SPACED_POSTCODE = re.compile(r"(?<![\d\s])(\s*)(\d{2}) (\d{3})(?!\d)")
COUNTRY_PREFIX = re.compile(r"\bF\s*-\s*(?=\d)")
PARENTHESISED_POSTCODE = re.compile(r"\(\s*(\d{5})\s*\)")
MAX_ADDRESS_TAIL = 300
POSTCODE_AFTER = re.compile(r"^([^\d,;]*[^\W\d][^\d,;]*?)\s+(\d{5})\s*$")
COMMUNE_THEN_POSTCODE = re.compile(r"(?:^|[,;]\s*)([^\W\d][^\d,;()]*?)\s*\(\s*(\d{5})\s*\)")
PART_SEPARATORS = re.compile(r"[,;\n]|\s[-–—]\s")
# "… Paris France", "… Seynod -FRANCE", never the end of a name ("Bonneuil-en-France").
COUNTRY_SUFFIX = re.compile(r"(?:\s+-?\s*|\s*,\s*)france\s*$", re.IGNORECASE)
CURRENT = "commune-actuelle"


@dataclass(frozen=True)
class SeatCommune:
    insee_code: str
    name: str
    departement_code: str
    region_code: str
    epci_siren: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Seat:
    """The commune found (None when none is certain) and why, in French."""

    commune: SeatCommune | None
    reason: str


class SeatIndex:
    """The current communes by INSEE code, by postcode and by name (loaded on first use)."""

    def __init__(self) -> None:
        self._loaded = False
        self.by_code: dict[str, SeatCommune] = {}
        self.by_postcode: dict[str, list[SeatCommune]] = {}
        self.by_name: dict[str, list[SeatCommune]] = {}
        self.by_former_name: dict[str, list[SeatCommune]] = {}

    def _load(self) -> None:
        if self._loaded:
            return
        rows = list(
            Commune.objects.values_list(
                "insee_code",
                "kind",
                "name",
                "parent_code",
                "departement_id",
                "region_id",
                "epci_id",
                "latitude",
                "longitude",
                "postal_codes",
            )
        )
        current = {}
        for code, kind, name, _parent, departement, region, epci, lat, lon, _postcodes in rows:
            if kind == CURRENT:
                current[code] = SeatCommune(code, name, departement or "", region or "", epci or "", lat, lon)
        self.by_code = dict(current)
        for code, kind, name, parent, *_rest, postcodes in rows:
            commune = current.get(code) if kind == CURRENT else current.get(parent or code)
            if commune is None:
                continue
            self.by_code.setdefault(code, commune)  # an arrondissement's code gives its commune
            for postcode in postcodes or []:
                found = self.by_postcode.setdefault(postcode, [])
                if commune not in found:
                    found.append(commune)
            if kind == CURRENT:
                self.by_name.setdefault(normalise(name), []).append(commune)
            elif kind in ("commune-deleguee", "commune-associee"):
                # A commune that joined a "commune nouvelle" is still written in addresses.
                found = self.by_former_name.setdefault(normalise(name), [])
                if commune not in found:
                    found.append(commune)
        self._loaded = True

    def find(self, *, commune: str = "", postcode: str = "", insee_code: str = "", address: str = "") -> Seat:
        """Return the seat named by these, each optional: an INSEE code wins; a postcode and a
        name narrow each other down; an address gives its postcode and the words after it."""
        self._load()
        commune, postcode, insee_code = commune.strip(), postcode.strip(), insee_code.strip().upper()
        if re.fullmatch(r"\d{4}(\.0)?", postcode):
            # A spreadsheet's number cell loses the leading zero of 01000–09999 (Nice's 06000).
            postcode = "0" + postcode[:4]
        if insee_code:
            if (found := self.by_code.get(insee_code)) is not None:
                return Seat(found, f"siège : {found.name} (code INSEE {insee_code})")
            return Seat(None, f"code INSEE du siège inconnu : « {insee_code} »")
        cedex = False
        if address and not postcode:
            postcode, named = _address_end(address)
            commune = commune or named
        commune = commune[:MAX_ADDRESS_TAIL]  # no commune's name is longer
        if CEDEX.search(commune):
            # A Cedex code is a sorting code, not the commune's postcode: only its département
            # counts, and the commune's name says the rest.
            commune, cedex = CEDEX.sub("", commune).strip(" ,-"), True
        if postcode and not re.fullmatch(r"\d{5}", postcode):
            return Seat(None, f"code postal invalide : « {postcode} » (5 chiffres attendus)")
        by_postcode = self.by_postcode.get(postcode, []) if postcode and not cedex else []
        by_name = self._named(commune) if commune else []
        if postcode and not by_postcode:
            # A Cedex or unknown code: the commune of that name in the code's département.
            within = [c for c in by_name if _departement_matches(c.departement_code, postcode)]
            if len(within) == 1:
                how = "Cedex" if cedex else f"code postal {postcode} inconnu"
                return Seat(
                    within[0], f"siège : {within[0].name} ({how}, département {within[0].departement_code})"
                )
            if not commune:
                return Seat(None, f"code postal inconnu : « {postcode} »")
            return Seat(None, f"« {commune} » introuvable dans le département du code postal {postcode}")
        if commune and postcode:
            both = [c for c in by_name if c in by_postcode]
            if len(both) == 1:
                return Seat(both[0], f"siège : {both[0].name} ({postcode})")
            if not both and len(by_postcode) == 1 and not by_name:
                # A name the geography does not know ("Lyon 7e", "Lyon Cedex"), one commune for
                # the postcode: the postcode says it.
                return Seat(by_postcode[0], f"siège : {by_postcode[0].name} (code postal {postcode})")
            if not both:
                return Seat(None, f"« {commune} » n'a pas le code postal {postcode}")
        if postcode and not commune:
            if len(by_postcode) == 1:
                return Seat(by_postcode[0], f"siège : {by_postcode[0].name} (code postal {postcode})")
            names = ", ".join(sorted(c.name for c in by_postcode)[:5])
            return Seat(
                None, f"code postal {postcode} commun à plusieurs communes ({names}) : précisez la commune"
            )
        if commune:
            if len(by_name) == 1:
                return Seat(by_name[0], f"siège : {by_name[0].name}")
            if not by_name:
                return Seat(None, f"commune inconnue : « {commune} »")
            places = ", ".join(f"{c.name} ({c.departement_code})" for c in by_name[:5])
            return Seat(None, f"plusieurs communes « {commune} » ({places}) : précisez le code postal")
        return Seat(None, "ni commune ni code postal du siège")

    def _named(self, name: str) -> list[SeatCommune]:
        """Communes by name, written as people write them (accents, hyphens, "St-", "Lyon 7e")."""
        key = normalise(name)
        spelled = re.sub(r"\bst(e?)\b", r"saint\1", key)
        # "Lyon 7e", "Lyon 7eme arrondissement", "Marseille 13" → the commune.
        bare = re.sub(r"\s+\d{1,2}\s*(e|er|eme|ème)?(\s+arrondissement)?$", "", spelled).strip()
        for names in (self.by_name, self.by_former_name):
            for candidate in (key, spelled, bare):
                if found := names.get(candidate):
                    return found
        return []


def _departement_matches(departement: str, postcode: str) -> bool:
    """Whether a postcode lies in a département: its first two digits, three overseas (971…),
    20 for Corsica's two (2A, 2B)."""
    if postcode.startswith("97"):
        return departement == postcode[:3]
    if postcode.startswith("20"):
        return departement in ("2A", "2B")
    return departement == postcode[:2]


def _address_end(address: str) -> tuple[str, str]:
    """Return the postcode and the commune that end an address as people type it (the last part
    that reads "NNNNN Commune" or "Commune (NNNNN)": a "CS 70001" or a street number is not a
    postcode); with no postcode, the last part when it is a commune's name ("PAU cedex")."""
    # A postal address ends within its last lines: the regexes read at most that much, so that a
    # huge cell costs no more than a real address.
    text = COUNTRY_PREFIX.sub("", address[-MAX_ADDRESS_TAIL:])
    text = SPACED_POSTCODE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}", text)
    text = PARENTHESISED_POSTCODE.sub(r" \1 ", text)
    parts = [COUNTRY_SUFFIX.sub("", part).strip(" .") for part in PART_SEPARATORS.split(text)]
    parts = [part for part in parts if part]
    for part in reversed(parts):
        if match := ADDRESS_END.search(part):
            return match.group(1), match.group(2).strip()
        if match := POSTCODE_AFTER.search(part):
            return match.group(2), match.group(1).strip()
    if match := COMMUNE_THEN_POSTCODE.search(address[-MAX_ADDRESS_TAIL:]):  # "LYON (69005) 36 quai Fulchiron"
        return match.group(2), match.group(1).strip()
    last = parts[-1] if parts else ""
    return "", last if last and not re.search(r"\d", last) else ""
