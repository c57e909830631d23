"""The tracking pages: a scope's dashboard, its figures as CSV, the network view, the watch lists."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import (
    FRENCH_AUTHORITY_KINDS,
    OrganisationKind,
    PartnershipForm,
    PublicationState,
)
from coopatlas.atlas.models import FRANCE, Organisation, Participation, Theme
from coopatlas.core.i18n import english, sort_key
from coopatlas.exports.tabular import table_csv
from coopatlas.insights import dashboard as dashboards
from coopatlas.insights import network, watch
from coopatlas.places.models import Country, Departement, Region, WorldRegion
from coopatlas.search.memo import remembered
from coopatlas.search.query import SearchQuery
from coopatlas.web.search import visible_partnerships

COMMUNES_IN_MENU = 300
WATCH_SHOWN = 50  # items of each watch list on the page; the CSV holds them all
# The kinds of the territory menu, in its order.
MENU_KINDS = (
    OrganisationKind.REGION,
    OrganisationKind.DEPARTEMENT,
    OrganisationKind.METROPOLE,
    OrganisationKind.EPCI,
    OrganisationKind.COMMUNE,
)


def scope_query(request: HttpRequest) -> tuple[SearchQuery, dict[str, list[str]]]:
    """Return the scope read from the URL and its parameters."""
    return dashboards.scope_from(request.GET)


def _with_links(board: dashboards.Dashboard, scope: dict[str, list[str]]) -> None:
    for row in board.totals:
        row.extra["url"] = dashboards.list_url(scope, row.link)
    for figure in board.figures.values():
        for row in figure.shown:
            row.extra["url"] = dashboards.list_url(scope, row.link)
            for key in ("active_link", "ended_link"):
                if key in row.extra:  # none for the row of partnerships without a year
                    link = row.extra[key]
                    row.extra[key.replace("link", "url")] = dashboards.list_url(scope, link) if link else ""
    if board.study:
        for row in [*board.study.categories, *board.study.highlighted]:
            row.extra["url"] = dashboards.list_url(scope, row.link)


def chart_data(board: dashboards.Dashboard) -> dict:
    """Return the figures in the shape charts.js draws (labels, values, the list behind each bar)."""
    data = {}
    for name, figure in board.figures.items():
        rows = figure.rows[:25] if name in ("countries", "funders", "themes") else figure.rows
        entry = {
            "title": figure.title,
            "labels": [r.label for r in rows],
            "values": [r.value for r in rows],
            "urls": [r.extra.get("url", "") for r in rows],
        }
        if name == "years":
            entry["series"] = [
                {
                    "name": _("Nouveaux"),
                    "values": [r.value for r in rows],
                    "urls": [r.extra["url"] for r in rows],
                },
                # No active nor ended point for the partnerships without a year: the line stops.
                {
                    "name": _("Actifs"),
                    "values": [r.extra["active"] if r.key != dashboards.UNDATED else None for r in rows],
                    "urls": [r.extra["active_url"] for r in rows],
                },
                {
                    "name": _("Terminés"),
                    "values": [r.extra["ended"] if r.key != dashboards.UNDATED else None for r in rows],
                    "urls": [r.extra["ended_url"] for r in rows],
                },
            ]
        if name == "countries":
            entry["series"] = [
                {"name": _("Partenariats"), "values": entry["values"], "urls": entry["urls"]},
                {
                    "name": _("Partenaires dans le pays"),
                    "values": [r.extra["partners"] for r in rows],
                    "urls": entry["urls"],
                },
            ]
        if name == "funding_years":
            entry["series"] = [
                {"name": _("Montant (€)"), "values": [r.value for r in rows], "urls": entry["urls"]},
                {
                    "name": _("dont 1 % eau (€)"),
                    "values": [r.extra["water"] for r in rows],
                    "urls": entry["urls"],
                },
            ]
        if name == "funding_years" and "shared" in figure.extra_cells:
            # Under a zone or a country: the part of partnerships also reaching other countries
            # (per funder, it is in the table: a second bar per funder would double the chart).
            entry["series"].append(
                {
                    "name": _("dont partagés avec d'autres pays (€)"),
                    "values": [r.extra["shared"] for r in rows],
                    "urls": entry["urls"],
                }
            )
        data[name] = entry
    return data


@dataclass(frozen=True)
class Territory:
    """A French authority offered as a territory: its id, name and kind."""

    pk: int
    name: str
    kind: str


def _engaged_authorities() -> dict[str, list[Territory]]:
    """Return, per kind, the French authorities taking part in published partnerships, sorted by
    name: régions, départements and groupings all, communes only the COMMUNES_IN_MENU most engaged.

    Remembered under the search index's version (one grouped query over every participation)."""

    def compute() -> dict[str, list[Territory]]:
        counted = (
            Participation.objects.filter(
                partnership__publication_state=PublicationState.PUBLISHED,
                organisation__country_id=FRANCE,
                organisation__kind__in=FRENCH_AUTHORITY_KINDS,
            )
            .values_list("organisation_id", "organisation__name", "organisation__kind")
            .annotate(n=Count("partnership_id", distinct=True))
        )
        groups: dict[str, list[Territory]] = {}
        for kind in MENU_KINDS:
            chosen = counted.filter(organisation__kind=kind)
            if kind == OrganisationKind.COMMUNE:
                chosen = chosen.order_by("-n", "organisation__name")[:COMMUNES_IN_MENU]
            else:
                chosen = chosen.order_by()
            items = [Territory(pk, name, kind) for pk, name, kind, _n in chosen]
            groups[kind] = sorted(items, key=lambda t: sort_key(t.name))
        return groups

    return remembered("territories", COMMUNES_IN_MENU, compute)


