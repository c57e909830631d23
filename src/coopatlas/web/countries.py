"""Country pages and the map's country layer."""

from collections import Counter

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.gzip import gzip_page

from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS, ParticipationRole
from coopatlas.atlas.models import Organisation
from coopatlas.atlas.selectors import partnership_counts_by_country, partnerships_with_details
from coopatlas.core.i18n import sort_key
from coopatlas.places.models import Country
from coopatlas.web.search import visible_partnerships


def country_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    """Show a country's partnerships, the French authorities involved, themes and the embassy."""
    country = get_object_or_404(Country, iso2=iso2.upper())
    partnerships = partnerships_with_details(
        visible_partnerships(request).with_country(country.iso2).order_by("-start_year", "title")
    )
    partnerships = list(partnerships)
    french: Counter = Counter()
    partners: dict[int, Organisation] = {}
    themes: Counter = Counter()
    for partnership in partnerships:
        for participation in partnership.participations.all():
            organisation = participation.organisation
            if (
                participation.role == ParticipationRole.FRENCH_AUTHORITY
                and organisation.kind in FRENCH_AUTHORITY_KINDS
            ):
                french[organisation] += 1
            elif organisation.country_id == country.iso2:
                partners[organisation.pk] = organisation
        # A partnership counts once per top-level theme, however many of its themes lie below it.
        for name in {link.theme.path[0].display_name for link in partnership.theme_links.all()}:
            themes[name] += 1
    post = getattr(country, "diplomatic_post", None)
    return render(
        request,
        "web/country_detail.html",
        {
            "country": country,
            "partnerships": partnerships,
            "french": french.most_common(),
            "partners": sorted(partners.values(), key=lambda o: sort_key(o.name)),
            "themes": themes.most_common(),
            "post": post,
            "can_see_contacts": request.user.has_perm("atlas.view_contact"),
        },
    )


@gzip_page
def countries_json(request: HttpRequest) -> JsonResponse:
    """Return partnership counts per country, keyed by ISO numeric code (the map's shapes' ids)."""
    counts = partnership_counts_by_country(visible_partnerships(request))
    countries = Country.objects.filter(iso2__in=counts)
    return JsonResponse(
        {
            c.numeric or c.iso2: {
                "iso2": c.iso2,
                "name": c.display_name,
                "count": counts[c.iso2],
                "search": f"/recherche/?pays={c.iso2}",
                "page": f"/pays/{c.iso2}/",
            }
            for c in countries
        }
    )
