"""Widgets framed by another site, in a real browser: a second local server, on another port,
serves an authority's page that embeds the widget with an iframe and with the script tag; the
partners render inside the frame. The same other site framing an ordinary page of the atlas is
refused by chromium."""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from coopatlas.atlas.models import Organisation, Partnership
from tests.web.test_browser import (  # noqa: F401
    AXE,
    CHROMIUM,
    LAUNCH_ARGS,
    WATCH_VIOLATIONS,
    _shoot,
    axe_problems,
    demo_live,
)  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def _host_pages(base_url: str, pk: int, partnership_url: str) -> dict[str, str]:
    """The other site's pages: the authority's page with the widget in an iframe, with the
    script tag, and a page that frames the atlas's home and a partnership page."""

    def page(title: str, body: str) -> str:
        head = f'<meta charset="utf-8"><title>{title}</title>'
        return f'<!doctype html><html lang="fr"><head>{head}</head><body>{body}</body></html>'

    return {
        "/iframe.html": page(
            "Ville — nos jumelages (iframe)",
            f'<h1>Nos jumelages</h1><iframe id="widget" src="{base_url}/widgets/{pk}/?couleur=c9191e" '
            f'title="Partenaires" width="100%" height="520"></iframe>',
        ),
        "/script.html": page(
            "Ville — nos jumelages (script)",
            f'<h1>Nos jumelages</h1><div id="box"><script src="{base_url}/widgets/{pk}.js'
            '?vue=liste&langue=en"></script><p id=after>Après le widget</p></div>',
        ),
        "/framed.html": page(
            "Ville — cadres interdits",
            "".join(
                f'<iframe id="{name}" src="{base_url}{path}" title="{name}" width="600" height="300">'
                "</iframe>"
                for name, path in [
                    ("home", "/"),
                    ("partnership", partnership_url),
                    ("widget", f"/widgets/{pk}/"),
                ]
            ),
        ),
    }


@pytest.fixture
def other_site(demo_live):  # noqa: F811 — the fixture imported above
    """A second server, on another port and host name (127.0.0.1 against the live server's
    localhost), serving the host pages; prepared before the browser starts."""
    base_url, _pages = demo_live
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    partnership = Partnership.objects.get(external_ref="demo:clermont-rivm").get_absolute_url()
    pages = _host_pages(base_url, boulogne.pk, partnership)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — the name http.server calls
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "absent").encode())

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host = f"http://127.0.0.1:{server.server_address[1]}"
    assert host.split(":")[-1] != base_url.split(":")[-1]
    yield base_url, host, boulogne.pk
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="fr-FR")
        page.add_init_script(WATCH_VIOLATIONS)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, errors
        browser.close()


def _frame_of(page, selector: str):
    frame = page.locator(selector).element_handle().content_frame()
    assert frame is not None, selector
    return frame


def test_browser_widget_in_an_iframe_of_another_site_shows_partners_and_map(other_site, browser_page):
    """The other site's page frames the widget: Boulogne-Billancourt's twin towns are listed in
    the frame, the map is drawn with its points, and the frame breaks no policy."""
    # given
    base_url, host, _pk = other_site
    page, errors = browser_page
    # when
    page.goto(host + "/iframe.html")
    frame = _frame_of(page, "#widget")
    frame.wait_for_selector("text=Neukölln")
    frame.wait_for_function("() => document.querySelector('[data-widget-map]').dataset.ready === '1'")
    # then
    assert frame.url.startswith(base_url + "/widgets/")
    assert "Villes jumelles" in frame.locator("h2").first.inner_text()
    link = frame.locator("a", has_text="Neukölln").first
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert int(frame.locator("[data-widget-map]").get_attribute("data-points")) >= 1
    assert frame.locator("path.widget-marker").count() >= 1
    accent = frame.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")
    assert accent == "#c9191e"
    assert frame.evaluate("window.__cspViolations") == []
    assert errors == []
    _shoot(page, "widget-iframe")
    if AXE.exists():  # axe-core reads the widget's own page (a script tag would break its policy)
        page.goto(frame.url)
        page.wait_for_selector("[data-widget-map][data-ready='1']")
        assert axe_problems(page, "widget") == []


def test_browser_widget_script_inserts_the_frame_after_itself(other_site, browser_page):
    """The script tag of the other site inserts the widget's frame right after itself, titled,
    in English as asked, with the list only."""
    # given
    base_url, host, _pk = other_site
    page, errors = browser_page
    # when
    page.goto(host + "/script.html")
    page.wait_for_selector("#box > iframe")
    # then
    order = page.evaluate("[...document.querySelector('#box').children].map(e => e.tagName + '#' + e.id)")
    assert order == ["SCRIPT#", "IFRAME#", "P#after"]
    iframe = page.locator("#box > iframe")
    assert iframe.get_attribute("title") == "International partners of Boulogne-Billancourt"
    assert int(iframe.get_attribute("height")) > 100
    frame = _frame_of(page, "#box > iframe")
    frame.wait_for_selector("text=Neukölln")
    assert "Twin towns" in frame.locator("h2").first.inner_text()
    assert frame.locator("[data-widget-map]").count() == 0
    assert errors == []
    _shoot(page, "widget-script")


def test_browser_other_site_cannot_frame_ordinary_pages(other_site, browser_page):
    """Framed by the other site, the home page and a partnership page are refused by chromium
    (nothing of ours shows in their frames), while the widget on the same page shows."""
    # given
    base_url, host, _pk = other_site
    page, _errors = browser_page
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
    # when
    page.goto(host + "/framed.html", wait_until="load")
    widget = _frame_of(page, "#widget")
    widget.wait_for_selector("text=Neukölln")
    # then
    for selector in ("#home", "#partnership"):
        frame = _frame_of(page, selector)
        assert not frame.url.startswith(base_url), (selector, frame.url)
        text = frame.evaluate("document.documentElement ? document.documentElement.innerText : ''")
        assert "coopatlas" not in text and "Atlas" not in text, (selector, text[:200])
    assert len(refused) >= 2, refused
    _shoot(page, "widget-framing-refused")


def test_browser_embed_page_form_rewrites_the_code_and_previews_it(other_site, browser_page):
    """From the organisation's page to « Intégrer sur votre site »: choosing « Liste seule » and
    sending the form rewrites both snippets and the preview, which shows the partners; no policy
    broken, nothing serious for axe."""
    # given
    base_url, _host, pk = other_site
    page, errors = browser_page
    page.goto(f"{base_url}/organisations/{pk}/")
    page.get_by_role("link", name="Intégrer ses partenaires sur votre site →").click()
    page.wait_for_selector("#code-iframe")
    # when
    page.get_by_label("Liste seule").check()
    page.get_by_role("button", name="Mettre à jour le code").click()
    page.wait_for_url("**vue=liste**")
    # then
    iframe_code = page.locator("#code-iframe").input_value()
    assert "vue=liste" in iframe_code and 'height="400"' in iframe_code and iframe_code.startswith("<iframe ")
    assert "vue=liste" in page.locator("#code-script").input_value()
    preview = _frame_of(page, "iframe.widget-preview")
    preview.wait_for_selector("text=Neukölln")
    assert preview.locator("[data-widget-map]").count() == 0
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
    _shoot(page, "widget-embed")
    if AXE.exists():
        assert axe_problems(page, "widget-embed") == []