def territory_choices(selected: Organisation | None) -> list[tuple[str, list[Territory]]]:
    """Return the French authorities to pick as a territory, grouped by kind (the one chosen
    always among them), so that the menu stays light with a national atlas.

    The dashboards count published partnerships only: so does the menu, and it names no
    authority known only from drafts."""
    groups = []
    for kind, items in _engaged_authorities().items():
        if selected is not None and selected.kind == kind and all(t.pk != selected.pk for t in items):
            chosen = Territory(selected.pk, selected.name, selected.kind)
            items = sorted([*items, chosen], key=lambda t: sort_key(t.name))
        if items:
            groups.append((str(OrganisationKind(kind).label), items))
    return groups


def scope_context(request: HttpRequest, query: SearchQuery, scope: dict[str, list[str]]) -> dict:
    """Return what every tracking page shows around its scope: the scope form's choices and words."""
    countries = (
        Country.objects.exclude(iso2=FRANCE)
        .filter(Q(organisations__participations__isnull=False) | Q(iso2__in=query.selected.get("pays", [])))
        .distinct()
    )
    return {
        "query": query,
        "scope": scope,
        "scope_query": urlencode([(k, v) for k, vs in scope.items() for v in vs]),
        "territories": territory_choices(query.filters.territory),
        "regions": sorted(Region.objects.all(), key=lambda r: sort_key(r.name)),
        "departements": Departement.objects.order_by("code"),
        "zones": list(WorldRegion),
        "countries": sorted(countries, key=lambda c: sort_key(c.display_name)),
        "themes": Theme.objects.filter(level=1).order_by("position"),
        "forms": list(PartnershipForm),
        "english": english(),
        "scope_words": [
            ("region", r.name) for r in Region.objects.filter(code__in=query.selected.get("region", []))
        ]
        + [
            ("departement", f"{d.name} ({d.code})")
            for d in Departement.objects.filter(code__in=query.selected.get("departement", []))
        ],
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the dashboard of the scope in the URL; `impression=1` gives the print layout."""
    query, scope = scope_query(request)
    board = dashboards.build(query, visible_partnerships(request), grouping=request.GET.get("groupement", ""))
    _with_links(board, scope)
    context = scope_context(request, query, scope)
    context.update(
        {
            "board": board,
            "charts": chart_data(board),
            "print_view": request.GET.get("impression") == "1",
            "grouping": board.grouping,
        }
    )
    return render(request, "web/dashboard.html", context)


def dashboard_countries(request: HttpRequest) -> JsonResponse:
    """Return the scope's partnerships per country, keyed like the map's shapes (ISO numeric)."""
    query, scope = scope_query(request)
    board = dashboards.build(query, visible_partnerships(request))
    numeric = dict(Country.objects.values_list("iso2", "numeric"))
    return JsonResponse(
        {
            numeric.get(row.key) or row.key: {
                "iso2": row.key,
                "name": row.label,
                "count": int(row.value),
                "search": dashboards.list_url(scope, row.link),
                "page": reverse("web:country", args=[row.key]),
            }
            for row in board.figure("countries").rows
        }
    )


def dashboard_csv(request: HttpRequest, figure: str) -> HttpResponse:
    """Return one figure's data as CSV for French Excel."""
    query, scope = scope_query(request)
    board = dashboards.build(query, visible_partnerships(request), grouping=request.GET.get("groupement", ""))
    if figure == "totals":
        header = [_("Indicateur"), _("Valeur")]
        rows = [[r.label, r.value] for r in board.totals]
    elif figure in board.figures:
        chosen = board.figure(figure)
        header = chosen.columns
        rows = chosen.table()
    else:
        raise Http404(_("Graphique inconnu : « %(name)s ».") % {"name": figure})
    response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord-{figure}.csv"'
    return response


def network_view(request: HttpRequest) -> HttpResponse:
    """Show the scope's network of organisations and the actors that bridge countries or themes."""
    query, scope = scope_query(request)
    graph = network.build(query, visible_partnerships(request))
    context = scope_context(request, query, scope)
    context.update({"graph": graph, "graph_json": network.as_chart(graph)})
    return render(request, "web/network.html", context)


def watch_lists(request: HttpRequest) -> HttpResponse:
    """Show the scope's watch lists: conventions ending soon, stale records, gaps, duplicates."""
    query, scope = scope_query(request)
    months = _months(request)
    with_duplicates = request.GET.get("doublons") == "1"
    lists = watch.build(
        query, visible_partnerships(request), months=months, duplicates=with_duplicates, limit=WATCH_SHOWN
    )
    context = scope_context(request, query, scope)
    context.update({"lists": lists, "months": months, "with_duplicates": with_duplicates})
    return render(request, "web/watch_lists.html", context)


def watch_list_csv(request: HttpRequest, name: str) -> HttpResponse:
    """Return one watch list as CSV for French Excel."""
    query, _scope = scope_query(request)
    lists = watch.build(
        query, visible_partnerships(request), months=_months(request), duplicates=name == "doublons"
    )
    lists = {w.name: w for w in lists}
    if name not in lists:
        raise Http404(_("Liste de veille inconnue : « %(name)s ».") % {"name": name})
    chosen = lists[name]
    response = HttpResponse(
        table_csv(chosen.columns, [item.cells for item in chosen.items]),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="veille-{name}.csv"'
    return response


def _months(request: HttpRequest) -> int:
    raw = request.GET.get("mois", "")
    return int(raw) if raw.isdecimal() and 1 <= int(raw) <= 120 else watch.DEFAULT_MONTHS
