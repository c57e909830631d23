"""An actor's seat from the way people write it (places/seats.py): a commune's name, a postcode,
an address ending with them, Cedex codes, arrondissements, communes nouvelles, abbreviations."""

import pytest

from coopatlas.places.seats import SeatIndex

pytestmark = pytest.mark.django_db


@pytest.fixture
def seats():
    return SeatIndex()


@pytest.mark.parametrize(
    ("given", "insee"),
    [
        ({"commune": "Villeurbanne"}, "69266"),
        ({"postcode": "69100"}, "69266"),
        ({"commune": "Lyon 7e"}, "69123"),  # an arrondissement is its city
        ({"postcode": "69007"}, "69123"),
        ({"commune": "St-Étienne", "postcode": "42000"}, "42218"),  # "St-" is Saint
        ({"address": "43 boulevard du 11 Novembre 1918, 69622 Villeurbanne Cedex"}, "69266"),
        ({"address": "CS 70001, 69361 LYON CEDEX 07"}, "69123"),  # a CS number is not a postcode
        ({"address": "2 rue de Paris, 97400 Saint-Denis"}, "97411"),  # not Saint-Denis (93)
        ({"address": "1 place Marcel Paul, 93200 Saint-Denis"}, "93066"),
        ({"commune": "Annecy-le-Vieux", "postcode": "74940"}, "74010"),  # joined Annecy in 2017
        ({"insee_code": "69387"}, "69123"),  # an arrondissement's code
        ({"address": "20 place de la Comédie, 34 000 Montpellier"}, "34172"),  # a spaced postcode
        ({"address": "1 rue Jean Jaurès F-38000 GRENOBLE FRANCE"}, "38185"),
        ({"address": "Hôtel de ville (38000) Grenoble"}, "38185"),
        ({"address": "BRON (69500) 1 avenue Franklin Roosevelt"}, "69029"),  # the commune first
        ({"address": "BP 12 - 5 rue des Écoles - 63000 Clermont-Ferrand Cédex 1"}, "63113"),
        ({"address": "Place de la Mairie, NANCY cedex"}, "54395"),  # no postcode, one Nancy
        ({"commune": "Nice", "postcode": "6000"}, "06088"),  # a number cell lost its leading zero
        ({"address": "1 rue de Paris, 95500 Bonneuil-en-France"}, "95088"),  # France in the name
    ],
)
def test_a_seat_is_found_however_it_is_written(seats, given, insee):
    # when
    seat = seats.find(**given)
    # then
    assert seat.commune is not None, seat.reason
    assert seat.commune.insee_code == insee


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"commune": "Saint-Denis"}, "plusieurs communes"),
        ({"postcode": "69280"}, "plusieurs communes"),  # Marcy-l'Étoile and Sainte-Consorce
        ({"postcode": "69999"}, "inconnu"),
        ({"commune": "Villeurbanne", "postcode": "75013"}, "n'a pas le code postal"),
        ({"postcode": "691"}, "invalide"),
        ({}, "ni commune ni code postal"),
    ],
)
def test_a_seat_not_certain_is_not_guessed_and_says_why(seats, given, said):
    # when
    seat = seats.find(**given)
    # then
    assert seat.commune is None
    assert said in seat.reason


def test_a_huge_address_costs_no_more_than_a_real_one(seats):
    """A hostile cell of 200,000 characters is read by its tail: an answer, at once."""
    # when
    seat = seats.find(address="x " * 100_000)
    # then
    assert seat.commune is None and seat.reason
