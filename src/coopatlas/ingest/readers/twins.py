"""Twin-town pair files: the Wikipedia lists (Hekman/twincities: raw, geocoded, or the derived
file with INSEE codes) — one twinning per pair, the French side as the French authority.

By default only pairs with a French side are kept (the others are counted as skipped); with
`all_pairs`, pairs between two foreign towns are read too.
"""

from collections.abc import Iterator
from pathlib import Path

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole, PartnershipForm
from coopatlas.ingest import parsing
from coopatlas.ingest.errors import FileRejected, Problem, excerpt
from coopatlas.ingest.files import TextSource, csv_rows, open_text

CREDIT = "Wikipedia contributors, via Hekman/twincities (CC BY-SA 4.0)"
SOURCE_URL = "https://en.wikipedia.org/wiki/Lists_of_twin_towns_and_sister_cities"
DERIVED = {"fr_insee_code", "fr_insee_name", "partner_name", "partner_country_norm"}
PAIRS = {"city1", "country1", "city2", "country2"}


class Skip(Exception):
    """A row that is read but deliberately not imported (no French side)."""


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number != 0 else None  # 0 is the file's "no geocode"


def _place(name: str, country: object, field: str, lat: str = "", lng: str = "") -> dict:
    """A town of the file as an organisation: a French commune when its country is France,
    overseas included ("Réunion, France", "French Polynesia"), else a foreign authority."""
    organisation, _role = parsing.local_authority(name, country, field)
    latitude, longitude = _float(lat), _float(lng)
    if latitude is not None and longitude is not None:
        organisation["source_latitude"], organisation["source_longitude"] = latitude, longitude
    return organisation


def _role(side: dict) -> str:
    return (
        ParticipationRole.FRENCH_AUTHORITY if side["country"] == "FR" else ParticipationRole.FOREIGN_AUTHORITY
    )


def _record(first: dict, second: dict) -> dict:
    """A twinning between two towns, the French one (if any) first."""
    return {
        "form": PartnershipForm.TWINNING,
        "participants": [
            {"organisation": first, "role": _role(first)},
            {"organisation": second, "role": _role(second)},
        ],
        "sources": [{"url": SOURCE_URL, "title": CREDIT}],
    }


class TwinsReader:
    """Reads a twin-town pair file; `records()` yields (where, record)."""

    def __init__(
        self,
        path: Path,
        *,
        all_pairs: bool = False,
        encoding: str | None = None,
        name: str | None = None,
    ) -> None:
        self.path = path
        self.name = name or path.name
        self.all_pairs = all_pairs
        self.source: TextSource = open_text(path, encoding, self.name)
        try:
            self.header, self._rows = csv_rows(self.source)
        except FileRejected:
            self.source.close()
            raise
        columns = set(self.header)
        if DERIVED <= columns:
            self.layout = "derived"
        elif PAIRS <= columns:
            self.layout = "pairs"
        else:
            self.source.close()
            raise FileRejected(
                f"{self.name} : colonnes non reconnues pour des paires de villes jumelles "
                f"(attendu city1, country1, city2, country2, ou le fichier dérivé avec fr_insee_code) ; "
                f"trouvé : {', '.join(excerpt(h, 40) for h in self.header[:12])}",
                f"{self.name}: columns not recognised as twin-town pairs (expected city1, country1, "
                f"city2, country2, or the derived file with fr_insee_code); found: "
                f"{', '.join(excerpt(h, 40) for h in self.header[:12])}",
            )
        self.skipped = 0
        # The source's own list: it gets the lines with replaced bytes once they are read.
        self.notes = self.source.notes
        self.notes.append(f"format : {self.layout}")

    def close(self) -> None:
        self.source.close()

    def records(self) -> Iterator[tuple[str, dict]]:
        try:
            for number, cells in self._rows:
                row = dict(zip(self.header, cells, strict=False))
                where = f"ligne {number}"
                if len(cells) != len(self.header):
                    yield (
                        where,
                        {
                            "_problem": Problem(
                                "ligne",
                                ",".join(cells)[:200],
                                f"{len(cells)} cellules pour {len(self.header)} colonnes",
                                f"{len(cells)} cells for {len(self.header)} columns",
                            )
                        },
                    )
                    continue
                try:
                    record = self._derived(row) if self.layout == "derived" else self._pair(row)
                except Skip:
                    self.skipped += 1
                    yield where, {"_skip": True}
                    continue
                except Problem as problem:
                    yield where, {"_problem": problem}
                    continue
                yield where, record
        finally:
            self.source.close()

    def _derived(self, row: dict) -> dict:
        if row.get("is_duplicate") == "1":
            raise Skip
        insee, kind = row["fr_insee_code"].strip(), row.get("fr_insee_type", "")
        name = row["fr_insee_name"].strip() or row["fr_name_wikipedia"].strip()
        french = _place(name, "FR", "fr_insee_code", row.get("fr_lat", ""), row.get("fr_lng", ""))
        if kind == "departement":
            french["kind"] = OrganisationKind.DEPARTEMENT
        elif kind == "region":
            french["kind"] = OrganisationKind.REGION
        if insee and kind in ("commune-actuelle", "departement", "region"):
            french["insee_code"] = insee
        partner = _place(
            row["partner_name"].strip(),
            row["partner_country_norm"] or row["partner_country_raw"],
            "partner_country_norm",
            row.get("partner_lat", ""),
            row.get("partner_lng", ""),
        )
        if not partner["name"]:
            raise Problem("partner_name", "", "nom du partenaire manquant", "partner name missing")
        return _record(french, partner)

    def _pair(self, row: dict) -> dict:
        sides = []
        for n in ("1", "2"):
            name = row[f"city{n}"].strip()
            if not name:
                raise Problem(f"city{n}", "", "nom de ville manquant", "city name missing")
            sides.append(
                _place(
                    name, row[f"country{n}"], f"country{n}", row.get(f"lat{n}", ""), row.get(f"lng{n}", "")
                )
            )
        if sides[0]["name"] == sides[1]["name"] and sides[0]["country"] == sides[1]["country"]:
            raise Problem(
                "city2", sides[1]["name"], "une ville jumelée avec elle-même", "a town twinned with itself"
            )
        french = [s for s in sides if s["country"] == "FR"]
        if not french:
            if not self.all_pairs:
                raise Skip
            return _record(sides[0], sides[1])
        first = french[0]
        other = sides[1] if first is sides[0] else sides[0]
        return _record(first, other)
