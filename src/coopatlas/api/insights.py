"""/api/v1 insights: a scope's dashboard figures, network bridges and watch lists; suggestions.

A scope is given by the dashboard's query parameters (`territoire`, `region`, `departement`,
`zone`, `pays`, `du`, `au`, `theme`, `forme`); an unknown value is refused with a 400 that names
it. Only published partnerships count; no personal data is served.
"""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from coopatlas.api.schemas import ErrorOut
from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.insights import dashboard, network, watch
from coopatlas.insights.common import in_common
from coopatlas.insights.similarity import similar_partnerships
from coopatlas.insights.suggestions import actors_to_connect

router = Router(tags=["insights"])
WATCH_ITEMS = 100  # items of each watch list by default
MAX_WATCH_ITEMS = 1000


class ScopeIn(Schema):
    territoire: int | None = None
    region: list[str] = []
    departement: list[str] = []
    zone: list[str] = []
    pays: list[str] = []
    du: int | None = None
    au: int | None = None
    theme: list[str] = []
    forme: list[str] = []
    portee: list[str] = Field(
        default_factory=list,
        description="`internationale` (the default), `nationale` (between French authorities only), or both.",
    )


class RowOut(Schema):
    key: str
    label: str
    value: float
    extra: dict
    list_url: str
    note: str = ""  # what the value counts


class FigureOut(Schema):
    name: str
    title: str
    note: str = ""  # what the figure counts
    columns: list[str]
    rows: list[RowOut]


class StudyOut(Schema):
    title: str
    initiatives_count: int
    actors_count: int
    countries_count: int
    categories: list[RowOut]


class DashboardOut(Schema):
    scope: dict[str, list[str]]
    totals: list[RowOut]
    figures: list[FigureOut]
    study: StudyOut | None


class SuggestionOut(Schema):
    id: int
    name: str
    kind: str
    country_iso2: str
    score: int
    same_territory: bool
    reasons: list[str]


class SimilarOut(Schema):
    id: int
    title: str
    score: float
    words: list[str]


class NamedOut(Schema):
    id: int
    name: str


class InCommonOut(Schema):
    partners: list[NamedOut]
    countries: list[str] = Field(description="ISO alpha-2 codes of the partner countries both work with")
    themes: list[str] = Field(description="Codes of the top-level themes both work on")
    networks: list[NamedOut]
    european_projects: list[str]
    partnerships: list[int] = Field(description="Published partnerships both take part in")


class BridgeOut(Schema):
    id: int
    name: str
    kind: str
    country_iso2: str
    degree: int
    betweenness: float
    reason: str


class NetworkOut(Schema):
    nodes: int
    edges: int
    estimated: bool
    bridges: list[BridgeOut]


class WatchItemOut(Schema):
    cells: list
    url: str


class WatchListOut(Schema):
    name: str
    title: str
    description: str
    columns: list[str]
    count: int
    computed: bool
    items: list[WatchItemOut]


def _scope(request: HttpRequest):
    query, params = dashboard.scope_from(request.GET)
    if query.errors:
        raise HttpError(400, " ".join(str(e) for e in query.errors))
    return query, params


def _row(row: dashboard.Row, params) -> dict:
    extra = {k: v for k, v in row.extra.items() if not k.endswith("_link")}
    return {
        "key": row.key,
        "label": row.label,
        "value": row.value,
        "extra": extra,
        "list_url": dashboard.list_url(params, row.link),
        "note": row.note,
    }


@router.get("/dashboard", response={200: DashboardOut, 400: ErrorOut}, summary="A scope's dashboard figures")
def get_dashboard(request: HttpRequest, scope: Query[ScopeIn], groupement: str = ""):
    """Return the totals and every figure of the scope, each row with the search URL behind it."""
    query, params = _scope(request)
    board = dashboard.build(query, Partnership.objects.published(), grouping=groupement)
    study = None
    if board.study is not None:
        s = board.study.study
        study = {
            "title": s.title,
            "initiatives_count": s.initiatives_count,
            "actors_count": s.actors_count,
            "countries_count": s.countries_count,
            "categories": [_row(r, params) for r in board.study.categories],
        }
    return {
        "scope": params,
        "totals": [_row(r, params) for r in board.totals],
        "figures": [
            {
                "name": f.name,
                "title": f.title,
                "note": f.note,
                "columns": f.columns,
                "rows": [_row(r, params) for r in f.rows],
            }
            for f in board.figures.values()
        ],
        "study": study,
    }


