"""Pages seen in a real browser (Debian's chromium driven by Playwright); screenshots are saved."""

import os
import shutil

import pytest

from coopatlas.atlas.models import Organisation, Partnership
from tests.conftest import OUTPUT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def demo_live(live_server):
    """Return the live server's address and demo page paths, prepared before the browser starts:
    Playwright runs an event loop, and Django refuses database work inside it."""
    from coopatlas.atlas.demo.loader import load_demo

    load_demo()
    pages = {
        "home": "/",
        "partnership": Partnership.objects.get(external_ref="demo:clermont-rivm").get_absolute_url(),
        "organisation": Organisation.objects.get(name="Boulogne-Billancourt").get_absolute_url(),
        "partnership-list": "/partenariats/",
        "search": "/recherche/?q=jumelage",
        "map": "/carte/",
        "country": "/pays/ES/",
    }
    return live_server.url, pages


@pytest.fixture
def browser_page(demo_live):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        yield page
        browser.close()


def _shoot(page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def test_browser_pages_render_at_desktop_and_mobile_width(demo_live, browser_page):
    """Home, a partnership page and an organisation page render, on a desktop and a 390 px phone."""
    # given
    base_url, pages = demo_live
    for width, suffix in [(1280, "desktop"), (390, "mobile")]:
        browser_page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            # when
            response = browser_page.goto(base_url + path)
            # then
            assert response.status == 200, path
            assert browser_page.locator("h1").first.is_visible()
            overflow = browser_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}px"
            _shoot(browser_page, f"{name}-{suffix}")


def test_browser_follow_a_partner_from_the_organisation_page(demo_live, browser_page):
    """From Boulogne-Billancourt's page, a click on a twin town opens that town's page."""
    base_url, pages = demo_live
    browser_page.goto(base_url + pages["organisation"])
    browser_page.get_by_role("link", name="Neukölln").first.click()
    browser_page.wait_for_load_state()
    assert "Neukölln" in browser_page.locator("h1").inner_text()
    assert "Boulogne-Billancourt" in browser_page.content()


def test_browser_search_and_narrow_by_country(demo_live, browser_page):
    """Search "jumelage", tick Germany: the results narrow in place and the URL keeps the state."""
    base_url, _pages = demo_live
    browser_page.goto(base_url + "/recherche/")
    browser_page.fill("#s-q", "jumelage")
    browser_page.press("#s-q", "Enter")
    browser_page.wait_for_url("**q=jumelage**")
    total = int(browser_page.locator("#h-results").inner_text().split()[0])
    assert total >= 11
    germany = browser_page.locator("#f-pays-DE")
    germany_count = int(browser_page.locator("label[for=f-pays-DE] .count").inner_text())
    germany.check()
    browser_page.wait_for_url("**pays=DE**")
    browser_page.wait_for_function("document.querySelector('#h-results').innerText.startsWith('1 ')")
    assert int(browser_page.locator("#h-results").inner_text().split()[0]) == germany_count == 1
    assert "Neukölln" in browser_page.locator(".results").inner_text()
    _shoot(browser_page, "search-narrowed")


AXE = __import__("pathlib").Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make install-test runs npm ci)")
def test_browser_pages_have_no_serious_accessibility_violation(demo_live, browser_page):
    """axe-core finds no serious or critical violation on home, search, partnership, organisation
    and country pages."""
    base_url, pages = demo_live
    problems = []
    for name in ("home", "search", "partnership", "organisation", "country", "map"):
        browser_page.goto(base_url + pages[name])
        browser_page.add_script_tag(path=str(AXE))
        result = browser_page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
    assert not problems, "\n".join(problems)
