"""Country pages and the map's country layer."""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.gzip import gzip_page

from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS, ParticipationRole
from coopatlas.atlas.models import FRANCE, Organisation, Participation, Theme
from coopatlas.atlas.selectors import partnerships_with_details
from coopatlas.core.i18n import sort_key
from coopatlas.places.models import Country
from coopatlas.search.facets import DOMESTIC, FACETS, international_only
from coopatlas.search.query import ORDERINGS, grouped_counts
from coopatlas.search.signals import apply_pending
from coopatlas.web.search import visible_partnerships

SHOWN = 30  # partnerships and French authorities listed on a country's page; the search has the rest


def country_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    """Show a country's partnerships, the French authorities involved, themes and the embassy.

    Every figure is counted by the database over the country's partnerships (a sub-query), and
    only the first partnerships and the most engaged authorities are listed: the page costs
    the same for a country with ten partnerships and one with ten thousand."""
    country = get_object_or_404(Country, iso2=iso2.upper())
    apply_pending()  # the facet keys as this request's own edits left them
    domestic = 0
    if country.iso2 == FRANCE:
        # France is no partner country (no facet value): its partnerships are those with a
        # participant there, the domestic ones (between French authorities only) left out and
        # counted apart.
        here = Participation.objects.filter(organisation__country=country).values("partnership_id")
        in_france = visible_partnerships(request).filter(pk__in=here)
        scope = in_france.filter(international_only())
        domestic = in_france.filter(FACETS["portee"].q([DOMESTIC])).count()
    else:
        scope = visible_partnerships(request).filter(FACETS["pays"].q([country.iso2]))  # the search's rule
    # Sub-queries only: joining the organisations made SQLite drive the count from them
    # (159 s for Germany at 100,000 partnerships; 0.25 s so).
    in_scope = scope.values("pk")
    french_rows = (
        Participation.objects.filter(
            partnership_id__in=in_scope,
            role=ParticipationRole.FRENCH_AUTHORITY,
            organisation_id__in=Organisation.objects.filter(kind__in=FRENCH_AUTHORITY_KINDS).values("pk"),
        )
        .values("organisation")
        .annotate(n=Count("partnership", distinct=True))
        .order_by("-n", "organisation")
    )
    top = list(french_rows[:SHOWN])
    names = Organisation.objects.in_bulk([row["organisation"] for row in top])
    french = [(names[row["organisation"]], row["n"]) for row in top]
    taking_part = Participation.objects.filter(partnership_id__in=in_scope).values("organisation_id")
    partner_count = Organisation.objects.filter(country=country, pk__in=taking_part).count()
    roots = grouped_counts(scope, ["theme"]).get("theme", {})
    themes = sorted(
        ((theme.display_name, roots[theme.code]) for theme in Theme.objects.filter(level=1, code__in=roots)),
        key=lambda item: (-item[1], sort_key(item[0])),
    )
    post = getattr(country, "diplomatic_post", None)
    return render(
        request,
        "web/country_detail.html",
        {
            "country": country,
            "partnerships": list(partnerships_with_details(scope.order_by(*ORDERINGS["debut"])[:SHOWN])),
            "partnership_count": scope.count(),
            "domestic_count": domestic,
            "french": french,
            "french_count": french_rows.count(),
            "partner_count": partner_count,
            "themes": themes,
            "post": post,
            "can_see_contacts": request.user.has_perm("coopatlas.personal_data_export"),
        },
    )


@gzip_page
def countries_json(request: HttpRequest) -> JsonResponse:
    """Return partnership counts per country, keyed by ISO numeric code (the map's shapes' ids)."""
    counts = grouped_counts(visible_partnerships(request), ["pays"]).get("pays", {})
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
