"""What two organisations have in common: the facts of the "in common" panel and API.

Partners, partner countries and themes come from the same profiles and the same `shared` as the
suggestions (insights.suggestions), so that a suggestion never names a fact the panel denies;
networks, European projects and the partnerships they already share complete them.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from coopatlas.atlas.models import EuropeanProject, Organisation, Partnership, Theme
from coopatlas.core.i18n import sort_key
from coopatlas.insights.suggestions import Profile, profiles_of, shared
from coopatlas.places.models import Country


@dataclass
class InCommon:
    partners: list[Organisation]
    countries: list[Country]
    themes: list[Theme]
    networks: list[Organisation]
    european_projects: list[EuropeanProject]
    partnerships: list[Partnership]  # published partnerships both take part in


def in_common(
    first: Organisation, second: Organisation, *, visible: QuerySet[Organisation] | None = None
) -> InCommon:
    """Return what two organisations share over the published atlas; networks and partners only
    among `visible` organisations (default: the public ones)."""
    visible = visible if visible is not None else Organisation.objects.public()
    all_profiles, _info = profiles_of([first.pk, second.pk])
    facts = shared(all_profiles.get(first.pk, Profile()), all_profiles.get(second.pk, Profile()))
    networks = visible.filter(memberships__member=first).filter(memberships__member=second)
    projects = EuropeanProject.objects.filter(participants=first).filter(participants=second)
    together = (
        Partnership.objects.published()
        .filter(participations__organisation=first)
        .filter(participations__organisation=second)
    )
    return InCommon(
        partners=sorted(
            visible.filter(pk__in=facts.partners - {first.pk, second.pk}).select_related("country"),
            key=lambda o: sort_key(o.name),
        ),
        countries=sorted(
            Country.objects.filter(iso2__in=facts.countries), key=lambda c: sort_key(c.display_name)
        ),
        themes=list(Theme.objects.filter(level=1, code__in=facts.themes).order_by("position")),
        networks=sorted(networks.distinct(), key=lambda o: sort_key(o.name)),
        european_projects=sorted(projects.distinct(), key=lambda p: sort_key(p.name)),
        partnerships=list(together.distinct().order_by("-start_year", "title")),
    )
