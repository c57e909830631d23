"""France overseas is France: move into France what an older import placed in an overseas
territory as if it were a foreign country (a twin town of country RE, PF…), the way importers now
read it (places.overseas, ingest.parsing.overseas_as_france)."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole, PlaceStatus
from coopatlas.atlas.models import FRANCE, Organisation, Participation, Partnership
from coopatlas.atlas.services import Provenance, _save, organisation_update
from coopatlas.places.models import Country
from coopatlas.places.overseas import FRENCH_OVERSEAS


@dataclass
class OverseasMoved:
    organisations: int  # placed in France (their territory kept as admin area), to locate again
    participations: int  # foreign authority's role → French authority's
    partnerships: int  # whose named countries held an overseas code, dropped


@transaction.atomic
def overseas_into_france(*, acting_user: AbstractBaseUser | None = None) -> OverseasMoved:
    """Place in France every organisation of an overseas country code: a foreign authority there
    becomes a French commune in the French authority's role, to be located again among the
    French communes (`coopatlas locate`); drop the overseas codes from the countries partnerships
    name. Return what was moved; the history names `acting_user`."""
    provenance = Provenance(acting_user)
    organisations = participations = 0
    for organisation in Organisation.objects.filter(country_id__in=FRENCH_OVERSEAS).order_by("pk"):
        territory = FRENCH_OVERSEAS[organisation.country_id]
        fields: dict = {
            "country_id": FRANCE,
            "admin_area": organisation.admin_area or territory.name,
            "place_status": PlaceStatus.PENDING,
            "place_reason": f"placée en France ({territory.name}) : à localiser parmi les communes",
        }
        if organisation.kind == OrganisationKind.FOREIGN_AUTHORITY:
            fields |= {"kind": OrganisationKind.COMMUNE, "foreign_level": ""}
        organisation_update(organisation, acting_user=acting_user, **fields)
        organisations += 1
        for participation in Participation.objects.filter(
            organisation=organisation, role=ParticipationRole.FOREIGN_AUTHORITY
        ):
            participation.role = ParticipationRole.FRENCH_AUTHORITY
            _save(participation, provenance)
            participations += 1
    overseas_countries = list(Country.objects.filter(pk__in=list(FRENCH_OVERSEAS)))
    named = Partnership.objects.filter(extra_countries__in=overseas_countries).distinct()
    partnerships = 0
    for partnership in named:
        partnership.extra_countries.remove(*overseas_countries)
        partnerships += 1
    return OverseasMoved(organisations, participations, partnerships)
