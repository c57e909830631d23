"""The search form in a real browser (Debian's chromium): its addresses carry no empty field."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.atlas.factories import commune, foreign_town, twinning
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _shoot, pytestmark  # noqa: F401  (same marks)


def _empty_fields(url: str) -> list[str]:
    return [key for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True) if not value.strip()]


@pytest.fixture
def search_live(live_server):
    """A live server with twinnings of Lyon with Germany and Italy; return its address."""
    lyon = commune("Lyon", "69123")
    twinning(lyon, foreign_town("Frankfurt am Main", "DE"), year=1960)
    twinning(lyon, foreign_town("Leipzig", "DE"), year=1981)
    twinning(lyon, foreign_town("Turin", "IT"), year=1958)
    return live_server.url


@pytest.fixture
def search_page(search_live):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        yield page
        browser.close()


def test_browser_search_form_sends_no_empty_field(search_live, search_page):
    """Searching words then ticking a country, with the year fields left empty, sends and shows
    addresses without empty parameters."""
    # given
    sent = []
    search_page.on(
        "request", lambda request: sent.append(request.url) if "/recherche/" in request.url else None
    )
    search_page.goto(search_live + "/recherche/")
    # when: words submitted, then a country ticked (both in place, through htmx)
    search_page.fill("#s-q", "Lyon")
    search_page.press("#s-q", "Enter")
    search_page.wait_for_url("**q=Lyon**")
    search_page.locator("#f-pays-DE").check()
    search_page.wait_for_url("**pays=DE**")
    search_page.wait_for_function("() => document.querySelector('#h-results').innerText.startsWith('2 ')")
    # then
    assert not _empty_fields(search_page.url), search_page.url
    assert "debut_min" not in search_page.url and "debut_max" not in search_page.url
    with_query = [url for url in sent if "?" in url]
    assert with_query, "the form sent no search"
    for url in with_query:
        assert not _empty_fields(url), f"the form sent {url}"
    for href in search_page.locator(".exports a, .pager a").evaluate_all("links => links.map(a => a.href)"):
        assert not _empty_fields(href), href
    _shoot(search_page, "search-clean-url")


def test_browser_search_address_with_empty_fields_lands_on_the_clean_one(search_live, search_page):
    """Opened with empty fields (an old bookmark), the search lands on its clean address."""
    # when
    search_page.goto(search_live + "/recherche/?q=Lyon&debut_min=&debut_max=&pays=IT")
    # then
    assert urlsplit(search_page.url).query == "q=Lyon&pays=IT"
    assert "Turin" in search_page.locator(".results").inner_text()
