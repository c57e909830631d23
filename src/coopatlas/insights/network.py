"""The network of a scope: organisations linked by their partnerships, with networkx measures.

Two organisations are linked when they take part in one partnership and at least one of them is
French (a partnership's French side meets each of its partners). Betweenness centrality says who
bridges otherwise separate groups; with the countries and themes of its neighbours it explains
which actors connect countries or themes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import OrganisationKind
from coopatlas.atlas.models import FRANCE, Participation, Partnership, Theme
from coopatlas.atlas.selectors import theme_roots
from coopatlas.search.memo import remembered, scope_key
from coopatlas.search.query import SearchQuery

# Exact betweenness costs O(n·m); above this many nodes it is estimated from a fixed sample of
# source nodes, as many as a budget of visited nodes and links allows (between 32 and 300).
EXACT_LIMIT = 600
SAMPLE = 300
BUDGET = 2_000_000
# A national scope holds tens of thousands of organisations: the graph is that of the LARGEST
# most engaged ones (by partnerships in the scope), which the page says. A partner country is
# still counted through every partner.
LARGEST = 1500


@dataclass
class Node:
    id: int
    name: str
    kind: str
    country: str
    degree: int = 0
    betweenness: float = 0.0
    partner_countries: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    reason: str = ""


@dataclass
class Network:
    nodes: dict[int, Node]
    edges: dict[tuple[int, int], int]
    bridges: list[Node]
    estimated: bool
    theme_names: dict[str, str]
    organisations: int = 0  # in the scope, the graph holding at most LARGEST of them

    @property
    def bounded(self) -> bool:
        return self.organisations > LARGEST


def build(query: SearchQuery, base: QuerySet[Partnership], *, top: int = 10) -> Network:
    """Return the scope's graph, its measures and the `top` bridging actors with their reasons."""
    scope = query.filtered(base, text=False)
    nodes, edges, estimated, kept_of = remembered(
        "network", (scope_key(scope), LARGEST), lambda: _measured(scope)
    )
    themes = {
        t.code: t.display_name for t in Theme.objects.filter(level=1).only("code", "name_fr", "name_en")
    }
    bridges = sorted(
        (n for n in nodes.values() if n.betweenness > 0),
        key=lambda n: (-n.betweenness, -len(n.partner_countries), n.name),
    )[:top]
    for node in bridges:
        node.reason = _reason(node, themes)
    return Network(
        nodes=nodes,
        edges=edges,
        bridges=bridges,
        estimated=estimated,
        theme_names=themes,
        organisations=kept_of,
    )


def _measured(scope: QuerySet[Partnership]) -> tuple[dict[int, Node], dict[tuple[int, int], int], bool, int]:
    """Return the graph of the LARGEST most engaged organisations of `scope` with their measures
    (no label: remembered whatever the language), and how many organisations the scope holds."""
    ids = scope.order_by().values("pk")
    taking_part = Participation.objects.filter(partnership_id__in=ids)
    engaged = (
        taking_part.values_list("organisation_id")
        .annotate(n=Count("partnership_id", distinct=True))
        .order_by("-n", "organisation_id")
    )
    everyone = taking_part.values("organisation_id").distinct().count()
    kept = [pk for pk, _n in engaged[:LARGEST]] if everyone > LARGEST else None
    chosen = taking_part if kept is None else taking_part.filter(organisation_id__in=kept)
    members: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for pk, org, name, kind, iso2 in chosen.values_list(
        "partnership_id",
        "organisation_id",
        "organisation__name",
        "organisation__kind",
        "organisation__country_id",
    ):
        members[pk].append((org, name, kind, iso2))
    roots = theme_roots(chosen.values("partnership_id"))

    nodes: dict[int, Node] = {}
    edges: dict[tuple[int, int], int] = defaultdict(int)
    for pk, people in members.items():
        for org, name, kind, iso2 in people:
            node = nodes.setdefault(org, Node(org, name, kind, iso2))
            node.themes |= roots.get(pk, set())
        french = {org for org, _n, _k, iso2 in people if iso2 == FRANCE}
        links = set()  # each pair once per partnership, a French–French one too
        for org, _n, _k, _iso2 in people:
            for other in french:
                if other != org:
                    links.add((min(org, other), max(org, other)))
        for link in links:
            edges[link] += 1
    # The countries a French organisation works with, through every partner, kept or not.
    french_in = chosen.filter(organisation__country_id=FRANCE).values("partnership_id")
    partners_there = (
        Participation.objects.filter(partnership_id__in=french_in)
        .exclude(organisation__country_id=FRANCE)
        .order_by()
        .values_list("partnership_id", "organisation__country_id")
        .distinct()
    )
    for pk, iso2 in partners_there:
        for org, _n, _k, country in members.get(pk, ()):
            if country == FRANCE:
                nodes[org].partner_countries.add(iso2)
    # Only linked organisations make the graph: a lone one neither shows nor bridges anything.
    import networkx as nx  # imported when a network is built, not by every page's process

    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in edges.items())
    nodes = {org: node for org, node in nodes.items() if org in graph}
    estimated = graph.number_of_nodes() > EXACT_LIMIT
    if graph.number_of_edges():
        size = graph.number_of_nodes() + graph.number_of_edges()
        sample = max(32, min(SAMPLE, BUDGET // size)) if estimated else None
        centrality = nx.betweenness_centrality(
            graph, k=sample, seed=0 if estimated else None, normalized=True
        )
    else:
        centrality = {}
    for org, node in nodes.items():
        node.degree = graph.degree(org)
        node.betweenness = centrality.get(org, 0.0)
    return nodes, dict(edges), estimated, everyone


def _reason(node: Node, themes: dict[str, str]) -> str:
    parts = []
    if len(node.partner_countries) > 1:
        parts.append(
            _("relie %(n)s pays (%(names)s)")
            % {"n": len(node.partner_countries), "names": ", ".join(sorted(node.partner_countries)[:6])}
        )
    if len(node.themes) > 1:
        names = sorted(themes.get(code, code) for code in node.themes)
        parts.append(_("%(n)s thèmes (%(names)s)") % {"n": len(names), "names": ", ".join(names[:4])})
    parts.append(_("%(n)s liens") % {"n": node.degree})
    return " ; ".join(parts)


def as_chart(network: Network, *, limit: int = 150) -> dict:
    """Return the `limit` most linked organisations and their links, for the chart's graph."""
    kept = sorted(network.nodes.values(), key=lambda n: (-n.degree, n.name))[:limit]
    ids = {n.id for n in kept}
    kinds = sorted({n.kind for n in kept})
    return {
        "categories": [{"name": str(OrganisationKind(k).label)} for k in kinds],
        "nodes": [
            {
                "id": str(n.id),
                "name": n.name,
                "value": n.degree,
                "category": kinds.index(n.kind),
                "symbolSize": 6 + min(30, 3 * n.degree),
                "url": f"/organisations/{n.id}/",
            }
            for n in kept
        ],
        "links": [
            {"source": str(a), "target": str(b), "value": w}
            for (a, b), w in network.edges.items()
            if a in ids and b in ids
        ],
        "shown": len(kept),
        "total": len(network.nodes),
    }
