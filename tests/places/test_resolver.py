"""The resolver turns each kind of name variant into the right real place, or says it cannot."""

import pytest

from coopatlas.places.resolver import UnknownCountry


def _match(resolver, name, **hints):
    resolution = resolver.resolve(name, **hints)
    assert resolution.match is not None, f"{name!r}: {resolution.reason}"
    return resolution.match


@pytest.mark.parametrize(
    ("raw", "country", "expected", "iso2", "geonames_id"),
    [
        ("Pančevo", "RS", "Pančevo", "RS", 787237),
        ("Pancevo", "RS", "Pančevo", "RS", 787237),
        ("Pantchevo", "RS", "Pančevo", "RS", 787237),
        ("Neukölln", "DE", "Neukölln", "DE", 2864695),
        ("arrondissement de Neukölln", None, "Neukölln", "DE", 2864695),
        ("Bad-Kreuznach", "DE", "Bad Kreuznach", "DE", 2953416),
        ("Bad Kreuznach", "DE", "Bad Kreuznach", "DE", 2953416),
        ("Raanana", "IL", "Ra'anana", "IL", 293807),
        ("Ra'anana", "IL", "Ra'anana", "IL", 293807),
        ("Golem", "BY", "Homyel'", "BY", 627907),
        ("Francfort", "DE", "Frankfurt am Main", "DE", 2925533),
        ("Francfort", None, "Frankfurt am Main", "DE", 2925533),
        ("Londres", None, "London", "GB", 2643743),
        ("Varsovie", None, "Warsaw", "PL", 756135),
        ("Séville", "ES", "Sevilla", "ES", 2510911),
        ("Querétaro", "MX", "Santiago de Querétaro", "MX", 3991164),
        ("Guang'an", "CN", "Guang’an", "CN", 1799194),
    ],
)
def test_resolve_foreign_variants_to_the_right_town(resolver, raw, country, expected, iso2, geonames_id):
    """Accents, hyphens, apostrophes, transliterations, typos, exonyms and admin words all resolve."""
    match = _match(resolver, raw, country=country)
    assert (match.name, match.country_iso2, match.geonames_id) == (expected, iso2, geonames_id)
    assert match.latitude is not None and match.longitude is not None


def test_resolve_oblast_phrase_to_the_region(resolver):
    """ "l'oblast de Dnipropetrovsk" is the region (admin-1), not the city once named so."""
    match = _match(resolver, "l'oblast de Dnipropetrovsk", country="UA")
    assert match.kind == "admin1" and match.name == "Dnipropetrovsk"
    assert 47 < match.latitude < 49.5 and 33 < match.longitude < 36.5


def test_resolve_capital_borough(resolver):
    """A London borough written with "&" resolves inside London."""
    match = _match(resolver, "Hammersmith & Fulham", country="GB")
    assert match.country_iso2 == "GB"
    assert 51.4 < match.latitude < 51.55 and -0.3 < match.longitude < -0.15


@pytest.mark.parametrize(
    ("raw", "insee_code"),
    [
        ("Grande-Synthe", "59271"),
        ("Villeneuve-d'Ascq", "59009"),
        ("Villeneuve d'Ascq", "59009"),
        ("la Ville de Lyon", "69123"),
        ("St Etienne", "42218"),
        ("Saint-Étienne", "42218"),
        # the heart of a "commune nouvelle", still called by its former name
        ("Oullins", "69149"),
        ("Château-Gontier", "53062"),
    ],
)
def test_resolve_french_communes_to_their_insee_code(resolver, raw, insee_code):
    """French communes resolve to their INSEE code, whatever the spelling."""
    match = _match(resolver, raw, country="FR")
    assert match.kind == "commune" and match.insee_code == insee_code


