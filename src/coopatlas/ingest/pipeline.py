"""The import pipeline shared by every source: map → validate → resolve places → upsert → report.

A reader yields `(where, record)` pairs: `where` says where the row is in the file ("ligne 12"),
`record` is a partnership in our own schema (see docs/import-export.md), its organisations given
inline as dicts (name, kind, country and whatever identifiers the source has) or by reference.

The whole import runs in one transaction: it is all or nothing, unless `skip_invalid` is set, in
which case the valid rows go in and the others are reported. A dry run does everything, counts,
and rolls back. New records are written in bulk (with their history rows) so that large files
go fast; changed records are updated one by one through the same validation.
"""

import datetime
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from coopatlas.accounts.permissions import EDITING_KINDS, may, scope_of
from coopatlas.atlas.choices import (
    PLACE_KINDS,
    ContactStatus,
    OrganisationKind,
    ParticipationRole,
    PartnershipStatus,
    PlaceStatus,
    PublicationState,
)
from coopatlas.atlas.localisation import PlaceOutcome, place_outcome
from coopatlas.atlas.models import (
    ORGANISATION_DATA_FIELDS,
    PARTNERSHIP_FACTS,
    Contact,
    DiplomaticPost,
    Event,
    FundingLine,
    ImportBatch,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Programme,
    Source,
    StudyCategory,
    SustainableDevelopmentGoal,
    Theme,
    Volunteer,
    footprint_of_organisations,
)
from coopatlas.atlas.rules import (
    IDENTITY_ROLES,
    forms_compatible,
    has_french_side,
    is_french_actor,
    partnership_identity,
)
from coopatlas.atlas.services.bulk import Builder, FastWriter
from coopatlas.atlas.services.imports import (
    Convergence,
    batch_reason,
    diplomatic_post_create,
    import_batch_close,
    import_batch_open,
    organisations_enrich,
    partnership_mark_imported,
    partnership_replace,
    partnerships_converge,
    programme_find_or_create,
)
from coopatlas.core.database import LARGE_WRITE, refresh_statistics
from coopatlas.core.i18n import sort_key
from coopatlas.core.text import normalise
from coopatlas.core.weblinks import with_scheme
from coopatlas.ingest.errors import Problem, RowError, excerpt
from coopatlas.places.learned import learned_names
from coopatlas.places.models import Country
from coopatlas.places.resolver import Resolver, get_resolver
from coopatlas.places.seats import SeatCommune, SeatIndex
from coopatlas.search.index import reindex

CHUNK = 500  # new partnerships written per bulk insert
LISTED_ROWS = 50  # rows listed one by one in the report (a preview shows them)
THEME_PROPOSALS = 3  # close theme names proposed for a theme that does not match
THEME_CUTOFF = 75  # rapidfuzz WRatio of two normalised names that counts as close
REINDEX_CHUNK = 2000

PARTNERSHIP_FIELDS = (
    *PARTNERSHIP_FACTS,
    "publication_state",
    "last_verified_on",
    "note",
)
POST_FUNCTIONS = {
    "correspondent": "Correspondant coopération décentralisée",
    "counsellor": "Conseiller de coopération et d'action culturelle",
}
# Titles are data: always built in French, whatever the interface language.
FORM_LABELS = {
    "twinning": "Jumelage",
    "friendship_pact": "Pacte d'amitié",
    "cooperation_agreement": "Convention de coopération",
    "protocol": "Protocole d'entente",
    "project": "Projet de coopération",
    "network": "Réseau",
    "initiative": "Initiative",
    "other": "Partenariat",
}
CONTACT_FIELDS = ("last_name", "first_name", "function", "email", "phone", "note")
# Record keys whose name differs from the model field.
RECORD_TO_FIELD = {"history": "history_text"}


ORGANISATIONS = Builder(Organisation)
PARTNERSHIPS = Builder(Partnership)


class _Abort(Exception):
    """Raised inside the transaction to roll it back (dry run, or rejected rows)."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source_kind: str
    file_name: str
    dry_run: bool
    counts: Counter = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    to_review: list[str] = field(default_factory=list)
    matched: list[int] = field(default_factory=list)  # partnerships found already there (keep_existing)
    # The first LISTED_ROWS rows: where, title, partners, outcome (and for a rejected row the
    # field, value and reason), in the file's order.
    listed: list[dict] = field(default_factory=list)
    batch_id: int | None = None
    rolled_back: bool = False
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts[k] for k in ("created", "updated", "unchanged", "skipped", "rejected"))

    def summary_fr(self) -> str:
        c = self.counts
        text = (
            f"{c['created']} créé(s), {c['updated']} mis à jour, {c['unchanged']} inchangé(s), "
            f"{c['skipped']} ignoré(s), {c['rejected']} rejeté(s)"
        )
        if c["conflicts"]:
            text += f", {c['conflicts']} valeur(s) en conflit avec l'atlas, gardée(s), proposée(s) à la revue"
        if c["organisations_created"]:
            text += f" ; {c['organisations_created']} organisation(s) créée(s)"
        if self.to_review:
            text += f", {len(self.to_review)} lieu(x) à vérifier"
        return text

    def as_dict(self) -> dict:
        return {
            "source": self.source_kind,
            "file": self.file_name,
            "dry_run": self.dry_run,
            "rolled_back": self.rolled_back,
            "batch": self.batch_id,
            "counts": dict(self.counts),
            "errors": [e.__dict__ for e in self.errors],
            "conflicts": self.conflicts,
            "to_review": self.to_review,
            "listed": self.listed,
        }


def record_hash(record: dict) -> str:
    """Return a stable fingerprint of a JSON-like value."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _problem_from_validation(exc: ValidationError, instance: Model | None = None) -> Problem:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        message = "; ".join(m for e in errors for m in e.messages)
        fields = instance.__dict__ if instance is not None else {}
        value = fields.get(name, fields.get(f"{name}_id", ""))
        return Problem(name, "" if value is None else str(value), message, message)
    message = "; ".join(exc.messages)
    return Problem("", "", message, message)


# The identifiers that make an organisation the same one for its kind, whatever its spelling.
IDENTIFIERS = ("insee_code", "siren", "geonames_id", "wikidata_id")
# Where an organisation spec names an actor's seat (places.seats).
SEAT_FIELDS = ("seat_commune", "seat_postcode", "seat_code", "seat_address")


def led_by_authority(participants) -> bool:
    """Whether a record's participants, as (organisation, role, note), hold a French authority in
    its role: such a record is named and found again by its pair of authorities; an initiative of
    a territory's actors by all its participants."""
    return any(role == ParticipationRole.FRENCH_AUTHORITY for _o, role, _n in participants)


def identity_keys(kind: str, country: str | None, values: dict) -> list[tuple]:
    """The keys an organisation is known by, from its identifiers: an INSEE code or SIREN names
    one French body of a kind; a GeoNames or Wikidata id one place of a kind in one country
    (never across countries)."""
    keys: list[tuple] = []
    for name in IDENTIFIERS:
        value = values.get(name)
        if value in (None, ""):
            continue
        if name in ("insee_code", "siren"):
            keys.append((kind, name, str(value)))
        else:
            keys.append((kind, country, name, str(value)))
    return keys


