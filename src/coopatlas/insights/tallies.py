"""The counts behind a scope's dashboard, computed by the database in a fixed number of queries.

Each figure is one grouped query over the scope's partnerships (a sub-query, never a list of
ids), so that a dashboard costs the same number of queries for a commune and for all France.
The counts hold no label (labels depend on the interface's language): they are remembered under
the search index's version (search.memo), and the dashboard names them.

Under a zone or a country (`there`: the foreign countries the scope names), a partnership's
partners elsewhere are left out of the partner, country and kind counts, and its funding is
also counted apart as "shared" with other countries (see insights.dashboard).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear, NullIf

from coopatlas.atlas.models import (
    FRANCE,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
)
from coopatlas.core.i18n import sort_key
from coopatlas.search.memo import remembered, scope_key

TOP = 15


@dataclass
class Ranked:
    """One organisation of a ranking: its id, name, kind, country and partnerships in the scope."""

    id: int
    name: str
    kind: str
    country: str
    partnerships: int


@dataclass
class Money:
    amount: Decimal = Decimal(0)
    water: Decimal = Decimal(0)
    shared: Decimal = Decimal(0)  # of partnerships that also reach countries outside the scope


@dataclass
class Tallies:
    forms: dict[str, int]  # form → partnerships
    # (first year, end year, status) → partnerships: enough for the new/active/ended curves
    spans: dict[tuple[int | None, int | None, str], int]
    french_actors: int
    foreign_actors: int
    countries: dict[str, tuple[int, int]]  # iso2 → (partnerships there, partners there)
    actors: list[Ranked]  # French, the most engaged first (ties at the last place kept)
    partners: list[Ranked]  # foreign, in the scope's countries
    kinds: dict[str, tuple[int, int]]  # kind → (partnerships, organisations)
    themes: dict[str, int]  # theme code (of any level) → partnerships under it
    categories: list[int]  # partnerships per group of theme codes asked for
    funding_years: dict[int, Money] = field(default_factory=dict)
    # The largest first, then by name; None: no funder named.
    funders: dict[str | None, Money] = field(default_factory=dict)
    unthemed: int = 0  # partnerships without any theme (counted "non renseigné", never dropped)


def tallies(
    scope: QuerySet[Partnership],
    there: frozenset[str] | None,
    categories: list[tuple[str, ...]] = (),  # type: ignore[assignment]
) -> Tallies:
    """Return the counts of `scope`, remembered under the index's version."""
    material = (scope_key(scope), sorted(there) if there is not None else None, list(categories))
    return remembered("dashboard", material, lambda: _count(scope, there, list(categories)))


def _inside(prefix: str, there: frozenset[str] | None) -> Q:
    """Return the condition "a foreign country inside the scope" on the field `prefix`."""
    condition = ~Q(**{prefix: FRANCE})
    return condition & Q(**{f"{prefix}__in": sorted(there)}) if there is not None else condition


