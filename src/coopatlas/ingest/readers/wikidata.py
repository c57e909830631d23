"""Wikidata twin towns (property P190, "twinned administrative body"): a `relations.tsv` of
`<QID>\t<QID>` statements with a `names.tsv` of `<QID>\t<label>` beside it, without header (the
L3viathan/sister-cities crawl; CC0).

The file gives no country, no coordinate, no year: each label is placed with the resolver,
worldwide, and a side that cannot be placed for sure (unknown, ambiguous, or placed only near a
town) leaves its pair out, counted in the notes. Statements are directed; a pair stated from both
ends is one twinning. Each organisation carries its QID (`wikidata_id`), so that the importer's
identity rules join it to the organisation other sources made of the same place.
"""

from collections.abc import Iterator
from pathlib import Path

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole, PartnershipForm
from coopatlas.atlas.models import Organisation, Participation
from coopatlas.core.text import normalise
from coopatlas.ingest.errors import FileRejected, Problem, excerpt
from coopatlas.ingest.files import TextSource, open_text
from coopatlas.places.resolver import Resolver, get_resolver

CREDIT = "Wikidata, propriété P190 (CC0), via L3viathan/sister-cities"
SOURCE_URL = "https://www.wikidata.org/wiki/Property:P190"
NAMES_FILE, RELATIONS_FILE = "names.tsv", "relations.tsv"
QID_PREFIX = "Q"
# Below this confidence a worldwide reading of a bare label is a guess, not a place.
MIN_CONFIDENCE = 0.8
# A place of the same name in another country scoring this close leaves the label undecided.
ELSEWHERE_GAP = 0.25
# The French kinds of authority a French place is, by the gazetteer's kind.
FRENCH_KINDS = {
    "commune": OrganisationKind.COMMUNE,
    "departement": OrganisationKind.DEPARTEMENT,
    "region": OrganisationKind.REGION,
}
FOREIGN_LEVELS = {"city": "municipality", "admin2": "district", "admin1": "region"}


def _qid(value: str) -> bool:
    return value.startswith(QID_PREFIX) and value[1:].isdigit()


