"""Search URLs carry only parameters with values: a search with empty ones is sent to its clean
address, and every link the search page builds (pages, filters, exports) is clean."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_five_twinnings():
    """25 published twinnings of Lyon with German towns: two pages of results."""
    lyon = commune("Lyon", "69123")
    towns = ["Leipzig", "Frankfurt", "Köln", "Bonn", "Mainz", "Trier", "Erlangen", "Bamberg", "Kassel"]
    for n in range(25):
        twinning(lyon, foreign_town(f"{towns[n % len(towns)]} {n}", "DE"), year=1960 + n)


@pytest.mark.parametrize("path", ["/recherche/", "/partenariats/"])
def test_search_with_empty_parameters_redirects_to_the_clean_address(client, path):
    """A search whose URL has empty fields (as a form sends them) is redirected without them."""
    # when
    response = client.get(f"{path}?q=jumelage&debut_min=&debut_max=&pays=DE&financeur=+")
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{path}?q=jumelage&pays=DE"


def test_search_without_empty_parameters_is_answered_in_place(client):
    """A clean search URL is answered, not redirected."""
    assert client.get("/recherche/?q=jumelage&pays=DE").status_code == 200
    assert client.get("/recherche/").status_code == 200


def test_search_page_links_carry_no_empty_parameter(client, twenty_five_twinnings):
    """Pagination, filter removal and export links of a filtered search have no empty parameter."""
    # given: a search with a scope filter, over two pages
    lyon = commune("Lyon", "69123")
    # when
    html = client.get("/recherche/", {"pays": "DE", "territoire": lyon.pk, "tri": "titre"}).content.decode()
    # then
    links = [unescape(href) for href in re.findall(r'href="([^"]*\?[^"]*)"', html)]
    search_links = [h for h in links if urlsplit(h).path in ("", "/recherche/", "/exporter/")]
    assert any("page=2" in h for h in search_links), "no pagination link"
    assert any(h.startswith("/exporter/") for h in search_links), "no export link"
    for href in search_links:
        empty = [key for key, value in parse_qsl(urlsplit(href).query, keep_blank_values=True) if not value]
        assert not empty, f"{href} carries empty {empty}"


def test_export_links_of_a_search_sent_with_empty_fields_are_clean(rf):
    """Export links are built from the search's values, never copying its empty fields."""
    # given: a search as htmx sends the form, every field included
    from django.contrib.auth.models import AnonymousUser

    from coopatlas.search.query import SearchQuery
    from coopatlas.web.imports import export_links

    request = rf.get(
        "/recherche/", {"q": "jumelage", "pays": "DE", "debut_min": "", "debut_max": "", "page": "2"}
    )
    request.user = AnonymousUser()
    search = SearchQuery(request.GET)
    # when
    links = export_links(request, search.as_params())
    # then
    assert links and all(
        "debut_" not in href and "page=" not in href and "tri=" not in href for _, href in links
    )
    assert all("q=jumelage" in href and "pays=DE" in href for _, href in links)
