"""The facets of the atlas search: one class per kind, registered once in `FACETS`.

A facet says, in one place, which values a partnership counts under (`keys`, written into the
index's `FacetKey` table by `search.index`), which values a URL may ask for, what each value is
called and in which order values are listed. Filtering and counting are the same for every facet:
one indexed sub-query on `FacetKey`. The search page, the API, the exports and the dashboards'
list links all read facets from here.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipForm, PartnershipStatus
from coopatlas.atlas.models import FRANCE, Partnership, SustainableDevelopmentGoal, Theme
from coopatlas.atlas.rules import is_domestic
from coopatlas.core.i18n import sort_key
from coopatlas.places.models import Country, Departement, Region, WorldRegion
from coopatlas.places.overseas import FRENCH_OVERSEAS


@dataclass(frozen=True)
class CountryRef:
    iso2: str
    name_fr: str
    name_en: str
    world_region: str


@dataclass
class Participant:
    name: str
    acronym: str
    admin_area: str
    alternate_names: list[str]
    country: CountryRef
    kind: str
    region_code: str
    departement_code: str


@dataclass
class Indexed:
    """What the index knows of one partnership: plain values read in bulk (`search.index.Reader`)."""

    pk: int
    texts: list[str]
    form: str
    form_label: str
    status: str
    programme: str
    participants: list[Participant]
    extra_countries: list[CountryRef]
    theme_paths: list[tuple[tuple[str, str], ...]]  # each theme's (code, name) from level 1 down
    sdgs: list[int]
    funded: bool


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    level: int = 1


@dataclass
class FacetCounts:
    """A facet as shown: its values with their counts, the chosen ones first-class."""

    name: str
    label: str
    values: list[FacetValue]


class Facet:
    """One kind of facet. Subclasses say how a partnership's keys are read and values named."""

    name: str = ""
    label = _("Facette")

    def keys(self, partnership: Indexed) -> set[str]:
        """The values `partnership` counts under."""
        raise NotImplementedError

    def normalise(self, raw: str) -> str:
        return raw.strip()

    def valid_values(self) -> set[str]:
        raise NotImplementedError

    def labels(self, values: set[str]) -> dict[str, tuple[str, int]]:
        """Return {value: (label, level)} for the given values."""
        raise NotImplementedError

    def order(
        self, values: set[str], counts: dict[str, int], labels: dict[str, tuple[str, int]]
    ) -> list[str]:
        """Most counted first, then by name in the reader's collation."""
        return sorted(values, key=lambda v: (-counts.get(v, 0), sort_key(labels.get(v, (v,))[0])))

    def q(self, values: list[str]) -> Q:
        """The partnerships counting under any of `values` (OR within a facet), as a sub-query."""
        from coopatlas.search.models import FacetKey, FacetValueKey

        # The values' numbers first (a few rows of an indexed table): the planner then sees the
        # numbers themselves and their frequencies (PostgreSQL guessed 3,000 rows for 58,000
        # behind a join, and probed each of them), never more ids than the values asked for.
        known = FacetValueKey.objects.filter(facet=self.name, value__in=values)
        numbers = list(known.values_list("pk", flat=True))
        if not numbers:  # no partnership was ever indexed under them: a sub-query that finds none
            # (an empty list would make the whole SQL unwritable)
            return Q(pk__in=FacetKey.objects.filter(key__in=known).values("partnership_id"))
        return Q(pk__in=FacetKey.objects.filter(key_id__in=numbers).values("partnership_id"))

    def shown(self, counts: dict[str, int], chosen: list[str]) -> FacetCounts:
        """Return the facet with its values: those counted, and the chosen ones even at zero."""
        values = set(counts) | set(chosen)
        labels = self.labels(values)
        return FacetCounts(
            name=self.name,
            label=str(self.label),
            values=[
                FacetValue(
                    value=value,
                    label=labels.get(value, (value, 1))[0],
                    count=counts.get(value, 0),
                    selected=value in chosen,
                    level=labels.get(value, (value, 1))[1],
                )
                for value in self.order(values, counts, labels)
            ],
        )


