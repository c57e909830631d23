"""Help with the yearly declaration of official development assistance (aide publique au
développement, APD) that French local authorities file: a scope's funding lines as amounts per
partner country and year, the « 1 % eau, assainissement, déchets, énergie » budgets apart, for
the countries on the OECD DAC list of that year (places.oda).

A funding line goes to one country when it can be told which:
1. the line names its recipient country (`FundingLine.recipient_country`), else
2. its partnership reaches one foreign country only (through its partners or the countries it
   names).
Otherwise the line is not attributed, and the declaration says why (no foreign country; several
countries and the line does not say which): nothing is split by guesswork. Amounts for a country
off the DAC list that year are set apart as not declarable, with their country.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coopatlas.atlas.models import FRANCE, FundingLine, Participation, Partnership
from coopatlas.core.i18n import sort_key
from coopatlas.places import oda
from coopatlas.places.models import Country

ZERO = Decimal(0)


@dataclass
class Amounts:
    total: Decimal = ZERO
    water: Decimal = ZERO  # of which « 1 % eau, assainissement, déchets, énergie »
    lines: int = 0
    partnerships: set[int] = field(default_factory=set)

    @property
    def general(self) -> Decimal:
        """The amount from the general budget (the rest of the total)."""
        return self.total - self.water

    def include(self, line: FundingLine) -> None:
        self.total += line.amount
        self.water += line.water_one_percent_amount or ZERO
        self.lines += 1
        self.partnerships |= {line.partnership_id}


@dataclass
class CountryRow:
    year: int
    iso2: str
    name: str
    eligible: bool
    amounts: Amounts


@dataclass
class Unattributed:
    """A funding line that no single country can be given, and why."""

    year: int
    partnership_id: int
    partnership_title: str
    funder: str
    amount: Decimal
    water: Decimal
    reason: str
    countries: list[str]  # the partnership's foreign countries (names)


@dataclass
class YearSummary:
    year: int
    edition: oda.Edition
    total: Amounts = field(default_factory=Amounts)
    declarable: Amounts = field(default_factory=Amounts)  # to DAC-listed countries
    not_eligible: Amounts = field(default_factory=Amounts)  # to countries off the list
    unattributed: Amounts = field(default_factory=Amounts)


@dataclass
class Declaration:
    years: list[YearSummary]
    rows: list[CountryRow]  # by year, then declarable first, then by country name
    unattributed: list[Unattributed]
    partnerships: int

    def year(self, year: int) -> YearSummary:
        return next(summary for summary in self.years if summary.year == year)

    def unattributed_by_partnership(self) -> list[dict]:
        """Return the lines not attributed gathered per year and partnership (for a page)."""
        groups: dict[tuple[int, int], dict] = {}
        for item in self.unattributed:
            group = groups.setdefault(
                (item.year, item.partnership_id),
                {"item": item, "lines": 0, "total": ZERO},
            )
            group["lines"] += 1
            group["total"] += item.amount
        return list(groups.values())


def _countries_of(ids: list[int]) -> dict[int, set[str]]:
    """Return each partnership's foreign countries: its partners' and the ones it names."""
    found: dict[int, set[str]] = defaultdict(set)
    for pid, iso2 in (
        Participation.objects.filter(partnership_id__in=ids)
        .exclude(organisation__country_id=FRANCE)
        .exclude(organisation__country_id__isnull=True)
        .values_list("partnership_id", "organisation__country_id")
    ):
        found[pid].add(iso2)
    named = Partnership.extra_countries.through.objects.filter(partnership_id__in=ids)
    for pid, iso2 in named.exclude(country_id=FRANCE).values_list("partnership_id", "country_id"):
        found[pid].add(iso2)
    return found


def build(scope: QuerySet[Partnership], *, years: list[int] | None = None) -> Declaration:
    """Return the declaration help for the partnerships of `scope` (already narrowed to what the
    reader may see), for `years` (all the years its funding lines hold when None)."""
    lines = (
        FundingLine.objects.filter(partnership__in=scope.values("pk"))
        .select_related("funder", "partnership")
        .order_by("year", "partnership_id", "position", "pk")
    )
    if years:
        lines = lines.filter(year__in=years)
    lines_list = list(lines)
    ids = sorted({line.partnership_id for line in lines_list})
    countries_of = _countries_of(ids)
    names = {c.iso2: c.display_name for c in Country.objects.all()}
    wanted = sorted(set(years or []) | {line.year for line in lines_list})
    summaries = {year: YearSummary(year=year, edition=oda.edition(year)) for year in wanted}
    per_country: dict[tuple[int, str], Amounts] = defaultdict(Amounts)
    unattributed: list[Unattributed] = []
    for line in lines_list:
        summary = summaries[line.year]
        summary.total.include(line)
        reached = countries_of.get(line.partnership_id, set())
        if line.recipient_country_id:
            country = line.recipient_country_id
        elif len(reached) == 1:
            (country,) = reached
        else:
            summary.unattributed.include(line)
            reason = (
                _("aucun pays partenaire étranger")
                if not reached
                else _("%(n)d pays partenaires : la ligne ne dit pas lequel reçoit ce montant")
                % {"n": len(reached)}
            )
            unattributed.append(
                Unattributed(
                    year=line.year,
                    partnership_id=line.partnership_id,
                    partnership_title=line.partnership.title,
                    funder=line.funder_name,
                    amount=line.amount,
                    water=line.water_one_percent_amount or ZERO,
                    reason=reason,
                    countries=sorted((names.get(iso2, iso2) for iso2 in reached), key=sort_key),
                )
            )
            continue
        per_country[(line.year, country)].include(line)
        (summary.declarable if summary.edition.eligible(country) else summary.not_eligible).include(line)
    rows = [
        CountryRow(
            year=year,
            iso2=iso2,
            name=names.get(iso2, iso2),
            eligible=summaries[year].edition.eligible(iso2),
            amounts=amounts,
        )
        for (year, iso2), amounts in per_country.items()
    ]
    rows.sort(key=lambda row: (row.year, not row.eligible, sort_key(row.name)))
    return Declaration(
        years=[summaries[year] for year in wanted],
        rows=rows,
        unattributed=unattributed,
        partnerships=len(ids),
    )


def parse_years(values: list[str]) -> tuple[list[int], list[str]]:
    """Return the years asked for (`annee=2020&annee=2021` or `2020-2021`) and the values refused."""
    years: set[int] = set()
    refused = []
    for value in values:
        text = value.strip()
        first, _dash, last = text.partition("-")
        if first.isdecimal() and (not last or last.isdecimal()):
            start, end = int(first), int(last or first)
            if 1950 <= start <= end <= 2100 and end - start <= 50:
                years.update(range(start, end + 1))
                continue
        refused.append(text)
    return sorted(years), refused


def table(declaration: Declaration) -> tuple[list[str], list[list]]:
    """Return the declaration's rows per year and country, as a spreadsheet's header and rows:
    the amounts to declare first, then those off the list and those no country can be given."""
    header = [
        _("Année"),
        _("Pays"),
        _("Code ISO"),
        _("Éligible à l'APD (liste du CAD)"),
        _("Montant total (€)"),
        _("dont budget général (€)"),
        _("dont 1 % eau, assainissement, déchets, énergie (€)"),
        _("Lignes de financement"),
        _("Partenariats"),
    ]
    body = []
    for row in declaration.rows:
        amounts = row.amounts
        body.append(
            [
                row.year,
                row.name,
                row.iso2,
                _("oui") if row.eligible else _("non"),
                amounts.total,
                amounts.general,
                amounts.water,
                amounts.lines,
                len(amounts.partnerships),
            ]
        )
    for summary in declaration.years:
        amounts = summary.unattributed
        if amounts.lines:
            body.append(
                [
                    summary.year,
                    _("Non attribué à un pays"),
                    "",
                    "",
                    amounts.total,
                    amounts.general,
                    amounts.water,
                    amounts.lines,
                    len(amounts.partnerships),
                ]
            )
    return header, body


def unattributed_table(declaration: Declaration) -> tuple[list[str], list[list]]:
    """Return the funding lines that no country could be given, with the reason."""
    header = [
        _("Année"),
        _("Partenariat"),
        _("Identifiant"),
        _("Financeur"),
        _("Montant (€)"),
        _("dont 1 % eau (€)"),
        _("Pourquoi"),
        _("Pays du partenariat"),
    ]
    body = [
        [
            item.year,
            item.partnership_title,
            item.partnership_id,
            item.funder,
            item.amount,
            item.water,
            item.reason,
            ", ".join(item.countries),
        ]
        for item in declaration.unattributed
    ]
    return header, body
