"""HTML views of the public atlas: home, partnership list and pages, organisation pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from coopatlas.accounts.permissions import may
from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS
from coopatlas.atlas.models import FRANCE, Organisation, Partnership, Theme
from coopatlas.atlas.selectors import (
    atlas_counts,
    funding_summary,
    partner_links,
    partners_by_start_year,
    partnerships_with_details,
)
from coopatlas.atlas.services.documents import may_open
from coopatlas.insights.board import matching_posts
from coopatlas.insights.common import in_common
from coopatlas.insights.similarity import similar_partnerships
from coopatlas.insights.suggestions import actors_to_connect
from coopatlas.places.models import WorldRegion
from coopatlas.search.facets import domestic_partnerships, international_only
from coopatlas.search.memo import remembered
from coopatlas.search.query import grouped_counts

PAGE_SIZE = 20
# Partners listed on an organisation's page; the search lists them all.
PARTNERS_SHOWN = 200


from coopatlas.web.review import record_actions  # noqa: E402
from coopatlas.web.search import visible_partnerships as _visible_partnerships  # noqa: E402


def home(request: HttpRequest) -> HttpResponse:
    """Show the headline counts, the latest partnerships and entry points by region and theme."""
    published = Partnership.objects.published()
    latest = partnerships_with_details(published.order_by("-created_at", "-pk"))[:6]
    # The headline figures are international: the domestic partnerships (between French
    # authorities only) are left out, as on the search page these figures link to.
    international = published.filter(international_only())
    # A partnership counts under the world regions of its foreign partners (the `zone` facet),
    # and once under each of its themes' roots: one grouped query for both, remembered.
    counted = grouped_counts(international, ["zone", "theme"])
    zones, theme_counts = counted.get("zone", {}), counted.get("theme", {})
    regions = [(region, zones.get(region.value, 0)) for region in WorldRegion]
    themes = [(t, theme_counts.get(t.code, 0)) for t in Theme.objects.filter(level=1).order_by("position")]
    return render(
        request,
        "web/home.html",
        {
            "counts": remembered("atlas-counts", "international", lambda: atlas_counts(international)),
            "latest": latest,
            "regions": regions,
            "themes": themes,
        },
    )


def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show every field of a partnership; contacts only to users allowed to see personal data."""
    return render(request, "web/partnership_detail.html", _partnership_context(request, pk))


def partnership_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The partnership's printable sheet as a PDF (WeasyPrint): the record in the sheet layout,
    without the site's header, navigation, forms or footer, with the print stylesheet."""
    from coopatlas.web.pdf import html_to_pdf

    context = _partnership_context(request, pk)
    context["layout"] = "web/sheet.html"
    context["sheet_date"] = timezone.localdate()
    context["sheet_address"] = request.build_absolute_uri(context["p"].get_absolute_url())
    html = render_to_string("web/partnership_detail.html", context, request=request)
    response = HttpResponse(html_to_pdf(html, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="partenariat-{pk}.pdf"'
    return response


def _partnership_context(request: HttpRequest, pk: int) -> dict:
    partnership = get_object_or_404(partnerships_with_details(_visible_partnerships(request)), pk=pk)
    can_see_contacts = may(request.user, "personal_data_see", partnership)
    participations = list(partnership.participations.all())
    countries = partnership.countries()
    posts = [c.diplomatic_post for c in countries if hasattr(c, "diplomatic_post")]
    return {
        "p": partnership,
        "french": [x for x in participations if x.role == "french_authority"],
        "foreign": [x for x in participations if x.role == "foreign_authority"],
        "others": [x for x in participations if x.role not in ("french_authority", "foreign_authority")],
        "countries": countries,
        "domestic": partnership.is_domestic,
        "funding": funding_summary(partnership),
        "events": partnership.events.all(),
        "sources": partnership.sources.select_related("batch"),
        # the documents this visitor may open (atlas.services.documents.may_open)
        "documents": [d for d in partnership.documents.all() if may_open(request.user, d)],
        "volunteers": partnership.volunteers.select_related("assigned_entity") if can_see_contacts else None,
        "volunteer_count": partnership.volunteers.count(),
        "contacts": partnership.contacts.select_related("organisation") if can_see_contacts else None,
        "contact_count": partnership.contacts.count(),
        "posts": posts,
        "can_see_contacts": can_see_contacts,
        "actions": record_actions(request.user, partnership),
        "similar": similar_partnerships(partnership) if partnership.publication_state == "published" else [],
    }


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an organisation with its partners grouped by start year, networks and projects."""
    visible = Organisation.objects.visible_to(request.user)
    organisation = get_object_or_404(visible.select_related("country", "parent"), pk=pk)
    # The visibility of networks and members is asked only of those there are (a costly filter).
    memberships = organisation.network_links.select_related("network").order_by("network__name")
    if memberships.exists():
        memberships = memberships.filter(network__in=visible)
    members = organisation.memberships.select_related("member__country").order_by("member__name")
    if members.exists():
        members = members.filter(member__in=visible)
    # Its partners include the French authorities of its domestic partnerships (La Réunion…).
    domestic = domestic_partnerships()
    groups = partners_by_start_year(
        organisation, _visible_partnerships(request), limit=PARTNERS_SHOWN, domestic=domestic
    )
    shown = sum(len(group.links) for group in groups)
    partners = (
        partner_links(organisation, _visible_partnerships(request), domestic=domestic).count()
        if shown == PARTNERS_SHOWN
        else shown
    )
    # Its partnerships in full when it has no partner authority to list (a network, a funder).
    partnerships = (
        partnerships_with_details(
            _visible_partnerships(request).involving(organisation).order_by("-start_year", "title")
        )
        if not groups
        else []
    )
    common, other = None, None
    if other_id := request.GET.get("avec", ""):
        other = visible.filter(pk=int(other_id)).first() if other_id.isdecimal() else None
        if other is not None and other.pk != organisation.pk:
            common = in_common(organisation, other, visible=visible)
    return render(
        request,
        "web/organisation_detail.html",
        {
            "common": common,
            "other": other,
            "o": organisation,
            "groups": groups,
            "partners_shown": shown,
            "partners_total": partners,
            "memberships": memberships,
            "members": members,
            "projects": organisation.european_projects.all(),
            "partnerships": partnerships,
            "events": organisation.events.all(),
            "is_french_authority": organisation.kind in FRENCH_AUTHORITY_KINDS,
            "suggestions": actors_to_connect(organisation) if organisation.country_id == FRANCE else [],
            "board_matches": matching_posts(organisation) if organisation.country_id == FRANCE else [],
        },
    )


def data_sources(request: HttpRequest) -> HttpResponse:
    """Credit the reference data and their licences."""
    return render(request, "web/sources.html")
