"""The dashboard seen in a real browser: its numbers written the way the page's language writes them."""

import os
import re

import pytest

from coopatlas.atlas.models import Organisation
from tests.web.test_browser import CHROMIUM, _shoot, browser_page, demo_live  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
# French groups thousands with a no-break space (U+00A0) or a narrow one (U+202F).
SPACE = "[\u00a0\u202f]"


def chart_texts(page, name: str) -> list[str]:
    """Return the texts drawn in one chart's SVG, once the chart is drawn."""
    page.wait_for_function(f"() => document.querySelector('[data-chart={name}]').dataset.ready === '1'")
    return svg_texts(page, name)


def svg_texts(page, name: str) -> list[str]:
    return page.evaluate(
        f"Array.from(document.querySelectorAll('[data-chart={name}] svg text'), t => t.textContent)"
    )


def show_tooltip(page, name: str, index: int) -> list[str]:
    """Show a chart's tooltip on one of its bars; return the texts drawn in the chart then."""
    page.locator(f"[data-chart={name}]").scroll_into_view_if_needed()
    page.evaluate(
        "([name, index]) => window.coopatlasCharts[name].chart.dispatchAction("
        "{type: 'showTip', seriesIndex: 0, dataIndex: index})",
        [name, index],
    )
    page.wait_for_timeout(300)
    return svg_texts(page, name)


@pytest.fixture
def dashboard_url(demo_live):  # noqa: F811
    """Return the address of Clermont-Ferrand's dashboard on the live server."""
    base_url, _pages = demo_live
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    return f"{base_url}/tableau-de-bord/?territoire={clermont.pk}"


def test_browser_dashboard_numbers_are_grouped_in_french(dashboard_url, browser_page):  # noqa: F811
    """In French, a bar says "650 834 €", the money axis "200 k€", the tooltip "473 397 €", and
    the total funding reads "1 380 394": thousands set apart by a no-break space."""
    # given Clermont-Ferrand's dashboard, in French
    page = browser_page
    page.goto(dashboard_url)
    # when the charts are drawn
    funders = chart_texts(page, "funders")
    years = chart_texts(page, "funding_years")
    tooltip = show_tooltip(page, "funding_years", 0)
    _shoot(page, "dashboard-numbers-fr")
    # then
    assert any(re.fullmatch(f"650{SPACE}834{SPACE}€", t) for t in funders), funders
    assert any(re.fullmatch(f"200{SPACE}k{SPACE}?€", t) for t in years), years
    assert not any(re.fullmatch(r"\d{5,}", t) for t in funders + years), "a number run together"
    assert any(re.search(f"473{SPACE}397{SPACE}€", t) for t in tooltip), tooltip
    total = page.locator("[data-total=funding] dd").first.inner_text()
    assert re.fullmatch(f"1{SPACE}380{SPACE}394", total), total


def test_browser_dashboard_numbers_are_grouped_in_english(dashboard_url, browser_page):  # noqa: F811
    """In English, the same bar says "€650,834", the axis "€200K", the total "1,380,394"."""
    # given Clermont-Ferrand's dashboard, in English
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": dashboard_url}])
    page.goto(dashboard_url)
    # when the charts are drawn
    funders = chart_texts(page, "funders")
    years = chart_texts(page, "funding_years")
    tooltip = show_tooltip(page, "funding_years", 0)
    _shoot(page, "dashboard-numbers-en")
    # then
    assert page.locator("html").get_attribute("lang") == "en"
    assert "€650,834" in funders, funders
    assert "€200K" in years, years
    assert any("€473,397" in t for t in tooltip), tooltip
    assert page.locator("[data-total=funding] dd").first.inner_text() == "1,380,394"
