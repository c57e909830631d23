"""Tie organisations to real places (INSEE code or GeoNames id, coordinates) with the resolver.

Local authorities are resolved from their INSEE code when they have one, else from their name
within their country; other actors (networks, companies, NGOs…) are marked as having no place.
A place chosen by hand is never overwritten by an automatic run.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from coopatlas.atlas import services
from coopatlas.atlas.choices import PLACE_KINDS, PlaceStatus
from coopatlas.atlas.models import FRANCE, Organisation
from coopatlas.places.gazetteer import Place
from coopatlas.places.resolver import Resolution, Resolver, get_resolver

# The resolver's kind hint for each organisation kind (foreign authorities use their level).
_KIND_HINT = {
    "commune": "commune",
    "epci": "epci",
    "metropole": "epci",
    "departement": "departement",
    "region": "region",
}
_LEVEL_HINT = {
    "municipality": "municipality",
    "district": "district",
    "province": "province",
    "region": "province",
}
_GAZETTEER_KIND = {"commune": "commune", "departement": "departement", "region": "region"}


@dataclass
class LocateResult:
    status: str
    reason: str


def _insee_taken_in_database(organisation: Organisation, insee_code: str) -> bool:
    return (
        Organisation.objects.filter(kind=organisation.kind, insee_code=insee_code)
        .exclude(pk=organisation.pk)
        .exists()
    )


def _place_fields(
    organisation: Organisation, place: Place, insee_taken: Callable[[Organisation, str], bool]
) -> dict:
    fields: dict[str, object] = {"latitude": place.latitude, "longitude": place.longitude}
    if place.geonames_id and not organisation.geonames_id:
        fields["geonames_id"] = place.geonames_id
    if place.insee_code and organisation.country_id == FRANCE and not organisation.insee_code:
        # Another record already holding this code is a duplicate for `coopatlas dedupe`; the
        # code stays with the first so that the database's uniqueness rule holds.
        if not insee_taken(organisation, place.insee_code):
            fields["insee_code"] = place.insee_code
    if place.population and not organisation.population:
        fields["population"] = place.population
    if organisation.country_id == FRANCE and place.kind in ("commune", "departement") and place.admin_codes:
        fields["departement_code"] = place.admin_codes[0]
        fields["region_code"] = place.admin_codes[1] if len(place.admin_codes) > 1 else ""
    elif organisation.country_id == FRANCE and place.kind == "region":
        fields["region_code"] = place.insee_code or ""
    return fields


def _resolve(organisation: Organisation, resolver: Resolver) -> tuple[Resolution | None, Place | None, str]:
    """Return the resolution tried, the place found (or None) and how it was found."""
    gazetteer_kind = _GAZETTEER_KIND.get(organisation.kind)
    if organisation.insee_code and gazetteer_kind:
        place = resolver.gazetteer.by_code(gazetteer_kind, organisation.insee_code)
        if place is not None:
            return None, place, f"code INSEE {organisation.insee_code}"
    hint = (
        _KIND_HINT.get(organisation.kind)
        or _LEVEL_HINT.get(organisation.foreign_level)
        or "foreign_authority"
    )
    first: Resolution | None = None
    for name in [organisation.name, *organisation.alternate_names]:
        resolution = resolver.resolve(
            name, country=organisation.country_id, kind=hint, admin=organisation.admin_area or None
        )
        first = first or resolution
        if resolution.match is not None:
            how = resolution.reason if name == organisation.name else f"{resolution.reason} (nom « {name} »)"
            return resolution, resolution.match, how
    return first, None, first.reason if first else "aucun nom"


@dataclass
class PlaceOutcome:
    """What locating an organisation found: its status, why, the candidates and the fields to set."""

    status: str
    reason: str
    candidates: list[dict] = field(default_factory=list)
    fields: dict = field(default_factory=dict)

    def apply(self, organisation: Organisation) -> None:
        """Set the outcome on an organisation (not saved)."""
        organisation.place_status = self.status
        organisation.place_reason = self.reason
        organisation.place_candidates = self.candidates
        for name, value in self.fields.items():
            setattr(organisation, name, value)


def place_outcome(
    organisation: Organisation,
    resolver: Resolver,
    insee_taken: Callable[[Organisation, str], bool] = _insee_taken_in_database,
) -> PlaceOutcome:
    """Work out an organisation's place without saving anything (the importer applies it in bulk)."""
    if organisation.kind not in PLACE_KINDS:
        return PlaceOutcome(PlaceStatus.NOT_A_PLACE, "acteur sans lieu propre")
    resolution, place, how = _resolve(organisation, resolver)
    candidates = [c.as_dict() for c in resolution.candidates] if resolution else []
    if place is not None:
        confidence = f" (confiance {resolution.confidence:.2f})" if resolution else ""
        return PlaceOutcome(
            PlaceStatus.RESOLVED,
            f"{how}{confidence}"[:500],
            candidates,
            # A place known only by the town it lies in, by a part of its name or a near
            # spelling gets that place's point, not its codes: its identity stays its own.
            {"latitude": place.latitude, "longitude": place.longitude}
            if resolution and not resolution.identifies
            else _place_fields(organisation, place, insee_taken),
        )
    status = PlaceStatus.AMBIGUOUS if resolution and resolution.is_ambiguous else PlaceStatus.UNRESOLVED
    return PlaceOutcome(status, how[:500], candidates)


