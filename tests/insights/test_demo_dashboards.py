"""The dashboards the seeds describe, on the demo atlas."""

import pytest
from django.http import QueryDict

from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.insights.dashboard import build, scope_from
from tests.atlas.test_demo import LYON_STUDY_CATEGORIES

pytestmark = pytest.mark.django_db


def board_for(query_string: str):
    query, _kept = scope_from(QueryDict(query_string))
    assert query.errors == []
    return build(query, Partnership.objects.published())


def test_lyon_metropole_latin_america_shows_the_study_and_its_seven_categories_in_rank_order(demo_atlas):
    """Métropole de Lyon × Amérique latine: 217 initiatives, 75 actors, 20 countries, 7 ranked categories."""
    lyon = Organisation.objects.get(name="Métropole de Lyon")
    board = board_for(f"territoire={lyon.pk}&zone=latin_america")
    assert board.study is not None
    study = board.study.study
    assert (study.initiatives_count, study.actors_count, study.countries_count) == (217, 75, 20)
    assert [row.label for row in board.study.categories] == LYON_STUDY_CATEGORIES
    assert board.grouping.startswith("etude-")
    assert [row.label for row in board.figure("themes").rows] == [row.label for row in board.study.categories]
    assert {c.iso2 for c in study.highlighted_countries.all()} == {"MX", "BR", "CO", "AR"}


def test_clermont_network_shows_31_partners_in_18_countries_spain_first_and_funding_per_year(demo_atlas):
    """Clermont-Ferrand: 31 partners, 18 countries (Spain first, 5), 473,397 € (2020), 906,997 € (2021)."""
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    board = board_for(f"territoire={clermont.pk}")
    totals = {row.key: row.value for row in board.totals}
    assert totals["partners"] == 31
    assert totals["countries"] == 18
    first = board.figure("countries").rows[0]
    assert (first.key, first.extra["partners"]) == ("ES", 5)
    funding = {row.key: row.value for row in board.figure("funding_years").rows}
    assert funding == {"2020": 473397.0, "2021": 906997.0}
    assert totals["funding"] == 1380394.0


def test_figure_links_open_the_list_they_count(demo_atlas, client):
    """Each figure's search link lists exactly as many partnerships as the figure counts."""
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    response = client.get(f"/tableau-de-bord/?territoire={clermont.pk}")
    board = response.context["board"]
    counted = [*board.totals[:3], *board.figure("countries").rows[:3], *board.figure("years").rows]
    for row in counted:
        assert client.get(row.extra["url"]).context["result"].count == row.value, (
            row.label,
            row.extra["url"],
        )
    # A sum of money links to the partnerships it sums: at least one each.
    for row in board.figure("funding_years").rows + board.figure("funders").rows[:2]:
        assert client.get(row.extra["url"]).context["result"].count >= 1, row.extra["url"]


def test_country_scope_counts_the_partners_there_and_sets_shared_funding_apart(demo_atlas):
    """France × Germany: 5 German partners in 1 country, as /pays/DE/ says, not the Michelin
    network's 32 partners in 18 countries; its 1,380,394 € are shared with other countries."""
    # given the demo atlas, where the Michelin network holds 4 German towns among 31 partners
    # when
    board = board_for("pays=DE")
    # then
    totals = {row.key: row.value for row in board.totals}
    assert totals["partners"] == 5
    assert totals["countries"] == 1
    assert [row.key for row in board.figure("countries").rows] == ["DE"]
    assert {row.label.rsplit(" (", 1)[1] for row in board.figure("partners").rows} == {"Allemagne)"}
    assert totals["funding"] == 1380394.0
    assert totals["shared"] == 1380394.0


def test_territory_by_zone_counts_the_countries_of_the_zone_only(demo_atlas):
    """Clermont-Ferrand × Europe: the network's European towns and countries, not the United
    States, Thailand or Brazil."""
    from coopatlas.atlas.demo.organisations import RIVM_PARTNERS
    from coopatlas.places.models import Country

    # given the network's partners, and the countries of Europe
    europe = set(Country.objects.filter(world_region="europe").values_list("iso2", flat=True))
    european_partners = [name for name, iso2 in RIVM_PARTNERS if iso2 in europe]
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    # when
    board = board_for(f"territoire={clermont.pk}&zone=europe")
    # then
    totals = {row.key: row.value for row in board.totals}
    countries = {row.key for row in board.figure("countries").rows}
    assert countries == {iso2 for _name, iso2 in RIVM_PARTNERS if iso2 in europe}
    assert not countries & {"US", "TH", "BR"}
    assert totals["countries"] == len(countries) < 18
    assert totals["partners"] == len(european_partners) == 16
    assert totals["shared"] == totals["funding"] == 1380394.0
