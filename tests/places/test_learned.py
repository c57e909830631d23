"""The resolver answers a name people placed by hand with their place, first, in its country only."""

import datetime

import pytest
from django.utils import timezone

from coopatlas.places.gazetteer import Place
from coopatlas.places.learned import learned_names
from coopatlas.places.models import LearnedPlace
from coopatlas.places.resolver import LearnedAnswer, LearnedNames

# Saint-Denis (Seine-Saint-Denis) as a person picked it on the page: what the candidate said.
SAINT_DENIS_93 = Place(
    name="Saint-Denis",
    kind="commune",
    country_iso2="FR",
    latitude=48.93,
    longitude=2.36,
    population=113_000,
    insee_code="93066",
    admin1="Île-de-France",
    admin2="Seine-Saint-Denis",
)


def _learned(place: Place = SAINT_DENIS_93, day: datetime.date = datetime.date(2026, 12, 3)) -> LearnedNames:
    return LearnedNames({("saintdenis", "FR"): LearnedAnswer(place, day)})


def test_learned_name_is_answered_with_the_chosen_place(resolver):
    """ "Saint-Denis" in France, ambiguous on its own, is the place a person chose, for sure."""
    # when
    resolution = resolver.resolve("Saint-Denis", country="FR", learned=_learned())
    # then
    assert resolution.match is not None and resolution.match.insee_code == "93066"
    assert (resolution.confidence, resolution.identifies) == (1.0, True)
    assert resolution.reason == "lieu choisi par une personne le 3 décembre 2026 (lieux à vérifier)"
    assert resolution.match.admin_codes, "the index's own entry, with the codes a hint may name"


def test_learned_name_holds_for_every_spelling_of_the_same_key(resolver):
    """Another spelling folding to the same key ("St Denis") gets the same answer."""
    assert resolver.resolve("St Denis", country="FR", learned=_learned()).match.insee_code == "93066"


def test_learned_name_is_kept_to_its_country(resolver):
    """The same name in another country, or with no country, is resolved as before."""
    assert resolver.resolve("Saint-Denis", country="RE", learned=_learned()).match.insee_code == "97411"
    assert resolver.resolve("Saint-Denis", learned=_learned()).is_ambiguous


def test_learned_name_gives_way_to_an_area_it_does_not_lie_in(resolver):
    """A département named beside the name, other than the chosen place's, decides instead."""
    resolution = resolver.resolve("Saint-Denis", country="FR", admin="974", learned=_learned())
    assert resolution.match.insee_code == "97411" and "choisi" not in resolution.reason


def test_learned_place_unknown_to_the_index_is_answered_as_stored(resolver):
    """A place the index no longer holds is answered from what was stored with the choice."""
    gone = Place(
        name="Atlantis", kind="city", country_iso2="GR", latitude=36.4, longitude=25.4, geonames_id=1
    )
    learned = LearnedNames({("atlantide", "GR"): LearnedAnswer(gone, datetime.date(2026, 12, 1))})
    resolution = resolver.resolve("Atlantide", country="GR", learned=learned)
    assert (resolution.match.name, resolution.match.latitude) == ("Atlantis", 36.4)
    assert "le 1er décembre 2026" in resolution.reason


@pytest.mark.django_db
def test_learned_names_reads_the_table_in_one_query(django_assert_num_queries):
    """The snapshot holds every stored choice by (name key, country), read in one query."""
    # given
    for key, iso2 in (("saintdenis", "FR"), ("friedberg", "DE")):
        LearnedPlace.objects.create(
            name_key=key,
            country_id=iso2,
            raw_name=key,
            place_kind="city",
            place_name=key.title(),
            geonames_id=1,
            chosen_at=timezone.make_aware(datetime.datetime(2026, 12, 3, 23, 30)),
        )
    # when
    with django_assert_num_queries(1):
        learned = learned_names()
    # then
    assert len(learned) == 2 and learned.get("friedberg", "FR") is None
    answer = learned.get("friedberg", "DE")
    assert (answer.place.name, answer.place.insee_code, answer.chosen_on) == (
        "Friedberg",
        None,
        datetime.date(2026, 12, 3),
    )
