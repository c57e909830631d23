"""Issue 14, holes 2 and 3 in a real browser: a hostile organisation name in the network chart and
a `javascript:` source link stored before URLs were checked run no script when a person hovers and
clicks them."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from coopatlas.atlas.models import Source
from tests.atlas.factories import commune, foreign_town, twinning
from tests.security.conftest import needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]

HOSTILE_NAME = '"><img src=x onerror=alert(1)><img src=y onerror=window.__pwned=1>'

# The pixel centre of a node of the network chart, once the force layout has settled.
NODE_POINT = """(name) => {
  const element = document.querySelector('[data-network]');
  const chart = echarts.getInstanceByDom(element);
  const data = chart.getModel().getSeriesByIndex(0).getData();
  let index = -1;
  for (let i = 0; i < data.count(); i++) { if (data.getName(i) === name) { index = i; } }
  const point = chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(index));
  const box = element.getBoundingClientRect();
  return {x: box.left + point[0], y: box.top + point[1]};
}"""


@pytest.fixture
def hostile_network(live_server):
    """A French town twinned with three foreign towns, one of them named with an HTML payload."""
    lyon = commune("Lyon")
    for name, iso2 in [(HOSTILE_NAME, "DE"), ("Turin", "IT"), ("Leipzig", "DE")]:
        twinning(lyon, foreign_town(name, iso2))
    return live_server.url


def _settled_point(page, name):
    """Wait until the node no longer moves (the force layout animates), then return its centre."""
    previous = None
    for _ in range(40):
        point = page.evaluate(NODE_POINT, name)
        if previous and abs(point["x"] - previous["x"]) < 0.5 and abs(point["y"] - previous["y"]) < 0.5:
            return point
        previous = point
        page.wait_for_timeout(150)
    return previous


def _hover_node(page, name):
    """Hover the node named `name` until the chart shows its tooltip; return the point hovered.
    On a loaded machine the layout may still drift after it looked settled, so the node is found
    again and hovered again (up to five times) rather than trusting one fixed wait."""
    shown = "(name) => document.querySelector('[data-network]').textContent.includes(name + ' · ')"
    for _ in range(5):
        point = _settled_point(page, name)
        page.mouse.move(point["x"] - 40, point["y"] - 40)
        page.mouse.move(point["x"], point["y"], steps=5)
        try:
            page.wait_for_function(shown, arg=name, timeout=1500)
            return point
        except PlaywrightTimeout:
            continue
    return point


def test_network_hover_and_click_on_a_hostile_name_runs_no_script(hostile_network, watched_page):
    """Hovering then clicking the node of an organisation named `"><img … onerror=…>` opens no
    dialog, sets nothing, puts no markup in the page (no CSP violation), and the tooltip shows the
    name as text."""
    # given
    page = watched_page.page
    page.goto(hostile_network + "/tableau-de-bord/reseau/")
    page.wait_for_function("() => document.querySelector('[data-network]').dataset.ready === '1'")
    page.locator("[data-network]").scroll_into_view_if_needed()
    # when
    point = _hover_node(page, HOSTILE_NAME)
    tooltip_text = page.locator("[data-network]").text_content()
    pwned_on_hover = watched_page.pwned()
    blocked = watched_page.violations()  # markup stopped by the CSP: still a hole
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    # then
    assert not watched_page.dialogs
    assert not pwned_on_hover
    assert not blocked
    assert HOSTILE_NAME in tooltip_text
    assert "/organisations/" in page.url


@pytest.fixture
def legacy_source_page(live_server):
    """The address of a partnership whose source was stored, before URLs were checked, with a
    `javascript:` URL (written straight to the database, as old records were)."""
    partnership = twinning(commune("Lyon"), foreign_town("Turin", "IT"))
    Source.objects.bulk_create(
        [Source(partnership=partnership, url="javascript:alert(1);window.__pwned=1", title="Délibération")]
    )
    return live_server.url + partnership.get_absolute_url()


def test_source_link_stored_with_javascript_url_runs_no_script_when_clicked(legacy_source_page, watched_page):
    """A source stored with a `javascript:` URL is shown without a link that runs it: a click on it
    opens no dialog and sets nothing."""
    # given
    page = watched_page.page
    page.goto(legacy_source_page)
    # when
    page.get_by_text("Délibération").first.click()
    page.wait_for_timeout(300)
    # then
    assert not watched_page.dialogs
    assert not watched_page.pwned()
    assert not watched_page.violations()
    assert not page.locator("a[href^='javascript:' i]").count()
