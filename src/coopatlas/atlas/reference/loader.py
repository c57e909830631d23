"""Load the reference data every atlas needs: countries, themes, SDGs. Idempotent."""

from dataclasses import dataclass

from django.db import transaction

from coopatlas.atlas.models import SustainableDevelopmentGoal, Theme
from coopatlas.atlas.reference.themes import SDGS, THEMES, ThemeNode
from coopatlas.places.countries import load_countries
from coopatlas.places.models import Country


@dataclass
class ReferenceCounts:
    countries: int
    themes: int
    sdgs: int


def _load_theme(node: ThemeNode, parent: Theme | None, level: int, position: int) -> None:
    code, name_fr, name_en, tag, children = node
    theme, _ = Theme.objects.update_or_create(
        code=code,
        defaults={
            "name_fr": name_fr,
            "name_en": name_en,
            "tag": tag,
            "parent": parent,
            "level": level,
            "position": position,
        },
    )
    for child_position, child in enumerate(children):
        _load_theme(child, theme, level + 1, child_position)


@transaction.atomic
def load_reference() -> ReferenceCounts:
    """Create or update countries, the theme taxonomy and the SDGs; return the counts."""
    load_countries(Country)
    for position, node in enumerate(THEMES):
        _load_theme(node, None, 1, position)
    for number, name_fr, name_en in SDGS:
        SustainableDevelopmentGoal.objects.update_or_create(
            number=number, defaults={"name_fr": name_fr, "name_en": name_en}
        )
    return ReferenceCounts(
        countries=Country.objects.count(),
        themes=Theme.objects.count(),
        sdgs=SustainableDevelopmentGoal.objects.count(),
    )
