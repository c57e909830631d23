"""Shared fixtures of the security tests: one chromium page that records every script a payload
could run (a dialog, or `window.__pwned` set) and every Content-Security-Policy violation."""

import os
from dataclasses import dataclass, field

import pytest

from tests.ingest.conftest import run_import  # noqa: F401 — the import tests' fixture, shared here
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")

# Reported by the page itself: a listener installed before any script of ours runs.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@dataclass
class Watched:
    """A chromium page and what it saw: dialogs opened and console lines of refused content."""

    page: object
    dialogs: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def pwned(self) -> bool:
        """Whether a payload set `window.__pwned` in the current document."""
        return bool(self.page.evaluate("Boolean(window.__pwned)"))

    def violations(self) -> list[str]:
        """CSP violations reported by the current document, and console refusals seen so far."""
        return list(self.page.evaluate("window.__cspViolations || []")) + self.refused


@pytest.fixture
def watched_page():
    """A chromium page (French, 1280 px) that dismisses and records every dialog."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        watched = Watched(page)

        def on_dialog(dialog):
            watched.dialogs.append(f"{dialog.type}: {dialog.message} at {page.url}")
            dialog.dismiss()

        def on_console(message):
            if "Refused to" in message.text or "Content Security Policy" in message.text:
                watched.refused.append(f"{page.url}: {message.text}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.add_init_script(WATCH_VIOLATIONS)
        yield watched
        browser.close()


def admin_form_data(client, change: str) -> dict:
    """The values an admin change page would post unchanged: its form's values and its inlines'
    (management forms and existing rows, no row added)."""
    context = client.get(change).context

    def values(form) -> dict:
        found = {}
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            found[bound.html_name] = value
        return found

    data = values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data.update(values(inline.formset.management_form))
        for form in inline.formset.initial_forms:
            data.update(values(form))
    return data


# Hovering and clicking as a person would: every chart swept by the mouse, every network node
# hovered, every map marker opened, every link whose text is a payload followed back and forth.
CHART_BOXES = """() => [...document.querySelectorAll('[data-chart], [data-network], [data-atlas-map]')]
  .map(e => { e.scrollIntoView({block: 'center'}); const b = e.getBoundingClientRect();
              return {x: b.left, y: b.top, width: b.width, height: b.height}; })
  .filter(b => b.width > 0 && b.height > 0)"""
NODE_POINTS = """() => {
  const element = document.querySelector('[data-network]');
  if (!element || !window.echarts) { return []; }
  element.scrollIntoView({block: 'center'});
  const chart = echarts.getInstanceByDom(element), data = chart.getModel().getSeriesByIndex(0).getData();
  const box = element.getBoundingClientRect(), points = [];
  for (let i = 0; i < data.count(); i++) {
    const p = chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
    points.push({x: box.left + p[0], y: box.top + p[1]});
  }
  return points;
}"""


def hover_and_click(page) -> None:
    """Sweep the mouse over every chart and map, hover every network node, open map markers."""
    for box in page.evaluate(CHART_BOXES):
        for fx in (0.1, 0.3, 0.5, 0.7, 0.9):
            for fy in (0.15, 0.4, 0.65, 0.9):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    if page.locator("[data-network]").count():
        page.wait_for_timeout(1500)  # the force layout settles
    for point in page.evaluate(NODE_POINTS):
        page.mouse.move(point["x"], point["y"])
        page.wait_for_timeout(60)
    markers = page.locator("path.atlas-marker")
    for index in range(min(markers.count(), 10)):
        markers.nth(index).dispatch_event("click")
        page.wait_for_timeout(100)