class OrganisationIndex:
    """Finds the organisation a record names, among those in the database and those this import
    creates, without a query per row; creates it (located with the Places resolver) when new.

    An organisation is found by its reference, by an identifier (INSEE code, SIREN, GeoNames or
    Wikidata id: its identity for its kind), by its name or one of its other names; failing
    that it is located, and the place found identifies it when the resolver says the name names
    that very place (Resolution.identifies). An organisation found under another spelling gets
    that spelling as an alternate name, and the identifiers it lacked (organisations_enrich)."""

    def __init__(
        self, batch: ImportBatch | None, resolver_factory: Callable[[], Resolver], writer: FastWriter
    ) -> None:
        self.batch = batch
        self.writer = writer
        self._resolver_factory = resolver_factory
        self._resolver: Resolver | None = None
        # The names people placed, read once: the import answers them as chosen.
        self.learned = learned_names()
        self.by_ref: dict[str, int | Organisation] = {}
        self.by_id: dict[tuple, int | Organisation] = {}
        self.by_key: dict[tuple[str, str, str], int | Organisation] = {}
        self.pending: list[Organisation] = []
        self.created = 0
        self.identities: dict[int, str] = {}
        self.names: dict[int, str] = {}
        self.kinds: dict[int, tuple[str, str]] = {}
        # What the organisations already written hold: their identifiers and their names folded.
        self.known_ids: dict[int, dict] = {}
        self.known_names: dict[int, set[str]] = {}
        # What other sources add to organisations already written, applied once the import ends.
        self.enrichments: list[tuple[int, str, object]] = []
        self._placed: dict[tuple, PlaceOutcome] = {}
        self.seats = SeatIndex()
        self._seat_reasons: dict[str, str] = {}
        self._placed_ids: dict[tuple, dict] = {}
        self._planned_keys: list[tuple[dict, tuple | str]] = []
        self.countries = set(Country.objects.values_list("iso2", flat=True))
        self.seat_of: dict[int, str] = {}  # actors already written: their seat commune
        rows = Organisation.objects.values_list(
            "pk",
            "external_ref",
            "kind",
            "country_id",
            "name",
            "alternate_names",
            "admin_area",
            "seat_code",
            *IDENTIFIERS,
        )
        for pk, ref, kind, country, name, alternates, area, seat, *identifiers in rows.iterator(
            chunk_size=5000
        ):
            if seat:
                self.seat_of[pk] = seat
            ids = {k: v for k, v in zip(IDENTIFIERS, identifiers, strict=True) if v not in (None, "")}
            self.kinds[pk] = (kind, country)
            if ref:
                self.by_ref[ref] = pk
            for key in identity_keys(kind, country, ids):
                self.by_id.setdefault(key, pk)
            names = {normalise(n) for n in [name, *(alternates or [])] if n}
            for other_name in [name, *(alternates or [])]:
                if other_name:
                    self.by_key.setdefault(self._key(kind, country, other_name, area), pk)
                    if seat:  # "Alliance française" of Lyon is not Grenoble's
                        self.by_key.setdefault(self._key(kind, country, other_name, f"siège {seat}"), pk)
            self.identities[pk] = self._identity(kind, country, name, ids, seat or "")
            self.names[pk] = name
            self.known_ids[pk] = ids
            self.known_names[pk] = names

    @staticmethod
    def _key(kind: str, country: str, name: str, area: str = "") -> tuple[str, str, str]:
        # A French town named with its overseas territory (Saint-Denis, La Réunion) is not its
        # mainland homonym: its territory is part of its key.
        if country == "FR" and area:
            name = f"{name} | {area}"
        return (kind, country, normalise(name))

    @staticmethod
    def _identity(kind: str, country: str | None, name: str, ids: dict, seat: str = "") -> str:
        for field_name in IDENTIFIERS:
            if ids.get(field_name) not in (None, ""):
                return f"{field_name}:{country}:{ids[field_name]}"
        # An actor is its name at its seat (two « Alliance française » in two communes).
        return f"{country}:{normalise(name)}" + (f"@{seat}" if seat else "")

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = self._resolver_factory()
        return self._resolver

    def identity(self, organisation: int | Organisation) -> str:
        """Return what identifies an organisation across imports: its first identifier (INSEE
        code, SIREN, GeoNames id, Wikidata id), else its country and normalised name (never its
        database id, which differs between runs)."""
        if isinstance(organisation, int):
            return self.identities[organisation]
        return self._identity(
            organisation.kind,
            organisation.country_id,
            organisation.name,
            {f: getattr(organisation, f) for f in IDENTIFIERS},
            organisation.seat_code,
        )

    def _ids_of(self, found: int | Organisation) -> dict:
        if isinstance(found, Organisation):
            return {f: getattr(found, f) for f in IDENTIFIERS if getattr(found, f) not in (None, "")}
        return self.known_ids[found]

    def _contradicts(self, found: int | Organisation, ids: dict) -> bool:
        """Whether identifiers given for a name differ from those of the organisation of that
        name (two Saint-Denis, two Frankfurts): then the name alone must not join them."""
        held = self._ids_of(found)
        return any(str(held[f]) != str(v) for f, v in ids.items() if f in held)

    def _seen_again(self, found: int | Organisation, name: str, ids: dict) -> None:
        """Another source named `found` as `name`, with identifiers `ids`: keep the spelling as an
        alternate name and the identifiers it lacks, and find it by them from now on."""
        kind, country = self.kind_and_country(found)
        folded = normalise(name)
        if isinstance(found, Organisation):
            if folded not in {normalise(n) for n in [found.name, *found.alternate_names]}:
                found.alternate_names = [*found.alternate_names, name]
            for field_name, value in ids.items():
                if not getattr(found, field_name):
                    setattr(found, field_name, value)
        else:
            if folded not in self.known_names[found]:
                self.known_names[found].add(folded)
                self.enrichments.append((found, "alternate_names", name))
            for field_name, value in ids.items():
                if field_name not in self.known_ids[found]:
                    self.known_ids[found][field_name] = value
                    self.enrichments.append((found, field_name, value))
        added = [(self.by_key, (kind, country or "", folded))]
        added += [(self.by_id, key) for key in identity_keys(kind, country, ids)]
        for index, key in added:
            if key not in index:
                index[key] = found
                if isinstance(found, Organisation):  # forgotten with it if its row is refused
                    self._planned_keys.append((index, key))

    def enrichment_updates(self) -> dict[int, dict]:
        """What to add to organisations already written, by id (atlas.services.imports)."""
        updates: dict[int, dict] = {}
        for pk, field_name, value in self.enrichments:
            update = updates.setdefault(pk, {"alternate_names": []})
            if field_name == "alternate_names":
                update["alternate_names"].append(value)
            else:
                update[field_name] = value
        return updates

    def find_or_plan(self, spec: dict | str, where: str, report: ImportReport) -> int | Organisation:
        """Return the id of the organisation `spec` names, or a new unsaved Organisation."""
        if isinstance(spec, str):
            if spec in self.by_ref:
                return self.by_ref[spec]
            raise Problem(
                "organisation",
                spec,
                "référence d'organisation inconnue (ni dans le fichier ni dans l'atlas)",
                "unknown organisation reference (neither in the file nor in the atlas)",
            )
        name = " ".join(str(spec.get("name") or "").split())
        if not name:
            raise Problem("organisation", "", "nom d'organisation manquant", "organisation name missing")
        kind = spec.get("kind") or OrganisationKind.OTHER
        country = spec.get("country") or ""
        if country not in self.countries:
            raise Problem("pays", country, "pays inconnu", "unknown country")
        ref = spec.get("ref") or None
        if ref and ref in self.by_ref:
            return self.by_ref[ref]
        ids = {f: spec[f] for f in IDENTIFIERS if spec.get(f) not in (None, "")}
        if "geonames_id" in ids:
            ids["geonames_id"] = int(ids["geonames_id"])
        key = self._key(kind, country, name, str(spec.get("admin_area") or ""))
        seat = self._seat_of_spec(kind, country, spec)
        plain = key
        if seat is not None:
            # An actor is known by its name and its seat: two of one name in two communes are two.
            key = self._key(kind, country, name, f"siège {seat.insee_code}")
            if key not in self.by_key and plain in self.by_key and not self._seat_known(self.by_key[plain]):
                key = plain  # the same actor, known so far without its seat
        if not ids and not spec.get("place_status"):
            # A name alone is placed first: among homonyms (two Saint-Raphaël) the place the
            # resolver reads, not whichever of them an earlier row happened to create.
            ids = self._place_ids(spec, name, kind, country)
        found: int | Organisation | None = next(
            (self.by_id[k] for k in identity_keys(kind, country, ids) if k in self.by_id), None
        )
        if found is None and key in self.by_key and not self._contradicts(self.by_key[key], ids):
            found = self.by_key[key]
        if found is not None:
            self._seen_again(found, name, ids)
            if ref:
                self.by_ref[ref] = found
                if isinstance(found, Organisation):
                    self._planned_keys.append((self.by_ref, ref))
            return found
        given = {k: spec[k] for k in ORGANISATION_DATA_FIELDS if spec.get(k) not in (None, "")}
        organisation = ORGANISATIONS.build(
            name=name,
            kind=kind,
            country_id=country,
            external_ref=ref,
            created_by_batch_id=self.batch.pk if self.batch else None,
            **given,
        )
        organisation.normalized_name = normalise(" ".join([organisation.name, organisation.acronym]))
        try:
            ORGANISATIONS.clean(organisation, ["name", "kind", "external_ref", *given])
        except ValidationError as exc:
            raise _problem_from_validation(exc, organisation) from None
        if not spec.get("place_status"):
            self._locate(organisation, spec)
        if seat is not None:
            self._seat(organisation, seat)
        located = {
            f: getattr(organisation, f) for f in IDENTIFIERS if getattr(organisation, f) not in (None, "")
        }
        existing = next(
            (self.by_id[k] for k in identity_keys(kind, country, located) if k in self.by_id), None
        )
        if existing is not None:  # named differently, but the same place: one organisation
            self._seen_again(existing, name, {f: v for f, v in ids.items()})
            self.by_key[key] = existing
            if isinstance(existing, Organisation):
                self._planned_keys.append((self.by_key, key))
            if ref:
                self.by_ref[ref] = existing
                if isinstance(existing, Organisation):
                    self._planned_keys.append((self.by_ref, ref))
            return existing
        for id_key in identity_keys(kind, country, located):
            self.by_id[id_key] = organisation
            self._planned_keys.append((self.by_id, id_key))
        if organisation.place_status in (PlaceStatus.AMBIGUOUS, PlaceStatus.UNRESOLVED):
            report.to_review.append(f"{where} · {name} ({country}) : {organisation.place_reason}")
        self.by_key[key] = organisation
        self._planned_keys.append((self.by_key, key))
        if plain not in self.by_key:  # found by its name alone too, where none other has it
            self.by_key[plain] = organisation
            self._planned_keys.append((self.by_key, plain))
        if ref:
            self.by_ref[ref] = organisation
            self._planned_keys.append((self.by_ref, ref))
        self.pending.append(organisation)
        return organisation

    def _place_ids(self, spec: dict, name: str, kind: str, country: str) -> dict:
        """The identifiers of the place a name reads as, when the resolver says it is that very
        place (remembered: the same names come back row after row)."""
        if kind not in PLACE_KINDS:
            return {}
        cache_key = (kind, country, name, spec.get("admin_area") or "", spec.get("foreign_level") or "")
        if (known := self._placed_ids.get(cache_key)) is not None:
            return dict(known)
        probe = ORGANISATIONS.build(
            name=name,
            kind=kind,
            country_id=country,
            admin_area=spec.get("admin_area") or "",
            foreign_level=spec.get("foreign_level") or "",
        )
        outcome = self._outcome(probe)
        ids = {f: outcome.fields[f] for f in IDENTIFIERS if outcome.fields.get(f) not in (None, "")}
        self._placed_ids[cache_key] = ids
        return dict(ids)

    def _outcome(self, organisation: Organisation, *, keep: bool = True) -> PlaceOutcome:
        """Where the resolver places an organisation (a fresh copy: the caller may change it),
        remembered by what it reads (name, kind, country, admin area, level) until the
        organisation it was read for is located (`keep=False`: each is located once)."""
        cache_key = (
            organisation.kind,
            organisation.country_id,
            organisation.name,
            tuple(organisation.alternate_names),
            organisation.insee_code,
            organisation.admin_area,
            organisation.foreign_level,
        )
        known = self._placed.get(cache_key) if keep else self._placed.pop(cache_key, None)
        if known is None:
            # A code already held is welcome here: the organisation holding it is the one named
            # (find_or_plan then returns it), not a second one.
            known = place_outcome(
                organisation, self.resolver, insee_taken=lambda _o, _code: False, learned=self.learned
            )
            if keep:
                self._placed[cache_key] = known
        return PlaceOutcome(known.status, known.reason, list(known.candidates), dict(known.fields))

    def _locate(self, organisation: Organisation, spec: dict) -> None:
        outcome = self._outcome(organisation, keep=False)
        source_point = (spec.get("source_latitude"), spec.get("source_longitude"))
        if None not in source_point and outcome.fields.get("latitude") is None:
            # The resolver found no point (no place, or a place without coordinates): the
            # source's own geocode places it, flagged as such in the reason.
            if outcome.status != PlaceStatus.RESOLVED:
                outcome.status = PlaceStatus.RESOLVED
                outcome.reason = f"coordonnées données par la source ({outcome.reason})"[:500]
            else:
                outcome.reason = f"{outcome.reason} ; coordonnées données par la source"[:500]
            outcome.fields.update(latitude=source_point[0], longitude=source_point[1])
        outcome.apply(organisation)

    def _seat_of_spec(self, kind: str, country: str, spec: dict) -> SeatCommune | None:
        """The seat commune a French actor's spec names (None when it names none); the row is
        refused when the seat it names is not found."""
        if not is_french_actor(kind, country) or not any(spec.get(k) for k in SEAT_FIELDS):
            return None
        given = {k: str(spec.get(k) or "") for k in SEAT_FIELDS}
        seat = self.seats.find(
            commune=given["seat_commune"],
            postcode=given["seat_postcode"],
            insee_code=given["seat_code"],
            address=given["seat_address"],
        )
        if seat.commune is None:
            value = " ".join(v for v in given.values() if v)
            raise Problem("siège", value, seat.reason, f"seat not found ({seat.reason})")
        self._seat_reasons[seat.commune.insee_code] = seat.reason
        return seat.commune

    def _seat_known(self, organisation: int | Organisation) -> bool:
        if isinstance(organisation, Organisation):
            return bool(organisation.seat_code)
        return organisation in self.seat_of

    def _seat(self, organisation: Organisation, commune: SeatCommune) -> None:
        """Give a French actor its seat (a commune, and so its EPCI, département and région) and
        the commune's point on the map."""
        organisation.seat_code = commune.insee_code
        organisation.departement_code = commune.departement_code
        organisation.region_code = commune.region_code
        if organisation.latitude is None and commune.latitude is not None:
            organisation.latitude, organisation.longitude = commune.latitude, commune.longitude
        organisation.place_reason = self._seat_reasons.get(commune.insee_code, "")[:500]

    def name_of(self, organisation: int | Organisation) -> str:
        return organisation.name if isinstance(organisation, Organisation) else self.names[organisation]

    def kind_and_country(self, organisation: int | Organisation) -> tuple[str, str | None]:
        """Return the kind and country of an organisation found or planned."""
        if isinstance(organisation, Organisation):
            return organisation.kind, organisation.country_id
        return self.kinds[organisation]

    def mark(self) -> tuple[int, int, int]:
        """Return where the plan stands, to forget what a row then plans if it is refused."""
        return len(self.pending), len(self._planned_keys), len(self.enrichments)

    def forget_since(self, mark: tuple[int, int, int]) -> None:
        """Forget the organisations planned since `mark` (by a refused row): nothing of a
        refused row is written, not even its new partners or the names it gave known ones."""
        pending, keys, enrichments = mark
        for pk, field_name, value in self.enrichments[enrichments:]:
            if field_name == "alternate_names":
                self.known_names[pk].discard(normalise(str(value)))
            else:
                self.known_ids[pk].pop(field_name, None)
        del self.enrichments[enrichments:]
        for index, key in self._planned_keys[keys:]:
            if isinstance(index.get(key), Organisation):
                del index[key]
        del self.pending[pending:]
        del self._planned_keys[keys:]

    def flush(self) -> int:
        """Write the organisations planned so far; return how many."""
        if not self.pending:
            return 0
        for organisation, pk in zip(
            self.pending, self.writer.allocate(Organisation, len(self.pending)), strict=True
        ):
            organisation.pk = pk
        self.writer.insert(Organisation, self.pending, with_pk=True)
        for organisation in self.pending:
            self.identities[organisation.pk] = self.identity(organisation)
            self.kinds[organisation.pk] = (organisation.kind, organisation.country_id)
            self.names[organisation.pk] = organisation.name
            if organisation.seat_code:
                self.seat_of[organisation.pk] = organisation.seat_code
            self.known_ids[organisation.pk] = self._ids_of(organisation)
            self.known_names[organisation.pk] = {
                normalise(n) for n in [organisation.name, *organisation.alternate_names]
            }
        # Replace the planned instances by their new ids in the indexes.
        for index, key in self._planned_keys:
            if isinstance(value := index[key], Organisation):
                index[key] = value.pk
        count = len(self.pending)
        self.created += count
        self.pending, self._planned_keys = [], []
        return count


