"""The atlas search: full text combined with facets whose state lives in the URL.

Each facet counts over the results filtered by every *other* facet (the Django admin's way), so
that a count always says how many results ticking that value would add or keep.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipForm, PartnershipStatus
from coopatlas.atlas.models import FRANCE, Participation, Partnership, SustainableDevelopmentGoal, Theme
from coopatlas.core.i18n import english, sort_key  # noqa: F401 (english: still imported from here)
from coopatlas.places.models import Country, Departement, Region, WorldRegion
from coopatlas.search.engine import full_text_ranks
from coopatlas.search.filters import ScopeFilters, first_year_at_least, first_year_at_most, read_year

SORTS = {"pertinence": _("Pertinence"), "debut": _("Année de début"), "titre": _("Titre")}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    level: int = 1


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


@dataclass
class SearchResult:
    partnerships: QuerySet[Partnership]
    ranks: dict[int, float] | None
    facets: list[Facet]
    count: int


# name in the URL → (label, multiple values allowed)
FACETS = {
    "pays": _("Pays"),
    "zone": _("Région du monde"),
    "region": _("Région française"),
    "departement": _("Département"),
    "theme": _("Thème"),
    "forme": _("Forme"),
    "etat": _("État"),
    "acteur": _("Type d'acteur"),
    "odd": _("ODD"),
    "financement": _("Financement"),
}


class SearchQuery:
    """A search read from URL parameters; invalid values are dropped with a message in `errors`."""

    def __init__(self, params: QueryDict | dict, *, organisations=None) -> None:
        """`organisations`: those the reader may name in `territoire` and `organisation` (by
        default the public ones: an organisation known only from drafts is not revealed)."""
        self.errors: list[str] = []
        get_list = (
            params.getlist
            if isinstance(params, QueryDict)
            else (lambda key: params.get(key, []) if isinstance(params.get(key, []), list) else [params[key]])
        )
        self.text = (params.get("q") or "").strip()[:200]
        self.selected: dict[str, list[str]] = {}
        valid = {
            "pays": set(Country.objects.exclude(iso2=FRANCE).values_list("iso2", flat=True)),
            "zone": set(WorldRegion.values),
            "region": set(Region.objects.values_list("code", flat=True)),
            "departement": set(Departement.objects.values_list("code", flat=True)),
            "theme": set(Theme.objects.values_list("code", flat=True)),
            "forme": set(PartnershipForm.values),
            "etat": set(PartnershipStatus.values),
            "acteur": set(OrganisationKind.values),
            "odd": {str(n) for n in range(1, 18)},
            "financement": {"oui", "non"},
        }
        for name, label in FACETS.items():
            values = []
            for raw in get_list(name):
                value = raw.strip().upper() if name == "pays" else raw.strip()
                if not value:
                    continue
                if value in valid[name]:
                    if value not in values:
                        values.append(value)
                else:
                    self.errors.append(
                        _("%(label)s : valeur inconnue « %(value)s » (ignorée).")
                        % {"label": label, "value": raw}
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

    # -- filtering -------------------------------------------------------------------------------
    @staticmethod
    def _facet_filter(name: str, values: list[str]) -> Q:
        if name in ("pays", "zone"):
            # A partner country is a non-French participant's, or one named explicitly.
            field = "organisation__country" if name == "pays" else "organisation__country__world_region"
            foreign = Participation.objects.filter(**{f"{field}__in": values}).exclude(
                organisation__country=FRANCE
            )
            explicit = "extra_countries__in" if name == "pays" else "extra_countries__world_region__in"
            return Q(pk__in=foreign.values("partnership_id")) | Q(**{explicit: values})
        if name == "region":
            return Q(participations__organisation__region_code__in=values)
        if name == "departement":
            return Q(participations__organisation__departement_code__in=values)
        if name == "theme":
            return (
                Q(themes__code__in=values)
                | Q(themes__parent__code__in=values)
                | Q(themes__parent__parent__code__in=values)
            )
        if name == "forme":
            return Q(form__in=values)
        if name == "etat":
            return Q(status__in=values)
        if name == "acteur":
            return Q(participations__organisation__kind__in=values)
        if name == "odd":
            return Q(sdgs__number__in=[int(v) for v in values])
        if name == "financement":
            with_funding = Q(pk__in=Partnership.objects.filter(funding_lines__isnull=False).values("pk"))
            return with_funding if values == ["oui"] else ~with_funding if values == ["non"] else Q()
        raise KeyError(name)

    def filtered(
        self, base: QuerySet[Partnership], *, ranks: dict[int, float] | None, except_facet: str | None = None
    ) -> QuerySet[Partnership]:
        """Return `base` narrowed by the text and by every facet but `except_facet`."""
        queryset = base
        if ranks is not None:
            queryset = queryset.filter(pk__in=list(ranks))
        for name, values in self.selected.items():
            if name != except_facet:
                # One sub-query per facet keeps the facets independent (AND across, OR within).
                queryset = queryset.filter(
                    pk__in=Partnership.objects.filter(self._facet_filter(name, values)).values("pk")
                )
        if self.year_min:
            queryset = queryset.filter(first_year_at_least(self.year_min))
        if self.year_max:
            queryset = queryset.filter(first_year_at_most(self.year_max))
        return queryset.filter(self.filters.q())

    # -- running -----------------------------------------------------------------------------------
    def run(self, base: QuerySet[Partnership]) -> SearchResult:
        """Return the matching partnerships (sorted) and every facet with its counts."""
        ranks = full_text_ranks(self.text) if self.text else None
        results = self.filtered(base, ranks=ranks)
        ids = list(results.values_list("pk", flat=True))
        ordered = Partnership.objects.filter(pk__in=ids)
        if self.sort == "titre":
            ordered = ordered.order_by("title", "pk")
        elif self.sort == "debut":
            ordered = ordered.order_by("-start_year", "title", "pk")
        facets = [self._facet(name, label, base, ranks) for name, label in FACETS.items()]
        return SearchResult(partnerships=ordered, ranks=ranks, facets=facets, count=len(ids))

    def _facet(self, name: str, label: str, base: QuerySet[Partnership], ranks) -> Facet:
        scope = list(self.filtered(base, ranks=ranks, except_facet=name).values_list("pk", flat=True))
        counts = facet_counts(name, scope)
        chosen = self.selected.get(name, [])
        labels = _labels(name, set(counts) | set(chosen))
        values = [
            FacetValue(
                value=value,
                label=labels.get(value, (value, 1))[0],
                count=counts.get(value, 0),
                selected=value in chosen,
                level=labels.get(value, (value, 1))[1],
            )
            for value in _ordered(name, set(counts) | set(chosen), counts, labels)
        ]
        return Facet(name=name, label=label, values=values)

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


def facet_counts(name: str, ids: list[int]) -> dict[str, int]:
    """Count distinct partnerships among `ids` per value of one facet."""
    if not ids:
        return {}
    scope = Partnership.objects.filter(pk__in=ids)
    pairs: set[tuple[int, str]] = set()
    if name in ("pays", "zone"):
        rows = scope.values_list(
            "pk",
            "participations__organisation__country",
            "participations__organisation__country__world_region",
        )
        index = 1 if name == "pays" else 2
        pairs |= {(row[0], row[index]) for row in rows if row[1] and row[1] != FRANCE and row[index]}
        extra = "extra_countries" + ("__world_region" if name == "zone" else "")
        pairs |= {(pk, v) for pk, v in scope.values_list("pk", extra) if v}
    elif name in ("region", "departement"):
        field = f"participations__organisation__{name}_code"
        pairs = {(pk, v) for pk, v in scope.values_list("pk", field) if v}
    elif name == "theme":
        links = scope.values_list(
            "pk", "themes__code", "themes__parent__code", "themes__parent__parent__code"
        )
        pairs = {(pk, code) for pk, *codes in links for code in codes if code}
    elif name in ("forme", "etat"):
        field = "form" if name == "forme" else "status"
        pairs = set(scope.values_list("pk", field))
    elif name == "acteur":
        pairs = {(pk, v) for pk, v in scope.values_list("pk", "participations__organisation__kind") if v}
    elif name == "odd":
        pairs = {(pk, str(v)) for pk, v in scope.values_list("pk", "sdgs__number") if v}
    elif name == "financement":
        funded = set(scope.filter(funding_lines__isnull=False).values_list("pk", flat=True))
        pairs = {(pk, "oui" if pk in funded else "non") for pk in ids}
    counts: dict[str, int] = defaultdict(int)
    for _pk, value in pairs:
        counts[value] += 1
    return dict(counts)


def _labels(name: str, values: set[str]) -> dict[str, tuple[str, int]]:
    if name == "pays":
        return {c.iso2: (c.display_name, 1) for c in Country.objects.filter(iso2__in=values)}
    if name == "zone":
        return {v: (str(WorldRegion(v).label), 1) for v in values}
    if name == "region":
        return {r.code: (r.name, 1) for r in Region.objects.filter(code__in=values)}
    if name == "departement":
        return {d.code: (f"{d.name} ({d.code})", 1) for d in Departement.objects.filter(code__in=values)}
    if name == "theme":
        return {t.code: (t.display_name, t.level) for t in Theme.objects.filter(code__in=values)}
    if name == "forme":
        return {v: (str(PartnershipForm(v).label), 1) for v in values}
    if name == "etat":
        return {v: (str(PartnershipStatus(v).label), 1) for v in values}
    if name == "acteur":
        return {v: (str(OrganisationKind(v).label), 1) for v in values}
    if name == "odd":
        return {
            str(s.number): (f"{_('ODD')} {s.number} · {s.display_name}", 1)
            for s in SustainableDevelopmentGoal.objects.filter(number__in=[int(v) for v in values])
        }
    return {"oui": (str(_("Avec financement déclaré")), 1), "non": (str(_("Sans financement déclaré")), 1)}


def _ordered(name: str, values: set[str], counts: dict[str, int], labels: dict) -> list[str]:
    if name == "theme":
        themes = {t.code: t for t in Theme.objects.filter(code__in=values).select_related("parent__parent")}

        # Keep the tree: each theme after its parent, siblings by count.
        def path(code: str) -> tuple:
            theme = themes.get(code)
            if theme is None:
                return (code,)
            return tuple((t.position, t.code) for t in theme.path)

        return sorted(values, key=path)
    if name == "odd":
        return sorted(values, key=int)
    return sorted(values, key=lambda v: (-counts.get(v, 0), sort_key(labels.get(v, (v,))[0])))
