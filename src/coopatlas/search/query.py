"""The atlas search: full text combined with facets whose state lives in the URL.

Each facet counts over the results filtered by every *other* facet (the Django admin's way), so
that a count always says how many results ticking that value would add or keep. Everything is
computed by the database in a constant number of queries: one count, one grouped count for the
facets nobody chose plus one per chosen facet, one page of ids, and the page's details.
"""

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from coopatlas.atlas.models import Partnership
from coopatlas.atlas.selectors import partnerships_with_details
from coopatlas.search.engine import TextMatch
from coopatlas.search.facets import FACETS, FacetCounts
from coopatlas.search.filters import ScopeFilters, first_year_at_least, first_year_at_most, read_year
from coopatlas.search.memo import remembered, scope_key
from coopatlas.search.models import FacetKey, FacetValueKey
from coopatlas.search.signals import apply_pending

SORTS = {"pertinence": _("Pertinence"), "debut": _("Année de début"), "titre": _("Titre")}

# Each sort's keys, the last one unique: a page continues after the last row of the previous
# one (keyset), so deep pages cost no more than the first. Unknown years come last.
ORDERINGS = {
    "debut": (F("start_year").desc(nulls_last=True), F("title").asc(), F("pk").asc()),
    "titre": (F("title").asc(), F("pk").asc()),
}


class CursorError(ValueError):
    """A `curseur` that this search did not give."""


@dataclass
class SearchResult:
    """The answer to a search: how many, the facets, and its rows page by page."""

    query: "SearchQuery"
    partnerships: QuerySet[Partnership]  # the matching partnerships, in the sort's order
    count: int
    facets: list[FacetCounts]
    match: TextMatch | None = None
    _rows: dict[tuple[int, int], list[Partnership]] = field(default_factory=dict, repr=False)

    @property
    def ranked(self) -> bool:
        return self.query.sort == "pertinence" and self.match is not None

    def rows(self, offset: int, limit: int) -> list[Partnership]:
        """The partnerships from `offset`, in order, with their details (a few queries)."""
        key = (offset, limit)
        if key not in self._rows:
            if self.ranked:
                assert self.match is not None
                ids = self.match.ranked(self.partnerships, offset, limit)
            else:
                ids = list(self.partnerships.values_list("pk", flat=True)[offset : offset + limit])
            by_id = {p.pk: p for p in partnerships_with_details(Partnership.objects.filter(pk__in=ids))}
            self._rows[key] = [by_id[pk] for pk in ids if pk in by_id]
        return self._rows[key]

    def as_list(self) -> "ResultList":
        """The rows as a sequence that Django's Paginator can slice."""
        return ResultList(self)

    # -- cursors (the API's deep pages) ------------------------------------------------------------
    def after(self, cursor: str | None, limit: int) -> tuple[list[Partnership], str | None]:
        """Return `limit` rows after `cursor` (None: the first) and the cursor of the next ones."""
        state = _decode(cursor) if cursor else None
        if self.ranked:
            offset = int(state.get("o", 0)) if state else 0
            rows = self.rows(offset, limit + 1)
            following = {"o": offset + limit} if len(rows) > limit else None
            return rows[:limit], _encode(following) if following else None
        queryset = self.partnerships
        if state is not None:
            queryset = queryset.filter(_keyset_after(self.query.sort, state))
        ids = list(queryset.values_list("pk", flat=True)[: limit + 1])
        by_id = {p.pk: p for p in partnerships_with_details(Partnership.objects.filter(pk__in=ids[:limit]))}
        rows = [by_id[pk] for pk in ids[:limit] if pk in by_id]
        if len(ids) <= limit or not rows:
            return rows, None
        last = rows[-1]
        return rows, _encode({"y": last.start_year, "t": last.title, "i": last.pk})


class ResultList(Sequence):
    """A search's rows for `Paginator`: its count is known, its slices are read on demand."""

    def __init__(self, result: SearchResult) -> None:
        self.result = result

    def count(self) -> int:  # type: ignore[override]  # Paginator calls count()
        return self.result.count

    def __len__(self) -> int:
        return self.result.count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, _step = index.indices(self.result.count)
            return self.result.rows(start, max(0, stop - start))
        rows = self.result.rows(index, 1)
        if not rows:
            raise IndexError(index)
        return rows[0]


def _keyset_after(sort: str, state: dict) -> Q:
    """The rows after (year, title, id) in the sort's order: unknown years last."""
    title, pk = state.get("t"), state.get("i")
    if not isinstance(title, str) or not isinstance(pk, int):
        raise CursorError("curseur")
    if sort == "titre":
        return Q(title__gt=title) | Q(title=title, pk__gt=pk)
    year = state.get("y")
    same_year = Q(start_year__isnull=True) if year is None else Q(start_year=year)
    later = same_year & (Q(title__gt=title) | Q(title=title, pk__gt=pk))
    if year is None:
        return later
    if not isinstance(year, int):
        raise CursorError("curseur")
    return Q(start_year__lt=year) | Q(start_year__isnull=True) | later