@router.get(
    "/network", response={200: NetworkOut, 400: ErrorOut}, summary="A scope's network and its bridges"
)
def get_network(request: HttpRequest, scope: Query[ScopeIn]):
    """Return the size of the scope's network and the actors that bridge countries or themes."""
    query, _params = _scope(request)
    graph = network.build(query, Partnership.objects.published())
    return {
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        "estimated": graph.estimated,
        "bridges": [
            {
                "id": n.id,
                "name": n.name,
                "kind": n.kind,
                "country_iso2": n.country,
                "degree": n.degree,
                "betweenness": n.betweenness,
                "reason": n.reason,
            }
            for n in graph.bridges
        ],
    }


@router.get(
    "/watch-lists", response={200: list[WatchListOut], 400: ErrorOut}, summary="A scope's watch lists"
)
def get_watch_lists(
    request: HttpRequest,
    scope: Query[ScopeIn],
    mois: int = watch.DEFAULT_MONTHS,
    doublons: bool = True,
    limite: int = WATCH_ITEMS,
):
    """Return the watch lists (ending within `mois` months, stale, gaps, duplicates, bad dates):
    each list's `count`, and its first `limite` items (1 to 1,000; the web page's CSV files hold
    every item).

    `doublons=false` skips the duplicates search (seconds on a national atlas): its list then
    comes back empty with `computed: false`."""
    if not 1 <= mois <= 120:
        raise HttpError(400, f"mois doit être entre 1 et 120 (reçu : {mois}).")
    if not 1 <= limite <= MAX_WATCH_ITEMS:
        raise HttpError(400, f"limite doit être entre 1 et {MAX_WATCH_ITEMS} (reçu : {limite}).")
    query, _params = _scope(request)
    return [
        {
            "name": w.name,
            "title": w.title,
            "description": w.description,
            "columns": w.columns,
            "count": w.count,
            "computed": w.computed,
            "items": [
                {"cells": [str(c) if c is not None else "" for c in i.cells], "url": i.url} for i in w.items
            ],
        }
        for w in watch.build(
            query, Partnership.objects.published(), months=mois, duplicates=doublons, limit=limite
        )
    ]


@router.get(
    "/organisations/{organisation_id}/suggestions",
    response={200: list[SuggestionOut], 404: ErrorOut},
    summary="Actors an organisation should meet",
)
def get_suggestions(request: HttpRequest, organisation_id: int, limit: int = 10):
    """Return the actors working with the same partners, countries or themes, each with why."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=organisation_id)
    return [
        {
            "id": s.organisation.pk,
            "name": s.organisation.name,
            "kind": s.organisation.kind,
            "country_iso2": s.organisation.country_id,
            "score": s.score,
            "same_territory": s.same_territory,
            "reasons": s.reasons,
        }
        for s in actors_to_connect(organisation, limit=max(1, min(limit, 50)))
    ]


@router.get(
    "/organisations/{organisation_id}/in-common/{other_id}",
    response={200: InCommonOut, 404: ErrorOut},
    summary="Partners, countries, themes, networks and projects two organisations share",
)
def get_in_common(request: HttpRequest, organisation_id: int, other_id: int):
    """Return what two organisations have in common."""
    visible = Organisation.objects.visible_to(request.user)
    first = get_object_or_404(visible, pk=organisation_id)
    second = get_object_or_404(visible, pk=other_id)
    common = in_common(first, second, visible=visible)
    return {
        "partners": [{"id": o.pk, "name": o.name} for o in common.partners],
        "countries": [c.iso2 for c in common.countries],
        "themes": [t.code for t in common.themes],
        "networks": [{"id": o.pk, "name": o.name} for o in common.networks],
        "european_projects": [p.name for p in common.european_projects],
        "partnerships": [p.pk for p in common.partnerships],
    }


@router.get(
    "/partnerships/{partnership_id}/similar",
    response={200: list[SimilarOut], 404: ErrorOut},
    summary="Partnerships with similar texts",
)
def get_similar(request: HttpRequest, partnership_id: int, limit: int = 5):
    """Return the published partnerships whose titles and texts are closest (TF-IDF), with the words."""
    partnership = get_object_or_404(Partnership.objects.published(), pk=partnership_id)
    return [
        {"id": s.partnership.pk, "title": s.partnership.title, "score": s.score, "words": s.words}
        for s in similar_partnerships(partnership, limit=max(1, min(limit, 50)))
    ]
