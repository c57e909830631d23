"""Name keys and administrative phrases."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coopatlas.places.names import name_variants, place_key


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Villeneuve-d'Ascq", "villeneuve d’ascq"),
        ("Ra'anana", "Raanana"),
        ("Bad-Kreuznach", "Bad Kreuznach"),
        ("St. Gallen", "Sankt Gallen"),
        ("Saint-Étienne", "St Etienne"),
        ("Hammersmith & Fulham", "Hammersmith and Fulham"),
        ("Le Havre", "Havre"),
        ("Pančevo", "PANCEVO"),
    ],
)
def test_place_key_folds_spelling_variants(left, right):
    """Spellings of one place share a key."""
    assert place_key(left) == place_key(right)


@pytest.mark.parametrize(("left", "right"), [("Saint-Denis", "Saint-Dizier"), ("Guang'an", "Guang")])
def test_place_key_keeps_different_names_apart(left, right):
    """Different names keep different keys."""
    assert place_key(left) != place_key(right)


@pytest.mark.parametrize(
    ("raw", "name", "kind"),
    [
        ("l'oblast de Dnipropetrovsk", "Dnipropetrovsk", "region"),
        ("la Ville de Lyon", "Lyon", "municipality"),
        ("arrondissement de Neukölln", "Neukölln", "district"),
        ("Dnipropetrovsk Oblast", "Dnipropetrovsk", "region"),
        ("London Borough of Hammersmith and Fulham", "Hammersmith and Fulham", "district"),
    ],
)
def test_name_variants_strip_administrative_words(raw, name, kind):
    """Administrative words are removed and turned into a kind hint."""
    assert any(v.name == name and v.kind_hint == kind for v in name_variants(raw))


def test_name_variants_read_hints_in_parentheses_and_after_commas():
    """ "Saint-Denis (93)" and "Springfield, Ohio" carry an admin hint."""
    assert any(v.name == "Saint-Denis" and v.admin_hint == "93" for v in name_variants("Saint-Denis (93)"))
    assert any(v.name == "Springfield" and v.admin_hint == "Ohio" for v in name_variants("Springfield, Ohio"))


@given(st.text(max_size=80))
@example("Ǽ")  # decomposes to a ligature and a mark: the key must expand the ligature at once
def test_name_variants_never_fail(text):
    """Any text gives variants without an exception, and a key is its own key."""
    for variant in name_variants(text):
        key = place_key(variant.name)
        assert place_key(key) == key