@dataclass
class _Planned:
    """A new partnership and its lines, waiting for the next bulk write."""

    partnership: Partnership
    given: dict  # the fields the source gave (the others are the model's defaults)
    participants: list[tuple[int | Organisation, str, str]]
    themes: list[tuple[int, int]]
    sdgs: list[int]
    countries: list[str]
    funding: list[tuple[int | Organisation | None, dict]]
    events: list[dict]
    sources: list[dict]
    contacts: list[tuple[int | Organisation | None, dict]]
    volunteers: list[dict]


def _funding_values(line: dict) -> dict:
    """The fields of a funding line in our schema, as the model holds them."""
    water = line.get("water_one_percent_amount")
    return {
        "amount": Decimal(str(line["amount"])),
        "water_one_percent_amount": Decimal(str(water)) if water not in (None, "") else None,
        "year": line["year"],
        "kind": line.get("kind") or "other",
        "funder_label": line.get("funder_label") or "",
    }


def theme_problem(value: str, themes: Iterable[Theme]) -> Problem:
    """The error for a theme name that matches none exactly: it proposes the closest theme names
    (rapidfuzz over the normalised French and English names), or when none is close the
    first-level themes. The one place that says it, for the command line, the web and the API."""
    from rapidfuzz import fuzz, process

    themes = list(themes)
    names: dict[str, Theme] = {}
    for theme in themes:
        for name in (theme.name_fr, theme.name_en):
            names.setdefault(normalise(name), theme)
    found = process.extract(
        normalise(value.rpartition(">")[2] or value),
        list(names),
        scorer=fuzz.WRatio,
        limit=10,
        score_cutoff=THEME_CUTOFF,
    )
    close: list[Theme] = []
    for key, _score, _index in found:
        if names[key] not in close:
            close.append(names[key])
    close = close[:THEME_PROPOSALS]

    def joined(items: list[str], last: str) -> str:
        return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"

    shown, nbsp = excerpt(value), "\u00a0"  # French typography: a no-break space before : ; ?
    if close:
        proposed = joined([f"«{nbsp}{t.name_fr}{nbsp}»" for t in close], "ou")
        return Problem(
            "thèmes",
            value,
            f"thème inconnu de la taxonomie{nbsp}: «{nbsp}{shown}{nbsp}»{nbsp}; "
            f"vouliez-vous dire {proposed}{nbsp}?",
            f"theme not in the taxonomy: '{shown}'; did you mean "
            f"{joined([chr(39) + t.name_en + chr(39) for t in close], 'or')}?",
        )
    first = sorted((t for t in themes if t.parent_id is None), key=lambda t: sort_key(t.name_fr))
    return Problem(
        "thèmes",
        value,
        f"thème inconnu de la taxonomie, et proche d'aucun{nbsp}: «{nbsp}{shown}{nbsp}»{nbsp}; "
        f"thèmes de premier niveau{nbsp}: {', '.join(t.name_fr for t in first)}",
        f"theme not in the taxonomy, and close to none: '{shown}'; first-level themes: "
        f"{', '.join(t.name_en for t in first)}",
    )


