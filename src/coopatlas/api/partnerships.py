"""/api/v1/partnerships: the atlas search (every parameter of /recherche/, its facet counts and
a cursor), and one partnership in full. Both answer 304 to a client whose copy is current."""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from coopatlas.accounts.permissions import EDITING_KINDS, scope_of
from coopatlas.api.caching import not_modified
from coopatlas.api.schemas import ErrorOut, PartnershipOut, SearchIn, SearchOut
from coopatlas.atlas.models import Participation, Partnership
from coopatlas.atlas.selectors import funding_summary, organisation_lookup, partnerships_with_details
from coopatlas.places.models import Country
from coopatlas.search.query import CursorError, SearchQuery

router = Router(tags=["partnerships"])


def _visibility(request: HttpRequest) -> str:
    """Name what this user sees, for the ETag: the public atlas, or its own drafts too."""
    if request.user.is_authenticated and not scope_of(request.user, EDITING_KINDS).empty:
        return f"drafts:{request.user.pk}"
    return "public"


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


@router.get("", response={200: SearchOut, 304: None, 400: ErrorOut}, summary="Search partnerships")
def list_partnerships(request: HttpRequest, response: HttpResponse, filters: Query[SearchIn]):
    """Search partnerships as /recherche/ does: words (`q`), facets (each may repeat: `pays=DE&pays=IT`),
    years, the other filters and the sort; with each facet's counts under the other facets
    (`facettes=false` leaves them out) and `next`, the cursor of the following page
    (`curseur=…`). `organisation` takes an id or a name; `country` is `pays`'s older name."""
    known = {field.alias or name for name, field in SearchIn.model_fields.items()}
    if unknown := sorted(set(request.GET) - known):
        raise HttpError(400, f"Paramètre inconnu : « {unknown[0]} » (voir /api/v1/docs).")
    if unchanged := not_modified(request, response, visibility=_visibility(request)):
        return unchanged
    if filters.cursor and filters.offset:
        raise HttpError(400, "« curseur » et « offset » s'excluent : donnez l'un ou l'autre.")
    params = request.GET.copy()
    base = Partnership.objects.visible_to(request.user)
    if filters.country:
        if not Country.objects.filter(iso2=filters.country.upper()).exists():
            raise HttpError(
                400, f"Code pays inconnu : « {filters.country} » (ISO 3166-1 alpha-2 attendu, ex. DE)."
            )
        params.appendlist("pays", filters.country)
    if filters.organisation and not filters.organisation.isdecimal():
        # A name (the search page takes ids only): every organisation it names.
        named = Participation.objects.filter(organisation__in=organisation_lookup(filters.organisation))
        base = base.filter(pk__in=named.values("partnership_id"))
        params.pop("organisation")
    query = SearchQuery(_without(params, "country", "limit", "offset", "curseur", "facettes"))
    if query.errors:
        raise HttpError(400, " ".join(str(error) for error in query.errors))
    result = query.run(base, facets=filters.facettes)
    if filters.cursor is not None or not filters.offset:
        try:
            rows, following = result.after(filters.cursor or None, filters.limit)
        except CursorError as error:
            raise HttpError(
                400, f"« curseur » inconnu : « {filters.cursor} » (reprenez sans curseur)."
            ) from error
    else:
        rows = result.rows(filters.offset, filters.limit)
        following = None
    return {
        "count": result.count,
        "results": [serialise_partnership(p) for p in rows],
        "facets": [
            {
                "name": facet.name,
                "label": facet.label,
                "values": [vars(value) for value in facet.values],
            }
            for facet in result.facets
        ],
        "next": following,
    }


def _without(params: QueryDict, *names: str) -> QueryDict:
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept


@router.get(
    "/{partnership_id}", response={200: PartnershipOut, 304: None, 404: ErrorOut}, summary="One partnership"
)
def get_partnership(request: HttpRequest, response: HttpResponse, partnership_id: int):
    """Return one partnership with its themes, participants and funding."""
    if unchanged := not_modified(request, response, visibility=_visibility(request)):
        return unchanged
    queryset = partnerships_with_details(Partnership.objects.visible_to(request.user))
    return serialise_partnership(get_object_or_404(queryset, pk=partnership_id))
