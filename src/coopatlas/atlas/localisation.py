"""Tie organisations to real places (INSEE code or GeoNames id, coordinates) with the resolver.

Local authorities are resolved from their INSEE code when they have one, else from their name
within their country; other actors (networks, companies, NGOs…) are marked as having no place.
A place chosen by hand is never overwritten by an automatic run, and the resolver learns it:
the same name in the same country resolves to that place from then on (places.learned).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from coopatlas.accounts.permissions import may, require
from coopatlas.accounts.scope import Footprint
from coopatlas.atlas import services
from coopatlas.atlas.choices import PLACE_KINDS, PlaceStatus
from coopatlas.atlas.models import FRANCE, Organisation, Participation, footprint_of_organisations
from coopatlas.places.french import french_admin_codes
from coopatlas.places.gazetteer import Place
from coopatlas.places.learned import learned_names
from coopatlas.places.models import LearnedPlace
from coopatlas.places.names import place_key
from coopatlas.places.resolver import LearnedAnswer, LearnedNames, Resolution, Resolver, get_resolver

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


def _resolve(
    organisation: Organisation, resolver: Resolver, learned: LearnedNames | None
) -> tuple[Resolution | None, Place | None, str]:
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
            name,
            country=organisation.country_id,
            kind=hint,
            admin=organisation.admin_area or None,
            learned=learned,
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
    learned: LearnedNames | None = None,
) -> PlaceOutcome:
    """Work out an organisation's place without saving anything (the importer applies it in bulk).

    `learned` holds the names people placed (places.learned.learned_names, read once per run by
    the caller): they are answered first."""
    if organisation.kind not in PLACE_KINDS:
        return PlaceOutcome(PlaceStatus.NOT_A_PLACE, "acteur sans lieu propre")
    resolution, place, how = _resolve(organisation, resolver, learned)
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
    learned: LearnedNames | None = None,
    overwrite_manual: bool = False,
    acting_user: AbstractBaseUser | None = None,
) -> LocateResult:
    """Find the organisation's place and record it (or why there is none); return the outcome.

    The names people placed are read from the database unless `learned` gives them."""
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
    outcome = place_outcome(
        organisation, resolver or get_resolver(), learned=learned_names() if learned is None else learned
    )
    services.organisation_update(
        organisation,
        acting_user=acting_user,
        place_status=outcome.status,
        place_reason=outcome.reason,
        place_candidates=outcome.candidates,
        **outcome.fields,
    )
    return LocateResult(outcome.status, outcome.reason)


@dataclass
class PlaceChoice:
    """What a person's choice of place did: the organisation placed, and the other organisations
    waiting for review under the same name in the same country that got the place too, or that
    are outside the person's scope and still wait."""

    organisation: Organisation
    also_placed: list[Organisation] = field(default_factory=list)
    left_outside_scope: int = 0


def place_footprint(organisation: Organisation) -> Footprint:
    """Return what the roles compare to choose an organisation's place: the organisation, and the
    partnerships it takes part in (a foreign partner's place is chosen by its French partners'
    keepers)."""
    partners = Participation.objects.filter(partnership__participations__organisation=organisation)
    return organisation.footprint() | footprint_of_organisations(
        partners.values_list(
            "organisation_id",
            "organisation__country_id",
            "organisation__region_code",
            "organisation__departement_code",
            "organisation__seat_code",
            "organisation__kind",
        )
    )


