"""Map pages and data: the atlas map, its GeoJSON, and the review list of places to check."""

import math

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from coopatlas.atlas.choices import PlaceStatus
from coopatlas.atlas.localisation import organisation_place_choose
from coopatlas.atlas.mapping import (
    MAX_CELLS,
    MAX_ZOOM,
    POINTS_ZOOM,
    WORLD,
    BBox,
    cells_spanned,
    features_extent,
    map_centre,
    map_extent,
    map_features,
    map_places,
    place_popup,
)
from coopatlas.atlas.models import FRANCE, Organisation
from coopatlas.search.facets import DOMESTIC, domestic_partnerships
from coopatlas.web.accounts import staff_required

REVIEW_STATUSES = [PlaceStatus.AMBIGUOUS, PlaceStatus.UNRESOLVED, PlaceStatus.PENDING]
DEFAULT_ZOOM = 2  # the map's first view


def atlas_map(request: HttpRequest) -> HttpResponse:
    """Show every located organisation of the published atlas on a world map."""
    return render(request, "web/map.html")


def _bad(parameter: str, message: str) -> JsonResponse:
    return JsonResponse({"parameter": parameter, "detail": message}, status=400)


def _zoom(value: str) -> int | None:
    if not value.isascii() or not value.isdecimal() or not 0 <= int(value) <= MAX_ZOOM:
        return None
    return int(value)


def _bbox(value: str) -> BBox | None:
    parts = value.split(",")
    if len(parts) != 4:
        return None
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return BBox(west, south, east, north)


@gzip_page
def places_geojson(request: HttpRequest) -> JsonResponse:
    """Return the map's view as GeoJSON: `?zoom=Z&bbox=west,south,east,north` (optional `pays` or
    `organisation`) gives a cluster per grid cell holding several located organisations of the
    published atlas, a point per cell holding one; without `bbox`, the whole world and the extent
    of the places, for the map to fit them."""
    zoom = _zoom(request.GET.get("zoom", str(DEFAULT_ZOOM)))
    if zoom is None:
        return _bad("zoom", _("zoom : un entier de 0 à %(max)s est attendu.") % {"max": MAX_ZOOM})
    bbox = WORLD
    if "bbox" in request.GET:
        bbox = _bbox(request.GET["bbox"])
        if bbox is None:
            return _bad("bbox", _("bbox : quatre nombres ouest,sud,est,nord en degrés sont attendus."))
        if cells_spanned(bbox, zoom) > MAX_CELLS:
            return _bad("bbox", _("bbox : cette étendue est trop grande pour ce zoom."))
    country = request.GET.get("pays", "").upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        return _bad("pays", _("pays : un code ISO à deux lettres est attendu."))
    centre = None
    if organisation_id := request.GET.get("organisation", ""):
        if not organisation_id.isascii() or not organisation_id.isdecimal():
            return _bad("organisation", f"Identifiant d'organisation invalide : « {organisation_id} ».")
        centre = map_centre(int(organisation_id), Organisation.objects.visible_to(request.user))
        if centre is None:
            raise Http404
    # The world's and a country's map are international unless `portee` asks for the domestic
    # partnerships too; an organisation's map shows all its partnerships, as its page lists them.
    leave_out = None
    if centre is None and DOMESTIC not in request.GET.getlist("portee"):
        leave_out = domestic_partnerships()
    places = map_places(country=country, centre=centre, leave_out=leave_out)
    features, truncated = map_features(places, zoom=zoom, bbox=bbox)
    data: dict = {
        "type": "FeatureCollection",
        "zoom": zoom,
        "points_zoom": POINTS_ZOOM,
        "popup": reverse("web:place_popup", args=[0]).replace("/0.json", "/{id}.json"),
        "truncated": truncated,
        "features": features,
    }
    if "bbox" not in request.GET:
        data["extent"] = map_extent(places) if truncated else features_extent(features)
    if centre is not None and centre.latitude is not None:
        data["centre"] = {"id": centre.pk, "coordinates": [centre.longitude, centre.latitude]}
    return JsonResponse(data)


@gzip_page
def place_popup_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Return a place's popup: the organisation, its country and its latest published partnerships."""
    popup = place_popup(pk)
    if popup is None:
        raise Http404
    organisation = popup.organisation
    return JsonResponse(
        {
            "id": organisation.pk,
            "name": organisation.name,
            "kind_label": organisation.get_kind_display(),
            "country": organisation.country.display_name,
            "french": organisation.country_id == FRANCE,  # an authority or an actor at its seat
            "partnerships": popup.partnership_count,
            "url": organisation.get_absolute_url(),
            "links": [
                {"id": pk, "title": title, "url": reverse("web:partnership", args=[pk])}
                for pk, title in popup.latest
            ],
        }
    )


@staff_required
def places_review(request: HttpRequest) -> HttpResponse:
    """List the organisations whose place is ambiguous or unknown, with candidates to pick from."""
    organisations = Organisation.objects.filter(place_status__in=REVIEW_STATUSES).select_related("country")
    return render(request, "web/places_review.html", {"organisations": organisations})


@staff_required
@require_POST
def places_review_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the candidate a person picked for an organisation: the resolver learns it for the
    name, and the other organisations waiting under that name get it too (the page says how many).
    A user whose roles do not reach the organisation gets the 403 page (PermissionDenied)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    try:
        index = int(request.POST.get("candidate", ""))
        if index < 0:
            raise IndexError(index)
        candidate = organisation.place_candidates[index]
        choice = organisation_place_choose(organisation, candidate=candidate, acting_user=request.user)
    except (ValueError, IndexError, KeyError, TypeError):
        messages.error(request, f"Choix invalide pour « {organisation} » : reprenez dans la liste.")
        return redirect("web:places_review")
    text = _(
        "« %(organisation)s » est localisée à %(place)s ; les imports suivants placeront ce nom au "
        "même endroit."
    ) % {
        "organisation": organisation,
        "place": candidate["name"],
    }
    if placed := len(choice.also_placed):
        text += " " + ngettext(
            "%(count)d autre organisation en attente du même nom a reçu ce lieu.",
            "%(count)d autres organisations en attente du même nom ont reçu ce lieu.",
            placed,
        ) % {"count": placed}
    if left := choice.left_outside_scope:
        text += " " + ngettext(
            "%(count)d autre, hors de votre périmètre, attend ses responsables.",
            "%(count)d autres, hors de votre périmètre, attendent leurs responsables.",
            left,
        ) % {"count": left}
    messages.success(request, text)
    return redirect("web:places_review")
