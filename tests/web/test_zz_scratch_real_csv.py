"""Scratch (not committed): the real twin-town CSV of shared/data through the web preview."""

import time

import pytest

from tests.conftest import OUTPUT
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS
from tests.web.test_jobs_browser import _worker_after, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]
REAL = __import__("pathlib").Path("/work/shared") / "data" / "twins_wikipedia_hekman" / "derived_france_pairs_insee.csv"


def _shoot(page, name):
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        w = page.evaluate("document.documentElement.scrollWidth")
        print(name, width, "scrollWidth", w)
        page.screenshot(path=str(OUTPUT / f"real-{name}-{width}.png"), full_page=width == 390 or "columns" in name)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_real(signed_in, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    base_url, session = signed_in
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for lang in ("fr", "en"):
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}, {"name": "django_language", "value": lang, "url": base_url}])
            page = context.new_page()
            page.goto(base_url + "/imports/")
            page.set_input_files("#i-file", str(REAL))
            page.check("#i-skip")
            page.click("form.import-form button[type=submit]")
            w = _worker_after(0.3)
            page.wait_for_selector("#c-partenaire", timeout=120_000)
            w.join()
            _shoot(page, f"columns-{lang}")
            page.select_option("#c-collectivite_francaise", "fr_insee_name")
            page.select_option("#c-pays_partenaire", "partner_country_norm")
            page.click("form.column-picker button[type=submit]")
            started = time.monotonic()
            w = _worker_after(0.3)
            page.wait_for_selector("table.import-rows", timeout=600_000)
            w.join()
            print("preview seconds", time.monotonic() - started)
            _shoot(page, f"preview-{lang}")
            print(page.inner_text("main")[:3000])
            context.close()
        browser.close()
