"""The dashboard of a scope: a French territory × a foreign zone × a period × themes and forms.

A scope is a `SearchQuery` (its facets and filters: `territoire`, `departement`, `region`, `pays`,
`zone`, `du`, `au`, `theme`, `forme`), so that each figure carries the URL parameters of the list
behind it and the search page shows exactly the partnerships it counts.

Every figure comes from one grouped query over the scope (insights.tallies), whatever the size
of the scope; the counts are remembered under the search index's version.

When the scope names a zone or a country, a partnership is in it when one of its foreign
countries is there; its partners and countries elsewhere are then left out of the partner,
country and map figures (a network of towns on five continents counts, under "Germany", for its
German towns only), and its funding, which cannot be split by country, is counted whole and
also set apart as shared with other countries.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipForm, PartnershipStatus
from coopatlas.atlas.models import FRANCE, Partnership, Study, StudyCategory, Theme
from coopatlas.core.i18n import localised, sort_key
from coopatlas.insights.tallies import TOP, Money, Ranked, tallies
from coopatlas.places.models import Country, WorldRegion
from coopatlas.search.facets import (
    DOMESTIC,
    FACETS,
    INTERNATIONAL,
    UNSAID,
    UNSAID_LABEL,
    with_default_reach,
)
from coopatlas.search.query import SearchQuery

# Forms that rest on a signed agreement; the other records are initiatives (projects, actions…).
AGREEMENT_FORMS = (
    PartnershipForm.TWINNING,
    PartnershipForm.FRIENDSHIP_PACT,
    PartnershipForm.COOPERATION_AGREEMENT,
    PartnershipForm.PROTOCOL,
)
# The parameters of a scope (the search's other parameters make no sense on a dashboard).
SCOPE_KEYS = ("territoire", "region", "departement", "zone", "pays", "du", "au", "theme", "forme", "portee")
# The key of the years figure's row of partnerships without a year (« Non renseigné »).
UNDATED = "non-renseignee"
# Parameters a scope always carries into its links (not chosen by the person).
IMPLIED_KEYS = ("france",)


def scope_from(params: QueryDict) -> tuple[SearchQuery, dict[str, list[str]]]:
    """Return the scope read from URL parameters, and the parameters that reproduce it.

    A scope is always French: "all France" holds the partnerships with a French participant
    (an atlas may also hold foreign–foreign pairs, imported with `--all`). It is international
    unless `portee` asks for the domestic partnerships too (between French authorities only).
    Bad values are dropped with a message in the query's `errors`.
    """
    data = QueryDict(mutable=True)
    for key in SCOPE_KEYS:
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
    data["france"] = "1"
    query = SearchQuery(with_default_reach(data))
    kept = {k: v for k, v in query.as_params().items() if k in SCOPE_KEYS + IMPLIED_KEYS}
    if kept.get("portee") == [INTERNATIONAL]:
        del kept["portee"]  # the search page's default too: the links need not say it
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

    # Rows shown on the page (a national atlas names thousands of funders); all are in the CSV.
    SHOWN = 100

    @property
    def shown(self) -> list[Row]:
        return self.rows[: self.SHOWN]

    @property
    def hidden(self) -> int:
        """How many rows the page leaves to the CSV file."""
        return max(0, len(self.rows) - self.SHOWN)

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
    """A study beside the atlas: its categories in its order, its published figures next to the
    same figures counted from the records of its scope, its highlighted countries in its order."""

    study: Study
    categories: list[Row]
    # (what, the study's figure, the atlas's figure): the gap shows while records are filled in
    comparison: list[tuple[str, int, int]] = field(default_factory=list)
    highlighted: list[Row] = field(default_factory=list)


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


def active_years(first: int | None, end: int | None, status: str, until: int) -> range:
    """Return the years a partnership is active (the rule of `search.filters.active_between`),
    from its first year, the year of its end date, its status and the current year."""
    if first is None or status == PartnershipStatus.PLANNED:
        return range(0)
    if end is not None:
        return range(first, end + 1)
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


def domestic_left_out(query: SearchQuery, base: QuerySet[Partnership]) -> int | None:
    """Return how many domestic partnerships (between French authorities only) the scope leaves
    out, or None when it counts them (`portee` asks for them)."""
    if query.selected.get("portee") != [INTERNATIONAL]:
        return None
    others = query.filtered(base, text=False, except_facet="portee")
    return others.filter(FACETS["portee"].q([DOMESTIC])).count()


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
    today = date.today()
    countries = _country_names()
    there = foreign_scope(query)
    where = _scope_words(query, countries)

    study = study_for(query)
    groupings = [("themes", str(_("Thèmes"))), ("sous-themes", str(_("Sous-thèmes")))]
    if study is not None:
        groupings.insert(0, (f"etude-{study.pk}", str(_("Catégories de l'étude"))))
    elif grouping.startswith("etude-") and grouping[6:].isdecimal():
        chosen = Study.objects.filter(pk=int(grouping[6:])).first()
        if chosen is not None:
            study = chosen
            groupings.insert(0, (grouping, str(_("Catégories de l'étude"))))
    categories = list(study.categories.prefetch_related("themes").order_by("rank")) if study else []
    counts = tallies(scope, there, [tuple(sorted(t.code for t in c.themes.all())) for c in categories])

    # -- totals ------------------------------------------------------------------------------
    partnerships = sum(counts.forms.values())
    agreements = sum(n for form, n in counts.forms.items() if form in AGREEMENT_FORMS)
    formless = sum(n for form, n in counts.forms.items() if not form)
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
            partnerships,
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
            partnerships - agreements - formless,
            {"forme": initiative_forms},
            note=str(_("Projets, réseaux, actions et autres formes sans accord signé.")),
        ),
        *(
            [
                Row(
                    "formless",
                    str(_("dont forme non renseignée")),
                    formless,
                    {"forme": [UNSAID]},
                    note=str(_("La source ne dit pas s'il s'agit d'un accord ou d'un projet.")),
                )
            ]
            if formless
            else []
        ),
        Row(
            "actors",
            str(_("Acteurs français")),
            counts.french_actors,
            note=str(_("Organisations françaises qui participent à ces partenariats.")),
        ),
        Row("partners", str(_("Partenaires étrangers")), counts.foreign_actors, note=str(partners_note)),
        Row("countries", str(_("Pays partenaires")), len(counts.countries), note=str(countries_note)),
    ]
    if (domestic := domestic_left_out(query, base)) is not None:
        totals.append(
            Row(
                "domestic",
                str(_("Partenariats entre collectivités françaises, non comptés")),
                domestic,
                {"portee": [DOMESTIC]},
                note=str(
                    _(
                        "Jumelages et partenariats dont tous les participants sont des collectivités "
                        "françaises (la métropole avec l'outre-mer…) : ils ne sont pas comptés ici ; "
                        "cochez « Inclure les partenariats entre collectivités françaises » pour les compter."
                    )
                ),
            )
        )

    figures: dict[str, Figure] = {}
    # -- countries ------------------------------------------------------------------------------
    # Ranked by partnerships, then by partners there (one network record can hold many towns).
    figures["countries"] = Figure(
        "countries",
        str(_("Partenariats par pays")),
        [
            Row(iso2, countries.get(iso2, iso2), n, {"pays": [iso2]}, {"partners": partners})
            for iso2, (n, partners) in sorted(
                counts.countries.items(),
                key=lambda kv: (-kv[1][0], -kv[1][1], sort_key(countries.get(kv[0], ""))),
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
    valid = [key for key, _label in groupings]
    grouping = grouping if grouping in valid else valid[0]
    study_panel = None
    if study is not None:
        study_panel = StudyPanel(
            study,
            _category_rows(categories, counts.categories),
            comparison=[
                (str(_("Initiatives")), study.initiatives_count, partnerships),
                (str(_("Acteurs du territoire")), study.actors_count, counts.french_actors),
                (str(_("Pays")), study.countries_count, len(counts.countries)),
            ],
            highlighted=[
                Row(iso2, countries.get(iso2, iso2), counts.countries.get(iso2, (0, 0))[0], {"pays": [iso2]})
                for iso2 in study.highlighted_countries.through.objects.filter(study=study)
                .order_by("pk")
                .values_list("country_id", flat=True)
            ],
        )
    if grouping.startswith("etude-") and study_panel is not None:
        theme_rows = study_panel.categories
        theme_title = str(_("Catégories de l'étude, dans son ordre"))
    else:
        theme_rows = _theme_rows(counts.themes, level=1 if grouping == "themes" else 2)
        theme_title = str(_("Thèmes")) if grouping == "themes" else str(_("Sous-thèmes"))
        if counts.unthemed:
            theme_rows.append(Row(UNSAID, str(UNSAID_LABEL), counts.unthemed, {"theme": [UNSAID]}))
    figures["themes"] = Figure(
        "themes",
        theme_title,
        theme_rows,
        [str(_("Thème")), str(_("Partenariats"))],
        note=str(
            _(
                "Partenariats par thème ; un partenariat à plusieurs thèmes compte dans chacun, "
                "un partenariat sans thème sous « Non renseigné »."
            )
        ),
    )

    # -- statuses ---------------------------------------------------------------------------------
    # What the source does not say stays unsaid: « Non renseigné » is a status of its own.
    by_status: Counter[str] = Counter()
    for (_first, _end, status), n in counts.spans.items():
        by_status[status or PartnershipStatus.UNKNOWN] += n
    figures["statuses"] = Figure(
        "statuses",
        str(_("Partenariats par état")),
        [
            Row(status, str(PartnershipStatus(status).label), by_status[status], {"etat": [status]})
            for status in PartnershipStatus.values
            if by_status[status]
        ],
        [str(_("État")), str(_("Partenariats"))],
        note=str(
            _(
                "État déclaré par la source ; « Non renseigné » quand elle ne le dit pas "
                "(jumelages importés…)."
            )
        ),
    )

    # -- actors -----------------------------------------------------------------------------------
    def ranking(ranked: list[Ranked]) -> list[Row]:
        ranked = sorted(ranked, key=lambda r: (-r.partnerships, sort_key(r.name)))[:TOP]
        return [
            Row(
                str(r.id),
                r.name if r.country == FRANCE else f"{r.name} ({countries.get(r.country, '')})",
                r.partnerships,
                {"organisation": [str(r.id)]},
                {"kind": str(OrganisationKind(r.kind).label), "id": r.id},
            )
            for r in ranked
        ]

    heading = [str(_("Acteur")), str(_("Partenariats")), str(_("Type"))]
    figures["actors"] = Figure(
        "actors",
        str(_("Acteurs français les plus engagés")),
        ranking(counts.actors),
        heading,
        note=str(_("Les %(n)s organisations françaises aux partenariats les plus nombreux.") % {"n": TOP}),
    )
    figures["partners"] = Figure(
        "partners",
        str(_("Partenaires étrangers les plus présents")),
        ranking(counts.partners),
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

    figures["kinds"] = Figure(
        "kinds",
        str(_("Types d'acteurs impliqués")),
        [
            Row(
                kind,
                str(OrganisationKind(kind).label),
                n,
                {"acteur": [kind]},
                {"organisations": organisations},
            )
            for kind, (n, organisations) in sorted(counts.kinds.items(), key=lambda kv: (-kv[1][0], kv[0]))
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
    for (first, end, status), n in counts.spans.items():
        if first is not None:
            new[first] += n
        if end is not None:
            ended[end] += n
        for year in active_years(first, end, status, today.year):
            active[year] += n
    span = set(new) | set(ended) | set(active)
    low = query.filters.period_from or (min(span) if span else today.year)
    high = query.filters.period_to or (max(span) if span else today.year)
    years = list(range(low, high + 1)) if span else []
    undated = sum(n for (first, _end, _status), n in counts.spans.items() if first is None)
    year_rows = [
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
    ]
    if undated:
        # Never active in a year (no year), but counted: « Non renseigné » after the years.
        year_rows.append(
            Row(
                UNDATED,
                str(UNSAID_LABEL),
                undated,
                {"sans_annee": ["1"]},
                {"active": 0, "ended": 0, "active_link": {}, "ended_link": {}},
            )
        )
    figures["years"] = Figure(
        "years",
        str(_("Nouveaux, actifs et terminés par année")),
        year_rows,
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
    by_year = counts.funding_years
    by_funder = {name or str(_("Financeur non précisé")): money for name, money in counts.funders.items()}
    cells: tuple[str, ...] = ("water",) if there is None else ("water", "shared")
    money_columns = [str(_("Montant (€)")), str(_("dont 1 % eau (€)"))]
    if there is not None:
        money_columns.append(str(_("dont partagés avec d'autres pays (€)")))

    def money(amounts: Money) -> dict:
        extra = {"water": float(amounts.water)}
        if there is not None:
            extra["shared"] = float(amounts.shared)
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
            Row(str(year), str(year), float(amounts.amount), {"finance_en": [str(year)]}, money(amounts))
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
            Row(name, name, float(amounts.amount), {"financeur": [name]}, money(amounts))
            for name, amounts in by_funder.items()  # the largest first (insights.tallies)
        ],
        [str(_("Financeur")), *money_columns],
        note=whole,
        cells=cells,
    )
    total = sum((v.amount for v in by_year.values()), Decimal(0))
    water = sum((v.water for v in by_year.values()), Decimal(0))
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
                float(sum((v.shared for v in by_year.values()), Decimal(0))),
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


def _theme_rows(counted: dict[str, int], *, level: int) -> list[Row]:
    themes = {t.code: t for t in Theme.objects.filter(level=level)}
    ordered = sorted(
        (code for code in counted if code in themes),
        key=lambda code: (-counted[code], themes[code].position, code),
    )
    return [Row(code, themes[code].display_name, counted[code], {"theme": [code]}) for code in ordered]


def _category_rows(categories: list[StudyCategory], counted: list[int]) -> list[Row]:
    rows = []
    for category, count in zip(categories, counted, strict=True):
        codes = sorted(t.code for t in category.themes.all())
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
