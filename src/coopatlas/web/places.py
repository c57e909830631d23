"""Map pages and data: the atlas map, its GeoJSON, and the review list of places to check."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from coopatlas.atlas.choices import PlaceStatus
from coopatlas.atlas.localisation import organisation_place_choose
from coopatlas.atlas.models import Organisation, Partnership

REVIEW_STATUSES = [PlaceStatus.AMBIGUOUS, PlaceStatus.UNRESOLVED, PlaceStatus.PENDING]


def atlas_map(request: HttpRequest) -> HttpResponse:
    """Show every located organisation of the published atlas on a world map."""
    return render(request, "web/map.html")


def _feature(organisation: Organisation, partnerships: int) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [organisation.longitude, organisation.latitude]},
        "properties": {
            "id": organisation.pk,
            "name": organisation.name,
            "kind": organisation.kind,
            "kind_label": organisation.get_kind_display(),
            "country": organisation.country.name_fr,
            "country_iso2": organisation.country_id,
            "french": organisation.is_french_authority,
            "partnerships": partnerships,
            "url": organisation.get_absolute_url(),
        },
    }


@gzip_page
def places_geojson(request: HttpRequest) -> JsonResponse:
    """Return the located organisations taking part in published partnerships (GeoJSON)."""
    published = Partnership.objects.published()
    organisations = (
        Organisation.objects.filter(latitude__isnull=False, participations__partnership__in=published)
        .select_related("country")
        .annotate(
            n=Count(
                "participations__partnership",
                filter=Q(participations__partnership__in=published),
                distinct=True,
            )
        )
    )
    if iso2 := request.GET.get("pays", "").upper():
        # The country's own organisations and the French ones working with them.
        with_country = published.with_country(iso2)
        ids = set(Organisation.objects.filter(country_id=iso2).values_list("pk", flat=True))
        ids |= set(
            Organisation.objects.filter(
                country_id="FR", participations__partnership__in=with_country
            ).values_list("pk", flat=True)
        )
        organisations = organisations.filter(pk__in=ids)
    if organisation_id := request.GET.get("organisation", ""):
        if not organisation_id.isdigit():
            return JsonResponse(
                {"detail": f"Identifiant d'organisation invalide : « {organisation_id} »."}, status=400
            )
        centre = get_object_or_404(Organisation, pk=int(organisation_id))
        partner_ids = Organisation.objects.filter(
            participations__partnership__participations__organisation=centre,
            participations__partnership__in=published,
        ).values_list("pk", flat=True)
        organisations = organisations.filter(pk__in=list(partner_ids) + [centre.pk])
    features = [_feature(o, o.n) for o in organisations.distinct()]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@staff_member_required
def places_review(request: HttpRequest) -> HttpResponse:
    """List the organisations whose place is ambiguous or unknown, with candidates to pick from."""
    organisations = Organisation.objects.filter(place_status__in=REVIEW_STATUSES).select_related("country")
    return render(request, "web/places_review.html", {"organisations": organisations})


@staff_member_required
@require_POST
def places_review_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the candidate a person picked for an organisation."""
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        candidate = organisation.place_candidates[int(request.POST.get("candidate", ""))]
        organisation_place_choose(organisation, candidate=candidate, acting_user=request.user)
    except (ValueError, IndexError):
        messages.error(request, f"Choix invalide pour « {organisation} » : reprenez dans la liste.")
    else:
        messages.success(request, f"« {organisation} » est localisée à {candidate['name']}.")
    return redirect("web:places_review")
