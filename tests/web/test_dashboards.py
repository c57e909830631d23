"""The tracking pages over HTTP: dashboard, its CSV files, density data, network, watch lists, API."""

import csv
import io
import re

import pytest

from coopatlas.atlas.models import Organisation, Partnership

pytestmark = pytest.mark.django_db


@pytest.fixture
def clermont(demo_atlas):
    return Organisation.objects.get(name="Clermont-Ferrand")


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "French Excel needs the BOM"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_dashboard_page_shows_scope_figures_and_links(client, clermont):
    """The Clermont-Ferrand dashboard names its scope, its totals and links each figure to a search."""
    response = client.get(f"/tableau-de-bord/?territoire={clermont.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Clermont-Ferrand" in html
    assert re.search(r"1\W380\W394", html), "total funding, grouped the French way"
    assert f"/recherche/?territoire={clermont.pk}&amp;france=1&amp;pays=ES" in html
    assert "vendor/echarts/echarts.min.js" in html


def test_dashboard_figure_csv_is_for_french_excel(client, clermont):
    """Funding per year comes as CSV with a BOM, semicolons and decimal commas."""
    rows = read_csv(client.get(f"/tableau-de-bord/donnees/funding_years.csv?territoire={clermont.pk}"))
    assert rows[0] == ["Année", "Montant (€)", "dont 1 % eau (€)"]
    assert rows[1][:2] == ["2020", "473397,0"] and rows[2][:2] == ["2021", "906997,0"]
    countries = read_csv(client.get(f"/tableau-de-bord/donnees/countries.csv?territoire={clermont.pk}"))
    assert countries[1] == ["Espagne", "1", "5", "ES"]
    assert len(countries) == 1 + 18


def test_dashboard_unknown_figure_and_bad_scope_are_explained(client, clermont):
    """An unknown chart is a 404; a bad scope value is shown and dropped, not a crash."""
    assert client.get("/tableau-de-bord/donnees/nothing.csv").status_code == 404
    response = client.get("/tableau-de-bord/?pays=ZZ&du=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ZZ" in html and "abc" in html


def test_density_data_is_keyed_like_the_map_shapes(client, clermont):
    """The density map's data: ISO numeric keys, counts and the list behind each country."""
    data = client.get(f"/tableau-de-bord/pays.json?territoire={clermont.pk}").json()
    spain = data["724"]
    assert spain["iso2"] == "ES" and spain["count"] == 1
    assert spain["search"] == f"/recherche/?territoire={clermont.pk}&france=1&pays=ES"


def test_dashboard_print_view_and_english(client, clermont):
    """The print view opens every table; the English dashboard speaks English."""
    html = client.get(f"/tableau-de-bord/?territoire={clermont.pk}&impression=1").content.decode()
    assert "print-view" in html and '<details class="chart-table" open>' in html
    client.cookies["django_language"] = "en"
    english = client.get(f"/tableau-de-bord/?territoire={clermont.pk}").content.decode()
    assert "Dashboard" in english and "Partnerships by country" in english


def test_network_and_watch_pages_render_and_export(client, clermont):
    """The network view lists bridges; each watch list downloads as CSV."""
    assert "Clermont-Ferrand" in client.get("/tableau-de-bord/reseau/").content.decode()
    page = client.get("/tableau-de-bord/veille/?mois=6")
    assert page.status_code == 200
    html = page.content.decode()
    for watch_list in page.context["lists"]:
        rows = read_csv(client.get(f"/tableau-de-bord/veille/{watch_list.name}.csv?mois=6"))
        assert len(rows) == 1 + watch_list.count  # the page shows the first ones, the file all
        assert [int(r[0]) for r in rows[1 : 1 + len(watch_list.items)]] == [
            item.cells[0] for item in watch_list.items
        ]
        if watch_list.count > len(watch_list.items):
            assert f"Les {len(watch_list.items)} premiers sur {watch_list.count}" in html
    assert client.get("/tableau-de-bord/veille/inconnue.csv").status_code == 404
    # The duplicates search runs on request only (it takes seconds on a national atlas).
    assert "Chercher les doublons" in page.content.decode()
    asked = client.get("/tableau-de-bord/veille/?doublons=1")
    assert all(w.computed for w in asked.context["lists"])
    assert "Chercher les doublons" not in asked.content.decode()


def test_organisation_page_suggests_actors_and_partnership_page_similar_ones(client, clermont):
    """Clermont-Ferrand's page suggests actors with reasons; a partnership page lists similar ones."""
    html = client.get(clermont.get_absolute_url()).content.decode()
    # The RIVM shares all of Clermont-Ferrand's partners but is its own network: never suggested.
    assert "Acteurs à connecter" in html and "travaille aussi sur" in html
    assert "Réseau international des villes Michelin</a>" not in html[html.index('id="h-connect"') :]
    boulogne = Partnership.objects.filter(title__startswith="Jumelage Boulogne-Billancourt").first()
    html = client.get(boulogne.get_absolute_url()).content.decode()
    assert "Partenariats similaires" in html and "Jumelage Boulogne-Billancourt" in html


def test_api_dashboard_suggestions_and_watch_lists(client, clermont):
    """The API serves the figures, suggestions with reasons and watch lists; a bad scope is a 400."""
    data = client.get(f"/api/v1/dashboard?territoire={clermont.pk}").json()
    totals = {row["key"]: row["value"] for row in data["totals"]}
    assert totals["partners"] == 31 and totals["countries"] == 18
    countries = next(f for f in data["figures"] if f["name"] == "countries")
    assert countries["rows"][0]["key"] == "ES" and countries["rows"][0]["extra"]["partners"] == 5
    assert countries["rows"][0]["list_url"].endswith("pays=ES")
    bad = client.get("/api/v1/dashboard?pays=ZZ")
    assert bad.status_code == 400 and "ZZ" in bad.json()["detail"]
    suggestions = client.get(f"/api/v1/organisations/{clermont.pk}/suggestions").json()
    assert suggestions and all(s["reasons"] for s in suggestions)
    lists = client.get("/api/v1/watch-lists?mois=6").json()
    assert {w["name"] for w in lists} >= {"fin-proche", "a-verifier", "doublons", "dates-incoherentes"}
    assert client.get("/api/v1/watch-lists?mois=0").status_code == 400
    short = {w["name"]: w for w in client.get("/api/v1/watch-lists?mois=6&limite=2").json()}
    stale = short["a-verifier"]
    assert (
        len(stale["items"]) == 2
        and stale["count"] == {w["name"]: w for w in lists}["a-verifier"]["count"] > 2
    )
    refused = client.get("/api/v1/watch-lists?limite=0")
    assert refused.status_code == 400 and "limite" in refused.json()["detail"]
    lyon = Organisation.objects.get(name="Métropole de Lyon")
    study = client.get(f"/api/v1/dashboard?territoire={lyon.pk}&zone=latin_america").json()["study"]
    assert study["initiatives_count"] == 217 and len(study["categories"]) == 7
    network = client.get(f"/api/v1/network?territoire={clermont.pk}").json()
    assert network["bridges"][0]["name"] in ("Clermont-Ferrand", "Réseau international des villes Michelin")
    similar = client.get(f"/api/v1/partnerships/{Partnership.objects.published().first().pk}/similar").json()
    assert isinstance(similar, list)


def test_search_keeps_a_figure_scope_through_facet_clicks_and_shows_it(client, clermont):
    """The list behind a figure keeps its scope as hidden fields and names it, with a link to remove it."""
    html = client.get(f"/recherche/?territoire={clermont.pk}&france=1&pays=ES").content.decode()
    assert f'<input type="hidden" name="territoire" value="{clermont.pk}">' in html
    assert "Territoire\u00a0: Clermont-Ferrand" in html
    removal = re.search(r"Territoire\u00a0: Clermont-Ferrand <a href=\"([^\"]+)\"", html).group(1)
    assert "pays=ES" in removal and "territoire" not in removal


def test_a_form_figure_within_a_form_scope_lists_the_intersection(client, demo_atlas):
    """In a twinnings-only scope, "signed agreements" lists twinnings; "initiatives" links nowhere."""
    totals = {r.key: r for r in client.get("/tableau-de-bord/?forme=twinning").context["board"].totals}
    assert "forme=twinning" in totals["agreements"].extra["url"]
    assert "forme=protocol" not in totals["agreements"].extra["url"]
    assert totals["initiatives"].extra["url"] == "" and totals["initiatives"].value == 0
    api = client.get("/api/v1/dashboard?forme=twinning").json()
    by_key = {row["key"]: row for row in api["totals"]}
    assert by_key["agreements"]["list_url"] == totals["agreements"].extra["url"]


def test_dashboard_under_a_country_counts_what_lies_there_and_says_so(client, demo_atlas):
    """France × Germany: 5 partners in 1 country, the Michelin network's funding shown as shared
    with other countries, and a caption under every figure; the API gives the same figures."""
    # when
    response = client.get("/tableau-de-bord/?pays=DE")
    # then
    html = response.content.decode()
    totals = {r.key: r for r in response.context["board"].totals}
    assert (totals["partners"].value, totals["countries"].value) == (5, 1)
    assert "dont 1\u00a0380\u00a0394\u00a0€ partagés avec d'autres pays" in html
    cards = html.count('class="card chart-card"')
    assert cards >= 8 and html.count('class="chart-note"') == cards + 1, "one caption per chart and the map"
    assert html.count('class="fact-note"') == len(totals) - 1, (
        "one caption per figure (shared is in funding's)"
    )
    assert "Allemagne" in totals["partners"].note
    api = {row["key"]: row for row in client.get("/api/v1/dashboard?pays=DE").json()["totals"]}
    assert {k: r["value"] for k, r in api.items()} == {k: r.value for k, r in totals.items()}
    assert api["shared"]["value"] == 1380394.0 and api["partners"]["note"] == totals["partners"].note


def test_density_map_under_a_zone_shades_its_countries_only(client, clermont):
    """Clermont-Ferrand × Europe: the map's data holds Spain and Germany, not the United States,
    Thailand or Brazil."""
    # when
    data = client.get(f"/tableau-de-bord/pays.json?territoire={clermont.pk}&zone=europe").json()
    # then
    shaded = {entry["iso2"] for entry in data.values()}
    assert {"ES", "DE"} <= shaded
    assert not shaded & {"US", "TH", "BR", "CA", "MX", "CN", "IN", "JP", "GA"}


def test_dashboard_numbers_are_grouped_as_the_language_writes_them(client, clermont):
    """The total funding reads "1 380 394" in French (no-break space) and "1,380,394" in English."""
    french = client.get(f"/tableau-de-bord/?territoire={clermont.pk}").content.decode()
    assert ">1\u00a0380\u00a0394<" in french
    client.cookies["django_language"] = "en"
    english = client.get(f"/tableau-de-bord/?territoire={clermont.pk}").content.decode()
    assert ">1,380,394<" in english


def test_a_long_figure_shows_its_first_rows_and_leaves_all_to_the_csv(client, clermont):
    """A national atlas names thousands of funders: the page lists the first ones and says where
    the others are; the CSV holds every one, the largest first."""
    from coopatlas.atlas.models import FundingLine
    from coopatlas.insights.dashboard import Figure

    partnership = Partnership.objects.published().filter(participations__organisation=clermont).first()
    extra = Figure.SHOWN + 7
    FundingLine.objects.bulk_create(
        FundingLine(partnership=partnership, funder_label=f"Fondation n° {n:03}", amount=10 + n, year=2020)
        for n in range(extra)
    )
    from coopatlas.search.index import reindex

    reindex([partnership.pk])  # bulk_create sends no signal
    html = client.get(f"/tableau-de-bord/?territoire={clermont.pk}").content.decode()
    funders = html[html.index('id="h-funders"') :]
    funders = funders[: funders.index("</section>")]
    assert funders.count("<tr>") == 1 + Figure.SHOWN  # the heading and the rows shown
    hidden = re.search(r"les (\d+) autres sont dans le fichier CSV", funders)
    assert hidden is not None
    rows = read_csv(client.get(f"/tableau-de-bord/donnees/funders.csv?territoire={clermont.pk}"))
    assert len(rows) - 1 == Figure.SHOWN + int(hidden.group(1))
    assert rows[1][0] != "Fondation n° 000" and f"Fondation n° {extra - 1:03}" in {r[0] for r in rows}
    amounts = [float(r[1].replace(",", ".")) for r in rows[1:]]
    assert amounts == sorted(amounts, reverse=True)