def _foreign_countries(partnership: Indexed) -> set[CountryRef]:
    """A partner country is a non-French participant's, or one named explicitly."""
    countries = {p.country for p in partnership.participants if p.country.iso2 != FRANCE}
    return countries | set(partnership.extra_countries)


class CountryFacet(Facet):
    name = "pays"
    label = _("Pays")

    def keys(self, partnership):
        return {country.iso2 for country in _foreign_countries(partnership)}

    def normalise(self, raw):
        return raw.strip().upper()

    def valid_values(self):
        # France overseas is France, never a partner country (places.overseas).
        return set(
            Country.objects.exclude(iso2__in=[FRANCE, *FRENCH_OVERSEAS]).values_list("iso2", flat=True)
        )

    def labels(self, values):
        return {c.iso2: (c.display_name, 1) for c in Country.objects.filter(iso2__in=values)}


INTERNATIONAL, DOMESTIC = "internationale", "nationale"
# The value of a partnership whose source says nothing for a facet (no theme, no form): counted
# and shown as « Non renseigné », never silently dropped.
UNSAID = "non-renseigne"
UNSAID_LABEL = _("Non renseigné")


class ReachFacet(Facet):
    """International partnerships, or domestic ones: between French local authorities only
    (atlas.rules.is_domestic). The international figures (home page, dashboards, country pages,
    map) and the search page keep the international ones unless asked (`with_default_reach`)."""

    name = "portee"
    label = _("Portée")

    def keys(self, partnership):
        participants = [(p.kind, p.country.iso2) for p in partnership.participants]
        countries = [c.iso2 for c in partnership.extra_countries]
        return {DOMESTIC if is_domestic(participants, countries) else INTERNATIONAL}

    def valid_values(self):
        return {INTERNATIONAL, DOMESTIC}

    def labels(self, values):
        return {
            INTERNATIONAL: (str(_("Internationaux")), 1),
            DOMESTIC: (str(_("Entre collectivités françaises")), 1),
        }

    def order(self, values, counts, labels):
        return sorted(values, key=lambda v: v != INTERNATIONAL)

    def q(self, values):
        # "Not domestic" rather than "filed international": a partnership indexed before this
        # facet existed counts as it always did.
        chosen = set(values)
        if chosen >= {INTERNATIONAL, DOMESTIC}:
            return Q()
        domestic = super().q([DOMESTIC])
        return domestic if chosen == {DOMESTIC} else ~domestic


def international_only() -> Q:
    """The partnerships the international figures count: every one but the domestic ones."""
    return FACETS["portee"].q([INTERNATIONAL])


def domestic_partnerships():
    """The ids of the domestic partnerships, as a sub-query (a few rows of the facet index), as
    this thread's own edits left them."""
    from coopatlas.search.signals import apply_pending

    apply_pending()
    return Partnership.objects.filter(FACETS["portee"].q([DOMESTIC])).values("pk")


def with_default_reach(params: QueryDict) -> QueryDict:
    """Return URL parameters that keep the international partnerships unless `portee` asks for
    the domestic ones too (`portee=internationale&portee=nationale`) or alone."""
    if any(value.strip() for value in params.getlist("portee")):
        return params
    chosen = params.copy()
    chosen.setlist("portee", [INTERNATIONAL])
    return chosen


class ZoneFacet(Facet):
    name = "zone"
    label = _("Région du monde")

    def keys(self, partnership):
        return {country.world_region for country in _foreign_countries(partnership) if country.world_region}

    def valid_values(self):
        return set(WorldRegion.values)

    def labels(self, values):
        return {v: (str(WorldRegion(v).label), 1) for v in values if v in WorldRegion.values}


class FrenchAreaFacet(Facet):
    """A French région or département of any participant."""

    model: type[Region] | type[Departement] = Region
    field = ""

    def keys(self, partnership):
        codes = {getattr(p, self.field) for p in partnership.participants}
        return {code for code in codes if code}

    def valid_values(self):
        return set(self.model.objects.values_list("code", flat=True))