class WikidataReader:
    """Reads the P190 pairs; `records()` yields (where, record)."""

    def __init__(
        self,
        path: Path,
        *,
        all_pairs: bool = False,
        encoding: str | None = None,
        name: str | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        folder = path if path.is_dir() else path.parent
        self.name = name or (RELATIONS_FILE if path.is_dir() else path.name)
        relations = folder / RELATIONS_FILE if path.is_dir() or path.name == NAMES_FILE else path
        names = folder / NAMES_FILE
        if not names.is_file():
            raise FileRejected(
                f"{self.name} : le fichier des noms {NAMES_FILE} doit se trouver à côté des relations "
                f"(introuvable dans {folder.name or '.'})",
                f"{self.name}: the names file {NAMES_FILE} must lie beside the relations "
                f"(not found in {folder.name or '.'})",
            )
        self.all_pairs = all_pairs
        self.labels = self._read_names(names, encoding)
        self.source: TextSource = open_text(relations, encoding, self.name)
        self.resolver = resolver
        self.notes = self.source.notes
        self.unplaced: dict[str, str] = {}
        self._partners: dict[tuple, list[dict]] = {}
        self.skipped = 0

    def _read_names(self, path: Path, encoding: str | None) -> dict[str, str]:
        labels: dict[str, str] = {}
        source = open_text(path, encoding, NAMES_FILE)
        try:
            for number, line in enumerate(source.lines(), start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                qid, _, label = line.partition("\t")
                if not _qid(qid.strip()) or not label.strip():
                    raise FileRejected(
                        f"{NAMES_FILE}, ligne {number} : attendu « QID<tab>nom » ; "
                        f"trouvé « {excerpt(line, 60)} »",
                        f"{NAMES_FILE}, line {number}: expected 'QID<tab>name'; found '{excerpt(line, 60)}'",
                    )
                labels[qid.strip()] = " ".join(label.split())
        finally:
            source.close()
        return labels

    def close(self) -> None:
        self.source.close()

    def _place(self, qid: str) -> dict:
        """The organisation a QID stands for, placed by its label; Problem when it cannot be."""
        label = self.labels.get(qid)
        if label is None:
            raise Problem("QID", qid, f"absent de {NAMES_FILE}", f"missing from {NAMES_FILE}")
        if self.resolver is None:
            self.resolver = get_resolver()
        resolution = self.resolver.resolve(label, kind="municipality")
        place = resolution.match
        elsewhere = [
            c
            for c in resolution.candidates
            if place is not None
            and c.place.country_iso2 != place.country_iso2
            and resolution.candidates[0].score - c.score < ELSEWHERE_GAP
        ]
        if elsewhere and place is not None:
            # "Saint-Maurice": a commune in France and a town in Switzerland; a bare label with
            # no country cannot tell which.
            raise Problem(
                "nom",
                f"{label} ({qid})",
                f"lieu ambigu entre pays : {place.name} ({place.country_iso2}) ou "
                f"{elsewhere[0].place.name} ({elsewhere[0].place.country_iso2})",
                "place ambiguous between countries",
            )
        if place is None or not resolution.identifies or resolution.confidence < MIN_CONFIDENCE:
            raise Problem(
                "nom",
                f"{label} ({qid})",
                f"lieu non situé avec certitude : {resolution.reason}",
                "place not found for sure",
            )
        organisation: dict[str, object] = {"name": label, "country": place.country_iso2, "wikidata_id": qid}
        if place.country_iso2 == "FR":
            organisation["kind"] = FRENCH_KINDS.get(place.kind, OrganisationKind.COMMUNE)
            if place.insee_code and place.kind in FRENCH_KINDS:
                organisation["insee_code"] = place.insee_code
        else:
            organisation["kind"] = OrganisationKind.FOREIGN_AUTHORITY
            organisation["foreign_level"] = FOREIGN_LEVELS.get(place.kind, "municipality")
            if place.geonames_id:
                organisation["geonames_id"] = place.geonames_id
        return organisation

    def records(self) -> Iterator[tuple[str, dict]]:
        seen: set[frozenset[str]] = set()
        places: dict[str, dict | Problem] = {}
        try:
            for number, line in enumerate(self.source.lines(), start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                where = f"ligne {number}"
                left, _, right = (part.strip() for part in line.partition("\t"))
                if not (_qid(left) and _qid(right)):
                    yield (
                        where,
                        {
                            "_problem": Problem(
                                "relation",
                                excerpt(line, 80),
                                "attendu « QID<tab>QID »",
                                "expected 'QID<tab>QID'",
                            )
                        },
                    )
                    continue
                pair = frozenset((left, right))
                if len(pair) == 1 or pair in seen:  # the same pair stated from its other end
                    yield where, {"_skip": True}
                    continue
                seen.add(pair)
                sides: list[dict | Problem] = []
                for qid in (left, right):
                    if qid not in places:
                        try:
                            places[qid] = self._place(qid)
                        except Problem as problem:
                            places[qid] = problem
                    sides.append(places[qid])
                if len(sides) == 2 and isinstance(sides[0], Problem) != isinstance(sides[1], Problem):
                    # One side placed, the other not: the partner the placed side already has under
                    # that name ("Birmingham", a twin of Lyon in the atlas) is the one meant.
                    known, qid = (sides[0], right) if isinstance(sides[1], Problem) else (sides[1], left)
                    if isinstance(known, dict) and (partner := self._known_partner(known, qid)):
                        sides = [known, partner] if known is sides[0] else [partner, known]
                placed: list[dict] = [side for side in sides if not isinstance(side, Problem)]
                if len(placed) < len(sides):
                    for unplaced in sides:
                        if isinstance(unplaced, Problem):
                            self.unplaced[unplaced.value] = unplaced.fr
                    self.skipped += 1
                    yield where, {"_skip": True}
                    continue
                french = [side for side in placed if side["country"] == "FR"]
                if not french and not self.all_pairs:
                    self.skipped += 1
                    yield where, {"_skip": True}
                    continue
                first = french[0] if french else placed[0]
                other = placed[1] if first is placed[0] else placed[0]
                yield (
                    where,
                    {
                        "form": PartnershipForm.TWINNING,
                        "participants": [
                            {"organisation": side, "role": self._role(side)} for side in (first, other)
                        ],
                        "sources": [{"url": SOURCE_URL, "title": CREDIT}],
                    },
                )
        finally:
            self.source.close()
            if self.unplaced:
                self.notes.append(
                    f"{len(self.unplaced)} nom(s) non situé(s) avec certitude, leurs paires laissées de côté "
                    f"(par exemple : {', '.join(list(self.unplaced)[:5])})"
                )

    def _known_partner(self, known: dict, qid: str) -> dict | None:
        """The organisation of the atlas that is already a partner of `known` (a placed side) under
        the label of `qid`, when there is exactly one; as a side of the pair, with the QID."""
        if self.labels.get(qid) is None:
            return None
        anchor = Organisation.objects.filter(kind=known["kind"], country_id=known["country"])
        if known.get("insee_code"):
            anchor = anchor.filter(insee_code=known["insee_code"])
        elif known.get("geonames_id"):
            anchor = anchor.filter(geonames_id=known["geonames_id"])
        else:
            return None
        cache_key = (known["kind"], known["country"], known.get("insee_code"), known.get("geonames_id"))
        if (partners := self._partners.get(cache_key)) is None:
            shared = Participation.objects.filter(organisation__in=anchor).values("partnership_id")
            partners = [
                dict(row)
                for row in Organisation.objects.filter(participations__partnership_id__in=shared)
                .exclude(pk__in=anchor.values("pk"))
                .values("name", "alternate_names", "kind", "country_id", "geonames_id", "insee_code")
                .distinct()
            ]
            self._partners[cache_key] = partners
        label = normalise(self.labels[qid])
        found = [
            p for p in partners if label in {normalise(n) for n in [p["name"], *(p["alternate_names"] or [])]}
        ]
        if len(found) != 1:
            return None
        partner = found[0]
        side: dict[str, object] = {
            "name": self.labels[qid],
            "kind": partner["kind"],
            "country": partner["country_id"],
            "wikidata_id": qid,
        }
        for name in ("geonames_id", "insee_code"):
            if partner[name]:
                side[name] = partner[name]
        return side

    @staticmethod
    def _role(side: dict) -> str:
        if side["country"] == "FR":
            return ParticipationRole.FRENCH_AUTHORITY
        return ParticipationRole.FOREIGN_AUTHORITY
