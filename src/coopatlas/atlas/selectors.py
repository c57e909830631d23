"""Reads that span several models: funding summaries, partners by year, counts, listings."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar, overload

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS, OrganisationKind, ParticipationRole
from coopatlas.atlas.models import (
    FRANCE,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipQuerySet,
    PartnershipTheme,
)
from coopatlas.core.i18n import sort_key
from coopatlas.core.text import normalise
from coopatlas.places.models import Country

_Partnerships = TypeVar("_Partnerships", bound=QuerySet[Partnership])


@overload
def partnerships_with_details(queryset: None = None) -> PartnershipQuerySet: ...
@overload
def partnerships_with_details(queryset: _Partnerships) -> _Partnerships: ...
def partnerships_with_details(queryset: QuerySet[Partnership] | None = None) -> QuerySet[Partnership]:
    """Return partnerships with participants, themes, SDGs and funding fetched in a few queries."""
    queryset = Partnership.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("organisation__country").order_by(
                "role", "position", "id"
            ),
        ),
        Prefetch("theme_links", queryset=PartnershipTheme.objects.select_related("theme__parent__parent")),
        Prefetch("funding_lines", queryset=FundingLine.objects.select_related("funder")),
        "sdgs",
        "extra_countries",
    )


def organisation_lookup(value: str) -> QuerySet[Organisation]:
    """Return organisations named by an id, an exact name or, failing that, part of a name."""
    value = value.strip()
    # isdecimal, not isdigit: int() refuses the superscript digits (²) that isdigit accepts.
    if value.isdecimal():
        return Organisation.objects.filter(pk=int(value))
    key = normalise(value)
    exact = Organisation.objects.filter(normalized_name=key)
    if exact.exists():
        return exact
    return Organisation.objects.filter(
        Q(normalized_name__startswith=key + " ") | Q(normalized_name=key) | Q(normalized_name__contains=key)
    )


def partnership_list(
    *, organisation: str | None = None, country: str | None = None, published_only: bool = True
) -> QuerySet[Partnership]:
    """Return the partnerships involving the named organisation and/or concerning a country."""
    queryset = Partnership.objects.all()
    if published_only:
        queryset = queryset.published()
    if organisation:
        queryset = queryset.filter(participations__organisation__in=organisation_lookup(organisation))
    if country:
        queryset = queryset.with_country(country.upper())
    return queryset.distinct().order_by("-start_year", "title", "pk")


@dataclass
class FundingSummary:
    total: Decimal
    water_one_percent_total: Decimal
    by_year: dict[int, Decimal]
    by_funder: list[tuple[str, Decimal]]
    lines: list[FundingLine]

    @property
    def funder_count(self) -> int:
        return len(self.by_funder)


def funding_summary(partnership: Partnership) -> FundingSummary:
    """Return the funding of a partnership: total, per year, per funder (largest first), lines."""
    lines = list(partnership.funding_lines.all())
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_funder: dict[str, Decimal] = defaultdict(Decimal)
    water = Decimal("0")
    for line in lines:
        by_year[line.year] += line.amount
        by_funder[line.funder_name] += line.amount
        water += line.water_one_percent_amount or Decimal("0")
    return FundingSummary(
        total=sum((line.amount for line in lines), Decimal("0")),
        water_one_percent_total=water,
        by_year=dict(sorted(by_year.items())),
        by_funder=sorted(by_funder.items(), key=lambda item: (-item[1], sort_key(item[0]))),
        lines=sorted(lines, key=lambda line: (line.year, line.position, line.pk)),
    )


@dataclass
class PartnerLink:
    partner: Organisation
    partnership: Partnership


@dataclass
class YearGroup:
    year: int | None
    links: list[PartnerLink] = field(default_factory=list)


def partner_links(
    organisation: Organisation,
    visible: QuerySet[Partnership] | None = None,
    *,
    domestic: QuerySet | None = None,
) -> QuerySet[Participation]:
    """Return the participations of the organisation's partners in its visible partnerships
    (default: the published ones), by the year each partnership began, undated last.

    A French authority's partners are the foreign authorities of its partnerships, and the
    other way round; given `domestic` (the ids of the domestic partnerships, between French
    authorities only), a French authority's partners also include the other French authorities
    of those (Les Abymes for Créteil).
    """
    french = organisation.kind in FRENCH_AUTHORITY_KINDS
    if french:
        partners = Q(role=ParticipationRole.FOREIGN_AUTHORITY)
        if domestic is not None:
            partners |= Q(role=ParticipationRole.FRENCH_AUTHORITY, partnership_id__in=domestic)
    else:
        partners = Q(role=ParticipationRole.FRENCH_AUTHORITY)
    visible = Partnership.objects.published() if visible is None else visible
    return (
        Participation.objects.filter(
            partners,
            partnership_id__in=visible.filter(participations__organisation=organisation).values("pk"),
        )
        .exclude(organisation_id=organisation.pk)
        .annotate(first=Coalesce("partnership__start_year", "partnership__signature_year"))
        .order_by(F("first").asc(nulls_last=True), "partnership_id", "organisation__name", "pk")
    )


def partners_by_start_year(
    organisation: Organisation,
    visible: QuerySet[Partnership] | None = None,
    *,
    limit: int | None = None,
    domestic: QuerySet | None = None,
) -> list[YearGroup]:
    """Return the organisation's partners grouped by the year each partnership began (the first
    `limit` of `partner_links`: one query, with the partner, its country and the partnership)."""
    links = partner_links(organisation, visible, domestic=domestic).select_related(
        "organisation__country", "partnership"
    )
    groups: dict[int | None, YearGroup] = {}
    for participation in links if limit is None else links[:limit]:
        partnership = participation.partnership
        groups.setdefault(partnership.first_year, YearGroup(partnership.first_year)).links.append(
            PartnerLink(participation.organisation, partnership)
        )
    return list(groups.values())


@dataclass
class AtlasCounts:
    partnerships: int
    french_authorities: int
    foreign_authorities: int
    other_actors: int
    countries: int


def atlas_counts(partnerships: QuerySet[Partnership] | None = None) -> AtlasCounts:
    """Return the headline figures of `partnerships` (default: the published atlas)."""
    published = Partnership.objects.published() if partnerships is None else partnerships
    # Sub-queries, not joins: each organisation is read once, not once per participation.
    taking_part = Participation.objects.filter(partnership__in=published).values("organisation_id")
    active_orgs = Organisation.objects.filter(pk__in=taking_part)
    by_kind = active_orgs.aggregate(
        french=Count("pk", filter=Q(kind__in=FRENCH_AUTHORITY_KINDS)),
        foreign=Count("pk", filter=Q(kind=OrganisationKind.FOREIGN_AUTHORITY)),
        total=Count("pk"),
    )
    countries = Country.objects.exclude(iso2=FRANCE).filter(iso2__in=active_orgs.values("country_id")).count()
    return AtlasCounts(
        partnerships=published.count(),
        french_authorities=by_kind["french"],
        foreign_authorities=by_kind["foreign"],
        other_actors=by_kind["total"] - by_kind["french"] - by_kind["foreign"],
        countries=countries,
    )


def theme_roots(partnership_ids) -> dict[int, set[str]]:
    """The top-level theme codes of each partnership (a theme counts for its level-1 ancestor)."""
    roots: dict[int, set[str]] = defaultdict(set)
    for pk, *codes in PartnershipTheme.objects.filter(partnership_id__in=partnership_ids).values_list(
        "partnership_id", "theme__code", "theme__parent__code", "theme__parent__parent__code"
    ):
        roots[pk].add([c for c in codes if c][-1])  # the last code present is the root
    return roots