class RegionFacet(FrenchAreaFacet):
    name = "region"
    label = _("Région française")
    model = Region
    field = "region_code"

    def labels(self, values):
        return {r.code: (r.name, 1) for r in Region.objects.filter(code__in=values)}


class DepartementFacet(FrenchAreaFacet):
    name = "departement"
    label = _("Département")
    model = Departement
    field = "departement_code"

    def labels(self, values):
        return {d.code: (f"{d.name} ({d.code})", 1) for d in Departement.objects.filter(code__in=values)}


class ThemeFacet(Facet):
    """A theme at any level: a partnership counts under its themes and their ancestors."""

    name = "theme"
    label = _("Thème")

    def keys(self, partnership):
        return {code for path in partnership.theme_paths for code, _name in path} or {UNSAID}

    def valid_values(self):
        return set(Theme.objects.values_list("code", flat=True)) | {UNSAID}

    def labels(self, values):
        labels = {t.code: (t.display_name, t.level) for t in Theme.objects.filter(code__in=values)}
        if UNSAID in values:
            labels[UNSAID] = (str(UNSAID_LABEL), 1)
        return labels

    def order(self, values, counts, labels):
        themes = {t.code: t for t in Theme.objects.filter(code__in=values).select_related("parent__parent")}

        # Keep the tree: each theme after its parent; « Non renseigné » last.
        def path(code: str) -> tuple:
            theme = themes.get(code)
            return ((0, code),) if theme is None else tuple((t.position, t.code) for t in theme.path)

        return sorted(values, key=lambda code: (code == UNSAID, path(code)))


class ChoiceFacet(Facet):
    """A facet over a field's choices (the partnership's own, or its participants')."""

    choices: type[PartnershipForm] | type[PartnershipStatus] | type[OrganisationKind] = PartnershipForm

    def valid_values(self):
        return set(self.choices.values)

    def labels(self, values):
        return {v: (str(self.choices(v).label), 1) for v in values if v in self.choices.values}


class FormFacet(ChoiceFacet):
    name = "forme"
    label = _("Forme")
    choices = PartnershipForm

    def keys(self, partnership):
        return {partnership.form} if partnership.form else {UNSAID}

    def valid_values(self):
        return super().valid_values() | {UNSAID}

    def labels(self, values):
        labels = super().labels(values)
        if UNSAID in values:
            labels[UNSAID] = (str(UNSAID_LABEL), 1)
        return labels


class StatusFacet(ChoiceFacet):
    name = "etat"
    label = _("État")
    choices = PartnershipStatus

    def keys(self, partnership):
        return {partnership.status} if partnership.status else set()


class ActorFacet(ChoiceFacet):
    name = "acteur"
    label = _("Type d'acteur")
    choices = OrganisationKind

    def keys(self, partnership):
        return {p.kind for p in partnership.participants if p.kind}


class SdgFacet(Facet):
    name = "odd"
    label = _("ODD")

    def keys(self, partnership):
        return {str(number) for number in partnership.sdgs}

    def valid_values(self):
        return {str(n) for n in range(1, 18)}

    def labels(self, values):
        return {
            str(s.number): (f"{_('ODD')} {s.number} · {s.display_name}", 1)
            for s in SustainableDevelopmentGoal.objects.filter(number__in=[int(v) for v in values])
        }

    def order(self, values, counts, labels):
        return sorted(values, key=int)


class FundingFacet(Facet):
    """Whether any funding line is declared: every partnership is `oui` or `non`."""

    name = "financement"
    label = _("Financement")

    def keys(self, partnership):
        return {"oui" if partnership.funded else "non"}

    def valid_values(self):
        return {"oui", "non"}

    def labels(self, values):
        return {
            "oui": (str(_("Avec financement déclaré")), 1),
            "non": (str(_("Sans financement déclaré")), 1),
        }


FACETS: dict[str, Facet] = {
    facet.name: facet
    for facet in (
        ReachFacet(),
        CountryFacet(),
        ZoneFacet(),
        RegionFacet(),
        DepartementFacet(),
        ThemeFacet(),
        FormFacet(),
        StatusFacet(),
        ActorFacet(),
        SdgFacet(),
        FundingFacet(),
    )
}
