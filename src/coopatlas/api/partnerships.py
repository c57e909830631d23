"""/api/v1/partnerships: list with filters, and one partnership in full."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from coopatlas.api.schemas import ErrorOut, PageIn, PartnershipList, PartnershipOut
from coopatlas.atlas.models import Partnership
from coopatlas.atlas.selectors import funding_summary, partnership_list, partnerships_with_details
from coopatlas.places.models import Country

router = Router(tags=["partnerships"])


class PartnershipFilters(PageIn):
    organisation: str | None = None
    country: str | None = None


def _can_see_drafts(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.has_perm("atlas.change_partnership")


def serialise_partnership(partnership: Partnership) -> dict:
    """Return the API representation of a partnership fetched with its details."""
    funding = funding_summary(partnership)
    return {
        "id": partnership.pk,
        "title": partnership.title,
        "form": partnership.form,
        "status": partnership.status,
        "status_outdated": partnership.status_outdated,
        "publication_state": partnership.publication_state,
        "signature_year": partnership.signature_year,
        "signature_date": partnership.signature_date,
        "start_year": partnership.start_year,
        "end_date": partnership.end_date,
        "duration_months": partnership.duration_months,
        "is_triennial": partnership.is_triennial,
        "themes": [
            {
                "code": link.theme.code,
                "name": link.theme.display_name,
                "level": link.theme.level,
                "path": [t.display_name for t in link.theme.path],
                "priority": link.priority,
            }
            for link in partnership.theme_links.all()
        ],
        "sdgs": [sdg.number for sdg in partnership.sdgs.all()],
        "countries": [c.iso2 for c in partnership.countries()],
        "participants": [
            {
                "id": p.organisation.pk,
                "name": p.organisation.name,
                "role": p.role,
                "kind": p.organisation.kind,
                "country_iso2": p.organisation.country_id,
                "insee_code": p.organisation.insee_code or None,
            }
            for p in partnership.participations.all()
        ],
        "funding": {
            "total": float(funding.total),
            "water_one_percent_total": float(funding.water_one_percent_total),
            "funder_count": funding.funder_count,
            "by_year": {year: float(amount) for year, amount in funding.by_year.items()},
            "lines": [
                {
                    "funder": line.funder_name,
                    "funder_id": line.funder_id,
                    "amount": float(line.amount),
                    "water_one_percent_amount": (
                        float(line.water_one_percent_amount)
                        if line.water_one_percent_amount is not None
                        else None
                    ),
                    "year": line.year,
                }
                for line in funding.lines
            ],
        },
        "url": partnership.get_absolute_url(),
    }


@router.get("", response={200: PartnershipList, 400: ErrorOut}, summary="List partnerships")
def list_partnerships(request: HttpRequest, filters: Query[PartnershipFilters]):
    """List partnerships, filtered by an organisation (id or name) and/or a country (ISO alpha-2)."""
    if filters.country and not Country.objects.filter(iso2=filters.country.upper()).exists():
        raise HttpError(
            400, f"Code pays inconnu : « {filters.country} » (ISO 3166-1 alpha-2 attendu, ex. DE)."
        )
    queryset = partnership_list(
        organisation=filters.organisation,
        country=filters.country,
        published_only=not _can_see_drafts(request),
    )
    page = partnerships_with_details(queryset)[filters.offset : filters.offset + filters.limit]
    return {"count": queryset.count(), "results": [serialise_partnership(p) for p in page]}


@router.get("/{partnership_id}", response={200: PartnershipOut, 404: ErrorOut}, summary="One partnership")
def get_partnership(request: HttpRequest, partnership_id: int):
    """Return one partnership with its themes, participants and funding."""
    queryset = partnerships_with_details()
    if not _can_see_drafts(request):
        queryset = queryset.published()
    return serialise_partnership(get_object_or_404(queryset, pk=partnership_id))