def _encode(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise CursorError("curseur") from error
    if not isinstance(state, dict):
        raise CursorError("curseur")
    return state


class SearchQuery:
    """A search read from URL parameters; invalid values are dropped with a message in `errors`."""

    def __init__(self, params: QueryDict | dict, *, organisations=None) -> None:
        """`organisations`: those the reader may name in `territoire` and `organisation` (by
        default the public ones: an organisation known only from drafts is not revealed)."""
        self.errors: list[str] = []

        def get_list(key: str) -> list[str]:
            if isinstance(params, QueryDict):
                return params.getlist(key)
            value: object = params.get(key, [])
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]

        self.text = (params.get("q") or "").strip()[:200]
        self.selected: dict[str, list[str]] = {}
        for name, facet in FACETS.items():
            values: list[str] = []
            raws = [raw for raw in get_list(name) if raw.strip()]
            valid = facet.valid_values() if raws else set()
            for raw in raws:
                value = facet.normalise(raw)
                if value in valid:
                    if value not in values:
                        values.append(value)
                else:
                    self.errors.append(
                        _("%(label)s : valeur inconnue « %(value)s » (ignorée).")
                        % {"label": facet.label, "value": raw}
                    )
            if values:
                self.selected[name] = values
        self.year_min = read_year(params.get("debut_min"), _("L'année de début minimale"), self.errors)
        self.year_max = read_year(params.get("debut_max"), _("L'année de début maximale"), self.errors)
        if self.year_min and self.year_max and self.year_min > self.year_max:
            self.errors.append(
                _("L'année minimale (%(min)s) dépasse la maximale (%(max)s) : elles ont été inversées.")
                % {"min": self.year_min, "max": self.year_max}
            )
            self.year_min, self.year_max = self.year_max, self.year_min
        sort = params.get("tri") or ("pertinence" if self.text else "debut")
        if sort not in SORTS:
            self.errors.append(_("Tri inconnu : « %(value)s » (tri par année de début).") % {"value": sort})
            sort = "debut"
        self.sort = sort
        self.filters = ScopeFilters.read(params, self.errors, organisations=organisations)
        self.match = TextMatch.of(self.text) if self.text else None

    # -- filtering -------------------------------------------------------------------------------
    def filtered(
        self, base: QuerySet[Partnership], *, text: bool = True, except_facet: str | None = None
    ) -> QuerySet[Partnership]:
        """Return `base` narrowed by the words (unless `text` is False: a dashboard's scope has
        none), by every facet but `except_facet`, and by the other filters; each a sub-query."""
        apply_pending()
        queryset = base
        if text and self.match is not None:
            queryset = queryset.filter(pk__in=self.match.ids())
        for name, values in self.selected.items():
            if name != except_facet:
                queryset = queryset.filter(FACETS[name].q(values))  # AND across, OR within
        if self.year_min:
            queryset = queryset.filter(first_year_at_least(self.year_min))
        if self.year_max:
            queryset = queryset.filter(first_year_at_most(self.year_max))
        return queryset.filter(self.filters.q())

    # -- running -----------------------------------------------------------------------------------
    def run(self, base: QuerySet[Partnership], *, facets: bool = True) -> SearchResult:
        """Return the matching partnerships (sorted) and every facet with its counts."""
        results = self.filtered(base)
        ordering = ORDERINGS.get(self.sort, ORDERINGS["debut"])
        return SearchResult(
            query=self,
            partnerships=results.order_by(*ordering),
            count=results.count(),
            facets=self.facet_counts(base) if facets else [],
            match=self.match,
        )

    def facet_counts(
        self, base: QuerySet[Partnership], *, names: list[str] | None = None
    ) -> list[FacetCounts]:
        """Count each facet's values under the other facets: one grouped query for the facets
        nobody chose (they share the whole search as their scope), one per chosen facet.

        `names` limits the facets counted (default: all)."""
        wanted = [name for name in FACETS if names is None or name in names]
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        free = [name for name in wanted if name not in self.selected]
        scopes = [(free, self.filtered(base))] + [
            ([name], self.filtered(base, except_facet=name)) for name in wanted if name in self.selected
        ]
        for facet_names, scope in scopes:
            if facet_names:
                for facet, values in grouped_counts(scope, facet_names).items():
                    counts[facet].update(values)
        return [FACETS[name].shown(counts[name], self.selected.get(name, [])) for name in wanted]

    def as_params(self) -> dict[str, list[str]]:
        """Return the URL parameters that reproduce this search."""
        params: dict[str, list[str]] = {k: list(v) for k, v in self.selected.items()}
        if self.text:
            params["q"] = [self.text]
        if self.year_min:
            params["debut_min"] = [str(self.year_min)]
        if self.year_max:
            params["debut_max"] = [str(self.year_max)]
        params.update(self.filters.as_params())
        params["tri"] = [self.sort]
        return params


def grouped_counts(scope: QuerySet[Partnership], names: list[str]) -> dict[str, dict[str, int]]:
    """Count the partnerships of `scope` per value of each facet in `names`, in one grouped query.

    The answer is remembered under the index's version and the scope's own SQL (search.memo)."""

    def count() -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        keys = {
            pk: (facet, value)
            for pk, facet, value in FacetValueKey.objects.values_list("pk", "facet", "value")
        }
        rows = FacetKey.objects.filter(partnership_id__in=scope.order_by().values("pk"))
        if set(names) != set(FACETS):
            rows = rows.filter(key_id__in=FacetValueKey.objects.filter(facet__in=names).values("pk"))
        for number, n in rows.values_list("key_id").annotate(n=Count("*")).order_by():
            facet, value = keys[number]
            if facet in names:
                counts[facet][value] = n
        return dict(counts)

    return remembered("facets", (sorted(names), scope_key(scope)), count)