def test_resolve_french_authorities_above_the_commune(resolver):
    """EPCI, départements and régions are found under their own names."""
    assert _match(resolver, "Métropole de Lyon").kind == "epci"
    region = _match(resolver, "Région Hauts-de-France")
    assert (region.kind, region.insee_code) == ("region", "32")
    assert _match(resolver, "Nord", country="FR", kind="departement").insee_code == "59"


def test_resolve_saint_denis_is_ambiguous_without_a_hint(resolver):
    """Several communes are named Saint-Denis: with no hint the answer says it is ambiguous."""
    resolution = resolver.resolve("Saint-Denis", country="FR")
    assert resolution.match is None and resolution.is_ambiguous
    assert "ambigu" in resolution.reason
    codes = {c.place.insee_code for c in resolution.candidates}
    assert {"93066", "97411"} <= codes


@pytest.mark.parametrize(
    ("raw", "hints", "insee_code"),
    [
        ("Saint-Denis (93)", {}, "93066"),
        ("Saint-Denis", {"country": "FR", "admin": "Seine-Saint-Denis"}, "93066"),
        ("Saint-Denis", {"country": "FR", "admin": "Île-de-France"}, "93066"),
        ("Saint-Denis (La Réunion)", {}, "97411"),
        ("Saint-Denis", {"country": "RE"}, "97411"),
        ("Saint-Denis", {"country": "FR", "admin": "974"}, "97411"),
    ],
)
def test_resolve_saint_denis_with_a_hint(resolver, raw, hints, insee_code):
    """The département or région hint decides between homonyms."""
    assert _match(resolver, raw, **hints).insee_code == insee_code


@pytest.mark.parametrize(
    ("raw", "country", "insee_code"),
    [
        ("Papeete", "PF", "98735"),
        ("Papeete", "Polynésie française", "98735"),
        ("Nouméa", "NC", "98818"),
        ("Dumbéa", "New Caledonia", "98805"),
        ("Taiʻarapu-Ouest", "PF", "98748"),
        ("Saint-Pierre", "PM", "97502"),
        ("Mamoudzou", "YT", "97611"),
        ("Les Abymes", "GP", "97101"),
        ("Schœlcher", "MQ", "97229"),
    ],
)
def test_resolve_a_town_of_france_overseas_to_its_french_commune(resolver, raw, country, insee_code):
    """A town "in" an overseas département or collectivity is the French commune of the COG."""
    match = _match(resolver, raw, country=country)
    assert (match.kind, match.country_iso2, match.insee_code) == ("commune", "FR", insee_code)


def test_resolve_overseas_homonym_with_the_territory_as_hint(resolver):
    """Saint-Pierre of Saint-Pierre-et-Miquelon, not of La Réunion nor of Martinique."""
    assert (
        _match(resolver, "Saint-Pierre", country="FR", admin="Saint-Pierre-et-Miquelon").insee_code == "97502"
    )
    assert _match(resolver, "Saint-Pierre", country="FR", admin="La Réunion").insee_code == "97416"


@pytest.mark.parametrize("raw", ["Zorglubville", "Qwxzt", "Trucmuche-sur-Bidule"])
def test_resolve_made_up_names_get_no_match(resolver, raw):
    """A made-up name gets no match, not a wrong one, with or without a country."""
    for country in (None, "FR", "DE"):
        resolution = resolver.resolve(raw, country=country)
        assert resolution.match is None, f"{raw} ({country}) → {resolution.match}"
        assert resolution.confidence == 0.0


def test_resolve_fuzzy_only_within_a_known_country(resolver):
    """A typo is corrected only when the country is known."""
    assert resolver.resolve("Golem").match is None or resolver.resolve("Golem").match.name != "Homyel'"
    assert _match(resolver, "Golem", country="BY").name == "Homyel'"


def test_resolve_rejects_an_unknown_country(resolver):
    """An unknown country hint is an error naming it."""
    with pytest.raises(UnknownCountry, match="Atlantide"):
        resolver.resolve("Lyon", country="Atlantide")


