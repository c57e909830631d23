"""Map pages and data: the atlas map, its GeoJSON, and the review list of places to check."""

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from coopatlas.atlas.choices import PlaceStatus
from coopatlas.atlas.localisation import organisation_place_choose
from coopatlas.atlas.models import Organisation, Participation, Partnership
from coopatlas.web.accounts import staff_required

REVIEW_STATUSES = [PlaceStatus.AMBIGUOUS, PlaceStatus.UNRESOLVED, PlaceStatus.PENDING]


def atlas_map(request: HttpRequest) -> HttpResponse:
    """Show every located organisation of the published atlas on a world map."""
    return render(request, "web/map.html")


POPUP_PARTNERSHIPS = 5  # links listed in a place's popup; the organisation page has the rest


def _feature(organisation: Organisation, partnerships: int, links: list[dict]) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [organisation.longitude, organisation.latitude]},
        "properties": {
            "id": organisation.pk,
            "name": organisation.name,
            "kind": organisation.kind,
            "kind_label": organisation.get_kind_display(),
            "country": organisation.country.display_name,
            "country_iso2": organisation.country_id,
            "french": organisation.is_french_authority,
            "partnerships": partnerships,
            "url": organisation.get_absolute_url(),
            "links": links,
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
        if not organisation_id.isdecimal():
            return JsonResponse(
                {"detail": f"Identifiant d'organisation invalide : « {organisation_id} »."}, status=400
            )
        centre = get_object_or_404(Organisation.objects.visible_to(request.user), pk=int(organisation_id))
        partner_ids = Organisation.objects.filter(
            participations__partnership__participations__organisation=centre,
            participations__partnership__in=published,
        ).values_list("pk", flat=True)
        organisations = organisations.filter(pk__in=list(partner_ids) + [centre.pk])
    organisations = list(organisations.distinct())
    links = _partnership_links(published, [o.pk for o in organisations])
    features = [_feature(o, o.n, links.get(o.pk, [])) for o in organisations]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _partnership_links(published, organisation_ids: list[int]) -> dict[int, list[dict]]:
    """Return, per organisation, its latest published partnerships as popup links (one query)."""
    rows = (
        Participation.objects.filter(organisation_id__in=organisation_ids, partnership__in=published)
        .order_by("organisation_id", F("partnership__start_year").desc(nulls_last=True), "partnership__title")
        .values_list("organisation_id", "partnership_id", "partnership__title")
    )
    links: dict[int, list[dict]] = {}
    for organisation_id, partnership_id, title in rows:
        listed = links.setdefault(organisation_id, [])
        if len(listed) < POPUP_PARTNERSHIPS and all(link["id"] != partnership_id for link in listed):
            listed.append(
                {
                    "id": partnership_id,
                    "title": title,
                    "url": reverse("web:partnership", args=[partnership_id]),
                }
            )
    return links


@staff_required
def places_review(request: HttpRequest) -> HttpResponse:
    """List the organisations whose place is ambiguous or unknown, with candidates to pick from."""
    organisations = Organisation.objects.filter(place_status__in=REVIEW_STATUSES).select_related("country")
    return render(request, "web/places_review.html", {"organisations": organisations})


@staff_required
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
