"""Names in the page's language and sorted as a French dictionary sorts them."""

import pytest
from django.utils import translation

from coopatlas.atlas.models import SustainableDevelopmentGoal, Theme
from coopatlas.core.i18n import sort_key
from coopatlas.places.models import Country


def test_sort_key_orders_names_as_a_french_dictionary():
    """Accents and capitals do not send a name to the end: Bénin before Brésil, États-Unis with
    the E's, Île-de-France with the I's."""
    # given
    names = ["Zambie", "Île-de-France", "Brésil", "États-Unis", "Italie", "Bénin", "Espagne", "Irlande"]
    # when
    ordered = sorted(names, key=sort_key)
    # then
    assert ordered == [
        "Bénin",
        "Brésil",
        "Espagne",
        "États-Unis",
        "Île-de-France",
        "Irlande",
        "Italie",
        "Zambie",
    ]


@pytest.mark.django_db
def test_display_name_follows_the_active_language():
    """A country, a theme and an SDG show their French name in French, their English one in English."""
    # given
    germany = Country.objects.get(iso2="DE")
    education = Theme.objects.get(code="education-social-recherche")
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    # when / then
    with translation.override("fr"):
        assert [germany.display_name, education.display_name, goal.display_name] == [
            "Allemagne",
            "Éducation, social et recherche",
            "Éducation de qualité",
        ]
    with translation.override("en"):
        assert [germany.display_name, education.display_name, goal.display_name] == [
            "Germany",
            "Education, social affairs and research",
            "Quality education",
        ]