def test_resolve_empty_name(resolver):
    """An empty name resolves to nothing, clearly."""
    resolution = resolver.resolve("   ")
    assert resolution.match is None and resolution.reason == "nom vide"


def test_resolution_json_shape(resolver):
    """as_dict() gives the documented shape, candidates best first."""
    data = resolver.resolve("Pancevo", country="RS").as_dict()
    assert set(data) == {"query", "match", "confidence", "reason", "candidates"}
    assert {
        "name",
        "kind",
        "country_iso2",
        "latitude",
        "longitude",
        "insee_code",
        "geonames_id",
        "population",
    } <= set(data["match"])
    assert 0 < data["confidence"] <= 1
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("raw", "country", "expected", "geonames_id"),
    [
        # A locator after the name, or a spa title before it, that GeoNames leaves out.
        ("Rottenburg am Neckar", "DE", "Rottenburg", 2843729),
        ("Weiden in der Oberpfalz", "DE", "Weiden", 2813040),
        ("Bad Kötzting", "DE", "Kötzting", 2885070),
        # A parenthesis that only says the level.
        ("Göttingen (district)", "DE", "Göttingen", 2918632),
        ("Lubin (rural gmina)", "PL", "Lubin", 3092931),
        # A parenthesis naming the city a district lies in.
        ("Porz (Cologne)", "DE", "Porz am Rhein", 2852566),
        # Two GeoNames entries for one town are not an ambiguity.
        ("Petergof", "RU", "Peterhof", 510291),
    ],
)
def test_resolve_names_with_locators_levels_and_towns(resolver, raw, country, expected, geonames_id):
    """Words around a name that say where or what it is lead to the place, not away from it."""
    match = _match(resolver, raw, country=country)
    assert (match.name, match.geonames_id) == (expected, geonames_id)


def test_a_parenthesis_naming_a_far_town_rules_the_place_out(resolver):
    """Porz lies by Cologne: "Porz (Munich)" is not Porz am Rhein."""
    resolution = resolver.resolve("Porz (Munich)", country="DE")
    assert resolution.match is None and "Munich" in resolution.reason


def test_an_unknown_parenthesis_is_ignored_and_said(resolver):
    """A hint naming nothing known ("Taunus", a range of hills) is ignored, and the reason says so."""
    resolution = resolver.resolve("Oberursel (Taunus)", country="DE")
    assert resolution.match is not None and resolution.match.geonames_id == 2858738
    assert "« Taunus » non reconnu" in resolution.reason


def test_a_district_unknown_to_the_index_is_placed_at_its_town_with_low_confidence(resolver):
    """ "Prague 6 (Prague)" is not in GeoNames: it gets Prague's point, said to be approximate."""
    resolution = resolver.resolve("Prague 6 (Prague)", country="CZ")
    assert resolution.match is not None and resolution.match.geonames_id == 3067696
    assert resolution.approximate and resolution.confidence <= 0.5
    assert "inconnu de l'index" in resolution.reason
    assert not resolver.resolve("Prague 6", country="CZ").approximate


@pytest.mark.parametrize(
    ("raw", "country", "allowed"),
    [
        ("Nuneaton and Bedworth", "GB", {"Nuneaton", "Bedworth"}),
        ("Heusden-Zolder", "BE", {"Heusden"}),
        ("Berlin-Neukölln", "DE", {"Neukölln"}),
    ],
)
def test_compound_names_of_one_area(resolver, raw, country, allowed):
    """Two towns merged into one authority resolve to one of them; a name known whole stays whole."""
    assert _match(resolver, raw, country=country).name in allowed


def test_homonyms_of_similar_size_are_ambiguous(resolver):
    """Two Friedbergs (Bavaria, Hesse) of similar size: the answer asks for the Land."""
    resolution = resolver.resolve("Friedberg", country="DE")
    assert resolution.match is None and resolution.is_ambiguous
    assert _match(resolver, "Friedberg", country="DE", admin="Hesse").admin1 == "Hesse"
