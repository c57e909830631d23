"""Pages seen in a real browser (Debian's chromium driven by Playwright); screenshots are saved."""

import os
import shutil
from pathlib import Path

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
def demo_live(live_server, resolver):
    """Return the live server's address and demo page paths, prepared before the browser starts:
    Playwright runs an event loop, and Django refuses database work inside it. The demo
    organisations are located, as `coopatlas serve` does, so that the maps have their places."""
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.localisation import organisations_locate

    load_demo()
    organisations_locate()
    pages = {
        "home": "/",
        "partnership": Partnership.objects.get(external_ref="demo:clermont-rivm").get_absolute_url(),
        "organisation": Organisation.objects.get(name="Boulogne-Billancourt").get_absolute_url(),
        "partnership-list": "/partenariats/",
        "search": "/recherche/?q=jumelage",
        "map": "/carte/",
        "country": "/pays/ES/",
        "dashboard": f"/tableau-de-bord/?territoire={Organisation.objects.get(name='Clermont-Ferrand').pk}",
        "network": "/tableau-de-bord/reseau/",
        "watch": "/tableau-de-bord/veille/",
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
    browser_page.wait_for_function("() => document.querySelector('#h-results').innerText.startsWith('1 ')")
    assert int(browser_page.locator("#h-results").inner_text().split()[0]) == germany_count == 1
    assert "Neukölln" in browser_page.locator(".results").inner_text()
    _shoot(browser_page, "search-narrowed")


# Content-Security-Policy violations, reported by the page itself (installed before its scripts).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_problems(page, name: str) -> list[str]:
    """Return the serious and critical axe-core violations of the page shown, each named."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # a script tag would break the CSP
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{name}: {v['id']} ({v['impact']}) {[node['target'] for node in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make install-test runs npm ci)")
def test_browser_pages_have_no_serious_accessibility_violation(demo_live, browser_page):
    """axe-core finds no serious or critical violation on home, search, partnership, organisation
    and country pages."""
    base_url, pages = demo_live
    problems = []
    for name in ("home", "search", "partnership", "organisation", "country", "map", "dashboard", "watch"):
        browser_page.goto(base_url + pages[name])
        problems += axe_problems(browser_page, name)
    assert not problems, "\n".join(problems)


def test_browser_open_a_partnership_from_a_map_cluster(demo_live, browser_page):
    """On the map, opening clusters down to one place and following a partnership link in its popup
    lands on that partnership's page."""
    base_url, pages = demo_live
    browser_page.goto(base_url + pages["map"])
    browser_page.wait_for_function(
        "() => Number(document.querySelector('[data-atlas-map]').dataset.loaded) > 0"
    )
    assert browser_page.locator(".marker-cluster").count() >= 1
    popup_link = browser_page.locator(".leaflet-popup .map-popup li a")
    clicked_clusters = 0
    for _ in range(12):
        marker = browser_page.locator("path.atlas-marker")
        if clicked_clusters and marker.count():
            marker.first.dispatch_event("click")
            break
        browser_page.locator(".marker-cluster").first.click()
        clicked_clusters += 1
        browser_page.wait_for_timeout(700)  # Leaflet's zoom animation
    assert clicked_clusters >= 1
    popup_link.first.wait_for()
    browser_page.wait_for_timeout(300)  # the popup's fade-in, for the screenshot
    title = popup_link.first.inner_text()
    _shoot(browser_page, "map-popup")
    popup_link.first.click()
    browser_page.wait_for_url("**/partenariats/*/")
    # The page's French typography puts non-breaking spaces where the popup has ordinary ones.
    assert browser_page.locator("h1").inner_text().split() == title.split()


def test_browser_print_view_of_a_partnership_is_a_clean_sheet(demo_live, browser_page):
    """Printed, a twinning record loses the site's header, footer and map controls and fits one page."""
    base_url, _pages = demo_live
    browser_page.goto(base_url + "/recherche/?q=Neukölln")
    browser_page.locator(".results h3 a, .results h2 a").first.click()
    browser_page.wait_for_url("**/partenariats/*/")
    browser_page.emulate_media(media="print")
    assert not browser_page.locator(".site-header").is_visible()
    assert not browser_page.locator(".site-footer").is_visible()
    assert browser_page.locator("h1").is_visible()
    _shoot(browser_page, "partnership-print")
    pdf = browser_page.pdf(format="A4", print_background=False)
    (OUTPUT / "partnership-print.pdf").write_bytes(pdf)
    pages_in_pdf = len(__import__("re").findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages_in_pdf == 1, f"the printed sheet runs to {pages_in_pdf} pages"


def test_browser_filters_fold_on_a_phone(demo_live, browser_page):
    """At 390 px the filters fold into one line above the results, open on demand, and stay open
    while the results update in place."""
    base_url, _pages = demo_live
    browser_page.set_viewport_size({"width": 390, "height": 800})
    browser_page.goto(base_url + "/recherche/?q=jumelage")
    germany = browser_page.locator("#f-pays-DE")
    assert not germany.is_visible()
    results_top = browser_page.locator("#h-results").bounding_box()["y"]
    assert results_top < 800, "the results start on the first screen"
    browser_page.get_by_text("Filtres", exact=True).click()
    germany.check()
    browser_page.wait_for_url("**pays=DE**")
    browser_page.wait_for_function("() => document.querySelector('#h-results').innerText.startsWith('1 ')")
    assert browser_page.locator("#f-pays-DE").is_visible()
    _shoot(browser_page, "search-filters-mobile")
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto(base_url + "/recherche/?q=jumelage")
    assert browser_page.locator("#f-pays-DE").is_visible()


def test_browser_switch_to_english_and_back(demo_live, browser_page):
    """The header's switch turns a search page English, keeping the query, then back to French."""
    base_url, _pages = demo_live
    browser_page.goto(base_url + "/recherche/?q=jumelage&pays=DE")
    assert browser_page.locator("html").get_attribute("lang") == "fr"
    browser_page.get_by_role("button", name="English").click()
    browser_page.wait_for_load_state()
    assert browser_page.locator("html").get_attribute("lang") == "en"
    assert "q=jumelage" in browser_page.url and "pays=DE" in browser_page.url
    assert browser_page.locator("#h-results").inner_text() == "1 partnership"
    assert "Germany" in browser_page.locator(".facets").inner_text()
    _shoot(browser_page, "search-english")
    browser_page.get_by_role("button", name="Français").click()
    browser_page.wait_for_load_state()
    assert browser_page.locator("html").get_attribute("lang") == "fr"
    assert browser_page.locator("#h-results").inner_text() == "1 partenariat"


def test_browser_dashboard_change_scope_open_a_bar_and_download_chart_and_data(demo_live, browser_page):
    """Choose a territory, click the first country's bar to open its list, then download the chart
    as PNG and SVG and its data as CSV."""
    base_url, _pages = demo_live
    page = browser_page
    page.goto(base_url + "/tableau-de-bord/")
    page.select_option("select[name=territoire]", label="Clermont-Ferrand")
    page.click(".scope-form button[type=submit]")
    page.wait_for_url("**territoire=*")
    chart = page.locator("[data-chart=countries]")
    chart.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('[data-chart=countries]').dataset.ready === '1'")
    assert page.locator(".totals").inner_text().count("31") >= 1
    _shoot(page, "dashboard-clermont")

    # The first bar is Spain's: its list holds the one partnership with five Spanish towns.
    bar = page.evaluate(
        "window.coopatlasCharts.countries.chart.getModel().getSeriesByIndex(1).getData().getItemLayout(0)"
    )
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + bar["x"] + bar["width"] / 2, box["y"] + bar["y"] + bar["height"] / 2)
    assert "pays=ES" in page.url and "territoire=" in page.url
    assert "Réseau international des villes Michelin" in page.content()
    page.go_back()
    page.wait_for_function("() => document.querySelector('[data-chart=countries]').dataset.ready === '1'")

    card = page.locator("section.chart-card", has=page.locator("[data-chart=countries]"))
    with page.expect_download() as png:
        card.locator("[data-download=png]").click()
    assert png.value.suggested_filename == "tableau-de-bord-countries.png"
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as svg:
        card.locator("[data-download=svg]").click()
    assert "<svg" in Path(svg.value.path()).read_text(encoding="utf-8")[:2000]
    with page.expect_download() as csv_file:
        card.locator("a", has_text="CSV").click()
    text = Path(csv_file.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("Espagne;1;5;ES")

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shoot(page, "dashboard-clermont-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.url + "&impression=1")
    page.emulate_media(media="print")
    _shoot(page, "dashboard-clermont-print")
    assert not page.locator(".scope-form").is_visible()


def test_browser_network_view_draws_the_graph(demo_live, browser_page):
    """The network view draws its graph and lists the actors that bridge countries."""
    base_url, pages = demo_live
    browser_page.goto(base_url + pages["network"])
    browser_page.wait_for_function("() => document.querySelector('[data-network]').dataset.ready === '1'")
    assert browser_page.locator("[data-network] svg").count() == 1
    assert "Clermont-Ferrand" in browser_page.locator("#h-bridges + p + ol").inner_text()
    _shoot(browser_page, "network")
