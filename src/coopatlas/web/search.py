"""The search page: full text and facets, the whole state in the URL, updated in place by htmx."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.search.facets import with_default_reach
from coopatlas.search.query import SORTS, SearchQuery
from coopatlas.web.imports import export_links

PAGE_SIZE = 20


def visible_partnerships(request: HttpRequest):
    """Return the partnerships this visitor may see: drafts only for their editors."""
    return Partnership.objects.visible_to(request.user)


def search(request: HttpRequest) -> HttpResponse:
    """Search partnerships by words and facets; each facet counts under the other facets.

    A URL with empty fields (`debut_min=&debut_max=`, as a form sends them) is redirected to
    the same search without them, so that every search has one clean address."""
    kept = [(key, value) for key, values in request.GET.lists() for value in values if value.strip()]
    if len(kept) < sum(len(values) for _key, values in request.GET.lists()):
        return redirect(request.path + (f"?{urlencode(kept)}" if kept else ""))
    # International partnerships unless the URL asks for the domestic ones (`portee`): the home
    # page and the dashboards count so, and link here.
    query = SearchQuery(
        with_default_reach(request.GET), organisations=Organisation.objects.visible_to(request.user)
    )
    result = query.run(visible_partnerships(request))
    # The page's rows are read from the database page by page, ranked there (search.query).
    page = Paginator(result.as_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    params = query.as_params()
    base_query = urlencode([(key, value) for key, values in params.items() for value in values])
    # Filters beside the facets (a dashboard's scope, a figure's slice): kept as hidden fields
    # through facet clicks, each shown with a link that removes it.
    filter_params = query.filters.as_params()
    removals = []
    for key, words in query.filters.descriptions():
        dropped = {key, "au"} if key == "du" else {key}
        kept = [(k, v) for k, values in params.items() if k not in dropped for v in values]
        removals.append((words, "?" + urlencode(kept)))
    context = {
        "filter_params": filter_params,
        "filter_chips": removals,
        "query": query,
        "result": result,
        "page": page,
        "sorts": SORTS,
        "base_query": base_query,
        # The default reach (international) is no filter the visitor chose: not listed as one,
        # and it does not keep the filters open on a phone.
        "active": [
            (f.label, v.label)
            for f in result.facets
            for v in f.values
            if v.selected and (f.name != "portee" or "portee" in request.GET)
        ],
        "exports": export_links(request, params),
        "personal_exports": export_links(request, params, personal_data=True),
    }
    template = "web/_search_area.html" if request.headers.get("HX-Request") else "web/search.html"
    return render(request, template, context)
