"""Values as people type them in spreadsheets and record sheets."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopatlas.ingest import parsing
from coopatlas.ingest.errors import Problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1990", (1990, None, False)),
        ("vers 1990", (1990, None, True)),
        ("Vers 1990", (1990, None, True)),
        ("1990-1995", (1990, 1995, False)),
        ("1990 – 1995", (1990, 1995, False)),
        ("31/12/2021", (2021, None, False)),
        (1987, (1987, None, False)),
        (1987.0, (1987, None, False)),
        ("", (None, None, False)),
        ("NA", (None, None, False)),
    ],
)
def test_year_spans_people_write(raw, expected):
    assert parsing.year_span(raw, "annee_debut") == expected


@pytest.mark.parametrize("raw", ["abc", "1995-1990", "1850", "3000", "19900", "32/01/2000"])
def test_unreadable_years_name_field_and_value(raw):
    with pytest.raises(Problem) as caught:
        parsing.year_span(raw, "annee_debut")
    assert caught.value.field == "annee_debut"
    assert caught.value.value == raw
    assert caught.value.fr and caught.value.en


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 255,50 €", Decimal("1255.50")),
        ("1\u00a0255,50 €", Decimal("1255.50")),
        ("1255.50", Decimal("1255.50")),
        ("1,255.50", Decimal("1255.50")),
        ("1.255,50", Decimal("1255.50")),
        ("500928", Decimal("500928.00")),
        ("42 EUR", Decimal("42.00")),
        (660, Decimal("660.00")),
        ("", None),
    ],
)
def test_amounts_people_write(raw, expected):
    assert parsing.amount(raw, "montant") == expected


@pytest.mark.parametrize("raw", ["-5", "beaucoup", "1e400", "NaN"])
def test_bad_amounts_are_refused(raw):
    with pytest.raises(Problem) as caught:
        parsing.amount(raw, "montant")
    assert caught.value.field == "montant"


@given(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2))
def test_any_amount_written_the_french_way_reads_back(value):
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €"
    assert parsing.amount(text, "montant") == value


@pytest.mark.parametrize(
    ("raw", "iso2"),
    [
        ("Allemagne", "DE"),
        ("Etats-Unis d'Amérique", "US"),
        ("Bélarus", "BY"),
        ("Biélorussie", "BY"),
        ("England, United Kingdom", "GB"),
        ("Scotland", "GB"),
        ("Republic of Ireland", "IE"),
        ("Ohio, United States", "US"),
        ("Georgia (country)", "GE"),
        ("Deutschland", "DE"),
        ("Madagaskar", "MG"),
        ("Vatican", "VA"),
        ("Democratic Republic of the Congo", "CD"),
        ("ES", "ES"),
    ],
)
def test_countries_from_every_spelling(raw, iso2):
    assert parsing.country(raw) == iso2


@pytest.mark.parametrize(
    ("raw", "territory"),
    [
        ("Réunion, France", "La Réunion"),
        ("Réunion", "La Réunion"),
        ("La Réunion", "La Réunion"),
        ("RE", "La Réunion"),
        ("Martinique", "Martinique"),
        ("Guadeloupe, France", "Guadeloupe"),
        ("Guyane", "Guyane"),
        ("French Guiana", "Guyane"),
        ("Mayotte", "Mayotte"),
        ("Polynésie française", "Polynésie française"),
        ("French Polynesia", "Polynésie française"),
        ("New Caledonia", "Nouvelle-Calédonie"),
        ("Saint-Pierre-et-Miquelon", "Saint-Pierre-et-Miquelon"),
        ("Wallis-et-Futuna", "Wallis et Futuna"),
        ("Saint-Barthélemy", "Saint-Barthélemy"),
        ("MF", "Saint-Martin"),
        ("France", ""),
    ],
)
def test_france_overseas_is_france_with_its_territory(raw, territory):
    """Every overseas département, région or collectivity is France; its territory is kept."""
    assert parsing.country(raw) == "FR"
    assert parsing.place(raw) == ("FR", territory)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("Saint-Denis", "Réunion, France", ("commune", "FR", "La Réunion", "french_authority")),
        ("Papeete", "Polynésie française", ("commune", "FR", "Polynésie française", "french_authority")),
        ("Schœlcher", "Martinique", ("commune", "FR", "Martinique", "french_authority")),
        ("Vendres", "France", ("commune", "FR", None, "french_authority")),
        ("Cologne", "Allemagne", ("foreign_authority", "DE", None, "foreign_authority")),
    ],
)
def test_a_local_authority_in_france_overseas_is_a_french_commune(name, raw, expected):
    """A partner town overseas is a French commune in the French authority's role, never foreign."""
    organisation, role = parsing.local_authority(name, raw)
    assert (organisation["kind"], organisation["country"], organisation.get("admin_area"), role) == expected


def test_an_organisation_coded_in_france_overseas_is_moved_to_france():
    """A record in codes (an older JSON export) placing a town in RE becomes a French commune."""
    given = {
        "name": "Cilaos",
        "kind": "foreign_authority",
        "country": "RE",
        "foreign_level": "municipality",
        "place_status": "resolved",
    }
    moved, role = parsing.overseas_as_france(given, "foreign_authority")
    assert moved == {"name": "Cilaos", "kind": "commune", "country": "FR", "admin_area": "La Réunion"}
    assert role == "french_authority"
    german = {"name": "Köln", "kind": "foreign_authority", "country": "DE"}
    assert parsing.overseas_as_france(german, "foreign_authority") == (german, "foreign_authority")


def test_an_unknown_country_is_named():
    with pytest.raises(Problem) as caught:
        parsing.country("Atlantide", "pays_partenaire")
    assert (caught.value.field, caught.value.value) == ("pays_partenaire", "Atlantide")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Jumelage", "twinning"),
        ("twinning", "twinning"),
        ("Convention de coopération", "cooperation_agreement"),
        ("Projet de coopération décentralisée", "project"),
        ("Pacte d'amitié", "friendship_pact"),
        ("Protocole d'entente", "protocol"),
    ],
)
def test_forms_from_labels(raw, code):
    assert parsing.form(raw) == code


def test_dates():
    assert parsing.date("31/12/2021", "date_fin") == datetime.date(2021, 12, 31)
    assert parsing.date("2021-12-31", "date_fin") == datetime.date(2021, 12, 31)
    with pytest.raises(Problem):
        parsing.date("31/02/2021", "date_fin")
