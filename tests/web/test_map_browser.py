"""The map in a real browser: clusters come from the server per zoom and view, and split as one
zooms in."""

import os

import pytest

from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, WATCH_VIOLATIONS, _shoot, demo_live  # noqa: F401 — shared fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

READY = "() => { const m = document.querySelector('[data-atlas-map]'); return m.dataset.loading === '0'; }"
CLUSTERS = """() => [...document.querySelectorAll('.marker-cluster')].map(e => {
  const b = e.getBoundingClientRect();
  return {count: Number(e.innerText), x: b.left + b.width / 2, y: b.top + b.height / 2};
})"""


@pytest.fixture
def map_page(demo_live):  # noqa: F811 — the fixture imported above
    """A chromium page that records console errors, page errors and CSP violations."""
    from playwright.sync_api import sync_playwright

    base_url, _pages = demo_live
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(WATCH_VIOLATIONS)
        yield base_url, page, errors
        browser.close()


def test_browser_map_shows_clusters_that_split_when_zooming_in(map_page):
    """/carte/ draws the server's clusters; a click on the largest zooms in, and its places spread
    over several markers of the new view; no script or CSP error on the way."""
    # given
    base_url, page, errors = map_page
    page.goto(base_url + "/carte/")
    page.wait_for_function(READY)
    element = page.locator("[data-atlas-map]")
    zoom = int(element.get_attribute("data-zoom"))
    clusters = page.evaluate(CLUSTERS)
    assert clusters, "no cluster drawn"
    assert sum(c["count"] for c in clusters) + page.locator("path.atlas-marker").count() == int(
        element.get_attribute("data-loaded")
    )
    largest = max(clusters, key=lambda c: c["count"])
    assert largest["count"] >= 2
    # when
    page.mouse.click(largest["x"], largest["y"])
    page.wait_for_function(f"() => Number(document.querySelector('[data-atlas-map]').dataset.zoom) > {zoom}")
    page.wait_for_function(READY)
    # then
    markers = page.locator(".marker-cluster").count() + page.locator("path.atlas-marker").count()
    assert markers >= 2, "the cluster did not split"
    assert int(element.get_attribute("data-loaded")) >= largest["count"]
    _shoot(page, "map-zoomed")
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