def _day(value: object) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def _org_id(value: int | Organisation | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.pk


class Importer:
    """Runs one import: give it the records of a reader, get an ImportReport back."""

    def __init__(
        self,
        *,
        source_kind: str,
        file_name: str = "",
        file_sha256: str = "",
        acting_user: AbstractBaseUser | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        personal_data: bool = False,
        require_french: bool = True,
        keep_existing: bool = False,
        publication_state: str | None = None,
        progress: Callable[[int], None] | None = None,
        resolver_factory: Callable[[], Resolver] = get_resolver,
    ) -> None:
        self.source_kind = source_kind
        self.file_name = file_name
        self.file_sha256 = file_sha256
        self.user = acting_user if acting_user is not None and acting_user.is_authenticated else None
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self.personal_data = personal_data
        self.require_french = require_french
        # Records already in the atlas are left as they are (listed in report.matched), not updated:
        # for sources that add to the atlas rather than own their records (pages read by extraction).
        self.keep_existing = keep_existing
        # A user acting within roles imports into its scope only (each row is checked), and lands
        # drafts unless it may publish what an import creates (accounts.permissions).
        self.scope = None if acting_user is None else scope_of(acting_user, EDITING_KINDS)
        if self.scope is not None and (self.scope.national or self.scope.empty):
            # The atlas team, and the importers of before roles (who may import: import_run),
            # are not narrowed; the latter land drafts.
            self.scope = None
        if acting_user is not None and not may(acting_user, "import_publish"):
            publication_state = PublicationState.DRAFT
        self.publication_state = publication_state
        self.progress = progress
        self.resolver_factory = resolver_factory
        self.report = ImportReport(source_kind=source_kind, file_name=file_name, dry_run=dry_run)

    # --- the run --------------------------------------------------------------------------------
    def run(self, records: Iterable[tuple[str, dict]]) -> ImportReport:
        started = time.monotonic()
        try:
            with transaction.atomic():
                self._run(records)
                if self.report.errors and not self.skip_invalid:
                    raise _Abort
                if self.dry_run:
                    raise _Abort
        except _Abort:
            self.report.rolled_back = True
            self.report.batch_id = None
        self.report.seconds = time.monotonic() - started
        return self.report

    def _run(self, records: Iterable[tuple[str, dict]]) -> None:
        self.batch = import_batch_open(
            source_kind=self.source_kind,
            file_name=self.file_name,
            file_sha256=self.file_sha256,
            acting_user=self.user,
        )
        self.report.batch_id = self.batch.pk
        self.writer = FastWriter(
            user_id=self.user.pk if self.user is not None else None,
            reason=batch_reason(self.batch),
            batch_id=self.batch.pk,
        )
        self.organisations = OrganisationIndex(self.batch, self.resolver_factory, self.writer)
        self.themes = self._theme_index()
        self.sdgs = set(SustainableDevelopmentGoal.objects.values_list("number", flat=True))
        self.programmes = dict(Programme.objects.values_list("name", "pk"))
        self.existing = {
            ref: (pk, import_hash, imported_at, updated_at)
            for ref, pk, import_hash, imported_at, updated_at in Partnership.objects.filter(
                external_ref__isnull=False
            )
            .values_list("external_ref", "pk", "import_hash", "imported_at", "updated_at")
            .iterator(chunk_size=5000)
        }
        self.by_identity = self._partnership_identities()
        self._checked_sources: dict[tuple, tuple] = {}
        self.categories: dict[str, int] | None = None
        self.seen: set[str] = set()
        self.pending: list[_Planned] = []
        self.converging: list[tuple[str, _Planned, int, int | None]] = []
        self.touched: list[int] = []
        rows = 0
        for where, record in records:
            rows += 1
            self._one(where, record)
            if len(self.pending) >= CHUNK:
                self._flush()
            if self.progress is not None and rows % 100 == 0:
                self.progress(rows)
        self._flush()
        self.report.counts["organisations_created"] = self.organisations.created
        if updates := self.organisations.enrichment_updates():
            self.report.counts["organisations_enriched"] = organisations_enrich(
                updates, acting_user=self.user, batch=self.batch
            )
        if self.progress is not None:
            self.progress(rows)
        for start in range(0, len(self.touched), REINDEX_CHUNK):
            reindex(self.touched[start : start + REINDEX_CHUNK])
        if len(self.touched) >= LARGE_WRITE:
            refresh_statistics()
        import_batch_close(self.batch, counts=self.report.counts, finished_at=timezone.now())

    def _reject(self, where: str, problem: Problem, record: dict | None = None) -> None:
        self.report.counts["rejected"] += 1
        self.report.errors.append(RowError(where, problem.field, problem.value, problem.fr, problem.en))
        self._list(
            where,
            "rejected",
            record,
            field=problem.field,
            value=problem.value[:200],
            fr=problem.fr,
            en=problem.en,
        )

    def _list(self, where: str, outcome: str, record: dict | None, title: str = "", **details) -> None:
        """Note a row's outcome in the report, for the first LISTED_ROWS rows."""
        if len(self.report.listed) >= LISTED_ROWS:
            return
        partners = []
        for item in (record or {}).get("participants") or []:
            organisation = item.get("organisation") if isinstance(item, dict) else None
            name = organisation.get("name") if isinstance(organisation, dict) else organisation
            if name:
                partners.append(str(name)[:200])
        title = title or str((record or {}).get("title") or "")
        self.report.listed.append(
            {"where": where, "outcome": outcome, "title": title[:500], "partners": partners, **details}
        )

    def _one(self, where: str, record: dict) -> None:
        if record.get("_skip"):
            self.report.counts["skipped"] += 1
            self._list(where, "skipped", record)
            return
        if problem := record.get("_problem"):
            self._reject(where, problem, record)
            return
        ref = record.get("ref") or None
        mark, to_review = self.organisations.mark(), len(self.report.to_review)
        try:
            planned = self._plan(where, record)
        except Problem as problem:
            self.organisations.forget_since(mark)
            del self.report.to_review[to_review:]
            self._reject(where, problem, record)
            return
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            # A record of the wrong shape (hand-edited JSON, a mapping gone wrong).
            self._reject(
                where,
                Problem(
                    "enregistrement",
                    str(exc)[:200],
                    f"enregistrement mal formé ({type(exc).__name__} : {exc})",
                    f"malformed record ({type(exc).__name__}: {exc})",
                ),
                record if isinstance(record, dict) else None,
            )
            return
        title = planned.partnership.title
        if record.get("diplomatic_posts"):
            try:
                self._posts(where, record["diplomatic_posts"])
            except Problem as problem:
                self._reject(where, problem, record)
                return
        ref = ref or self._derived_ref(record, planned)
        if ref in self.seen:
            self.report.counts["skipped"] += 1
            self._list(
                where,
                "skipped",
                record,
                title,
                fr="déjà plus haut dans le fichier",
                en="already above in the file",
            )
            return
        self.seen.add(ref)
        planned.partnership.external_ref = ref
        fingerprint = self._content_hash(planned)
        planned.partnership.import_hash = fingerprint
        if ref not in self.existing:
            if (same := self._same_partnership(planned)) is not None:
                self._converge(where, record, planned, same)
                return
            self.pending.append(planned)
            self._list(where, "created", record, title)
            return
        pk, old_hash, imported_at, updated_at = self.existing[ref]
        if self.keep_existing:
            self.report.counts["unchanged"] += 1
            self.report.matched.append(pk)
            self._list(where, "unchanged", record, title)
            return
        if old_hash == fingerprint:
            self.report.counts["unchanged"] += 1
            self._list(where, "unchanged", record, title)
            return
        if imported_at is None or updated_at > imported_at:
            # Set or edited by a person since this source last wrote it: the source no longer
            # owns it. What it says is compared field by field, as another source's would be.
            self._converge(where, record, planned, pk)
            return
        try:
            with transaction.atomic():
                self.organisations.flush()
                self._update(pk, planned)
        except (ValidationError, IntegrityError) as exc:
            refusal = (
                _problem_from_validation(exc, planned.partnership)
                if isinstance(exc, ValidationError)
                else Problem("", ref, f"refusé par la base : {exc}", f"refused by the database: {exc}")
            )
            self._reject(where, refusal, record)
            return
        self.report.counts["updated"] += 1
        self._list(where, "updated", record, title)
        self.touched.append(pk)

    # --- one record per real-world fact --------------------------------------------------------
    @staticmethod
    def _partnership_identities() -> dict[frozenset, list[tuple[int, str]]]:
        """Index the partnerships by their French and foreign authorities (atlas.rules); an
        initiative of a territory's actors (no French authority) by all its participants."""
        members: dict[int, set[int]] = {}
        everyone: dict[int, set[int]] = {}
        by_authority: set[int] = set()
        by_actors: set[int] = set()
        for partnership_id, organisation_id, role, kind, country in (
            Participation.objects.values_list(
                "partnership_id", "organisation_id", "role", "organisation__kind", "organisation__country_id"
            )
            .order_by()
            .iterator(chunk_size=10_000)
        ):
            everyone.setdefault(partnership_id, set()).add(organisation_id)
            if role in IDENTITY_ROLES:
                members.setdefault(partnership_id, set()).add(organisation_id)
            if role == ParticipationRole.FRENCH_AUTHORITY:
                by_authority.add(partnership_id)
            elif role != ParticipationRole.FOREIGN_AUTHORITY and is_french_actor(kind, country):
                by_actors.add(partnership_id)
        for partnership_id in by_actors - by_authority:
            members[partnership_id] = everyone[partnership_id]
        forms = dict(Partnership.objects.values_list("pk", "form").iterator(chunk_size=10_000))
        index: dict[frozenset, list[tuple[int, str]]] = {}
        for partnership_id, organisation_ids in members.items():
            index.setdefault(partnership_identity(organisation_ids), []).append(
                (partnership_id, forms[partnership_id])
            )
        return index

    def _same_partnership(self, planned: _Planned) -> int | None:
        """Return the partnership already in the atlas that this record tells of again: the same
        French and foreign authorities, in a compatible form; None when there is none (or when
        one of them is new, so that no record can hold it yet)."""
        authorities = self._named_by(planned.participants)
        if not authorities or any(isinstance(o, Organisation) for o in authorities):
            return None
        form = planned.partnership.form
        for pk, other_form in self.by_identity.get(partnership_identity(authorities), ()):
            if forms_compatible(form, other_form):
                return pk
        return None

    def _named_by(self, participants: list) -> list:
        """The participants that name a record, as (organisation, role, note) are given: its
        French and foreign authorities; for an initiative of a territory's actors (French actors
        and no French authority), all its participants (an actor by its name and seat)."""
        if not led_by_authority(participants) and any(
            role != ParticipationRole.FOREIGN_AUTHORITY
            and is_french_actor(*self.organisations.kind_and_country(organisation))
            for organisation, role, _note in participants
        ):
            return [organisation for organisation, _role, _note in participants]
        return [organisation for organisation, role, _note in participants if role in IDENTITY_ROLES]

    def _converge(self, where: str, record: dict, planned: _Planned, pk: int) -> None:
        """Another source of a partnership already in the atlas: add it as a source, fill what is
        empty, put what differs up for review (never overwrite) — in bulk, with the next chunk."""
        self.report.counts["converged"] += 1
        title = planned.partnership.title
        if self.keep_existing:
            self.report.counts["unchanged"] += 1
            self.report.matched.append(pk)
            self._list(where, "unchanged", record, title)
            return
        listed = len(self.report.listed)
        self._list(where, "updated", record, title, fr="déjà dans l'atlas", en="already in the atlas")
        self.converging.append((where, planned, pk, listed if len(self.report.listed) > listed else None))
        if len(self.converging) >= CHUNK:
            self._flush_converging()

    def _flush_converging(self) -> None:
        """Write what the partnerships found again get from this source (atlas.services.imports
        .partnerships_converge), and the lines they had none of (themes, SDGs, countries,
        funding, events) through the bulk writer."""
        items, self.converging = self.converging, []
        if not items:
            return
        self.organisations.flush()
        name = self.file_name or self.source_kind
        result = partnerships_converge(
            [
                Convergence(
                    pk=pk,
                    given=planned.given,
                    sources=[
                        *(
                            {k: source.get(k) or "" for k in ("url", "title")}
                            | {"retrieved_on": _day(source.get("retrieved_on"))}
                            for source in planned.sources
                        ),
                        {"title": self.file_name[:300] or self.source_kind, "batch": self.batch},
                    ],
                    where=where,
                )
                for where, planned, pk, _listed in items
            ],
            acting_user=self.user,
            batch=self.batch,
            conflict_message=f"Valeurs données par l'import « {name} » (lot {self.batch.pk}), "
            "différentes de celles de la fiche",
        )
        for pk, title, field_name, kept, given in result.conflicts:
            where = next(w for w, _p, item_pk, _l in items if item_pk == pk)
            label = Partnership._meta.get_field(field_name).verbose_name  # type: ignore[union-attr]
            self.report.counts["conflicts"] += 1
            self.report.conflicts.append(
                f"{where} · {title} : {label} « {kept} » dans l'atlas, « {given} » selon cette "
                "source ; gardé, proposé à la revue"
            )
        lines = self._missing_lines([(pk, planned) for _w, planned, pk, _l in items])
        if lines:
            self._write_lines(lines, batch_reason(self.batch), with_batch_source=False)
            result.changed.update(line.partnership.pk for line in lines)
            result.filled.update(line.partnership.pk for line in lines)
        for _where, _planned, pk, listed in items:
            outcome = "updated" if pk in result.changed else "unchanged"
            self.report.counts[outcome] += 1
            if listed is not None:
                self.report.listed[listed]["outcome"] = outcome
        # Sources are not in the search document: only what filled a field or a line is reindexed.
        self.touched.extend(sorted(result.filled))

    @staticmethod
    def _missing_lines(items: list[tuple[int, _Planned]]) -> list[_Planned]:
        """The lines other sources give that their records have none of (themes, SDGs, countries,
        funding, events): one query per kind of line for the whole chunk."""
        pks = {pk for pk, _planned in items}
        held = {
            kind: set(model.objects.filter(partnership_id__in=pks).values_list("partnership_id", flat=True))
            for kind, model in (
                ("themes", PartnershipTheme),
                ("sdgs", Partnership.sdgs.through),
                ("countries", Partnership.extra_countries.through),
                ("funding", FundingLine),
                ("events", Event),
            )
        }
        lines = []
        for pk, planned in items:
            missing = {
                kind: getattr(planned, kind) if pk not in held[kind] and getattr(planned, kind) else []
                for kind in held
            }
            if any(missing.values()):
                for kind, given in missing.items():
                    if given:
                        held[kind].add(pk)  # a second source of it in this chunk adds none
                lines.append(
                    _Planned(
                        partnership=Partnership(pk=pk),
                        given={},
                        participants=[],
                        sources=[],
                        contacts=[],
                        volunteers=[],
                        **missing,
                    )
                )
        return lines

    def _content_hash(self, planned: _Planned) -> str:
        """Fingerprint what the record would hold once written: its fields and lines, partners by
        identity. Two sources saying the same thing about a partnership give the same print, so
        re-importing it from either changes nothing."""
        identity = self.organisations.identity
        p = planned.partnership
        content = [
            [getattr(p, name) for name in PARTNERSHIP_FIELDS],
            p.programme_id,
            sorted((identity(o), role, note) for o, role, note in planned.participants),
            planned.themes,
            planned.sdgs,
            planned.countries,
            [(identity(f) if f is not None else None, line) for f, line in planned.funding],
            planned.events,
            planned.sources,
            [(identity(o) if o is not None else None, c) for o, c in planned.contacts],
            planned.volunteers,
        ]
        return record_hash({"content": content})

    def _posts(self, where: str, posts: list[dict]) -> None:
        """Record France's embassies named in a sheet, with their correspondents (or "none"),
        for the countries that have none yet."""
        for item in posts:
            name = item["name"]
            city = re.sub(r"^.*?\b(?:à|a|au|aux|en)\s+", "", name).strip()
            resolution = self.organisations.resolver.resolve(city, kind="municipality")
            if resolution.match is None:
                raise Problem("poste diplomatique", name, "ville du poste introuvable", "post city not found")
            country = resolution.match.country_iso2
            if DiplomaticPost.objects.filter(country_id=country).exists():
                continue
            embassy = self.organisations.find_or_plan(
                {"name": name, "kind": OrganisationKind.EMBASSY, "country": country}, where, self.report
            )
            self.organisations.flush()
            post = DiplomaticPost(country_id=country, name=name)
            contacts = []
            for role in ("correspondent", "counsellor"):
                person = item.get(role)
                if person == "none":
                    setattr(post, f"{role}_status", ContactStatus.NONE)
                elif isinstance(person, dict) and self.personal_data:
                    same = getattr(post, "correspondent", None) if role == "counsellor" else None
                    if same is not None and same.last_name == person.get("last_name"):
                        contact = same
                    else:
                        contact = Contact(
                            organisation_id=_org_id(embassy),
                            **{k: person.get(k) or "" for k in ("last_name", "first_name", "email")},
                            function=POST_FUNCTIONS[role],
                        )
                        contact.full_clean(exclude=["organisation"])
                        contacts.append(contact)
                    setattr(post, role, contact)
                    setattr(post, f"{role}_status", ContactStatus.NAMED)
            diplomatic_post_create(post, contacts)
            self.report.counts["diplomatic_posts"] += 1

    def _derived_ref(self, record: dict, planned: _Planned) -> str:
        """Build a stable key from the French authority, the foreign authority and the form."""
        names = [self.organisations.identity(o) for o in self._named_by(planned.participants)]
        # The source (its kind and file) is part of the key: another source of the same pair is
        # found by the identity rules (and adds itself), never taken for a newer version of this.
        digest = hashlib.sha256(
            "|".join([self.source_kind, self.file_name, *sorted(names), record.get("form", "")]).encode()
        ).hexdigest()
        return f"key:{digest[:32]}"

    # --- mapping and validation -----------------------------------------------------------------
    def _theme_index(self) -> dict[str, int]:
        index: dict[str, int] = {}
        themes = {t.pk: t for t in Theme.objects.all()}
        self.theme_objects = themes
        for theme in themes.values():
            index[theme.code] = theme.pk
            path: list[Theme] = []
            node: Theme | None = theme
            while node is not None:
                path.insert(0, node)
                node = themes.get(node.parent_id) if node.parent_id is not None else None
            index.setdefault(normalise(" > ".join(t.name_fr for t in path)), theme.pk)
            index.setdefault(normalise(" > ".join(t.name_en for t in path)), theme.pk)
            index.setdefault(normalise(theme.name_fr), theme.pk)
        return index

    def _category_theme(self, value: str) -> int:
        """The theme a study's category stands for (the first of the themes it groups)."""
        if self.categories is None:
            self.categories = {}
            for name, theme in (
                StudyCategory.objects.filter(themes__isnull=False)
                .order_by("study_id", "rank", "themes__code")
                .values_list("name", "themes")
            ):
                self.categories.setdefault(normalise(name), theme)
        if (found := self.categories.get(normalise(value))) is None:
            known = sorted({str(n) for n in StudyCategory.objects.values_list("name", flat=True)})
            raise Problem(
                "categorie",
                value,
                f"catégorie inconnue des études de l'atlas (admises : {', '.join(known) or 'aucune'})",
                f"category unknown to the atlas's studies (allowed: {', '.join(known) or 'none'})",
            )
        return found

    def _theme(self, value: str) -> int:
        for key in (value, normalise(value.replace("›", ">"))):
            if key in self.themes:
                return self.themes[key]
        raise theme_problem(value, self.theme_objects.values())

    def _plan(self, where: str, record: dict) -> _Planned:
        values = {RECORD_TO_FIELD.get(k, k): v for k, v in record.items()}
        fields = {k: values[k] for k in PARTNERSHIP_FIELDS if values.get(k) is not None}
        fields.setdefault("status", PartnershipStatus.UNKNOWN)  # unsaid by the source, not "En cours"
        if self.publication_state == PublicationState.DRAFT or (
            self.publication_state and "publication_state" not in fields
        ):
            fields["publication_state"] = self.publication_state
        for name in ("signature_date", "end_date", "last_verified_on"):
            if isinstance(fields.get(name), str):
                fields[name] = datetime.date.fromisoformat(fields[name])
        partnership = PARTNERSHIPS.build(created_by_batch_id=self.batch.pk, **fields)
        if programme := record.get("programme"):
            if programme not in self.programmes:
                self.programmes[programme] = programme_find_or_create(programme)
            partnership.programme_id = self.programmes[programme]
        participants: list[tuple[int | Organisation, str, str]] = []
        for item in record.get("participants") or []:
            organisation = self.organisations.find_or_plan(item["organisation"], where, self.report)
            role = item.get("role") or ParticipationRole.ASSOCIATED
            for other, other_role, _ in participants:
                if other_role == role and (
                    other is organisation or (isinstance(other, int) and other == organisation)
                ):
                    # Two spellings of one place ("Frankfurt" and "Frankfurt am Main"): a town
                    # twinned with itself once the names are read.
                    same = self.organisations.name_of(organisation)
                    raise Problem(
                        "organisation",
                        str(
                            item["organisation"].get("name")
                            if isinstance(item["organisation"], dict)
                            else item["organisation"]
                        ),
                        f"la même organisation deux fois dans le même rôle (« {same} »)",
                        f"the same organisation twice in the same role ('{same}')",
                    )
            participants.append((organisation, role, item.get("note") or ""))
        if self.require_french and not has_french_side(
            (role, *self.organisations.kind_and_country(organisation))
            for organisation, role, _ in participants
        ):
            raise Problem(
                "collectivité française",
                "",
                "ni collectivité française ni acteur français (université, association, "
                "entreprise…) parmi les partenaires",
                "neither a French local authority nor a French actor (university, association, "
                "company…) among the partners",
            )
        if self.scope is not None:
            self._check_scope(participants)
        if not partnership.title:
            partnership.title = self._title(partnership, participants)
        try:
            PARTNERSHIPS.clean(partnership, ["title", *fields])
        except ValidationError as exc:
            raise _problem_from_validation(exc, partnership) from None
        themes, seen_themes = [], set()
        for index, item in enumerate(record.get("themes") or []):
            theme_id = self._theme(item["theme"]) if isinstance(item, dict) else self._theme(item)
            if theme_id not in seen_themes:
                seen_themes.add(theme_id)
                themes.append((theme_id, item.get("priority", index) if isinstance(item, dict) else index))
        for category in record.get("categories") or []:
            # A study's category classifies the record through the themes it groups (its first).
            theme_id = self._category_theme(category)
            if theme_id not in seen_themes:
                seen_themes.add(theme_id)
                themes.insert(0, (theme_id, 0))
        self._check_written_as_is(record, themes)
        sdgs = sorted(set(record.get("sdgs") or []))
        if unknown := [n for n in sdgs if n not in self.sdgs]:
            raise Problem(
                "odd", str(unknown), "ODD inconnu (attendu : 1 à 17)", "unknown SDG (expected 1 to 17)"
            )
        countries = sorted(set(record.get("extra_countries") or []))
        if unknown := [c for c in countries if c not in self.organisations.countries]:
            raise Problem("pays", ", ".join(unknown), "pays inconnu", "unknown country")
        funding = []
        for line in record.get("funding") or []:
            funder = line.get("funder")
            funder_id = self.organisations.find_or_plan(funder, where, self.report) if funder else None
            self._check_line(
                FundingLine(
                    **_funding_values(line),
                    # Stands for the funder found above (its id is known only once it is written).
                    funder_id=-1 if funder_id is not None else None,
                ),
                "financement",
            )
            funding.append((funder_id, line))
        sources = list(record.get("sources") or [])
        contacts = []
        if self.personal_data:
            for contact in record.get("contacts") or []:
                organisation = contact.get("organisation")
                found = (
                    self.organisations.find_or_plan(organisation, where, self.report)
                    if organisation
                    else None
                )
                self._check_line(Contact(**{k: contact.get(k) or "" for k in CONTACT_FIELDS}), "contact")
                contacts.append((found, contact))
        return _Planned(
            partnership=partnership,
            given=fields,
            participants=participants,
            themes=themes,
            sdgs=sdgs,
            countries=countries,
            funding=funding,
            events=list(record.get("events") or []),
            sources=sources,
            contacts=contacts,
            volunteers=list(record.get("volunteers") or []) if self.personal_data else [],
        )

    @staticmethod
    def _check_line(instance: Model, name: str) -> None:
        try:
            instance.clean_fields(exclude=["partnership", "funder", "organisation"])
            instance.clean()
        except ValidationError as exc:
            problem = _problem_from_validation(exc, instance)
            raise Problem(f"{name} · {problem.field}", problem.value, problem.fr, problem.en) from None

    def _check_written_as_is(self, record: dict, themes: list[tuple[int, object]]) -> None:
        """Check with the models' rules the lines written in bulk without a model (theme
        priorities, events, sources, volunteers), so that a bad value is a rejected row naming its
        field rather than a database error; each checked value is put back as the model reads it."""
        for _theme_id, priority in themes:
            if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 32767:
                raise Problem(
                    "thèmes · priorité",
                    str(priority)[:40],
                    "priorité invalide (entier de 0 à 32767)",
                    "invalid priority (integer from 0 to 32767)",
                )
        for event in record.get("events") or []:
            checked = Event(
                partnership_id=-1,  # stands for the partnership, known once written
                **{k: event.get(k) for k in ("year", "month", "day", "title")},
                kind=event.get("kind") or "other",
                description=event.get("description") or "",
            )
            self._check_line(checked, "événement")
            event.update({k: getattr(checked, k) for k in ("year", "month", "day")})
        for source in record.get("sources") or []:
            if source.get("url"):
                # "www.lyon.fr/…" typed without its scheme is an https address; anything else that
                # is not http(s) (`javascript:`…) is refused here, as it would become a link.
                source["url"] = with_scheme(str(source["url"]))
            given = (source.get("url") or "", source.get("title") or "", source.get("retrieved_on"))
            plain = all(isinstance(v, (str, datetime.date, type(None))) for v in given)
            if (retrieved := self._checked_sources.get(given) if plain else None) is None:
                # Checked once per distinct source: a file cites the same page row after row.
                checked_source = Source(url=given[0], title=given[1], retrieved_on=given[2])
                self._check_line(checked_source, "source")
                retrieved = (checked_source.retrieved_on,)
                if plain and len(self._checked_sources) < 10_000:
                    self._checked_sources[given] = retrieved
            if retrieved[0] is not None:
                source["retrieved_on"] = retrieved[0].isoformat()
        if self.personal_data:
            for volunteer in record.get("volunteers") or []:
                self._check_line(
                    Volunteer(
                        **{
                            k: volunteer.get(k) or "" for k in ("last_name", "first_name", "mission", "field")
                        },
                        scheme=volunteer.get("scheme") or "other",
                    ),
                    "volontaire",
                )

    def _check_scope(self, participants: list) -> None:
        """Refuse a row none of whose participants is in the acting user's scope, naming them."""
        planned = [o for o, _, _ in participants if isinstance(o, Organisation)]
        existing = [o for o, _, _ in participants if not isinstance(o, Organisation)]
        rows = [(o.pk, o.country_id, o.region_code, o.departement_code, o.seat_code, o.kind) for o in planned]
        rows += Organisation.objects.filter(pk__in=existing).values_list(
            "pk", "country_id", "region_code", "departement_code", "seat_code", "kind"
        )
        assert self.scope is not None
        if self.scope.reaches(footprint_of_organisations(rows)):
            return
        names = [o.name for o in planned] + list(
            Organisation.objects.filter(pk__in=existing).values_list("name", flat=True)
        )
        raise Problem(
            "périmètre",
            ", ".join(names)[:200],
            "aucun partenaire de cette ligne n'est dans le périmètre de vos rôles",
            "none of this row's partners is within the scope of your roles",
        )

    def _title(self, partnership: Partnership, participants: list) -> str:
        """Name an untitled record after its form and partners: "Jumelage Bérat – Berat"."""
        by_authority = led_by_authority(participants)
        names = [
            self.organisations.name_of(organisation)
            for organisation, role, _note in participants
            # An initiative of a territory's actors is named after all its participants.
            if not by_authority
            or role in (ParticipationRole.FRENCH_AUTHORITY, ParticipationRole.FOREIGN_AUTHORITY)
        ]
        label = FORM_LABELS.get(partnership.form, "Partenariat")
        return f"{label} {' – '.join(names[:3])}"[:500]

    # --- writing --------------------------------------------------------------------------------
    def _flush(self) -> None:
        self._flush_converging()
        if not self.pending:
            return
        self.organisations.flush()
        planned = self.pending
        self.pending = []
        reason = f"Import (lot {self.batch.pk})"
        ids = self.writer.allocate(Partnership, len(planned))
        for item, pk in zip(planned, ids, strict=True):
            item.partnership.pk = pk
            # Written at the same instant as updated_at: a later edit in the app moves that past it.
            item.partnership.imported_at = self.writer.now
        self.writer.insert(Partnership, [p.partnership for p in planned], with_pk=True)
        self._write_lines(planned, reason)
        # The documents are built by the index's one builder, from the rows just written.
        reindex([item.partnership.pk for item in planned])
        self.report.counts["created"] += len(planned)

    def _write_lines(self, planned: list[_Planned], reason: str, *, with_batch_source: bool = True) -> None:
        participations, themes, funding, events, sources, contacts, volunteers = [], [], [], [], [], [], []
        sdg_links, country_links = [], []
        sdg_ids = dict(SustainableDevelopmentGoal.objects.values_list("number", "pk"))
        for item in planned:
            p = item.partnership
            for position, (organisation, role, note) in enumerate(item.participants):
                participations.append(
                    dict(
                        partnership_id=p.pk,
                        organisation_id=_org_id(organisation),
                        role=role,
                        note=note,
                        position=position,
                    )
                )
            themes += [dict(partnership_id=p.pk, theme_id=t, priority=prio) for t, prio in item.themes]
            sdg_links += [
                dict(partnership_id=p.pk, sustainabledevelopmentgoal_id=sdg_ids[n]) for n in item.sdgs
            ]
            country_links += [dict(partnership_id=p.pk, country_id=c) for c in item.countries]
            for position, (funder, line) in enumerate(item.funding):
                funding.append(
                    dict(
                        partnership_id=p.pk,
                        funder_id=_org_id(funder),
                        **_funding_values(line),
                        position=position,
                    )
                )
            for event in item.events:
                events.append(
                    dict(
                        partnership_id=p.pk,
                        **{k: event.get(k) for k in ("year", "month", "day", "title")},
                        kind=event.get("kind") or "other",
                        description=event.get("description") or "",
                    )
                )
            for source in item.sources:
                retrieved = source.get("retrieved_on")
                sources.append(
                    dict(
                        partnership_id=p.pk,
                        url=source.get("url") or "",
                        title=source.get("title") or "",
                        retrieved_on=datetime.date.fromisoformat(retrieved)
                        if isinstance(retrieved, str)
                        else retrieved,
                    )
                )
            if with_batch_source:
                sources.append(
                    dict(
                        partnership_id=p.pk,
                        batch_id=self.batch.pk,
                        title=self.file_name[:300] or self.source_kind,
                    )
                )
            for contact_organisation, contact in item.contacts:
                contacts.append(
                    dict(
                        partnership_id=p.pk,
                        organisation_id=_org_id(contact_organisation),
                        **{k: contact.get(k) or "" for k in CONTACT_FIELDS},
                    )
                )
            for volunteer in item.volunteers:
                volunteers.append(
                    dict(
                        partnership_id=p.pk,
                        **{
                            k: volunteer.get(k) or "" for k in ("last_name", "first_name", "mission", "field")
                        },
                        scheme=volunteer.get("scheme") or "other",
                    )
                )
        for model, rows in (
            (Participation, participations),
            (PartnershipTheme, themes),
            (FundingLine, funding),
            (Event, events),
            (Contact, contacts),
            (Volunteer, volunteers),
        ):
            self.writer.insert_lines(model, rows)
        self.writer.insert_lines(Source, sources)
        self.writer.insert_lines(Partnership.sdgs.through, sdg_links)
        self.writer.insert_lines(Partnership.extra_countries.through, country_links)

    def _update(self, pk: int, planned: _Planned) -> None:
        """Replace a record's fields and lines by the source's (its history keeps the old ones)."""
        current = partnership_replace(
            Partnership.objects.get(pk=pk),
            planned.partnership,
            fields=PARTNERSHIP_FIELDS,
            acting_user=self.user,
            batch=self.batch,
            personal_data=self.personal_data,
        )
        reason = batch_reason(self.batch)
        planned.partnership = current
        planned.contacts = planned.contacts if self.personal_data else []
        self._write_lines([planned], reason)
        partnership_mark_imported(pk)