def _count(scope: QuerySet[Partnership], there: frozenset[str] | None, categories: list) -> Tallies:
    ids = scope.order_by().values("pk")
    forms = dict(scope.order_by().values_list("form").annotate(n=Count("pk")))
    first = Coalesce("start_year", "signature_year")
    spans = {
        (start, end, status): n
        for start, end, status, n in scope.order_by()
        .annotate(first_year=first, end_year=ExtractYear("end_date"))
        .values_list("first_year", "end_year", "status")
        .annotate(n=Count("pk"))
    }

    taking_part = Participation.objects.filter(partnership_id__in=ids)
    french = taking_part.filter(organisation__country_id=FRANCE)
    foreign = taking_part.filter(_inside("organisation__country_id", there))
    kept = taking_part.filter(Q(organisation__country_id=FRANCE) | _inside("organisation__country_id", there))

    # Partnerships per country: through a partner there, or a country the record names.
    named = Partnership.extra_countries.through.objects.filter(partnership_id__in=ids).filter(
        _inside("country_id", there)
    )
    through_partners = foreign.values(pid=F("partnership_id"), iso=F("organisation__country_id"))
    through_names = named.values(pid=F("partnership_id"), iso=F("country_id"))
    per_country = dict(_grouped_union([through_partners, through_names], "iso"))
    partners_in = dict(
        foreign.values_list("organisation__country_id").annotate(n=Count("organisation_id", distinct=True))
    )

    # Theme codes of every level a partnership is under (a theme counts for its ancestors).
    links = PartnershipTheme.objects.filter(partnership_id__in=ids)
    under = [
        links.filter(**{f"{path}__isnull": False}).values(pid=F("partnership_id"), code=F(path))
        for path in ("theme__code", "theme__parent__code", "theme__parent__parent__code")
    ]
    themes = dict(_grouped_union(under, "code"))
    unthemed = scope.order_by().filter(
        ~Exists(PartnershipTheme.objects.filter(partnership_id=OuterRef("pk")))
    )
    in_categories = [_grouped_union(under, "code", among=codes, total=True) for codes in categories]

    kinds = {
        kind: (n, orgs)
        for kind, n, orgs in kept.values_list("organisation__kind")
        .annotate(n=Count("partnership_id", distinct=True), orgs=Count("organisation_id", distinct=True))
        .order_by()
    }

    # Funding: counted whole; "shared" when the partnership also reaches outside the scope.
    outside = Q(
        partnership_id__in=taking_part.exclude(organisation__country_id=FRANCE)
        .exclude(_inside("organisation__country_id", there))
        .values("partnership_id")
    ) | Q(
        partnership_id__in=Partnership.extra_countries.through.objects.filter(partnership_id__in=ids)
        .exclude(country_id=FRANCE)
        .exclude(_inside("country_id", there))
        .values("partnership_id")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    lines = FundingLine.objects.filter(partnership_id__in=ids).annotate(
        shared_amount=Case(When(outside, then=F("amount")), default=Value(Decimal(0)), output_field=money)
        if there is not None
        else Value(Decimal(0), output_field=money),
        funder_name=Coalesce("funder__name", NullIf("funder_label", Value(""))),
    )

    def sums(key: str) -> dict:
        return {
            group: Money(amount or Decimal(0), water or Decimal(0), shared or Decimal(0))
            for group, amount, water, shared in lines.values_list(key)
            .annotate(a=Sum("amount"), w=Sum("water_one_percent_amount"), s=Sum("shared_amount"))
            .order_by()
        }

    return Tallies(
        forms=forms,
        spans=spans,
        french_actors=french.values("organisation_id").distinct().count(),
        foreign_actors=foreign.values("organisation_id").distinct().count(),
        countries={iso2: (n, partners_in.get(iso2, 0)) for iso2, n in per_country.items()},
        actors=_ranking(french),
        partners=_ranking(foreign),
        kinds=kinds,
        themes=themes,
        unthemed=unthemed.count(),
        categories=in_categories,
        funding_years=sums("year"),
        funders=dict(
            sorted(sums("funder_name").items(), key=lambda kv: (-kv[1].amount, sort_key(kv[0] or "")))
        ),
    )


def _ranking(participations: QuerySet[Participation]) -> list[Ranked]:
    """Return the TOP organisations by partnerships, with every one tied with the last."""
    counted = (
        participations.values_list("organisation_id")
        .annotate(n=Count("partnership_id", distinct=True))
        .order_by("-n", "organisation_id")
    )
    first = list(counted[:TOP])
    if not first:
        return []
    chosen = dict(counted.filter(n__gte=first[-1][1])) if len(first) == TOP else dict(first)
    organisations = Organisation.objects.filter(pk__in=list(chosen))
    return [
        Ranked(pk, name, kind, iso2, chosen[pk])
        for pk, name, kind, iso2 in organisations.values_list("pk", "name", "kind", "country_id")
    ]


def _grouped_union(parts: list[QuerySet], key: str, *, among=None, total: bool = False):
    """Count the distinct `pid` of the union of `parts` per `key` (or in all, among some keys).

    A union removes the repeated (pid, key) pairs, so that counting its rows counts each
    partnership once per key however many ways it reaches it.
    """
    # Only the ORM's own SQL and our column names are put together; every value is a parameter.
    if key not in ("iso", "code"):
        raise ValueError(key)
    compiled = []
    for part in parts:
        try:
            compiled.append(part.order_by().query.sql_with_params())
        except EmptyResultSet:  # a part that can hold no row (no country in the scope)
            continue
    if not compiled:
        return 0 if total else []
    union = " UNION ".join(f"SELECT * FROM ({sql}) part{n}" for n, (sql, _p) in enumerate(compiled))  # noqa: S608
    params: list = [p for _sql, ps in compiled for p in ps]
    if total and not among:
        return 0
    if total:
        marks = ", ".join(["%s"] * len(among))
        sql = f"SELECT COUNT(DISTINCT pid) FROM ({union}) u WHERE u.{key} IN ({marks})"  # noqa: S608
        params += list(among)
    else:
        sql = f"SELECT u.{key}, COUNT(*) FROM ({union}) u GROUP BY u.{key}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] if total else cursor.fetchall()
