"""/api/v1/organisations: search by name, and one organisation."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from coopatlas.api.schemas import ErrorOut, OrganisationDetailOut, OrganisationList, PageIn
from coopatlas.atlas.models import Organisation, Partnership

router = Router(tags=["organisations"])


class OrganisationFilters(PageIn):
    q: str | None = None


def serialise_organisation(organisation: Organisation) -> dict:
    """Return the API representation of an organisation (no personal data)."""
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "country_iso2": organisation.country_id,
        "insee_code": organisation.insee_code or None,
        "seat_code": organisation.seat_code or None,
        "siren": organisation.siren or None,
        "geonames_id": organisation.geonames_id,
        "wikidata_id": organisation.wikidata_id or None,
        "population": organisation.population,
        "latitude": organisation.latitude,
        "longitude": organisation.longitude,
        "parent_id": organisation.parent_id,
        "website": organisation.website or None,
        "url": organisation.get_absolute_url(),
    }


@router.get("", response={200: OrganisationList, 400: ErrorOut}, summary="Search organisations")
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]):
    """List organisations whose name contains `q` (accents and case ignored)."""
    # An organisation known only from drafts is listed only to those who may see drafts.
    queryset = Organisation.objects.visible_to(request.user)
    if filters.q:
        queryset = queryset.matching(filters.q)
    queryset = queryset.order_by("name", "pk")
    page = queryset[filters.offset : filters.offset + filters.limit]
    return {"count": queryset.count(), "results": [serialise_organisation(o) for o in page]}


@router.get(
    "/{organisation_id}", response={200: OrganisationDetailOut, 404: ErrorOut}, summary="One organisation"
)
def get_organisation(request: HttpRequest, organisation_id: int):
    """Return one organisation with its networks and the ids of its published partnerships."""
    visible = Organisation.objects.visible_to(request.user)
    organisation = get_object_or_404(visible, pk=organisation_id)
    data = serialise_organisation(organisation)
    data["alternate_names"] = organisation.alternate_names
    data["networks"] = [
        m.network.name
        for m in organisation.network_links.filter(network__in=visible).select_related("network")
    ]
    data["partnership_ids"] = list(
        Partnership.objects.published().involving(organisation).values_list("pk", flat=True)
    )
    return data