def organisation_locate(
    organisation: Organisation,
    *,
    resolver: Resolver | None = None,
    overwrite_manual: bool = False,
    acting_user: AbstractBaseUser | None = None,
) -> LocateResult:
    """Find the organisation's place and record it (or why there is none); return the outcome."""
    if organisation.place_status == PlaceStatus.MANUAL and not overwrite_manual:
        return LocateResult(PlaceStatus.MANUAL, organisation.place_reason)
    if organisation.kind not in PLACE_KINDS:
        if organisation.place_status != PlaceStatus.NOT_A_PLACE:
            services.organisation_update(
                organisation,
                acting_user=acting_user,
                place_status=PlaceStatus.NOT_A_PLACE,
                place_reason="acteur sans lieu propre",
                place_candidates=[],
            )
        return LocateResult(PlaceStatus.NOT_A_PLACE, "acteur sans lieu propre")
    outcome = place_outcome(organisation, resolver or get_resolver())
    services.organisation_update(
        organisation,
        acting_user=acting_user,
        place_status=outcome.status,
        place_reason=outcome.reason,
        place_candidates=outcome.candidates,
        **outcome.fields,
    )
    return LocateResult(outcome.status, outcome.reason)


def organisation_place_choose(
    organisation: Organisation, *, candidate: dict, acting_user: AbstractBaseUser | None = None
) -> Organisation:
    """Record a place picked by a person among the candidates; an automatic run keeps it."""
    place = Place(
        name=candidate["name"],
        kind=candidate["kind"],
        country_iso2=candidate["country_iso2"],
        latitude=candidate.get("latitude"),
        longitude=candidate.get("longitude"),
        population=candidate.get("population") or 0,
        geonames_id=candidate.get("geonames_id"),
        insee_code=candidate.get("insee_code"),
    )
    if place.country_iso2 != organisation.country_id:
        raise ValueError(
            f"Le lieu choisi est en {place.country_iso2}, l'organisation en {organisation.country_id}."
        )
    return services.organisation_update(
        organisation,
        acting_user=acting_user,
        place_status=PlaceStatus.MANUAL,
        place_reason=f"choisi à la main : {place.name}",
        **_place_fields(organisation, place, _insee_taken_in_database),
    )


def organisations_locate(queryset: QuerySet[Organisation] | None = None, *, redo: bool = False) -> Counter:
    """Locate the organisations still to locate (all of them with `redo`); return counts by status."""
    queryset = Organisation.objects.all() if queryset is None else queryset
    if not redo:
        queryset = queryset.filter(place_status=PlaceStatus.PENDING)
    resolver = get_resolver() if queryset.filter(kind__in=PLACE_KINDS).exists() else None
    counts: Counter = Counter()
    for organisation in queryset.iterator(chunk_size=500):
        counts[organisation_locate(organisation, resolver=resolver).status] += 1
    return counts
