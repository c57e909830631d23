"""The calendar of a scope: the page grouped by month and its iCal feed (insights.calendar)."""

import datetime
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import PartnershipForm
from coopatlas.atlas.models import Theme
from coopatlas.insights import calendar as agenda
from coopatlas.insights.dashboard import scope_from
from coopatlas.places.models import Country, Departement, Region, WorldRegion
from coopatlas.search.query import SearchQuery
from coopatlas.web.dashboards import scope_context
from coopatlas.web.search import visible_partnerships

FEED_FILE = "calendrier-coopatlas.ics"


def _read(request: HttpRequest) -> tuple[SearchQuery, dict[str, list[str]], agenda.Window]:
    """Return the scope, its parameters and the window read from the URL; bad values are left
    out with a message in the query's `errors`."""
    query, scope = scope_from(request.GET)
    window = agenda.read_window(request.GET, timezone.localdate(), query.errors)
    return query, scope, window


def scope_words(query: SearchQuery) -> list[str]:
    """Return the scope in words, in the active language: territory, régions, départements,
    zones, countries, themes, forms, period (empty for all France and the world)."""
    words = []
    if query.filters.territory is not None:
        words.append(query.filters.territory.name)
    selected = query.selected
    words += [r.name for r in Region.objects.filter(code__in=selected.get("region", [])).order_by("code")]
    words += [
        d.name for d in Departement.objects.filter(code__in=selected.get("departement", [])).order_by("code")
    ]
    words += [str(WorldRegion(z).label) for z in selected.get("zone", []) if z in WorldRegion.values]
    words += [
        c.display_name for c in Country.objects.filter(iso2__in=selected.get("pays", [])).order_by("iso2")
    ]
    facets = {key: dict(values) for key, values in _facet_labels().items()}
    for key in ("theme", "forme"):
        words += [str(facets[key].get(value, value)) for value in selected.get(key, [])]
    if query.filters.period_from or query.filters.period_to:
        words.append(
            _("actifs de %(min)s à %(max)s")
            % {"min": query.filters.period_from or "…", "max": query.filters.period_to or "…"}
        )
    return words


def _facet_labels() -> dict[str, list[tuple[str, str]]]:
    return {
        "theme": [(t.code, t.display_name) for t in Theme.objects.filter(level=1)],
        "forme": [(f.value, str(f.label)) for f in PartnershipForm],
    }


def _feed_params(scope: dict[str, list[str]], window: agenda.Window, *, fixed_start: bool) -> str:
    """Return the query string of the feed of this scope: its months, and its start only when
    the page was asked for a start (a subscription otherwise follows today)."""
    params = [(k, v) for k, vs in scope.items() for v in vs]
    if window.months != agenda.DEFAULT_MONTHS:
        params.append(("mois", str(window.months)))
    if fixed_start:
        params.append(("depuis", window.start.isoformat()))
    return urlencode(params)


def calendar_page(request: HttpRequest) -> HttpResponse:
    """Show the scope's anniversaries, agreements ending and planned events, grouped by month."""
    query, scope, window = _read(request)
    chosen = agenda.build(query, visible_partnerships(request), window)
    context = scope_context(request, query, scope)
    fixed_start = bool((request.GET.get("depuis") or "").strip()) and window.start != timezone.localdate()
    feed_query = _feed_params(scope, window, fixed_start=fixed_start)
    feed = reverse("web:calendar_ics")
    feed_path = request.build_absolute_uri(f"{feed}?{feed_query}" if feed_query else feed)
    context.update(
        {
            "calendar": chosen,
            "window": window,
            "last_day": window.end - datetime.timedelta(days=1),
            "words": scope_words(query),
            "feed_url": feed_path,
            "calendar_window": True,
            "max_months": agenda.MAX_MONTHS,
            "limit": agenda.LIMIT,
        }
    )
    return render(request, "web/calendar.html", context)


def calendar_ics(request: HttpRequest) -> HttpResponse:
    """Return the scope's calendar as an iCalendar feed; a bad scope or window is a 400 naming it."""
    query, _scope, window = _read(request)
    if query.errors:
        lines = [_("Calendrier refusé : corrigez l'adresse du flux."), *query.errors]
        return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")
    chosen = agenda.build(query, visible_partnerships(request), window)
    with translation.override("fr"):
        words = scope_words(query)
        name = _("coopatlas · Calendrier des partenariats")
        if words:
            name += " · " + ", ".join(words)
    body = agenda.as_ical(
        chosen,
        name=name,
        host=urlsplit(f"//{request.get_host()}").hostname or "localhost",
        base_url=f"{request.scheme}://{request.get_host()}",
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FEED_FILE}"'
    return response
