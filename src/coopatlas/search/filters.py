"""Filters beside the facets: a French territory, one organisation, a period, a year, a funder.

They narrow a search the way a dashboard's scope does, so that every figure of a dashboard can
link to the very list it counts (see `coopatlas.insights`).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipStatus
from coopatlas.atlas.models import FRANCE, Organisation, Participation, Partnership
from coopatlas.core.years import MIN_YEAR, max_year
from coopatlas.places.models import Commune

# Kinds whose territory is a grouping of communes (its members count as part of it).
GROUPING_KINDS = (OrganisationKind.EPCI, OrganisationKind.METROPOLE)


def territory_members(authority: Organisation) -> list[int]:
    """Return the ids of the organisations that make up an authority's territory.

    An EPCI or a métropole brings its member communes; every authority brings the bodies
    attached to it (`parent`) and the actors seated on its territory (a university, an NGO, a
    company whose seat is one of its communes, in its département or its région). The authority
    itself comes first.
    """
    ids = [authority.pk]
    seated = Organisation.objects.none()
    if authority.kind in GROUPING_KINDS and authority.siren:
        codes = Commune.objects.filter(epci_id=authority.siren).values("insee_code")
        ids += list(
            Organisation.objects.filter(kind=OrganisationKind.COMMUNE, insee_code__in=codes)
            .exclude(pk=authority.pk)
            .values_list("pk", flat=True)
        )
        seated = Organisation.objects.filter(seat_code__in=codes)
    elif authority.insee_code and authority.kind == OrganisationKind.COMMUNE:
        seated = Organisation.objects.filter(seat_code=authority.insee_code)
    elif authority.insee_code and authority.kind == OrganisationKind.DEPARTEMENT:
        seated = Organisation.objects.exclude(seat_code="").filter(departement_code=authority.insee_code)
    elif authority.insee_code and authority.kind == OrganisationKind.REGION:
        seated = Organisation.objects.exclude(seat_code="").filter(region_code=authority.insee_code)
    known = set(ids)
    ids += [pk for pk in seated.values_list("pk", flat=True) if pk not in known]
    children = Organisation.objects.filter(parent_id__in=ids).exclude(pk__in=ids).values_list("pk", flat=True)
    return ids + list(children)


def first_year_at_most(year: int) -> Q:
    return Q(start_year__lte=year) | Q(start_year__isnull=True, signature_year__lte=year)


def first_year_at_least(year: int) -> Q:
    return Q(start_year__gte=year) | Q(start_year__isnull=True, signature_year__gte=year)


def active_between(first: int, last: int) -> Q:
    """Partnerships active at some time in [first, last].

    Active means begun (its start year, else its signature year) and not over: a partnership
    ends in the year of its end date; one marked ended without an end date counts as active in
    its first year only; planned ones are not active yet.
    """
    not_over = (
        Q(end_date__isnull=False, end_date__year__gte=first)
        | (Q(end_date__isnull=True) & ~Q(status=PartnershipStatus.ENDED))
        | (Q(end_date__isnull=True, status=PartnershipStatus.ENDED) & first_year_at_least(first))
    )
    return first_year_at_most(last) & not_over & ~Q(status=PartnershipStatus.PLANNED)


@dataclass
class ScopeFilters:
    """The non-facet filters of a search, read from the URL (`territoire`, `du`, `au`, …)."""

    territory: Organisation | None = None
    organisation: Organisation | None = None
    period_from: int | None = None
    period_to: int | None = None
    active_year: int | None = None
    end_year: int | None = None
    funding_year: int | None = None
    funder: str = ""
    french_side: bool = False  # only partnerships with a French participant (`france=1`)
    undated: bool = False  # only partnerships with no start nor signature year (`sans_annee=1`)

    @classmethod
    def read(cls, params, errors: list[str], *, organisations=None) -> "ScopeFilters":
        """Read the filters; a bad value is dropped with a message appended to `errors`.
        `organisations` are those that may be named (default: the public ones)."""
        filters = cls()
        known = organisations if organisations is not None else Organisation.objects.public()
        filters.territory = _organisation(
            params.get("territoire"), _("Le territoire"), errors, known, french=True
        )
        filters.organisation = _organisation(params.get("organisation"), _("L'organisation"), errors, known)
        filters.period_from = read_year(params.get("du"), _("Le début de la période"), errors)
        filters.period_to = read_year(params.get("au"), _("La fin de la période"), errors)
        if filters.period_from and filters.period_to and filters.period_from > filters.period_to:
            errors.append(
                _("La période commence (%(min)s) après sa fin (%(max)s) : les bornes ont été inversées.")
                % {"min": filters.period_from, "max": filters.period_to}
            )
            filters.period_from, filters.period_to = filters.period_to, filters.period_from
        filters.active_year = read_year(params.get("actif"), _("L'année d'activité"), errors)
        filters.end_year = read_year(params.get("fin"), _("L'année de fin"), errors)
        filters.funding_year = read_year(params.get("finance_en"), _("L'année de financement"), errors)
        filters.funder = (params.get("financeur") or "").strip()[:300]
        filters.french_side = (params.get("france") or "") == "1"
        filters.undated = (params.get("sans_annee") or "") == "1"
        return filters

    def q(self) -> Q:
        """Return the condition every partnership must meet (one sub-query per filter)."""
        condition = Q()
        if self.territory is not None:
            members = Participation.objects.filter(organisation_id__in=territory_members(self.territory))
            condition &= Q(pk__in=members.values("partnership_id"))
        if self.organisation is not None:
            involved = Participation.objects.filter(organisation=self.organisation)
            condition &= Q(pk__in=involved.values("partnership_id"))
        if self.period_from or self.period_to:
            condition &= active_between(self.period_from or MIN_YEAR, self.period_to or max_year())
        if self.active_year:
            condition &= active_between(self.active_year, self.active_year)
        if self.end_year:
            condition &= Q(end_date__year=self.end_year)
        if self.undated:
            condition &= Q(start_year__isnull=True, signature_year__isnull=True)
        if self.french_side:
            french = Participation.objects.filter(organisation__country_id=FRANCE)
            condition &= Q(pk__in=french.values("partnership_id"))
        if self.funding_year or self.funder:
            lines = Q()
            if self.funding_year:
                lines &= Q(funding_lines__year=self.funding_year)
            if self.funder:
                lines &= Q(funding_lines__funder__name=self.funder) | Q(
                    funding_lines__funder__isnull=True, funding_lines__funder_label=self.funder
                )
            condition &= Q(pk__in=Partnership.objects.filter(lines).values("pk"))
        return condition

    def as_params(self) -> dict[str, list[str]]:
        """Return the URL parameters that reproduce these filters."""
        params: dict[str, list[str]] = {}
        for key, value in [
            ("territoire", self.territory.pk if self.territory else None),
            ("organisation", self.organisation.pk if self.organisation else None),
            ("du", self.period_from),
            ("au", self.period_to),
            ("actif", self.active_year),
            ("fin", self.end_year),
            ("finance_en", self.funding_year),
            ("financeur", self.funder or None),
            ("france", "1" if self.french_side else None),
            ("sans_annee", "1" if self.undated else None),
        ]:
            if value:
                params[key] = [str(value)]
        return params

    def descriptions(self) -> list[tuple[str, str]]:
        """Return (parameter, words) for each filter in use, to show and remove it on a page."""
        words = []
        if self.territory is not None:
            words.append(("territoire", _("Territoire : %(name)s") % {"name": self.territory.name}))
        if self.organisation is not None:
            words.append(("organisation", _("Avec : %(name)s") % {"name": self.organisation.name}))
        if self.period_from or self.period_to:
            words.append(
                (
                    "du",
                    _("Actifs entre %(min)s et %(max)s")
                    % {"min": self.period_from or MIN_YEAR, "max": self.period_to or max_year()},
                )
            )
        if self.active_year:
            words.append(("actif", _("Actifs en %(year)s") % {"year": self.active_year}))
        if self.end_year:
            words.append(("fin", _("Terminés en %(year)s") % {"year": self.end_year}))
        if self.funding_year:
            words.append(("finance_en", _("Financés en %(year)s") % {"year": self.funding_year}))
        if self.french_side:
            words.append(("france", str(_("Avec un participant français"))))
        if self.undated:
            words.append(("sans_annee", str(_("Année non renseignée"))))
        if self.funder:
            words.append(("financeur", _("Financeur : %(name)s") % {"name": self.funder}))
        return words


def read_year(raw, label, errors: list[str]) -> int | None:
    """Return a year read from a URL parameter, or None with a message appended to `errors`."""
    if raw is None or not str(raw).strip():
        return None
    try:
        year = int(str(raw).strip())
    except ValueError:
        errors.append(
            _("%(label)s doit être un nombre : « %(value)s » (ignorée).") % {"label": label, "value": raw}
        )
        return None
    if not MIN_YEAR <= year <= max_year():
        errors.append(
            _("%(label)s %(year)s est hors de la période %(min)s–%(max)s (ignorée).")
            % {"label": label, "year": year, "min": MIN_YEAR, "max": max_year()}
        )
        return None
    return year


def _organisation(raw, label, errors: list[str], known, *, french: bool = False) -> Organisation | None:
    if raw is None or not str(raw).strip():
        return None
    value = str(raw).strip()
    # An organisation the reader may not see is "unknown", like a wrong number: its name is not told.
    organisation = known.filter(pk=int(value)).first() if value.isdecimal() else None
    if organisation is None:
        errors.append(
            _("%(label)s : valeur inconnue « %(value)s » (ignorée).") % {"label": label, "value": raw}
        )
        return None
    if french and organisation.country_id != "FR":
        errors.append(
            _("%(label)s doit être français : « %(value)s » est en %(country)s (ignoré).")
            % {"label": label, "value": organisation.name, "country": organisation.country_id}
        )
        return None
    return organisation