@transaction.atomic
def organisation_place_choose(
    organisation: Organisation, *, candidate: dict, acting_user: AbstractBaseUser | None = None
) -> PlaceChoice:
    """Record a place picked by a person among the candidates; an automatic run keeps it.

    The resolver learns it (models.LearnedPlace): the organisation's name in its country resolves
    to that place in every later import and run, and the other organisations waiting for review
    under that name get it now, as done by the same person (those its roles reach). Raise
    PermissionDenied unless the person may choose this organisation's place."""
    require(acting_user, "place_choose", place_footprint(organisation))
    place = Place(
        name=candidate["name"],
        kind=candidate["kind"],
        country_iso2=candidate["country_iso2"],
        latitude=candidate.get("latitude"),
        longitude=candidate.get("longitude"),
        population=candidate.get("population") or 0,
        geonames_id=candidate.get("geonames_id"),
        insee_code=candidate.get("insee_code"),
        admin1=candidate.get("admin1") or "",
        admin2=candidate.get("admin2") or "",
    )
    if place.country_iso2 != organisation.country_id:
        raise ValueError(
            f"Le lieu choisi est en {place.country_iso2}, l'organisation en {organisation.country_id}."
        )
    if place.country_iso2 == FRANCE and place.insee_code:
        # A candidate keeps no area codes: a French place gets its département and région, so
        # that the coordinators there reach the organisations placed at it.
        place.admin_codes = french_admin_codes(place.kind, place.insee_code)
    services.organisation_update(
        organisation,
        acting_user=acting_user,
        place_status=PlaceStatus.MANUAL,
        place_reason=f"choisi à la main : {place.name}",
        **_place_fields(organisation, place, _insee_taken_in_database),
    )
    learned = _learn(organisation, place, acting_user)
    answer = LearnedAnswer(place, timezone.localtime(learned.chosen_at).date())
    choice = PlaceChoice(organisation)
    for other in _waiting_under_the_same_name(organisation, learned.name_key):
        if not may(acting_user, "place_choose", place_footprint(other)):
            choice.left_outside_scope += 1
            continue
        # What an import of that name would now give it (place_outcome with the learned names).
        services.organisation_update(
            other,
            acting_user=acting_user,
            place_status=PlaceStatus.RESOLVED,
            place_reason=f"{answer.reason} (confiance 1.00)",
            place_candidates=[{**place.as_dict(), "score": 1.0, "reason": answer.reason}],
            **_place_fields(other, place, _insee_taken_in_database),
        )
        choice.also_placed.append(other)
    return choice


def _learn(organisation: Organisation, place: Place, acting_user: AbstractBaseUser | None) -> LearnedPlace:
    """Store the place chosen for the organisation's name in its country, replacing an earlier
    choice for that name (kept in the history); return the row."""
    key = place_key(organisation.name)
    found = LearnedPlace.objects.select_for_update().filter(name_key=key, country_id=organisation.country_id)
    row = found.first() or LearnedPlace(name_key=key, country_id=organisation.country_id)
    row.raw_name = organisation.name
    row.place_kind = place.kind
    row.insee_code = place.insee_code or ""
    row.geonames_id = place.geonames_id
    row.place_name = place.name
    row.latitude, row.longitude = place.latitude, place.longitude
    row.population = place.population or 0
    row.admin1, row.admin2 = place.admin1, place.admin2
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    row.chosen_by_id = user.pk if user is not None else None
    row.chosen_at = timezone.now()
    # One row per name and country: the row was looked up above, a race is caught at save.
    row.full_clean(validate_constraints=False)
    services.note_change(row, user=user, reason=f"choisi pour « {organisation.name} » (lieux à vérifier)")
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Someone chose a place for the same name at the same moment: this choice replaces theirs.
        row.pk = LearnedPlace.objects.get(name_key=key, country_id=organisation.country_id).pk
        row.save()
    return row


def _waiting_under_the_same_name(organisation: Organisation, key: str) -> list[Organisation]:
    """Return the other organisations of the country waiting for review whose name has this key."""
    waiting = (
        Organisation.objects.filter(
            country_id=organisation.country_id,
            place_status__in=[PlaceStatus.AMBIGUOUS, PlaceStatus.UNRESOLVED],
        )
        .exclude(pk=organisation.pk)
        .values_list("pk", "name")
    )
    same = [pk for pk, name in waiting.iterator(chunk_size=2000) if place_key(name) == key]
    return list(Organisation.objects.filter(pk__in=same).order_by("pk"))


def organisations_locate(queryset: QuerySet[Organisation] | None = None, *, redo: bool = False) -> Counter:
    """Locate the organisations still to locate (all of them with `redo`); return counts by status."""
    queryset = Organisation.objects.all() if queryset is None else queryset
    if not redo:
        queryset = queryset.filter(place_status=PlaceStatus.PENDING)
    resolver = get_resolver() if queryset.filter(kind__in=PLACE_KINDS).exists() else None
    learned = learned_names()
    counts: Counter = Counter()
    for organisation in queryset.iterator(chunk_size=500):
        counts[organisation_locate(organisation, resolver=resolver, learned=learned).status] += 1
    return counts
