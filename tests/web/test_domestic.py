"""A domestic partnership — between French local authorities only, such as Créteil and Les Abymes
(Guadeloupe) — says so on its page and stays out of the international figures (home page,
dashboards, country pages, map) unless asked for with `portee`."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.atlas.rules import is_domestic
from coopatlas.insights.dashboard import build, scope_from
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


@pytest.fixture
def atlas():
    """Créteil twinned with Les Abymes (Guadeloupe) and with Kiryat Yam (Israel); Lille with
    Cologne. Every town located."""
    towns = {
        "Créteil": commune("Créteil", "94028"),
        "Les Abymes": commune("Les Abymes", "97101"),
        "Lille": commune("Lille", "59350"),
        "Kiryat Yam": foreign_town("Kiryat Yam", "IL"),
        "Cologne": foreign_town("Cologne", "DE"),
    }
    points = {"Créteil": (48.78, 2.46), "Les Abymes": (16.27, -61.5), "Lille": (50.63, 3.06)}
    points |= {"Kiryat Yam": (32.85, 35.07), "Cologne": (50.94, 6.96)}
    for name, (latitude, longitude) in points.items():
        Organisation.objects.filter(pk=towns[name].pk).update(latitude=latitude, longitude=longitude)
    Organisation.objects.filter(pk=towns["Les Abymes"].pk).update(departement_code="971", region_code="01")
    domestic = twinning(towns["Créteil"], towns["Les Abymes"], 1987)
    # Both French communes are French authorities, as the importer now makes them.
    domestic.participations.update(role="french_authority")
    twinning(towns["Créteil"], towns["Kiryat Yam"], 1990)
    twinning(towns["Lille"], towns["Cologne"], 1958)
    return towns, domestic


def test_is_domestic_needs_two_french_authorities_and_nobody_abroad():
    """The rule: nobody and no country outside France, two French local authorities at least."""
    assert is_domestic([("commune", "FR"), ("commune", "FR")])
    assert is_domestic([("commune", "FR"), ("region", "FR"), ("association", "FR")])
    assert not is_domestic([("commune", "FR"), ("foreign_authority", "DE")])
    assert not is_domestic([("commune", "FR"), ("commune", "FR")], ["SN"])  # a country named
    assert not is_domestic([("commune", "FR")])  # its partner is missing, not French
    assert not is_domestic([("commune", "FR"), ("association", "FR")])


def test_a_domestic_twinning_says_so_on_its_page(client, atlas):
    """The page of Créteil – Les Abymes shows « Jumelage entre collectivités françaises »."""
    _towns, domestic = atlas
    html = client.get(domestic.get_absolute_url()).content.decode()
    assert "Jumelage entre collectivités françaises" in html
    assert "data-domestic" in html
    other = Partnership.objects.get(participations__organisation__name="Cologne")
    assert "entre collectivités françaises" not in client.get(other.get_absolute_url()).content.decode()


def test_the_home_page_counts_international_partnerships_only(client, atlas):
    """Two international twinnings, two French authorities engaged abroad: Les Abymes is not one."""
    counts = client.get(reverse("web:home")).context["counts"]
    assert (counts.partnerships, counts.french_authorities, counts.countries) == (2, 2, 2)


def _board(query: str):
    scope, _kept = scope_from(QueryDict(query))
    assert scope.errors == []
    board = build(scope, Partnership.objects.published())
    return {row.key: row.value for row in board.totals}, board


def test_the_dashboard_leaves_domestic_partnerships_out_unless_asked(atlas):
    """France's dashboard counts 2 partnerships and says 1 domestic one is left out; asked for
    with `portee`, it counts 3."""
    totals, board = _board("")
    assert (totals["partnerships"], totals["actors"], totals["domestic"]) == (2, 2, 1)
    assert {row.key for row in board.figure("countries").rows} == {"IL", "DE"}
    totals, _board_ = _board("portee=internationale&portee=nationale")
    assert (totals["partnerships"], totals["actors"]) == (3, 3) and "domestic" not in totals
    totals, _board_ = _board("portee=nationale")
    assert (totals["partnerships"], totals["countries"]) == (1, 0)


def test_the_dashboard_page_offers_to_include_them(client, atlas):
    """The scope form has the box; the count left out links to the search listing them."""
    html = client.get(reverse("web:dashboard")).content.decode()
    assert "Inclure les partenariats entre collectivités françaises" in html
    assert 'data-total="domestic"' in html and "portee=nationale" in html


def test_the_search_page_lists_international_ones_unless_asked(client, atlas):
    """The search lists 2 by default, with the domestic one counted in the `portee` facet; 3 when
    the domestic ones are included."""
    result = client.get(reverse("web:search")).context["result"]
    assert result.count == 2
    reach = next(f for f in result.facets if f.name == "portee")
    assert {(v.value, v.count, v.selected) for v in reach.values} == {
        ("internationale", 2, True),
        ("nationale", 1, False),
    }
    both = client.get(reverse("web:search") + "?portee=internationale&portee=nationale").context["result"]
    assert both.count == 3
    only = client.get(reverse("web:search") + "?portee=nationale").context["result"]
    assert [p.title for p in only.rows(0, 5)] == ["Jumelage Créteil – Les Abymes"]


def test_france_s_country_page_leaves_them_out_and_says_so(client, atlas):
    """/pays/FR/ counts the international partnerships of French authorities and names the rest."""
    response = client.get(reverse("web:country", args=["FR"]))
    assert response.context["partnership_count"] == 2
    assert response.context["domestic_count"] == 1
    assert "ne sont pas comptés ici" in response.content.decode() or "n'est pas compté ici" in (
        response.content.decode()
    )


def test_the_map_shows_a_town_only_twinned_at_home_when_asked(client, atlas):
    """Les Abymes is on the world map only with `portee=nationale`, and on Créteil's own map."""

    def names(query: str) -> set[str]:
        data = client.get(reverse("web:places_geojson") + "?zoom=12&" + query).json()
        return {f["properties"]["name"] for f in data["features"]}

    assert "Les Abymes" not in names("")
    assert "Créteil" in names("")  # it has an international twinning too
    assert "Les Abymes" in names("portee=nationale")
    towns, _domestic = atlas
    assert "Les Abymes" in names(f"organisation={towns['Créteil'].pk}")


def test_an_organisation_page_lists_its_domestic_partner(client, atlas):
    """Créteil's partners are Kiryat Yam and Les Abymes, the latter said to be a French one."""
    towns, _domestic = atlas
    html = client.get(towns["Créteil"].get_absolute_url()).content.decode()
    assert "Kiryat Yam" in html and "Les Abymes" in html
    assert "jumelage entre collectivités françaises" in html
