"""The dashboard of a scope: a French territory × a foreign zone × a period × themes and forms.

A scope is a `SearchQuery` (its facets and filters: `territoire`, `departement`, `region`, `pays`,
`zone`, `du`, `au`, `theme`, `forme`), so that each figure carries the URL parameters of the list
behind it and the search page shows exactly the partnerships it counts.

Every figure is computed from a few flat reads of the scope's rows, then counted in Python:
one read per table, whatever the size of the scope.

When the scope names a zone or a country, a partnership is in it when one of its foreign
countries is there; its partners and countries elsewhere are then left out of the partner,
country and map figures (a network of towns on five continents counts, under "Germany", for its
German towns only), and its funding, which cannot be split by country, is counted whole and
also set apart as shared with other countries.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipForm, PartnershipStatus
from coopatlas.atlas.models import (
    FRANCE,
    FundingLine,
    Participation,
    Partnership,
    PartnershipTheme,
    Study,
    Theme,
)
from coopatlas.core.i18n import localised, sort_key
from coopatlas.places.models import Country, WorldRegion
from coopatlas.search.query import SearchQuery

# Forms that rest on a signed agreement; the other records are initiatives (projects, actions…).
AGREEMENT_FORMS = (
    PartnershipForm.TWINNING,
    PartnershipForm.FRIENDSHIP_PACT,
    PartnershipForm.COOPERATION_AGREEMENT,
    PartnershipForm.PROTOCOL,
)
TOP = 15
# The parameters of a scope (the search's other parameters make no sense on a dashboard).
SCOPE_KEYS = ("territoire", "region", "departement", "zone", "pays", "du", "au", "theme", "forme")
# Parameters a scope always carries into its links (not chosen by the person).
IMPLIED_KEYS = ("france",)


def scope_from(params: QueryDict) -> tuple[SearchQuery, dict[str, list[str]]]:
    """Return the scope read from URL parameters, and the parameters that reproduce it.

    A scope is always French: "all France" holds the partnerships with a French participant
    (an atlas may also hold foreign–foreign pairs, imported with `--all`). Bad values are
    dropped with a message in the query's `errors`.
    """
    data = QueryDict(mutable=True)
    for key in SCOPE_KEYS:
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
    data["france"] = "1"
    query = SearchQuery(data)
    kept = {k: v for k, v in query.as_params().items() if k in SCOPE_KEYS + IMPLIED_KEYS}
    return query, kept


@dataclass
class Row:
    """One line of a figure: a label, its value(s) and the URL parameters of the list behind it."""

    key: str
    label: str
    value: float
    link: dict[str, list[str]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    note: str = ""  # what the value counts, said on the page under it


# The extra cells of each figure's table, after its label and value.
EXTRA_CELLS = {
    "countries": ("partners", "key"),
    "years": ("active", "ended"),
    "funding_years": ("water",),
    "funders": ("water",),
    "actors": ("kind",),
    "partners": ("kind",),
    "kinds": ("organisations",),
}


@dataclass
class Figure:
    name: str
    title: str
    rows: list[Row]
    columns: list[str] = field(default_factory=list)  # headings of the table: label, value, extras
    note: str = ""  # what the figure counts, said on the page under it
    cells: tuple[str, ...] | None = None  # the extra cells, when not EXTRA_CELLS[name]

    @property
    def extra_cells(self) -> tuple[str, ...]:
        return self.cells if self.cells is not None else EXTRA_CELLS.get(self.name, ())

    def table(self) -> list[list]:
        """Return the figure as table rows under `columns` (for CSV files and the terminal)."""
        return [
            [
                row.label,
                row.value,
                *(row.key if cell == "key" else row.extra[cell] for cell in self.extra_cells),
            ]
            for row in self.rows
        ]


@dataclass
class StudyPanel:
    study: Study
    categories: list[Row]


@dataclass
class Dashboard:
    query: SearchQuery
    totals: list[Row]
    figures: dict[str, Figure]
    study: StudyPanel | None
    grouping: str
    groupings: list[tuple[str, str]]
    years: list[int]
    map_note: str = ""
    # The foreign countries the scope names (by zone or country), None when it names none.
    foreign_scope: frozenset[str] | None = None

    def total(self, key: str) -> Row | None:
        return next((row for row in self.totals if row.key == key), None)

    @property
    def shared_funding(self) -> Row | None:
        """Return the funding of partnerships that also reach countries outside the scope."""
        return self.total("shared")

    def figure(self, name: str) -> Figure:
        return self.figures[name]


def list_url(scope: dict[str, list[str]], extra: dict[str, list[str]]) -> str:
    """Return the search URL listing a figure's partnerships: the scope, narrowed by `extra`.

    Empty when the slice cannot hold any partnership (a form outside the scope's forms).
    """
    params = {**scope}
    for key, values in extra.items():
        if key == "forme" and key in scope:
            # A partnership has one form: the list is the intersection of both choices.
            values = [v for v in values if v in scope[key]]
            if not values:
                return ""
        params[key] = values
    return reverse("web:search") + "?" + urlencode([(k, v) for k, vs in params.items() for v in vs])


def _first_year(start_year: int | None, signature_year: int | None) -> int | None:
    return start_year if start_year is not None else signature_year


def active_years(first: int | None, end: date | None, status: str, until: int) -> range:
    """Return the years a partnership is active (the rule of `search.filters.active_between`)."""
    if first is None or status == PartnershipStatus.PLANNED:
        return range(0)
    if end is not None:
        return range(first, end.year + 1)
    if status == PartnershipStatus.ENDED:
        return range(first, first + 1)
    return range(first, max(until, first) + 1)


def _country_names() -> dict[str, str]:
    return {
        iso2: localised(name_fr, name_en)
        for iso2, name_fr, name_en in Country.objects.values_list("iso2", "name_fr", "name_en")
    }


def foreign_scope(query: SearchQuery) -> frozenset[str] | None:
    """Return the foreign countries the scope names by zone and country, None when it names none.

    Both given: the countries of the zone that are chosen (a partnership must reach both).
    """
    zones = query.selected.get("zone", [])
    chosen = query.selected.get("pays", [])
    if not zones and not chosen:
        return None
    countries = Country.objects.exclude(iso2=FRANCE)
    if zones:
        countries = countries.filter(world_region__in=zones)
    if chosen:
        countries = countries.filter(iso2__in=chosen)
    return frozenset(countries.values_list("iso2", flat=True))


def _scope_words(query: SearchQuery, names: dict[str, str]) -> str:
    """Return the zone and countries of the scope in words (« Europe », « Afrique, Sénégal »)."""
    labels = dict(WorldRegion.choices)
    words = [str(labels[z]) for z in query.selected.get("zone", [])]
    words += [names.get(iso2, iso2) for iso2 in query.selected.get("pays", [])]
    return ", ".join(words)


def study_for(query: SearchQuery) -> Study | None:
    """Return the study of the scope's territory and world region, when there is one."""
    territory = query.filters.territory
    zones = query.selected.get("zone", [])
    if territory is None or len(zones) != 1:
        return None
    return Study.objects.filter(territory=territory, world_region=zones[0]).order_by("-pk").first()


def build(query: SearchQuery, base: QuerySet[Partnership], *, grouping: str = "") -> Dashboard:
    """Return every figure of the dashboard of `query`'s scope over the partnerships of `base`."""
    scope = query.filtered(base, text=False)
    scope_ids = scope.values("pk")
    today = date.today()

    rows = list(scope.values_list("pk", "form", "status", "start_year", "signature_year", "end_date"))
    participants = list(
        Participation.objects.filter(partnership_id__in=scope_ids).values_list(
            "partnership_id",
            "organisation_id",
            "organisation__name",
            "organisation__kind",
            "organisation__country_id",
        )
    )
    extra_countries = list(
        Partnership.extra_countries.through.objects.filter(partnership_id__in=scope_ids).values_list(
            "partnership_id", "country_id"
        )
    )
    countries = _country_names()
    there = foreign_scope(query)
    where = _scope_words(query, countries)

    def inside(iso2: str) -> bool:
        return iso2 != FRANCE and (there is None or iso2 in there)

    # Partnerships that also reach countries outside the scope's zone or country.
    shared = {pk for pk, *_org, iso2 in participants if iso2 != FRANCE and not inside(iso2)}
    shared |= {pk for pk, iso2 in extra_countries if iso2 != FRANCE and not inside(iso2)}
    # The organisations counted: the French side, and the partners in the scope's countries.
    participants = [p for p in participants if p[4] == FRANCE or inside(p[4])]

    # -- totals ------------------------------------------------------------------------------
    agreements = sum(1 for r in rows if r[1] in AGREEMENT_FORMS)
    french_actors = {p[1] for p in participants if p[4] == FRANCE}
    foreign_actors = {p[1] for p in participants if p[4] != FRANCE}
    per_country: dict[str, set[int]] = defaultdict(set)
    partners_in: dict[str, set[int]] = defaultdict(set)
    for pk, org, _name, _kind, iso2 in participants:
        if iso2 != FRANCE:
            per_country[iso2].add(pk)
            partners_in[iso2].add(org)
    for pk, iso2 in extra_countries:
        if inside(iso2):
            per_country[iso2].add(pk)
    agreement_forms = [str(f) for f in AGREEMENT_FORMS]
    initiative_forms = [str(f) for f in PartnershipForm if f not in AGREEMENT_FORMS]
    if there is None:
        partners_note = _(
            "Organisations étrangères qui participent à ces partenariats, chacune comptée une fois."
        )
        countries_note = _("Pays des partenaires étrangers, ou nommés par les partenariats.")
    else:
        partners_note = _(
            "Organisations étrangères situées dans le périmètre choisi (%(where)s) ; "
            "les partenaires d'autres pays d'un même partenariat ne sont pas comptés."
        ) % {"where": where}
        countries_note = _(
            "Pays du périmètre choisi (%(where)s) où les partenariats ont un partenaire ou une action."
        ) % {"where": where}
    totals = [
        Row(
            "partnerships",
            str(_("Partenariats et initiatives")),
            len(rows),
            note=str(_("Partenariats publiés qui répondent à tous les critères, chacun compté une fois.")),
        ),
        Row(
            "agreements",
            str(_("dont accords signés (jumelages, conventions…)")),
            agreements,
            {"forme": agreement_forms},
            note=str(_("Jumelages, pactes d'amitié, conventions et protocoles.")),
        ),
        Row(
            "initiatives",
            str(_("dont projets et initiatives")),
            len(rows) - agreements,
            {"forme": initiative_forms},
            note=str(_("Projets, réseaux, actions et autres formes sans accord signé.")),
        ),
        Row(
            "actors",
            str(_("Acteurs français")),
            len(french_actors),
            note=str(_("Organisations françaises qui participent à ces partenariats.")),
        ),
        Row("partners", str(_("Partenaires étrangers")), len(foreign_actors), note=str(partners_note)),
        Row("countries", str(_("Pays partenaires")), len(per_country), note=str(countries_note)),
    ]

    figures: dict[str, Figure] = {}
    # -- countries ------------------------------------------------------------------------------
    # Ranked by partnerships, then by partners there (one network record can hold many towns).
    figures["countries"] = Figure(
        "countries",
        str(_("Partenariats par pays")),
        [
            Row(
                iso2,
                countries.get(iso2, iso2),
                len(pks),
                {"pays": [iso2]},
                {"partners": len(partners_in[iso2])},
            )
            for iso2, pks in sorted(
                per_country.items(),
                key=lambda kv: (-len(kv[1]), -len(partners_in[kv[0]]), sort_key(countries.get(kv[0], ""))),
            )
        ],
        [str(_("Pays")), str(_("Partenariats")), str(_("Partenaires dans le pays")), "ISO"],
        note=str(
            _(
                "Pour chaque pays, les partenariats qui y ont un partenaire ou une action, et le nombre de "
                "partenaires qui y sont ; un partenariat à plusieurs pays compte dans chacun."
            )
            if there is None
            else _(
                "Pays du périmètre choisi (%(where)s) seulement : les partenariats qui y ont un partenaire "
                "ou une action, et les partenaires qui y sont."
            )
            % {"where": where}
        ),
    )
    map_note = str(
        _("Partenariats par pays : plus la teinte est foncée, plus ils sont nombreux.")
        if there is None
        else _(
            "Partenariats par pays du périmètre choisi (%(where)s) : plus la teinte est foncée, "
            "plus ils sont nombreux."
        )
        % {"where": where}
    )

    # -- themes and categories ----------------------------------------------------------------------
    theme_links = list(
        PartnershipTheme.objects.filter(partnership_id__in=scope_ids).values_list(
            "partnership_id", "theme__code", "theme__parent__code", "theme__parent__parent__code"
        )
    )
    codes_of: dict[int, set[str]] = defaultdict(set)
    for pk, *codes in theme_links:
        codes_of[pk].update(code for code in codes if code)
    study = study_for(query)
    groupings = [("themes", str(_("Thèmes"))), ("sous-themes", str(_("Sous-thèmes")))]
    if study is not None:
        groupings.insert(0, (f"etude-{study.pk}", str(_("Catégories de l'étude"))))
    elif grouping.startswith("etude-") and grouping[6:].isdecimal():
        chosen = Study.objects.filter(pk=int(grouping[6:])).first()
        if chosen is not None:
            study = chosen
            groupings.insert(0, (grouping, str(_("Catégories de l'étude"))))
    valid = [key for key, _label in groupings]
    grouping = grouping if grouping in valid else valid[0]
    study_panel = None
    if study is not None:
        study_panel = StudyPanel(study, _category_rows(study, codes_of))
    if grouping.startswith("etude-") and study_panel is not None:
        theme_rows = study_panel.categories
        theme_title = str(_("Catégories de l'étude, dans son ordre"))
    else:
        theme_rows = _theme_rows(codes_of, level=1 if grouping == "themes" else 2)
        theme_title = str(_("Thèmes")) if grouping == "themes" else str(_("Sous-thèmes"))
    figures["themes"] = Figure(
        "themes",
        theme_title,
        theme_rows,
        [str(_("Thème")), str(_("Partenariats"))],
        note=str(_("Partenariats par thème ; un partenariat à plusieurs thèmes compte dans chacun.")),
    )

    # -- actors -----------------------------------------------------------------------------------
    engaged: dict[int, set[int]] = defaultdict(set)
    names: dict[int, tuple[str, str, str]] = {}
    for pk, org, name, kind, iso2 in participants:
        engaged[org].add(pk)
        names[org] = (name, kind, iso2)

    def ranking(keep) -> list[Row]:
        chosen = [(org, pks) for org, pks in engaged.items() if keep(names[org][2])]
        chosen.sort(key=lambda item: (-len(item[1]), sort_key(names[item[0]][0])))
        return [
            Row(
                str(org),
                names[org][0]
                if names[org][2] == FRANCE
                else f"{names[org][0]} ({countries.get(names[org][2], '')})",
                len(pks),
                {"organisation": [str(org)]},
                {"kind": str(OrganisationKind(names[org][1]).label), "id": org},
            )
            for org, pks in chosen[:TOP]
        ]

    heading = [str(_("Acteur")), str(_("Partenariats")), str(_("Type"))]
    figures["actors"] = Figure(
        "actors",
        str(_("Acteurs français les plus engagés")),
        ranking(lambda c: c == FRANCE),
        heading,
        note=str(_("Les %(n)s organisations françaises aux partenariats les plus nombreux.") % {"n": TOP}),
    )
    figures["partners"] = Figure(
        "partners",
        str(_("Partenaires étrangers les plus présents")),
        ranking(lambda c: c != FRANCE),
        heading,
        note=str(
            _("Les %(n)s partenaires étrangers aux partenariats les plus nombreux.") % {"n": TOP}
            if there is None
            else _(
                "Les %(n)s partenaires du périmètre choisi (%(where)s) aux partenariats les plus nombreux."
            )
            % {"n": TOP, "where": where}
        ),
    )

    kinds: dict[str, set[int]] = defaultdict(set)
    kind_orgs: dict[str, set[int]] = defaultdict(set)
    for pk, org, _name, kind, _iso2 in participants:
        kinds[kind].add(pk)
        kind_orgs[kind].add(org)
    figures["kinds"] = Figure(
        "kinds",
        str(_("Types d'acteurs impliqués")),
        [
            Row(
                kind,
                str(OrganisationKind(kind).label),
                len(pks),
                {"acteur": [kind]},
                {"organisations": len(kind_orgs[kind])},
            )
            for kind, pks in sorted(kinds.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        [str(_("Type d'acteur")), str(_("Partenariats")), str(_("Organisations"))],
        note=str(
            _(
                "Partenariats où figure au moins une organisation de ce type, "
                "et le nombre de ces organisations."
            )
            if there is None
            else _(
                "Partenariats où figure au moins une organisation de ce type, et le nombre de ces "
                "organisations : françaises, ou situées dans le périmètre choisi (%(where)s)."
            )
            % {"where": where}
        ),
    )

    # -- years ------------------------------------------------------------------------------------
    new: Counter[int] = Counter()
    active: Counter[int] = Counter()
    ended: Counter[int] = Counter()
    for _pk, _form, status, start, signature, end in rows:
        first = _first_year(start, signature)
        if first is not None:
            new[first] += 1
        if end is not None:
            ended[end.year] += 1
        for year in active_years(first, end, status, today.year):
            active[year] += 1
    span = set(new) | set(ended) | set(active)
    low = query.filters.period_from or (min(span) if span else today.year)
    high = query.filters.period_to or (max(span) if span else today.year)
    years = list(range(low, high + 1)) if span else []
    figures["years"] = Figure(
        "years",
        str(_("Nouveaux, actifs et terminés par année")),
        [
            Row(
                str(year),
                str(year),
                new[year],
                {"debut_min": [str(year)], "debut_max": [str(year)]},
                {
                    "active": active[year],
                    "ended": ended[year],
                    "active_link": {"actif": [str(year)]},
                    "ended_link": {"fin": [str(year)]},
                },
            )
            for year in years
        ],
        [str(_("Année")), str(_("Nouveaux")), str(_("Actifs")), str(_("Terminés"))],
        note=str(
            _(
                "Nouveaux : partenariats commencés (ou signés) dans l'année ; actifs : en cours pendant "
                "l'année ; terminés : arrivés à leur fin dans l'année."
            )
        ),
    )

    # -- funding ----------------------------------------------------------------------------------
    # An amount is declared for a partnership, not for one of its countries: it is counted whole,
    # and, under a zone or a country, the part of partnerships that also reach other countries is
    # set apart ("dont … partagés avec d'autres pays") instead of being passed off as German.
    lines = list(
        FundingLine.objects.filter(partnership_id__in=scope_ids).values_list(
            "partnership_id", "year", "amount", "water_one_percent_amount", "funder__name", "funder_label"
        )
    )
    by_year: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    by_funder: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    for pk, year, amount, water, funder, label in lines:
        name = funder or label or str(_("Financeur non précisé"))
        for bucket in (by_year[year], by_funder[name]):
            bucket[0] += amount
            bucket[1] += water or 0
            if pk in shared:
                bucket[2] += amount
    cells: tuple[str, ...] = ("water",) if there is None else ("water", "shared")
    money_columns = [str(_("Montant (€)")), str(_("dont 1 % eau (€)"))]
    if there is not None:
        money_columns.append(str(_("dont partagés avec d'autres pays (€)")))

    def money(amounts: list[Decimal]) -> dict:
        extra = {"water": float(amounts[1])}
        if there is not None:
            extra["shared"] = float(amounts[2])
        return extra

    whole = (
        str(_("Montants déclarés, chaque partenariat compté en entier."))
        if there is None
        else str(
            _(
                "Montants déclarés, chaque partenariat compté en entier : ceux qui associent aussi des pays "
                "hors du périmètre choisi (%(where)s) sont comptés à part, « partagés avec d'autres pays »."
            )
            % {"where": where}
        )
    )
    figures["funding_years"] = Figure(
        "funding_years",
        str(_("Financements par année (€)")),
        [
            Row(str(year), str(year), float(amounts[0]), {"finance_en": [str(year)]}, money(amounts))
            for year, amounts in sorted(by_year.items())
        ],
        [str(_("Année")), *money_columns],
        note=whole,
        cells=cells,
    )
    figures["funders"] = Figure(
        "funders",
        str(_("Financements par financeur (€)")),
        [
            Row(name, name, float(amounts[0]), {"financeur": [name]}, money(amounts))
            for name, amounts in sorted(by_funder.items(), key=lambda kv: (-kv[1][0], sort_key(kv[0])))
        ],
        [str(_("Financeur")), *money_columns],
        note=whole,
        cells=cells,
    )
    total = sum((v[0] for v in by_year.values()), Decimal(0))
    water = sum((v[1] for v in by_year.values()), Decimal(0))
    totals.append(
        Row(
            "funding",
            str(_("Financements déclarés (€)")),
            float(total),
            {"financement": ["oui"]},
            note=str(
                _("Montants déclarés des partenariats du périmètre, toutes années, comptés en entier.")
                if there is None
                else _(
                    "Montants déclarés des partenariats du périmètre, toutes années, comptés en entier : "
                    "une somme ne se répartit pas entre les pays d'un partenariat."
                )
            ),
        )
    )
    totals.append(
        Row(
            "water",
            str(_("dont « 1 % eau » (€)")),
            float(water),
            {},
            {"share": float(water / total) if total else 0.0},
            note=str(_("Part déclarée au titre du « 1 % eau » (loi Oudin-Santini).")),
        )
    )
    if there is not None:
        totals.append(
            Row(
                "shared",
                str(_("dont partagés avec d'autres pays (€)")),
                float(sum((v[2] for v in by_year.values()), Decimal(0))),
                note=str(
                    _(
                        "Montants des partenariats qui associent aussi des pays hors du périmètre "
                        "choisi (%(where)s) : ils ne se répartissent pas entre pays."
                    )
                    % {"where": where}
                ),
            )
        )
    return Dashboard(
        query=query,
        totals=totals,
        figures=figures,
        study=study_panel,
        grouping=grouping,
        groupings=groupings,
        years=years,
        map_note=map_note,
        foreign_scope=there,
    )


def _theme_rows(codes_of: dict[int, set[str]], *, level: int) -> list[Row]:
    themes = {t.code: t for t in Theme.objects.filter(level=level)}
    counts: Counter[str] = Counter()
    for codes in codes_of.values():
        for code in codes & themes.keys():
            counts[code] += 1
    ordered = sorted(counts, key=lambda code: (-counts[code], themes[code].position, code))
    return [Row(code, themes[code].display_name, counts[code], {"theme": [code]}) for code in ordered]


def _category_rows(study: Study, codes_of: dict[int, set[str]]) -> list[Row]:
    rows = []
    for category in study.categories.prefetch_related("themes").order_by("rank"):
        codes = sorted(t.code for t in category.themes.all())
        count = sum(1 for partnership_codes in codes_of.values() if partnership_codes & set(codes))
        rows.append(
            Row(
                str(category.rank),
                category.name,
                count,
                {"theme": codes} if codes else {},
                {"rank": category.rank, "examples": category.examples},
            )
        )
    return rows
