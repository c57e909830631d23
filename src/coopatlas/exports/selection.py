"""Which partnerships an export holds: the whole atlas, or a search given as in the web URL."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.search.query import SearchQuery


class SelectionError(ValueError):
    """The search filters could not be understood; says which."""


@dataclass
class Selection:
    partnerships: QuerySet[Partnership]
    description: str
    # The search read from the filters (None for the whole atlas): what the file's name tells.
    search: SearchQuery | None = None


def select(query: str = "", *, published_only: bool = False, reader=None) -> Selection:
    """Return the partnerships matching `query` ("q=jumelage&pays=DE", as in /recherche/), among
    those `reader` may see when one is given (the published ones and the drafts of its scope, as
    on the pages: Partnership.objects.visible_to), else all of them; only the published ones with
    `published_only`.

    Raise SelectionError naming any filter value that is not understood, rather than export
    something else than what was asked.
    """
    base = Partnership.objects.visible_to(reader) if reader is not None else Partnership.objects.all()
    if published_only:
        base = base.published()
    query = query.strip().lstrip("?")
    if not query:
        return Selection(base.order_by("pk"), "tout l'atlas")
    organisations = (
        Organisation.objects.visible_to(reader)
        if reader is not None
        else (Organisation.objects.public() if published_only else Organisation.objects.all())
    )
    search = SearchQuery(QueryDict(query), organisations=organisations)
    if search.errors:
        raise SelectionError(" ".join(str(e) for e in search.errors))
    chosen = search.filtered(base).order_by("pk")
    return Selection(chosen, query, search)
