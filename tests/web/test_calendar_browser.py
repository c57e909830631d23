"""The calendar page in a real browser: it fits a 390 px phone without sideways scroll and axe-core
finds no serious violation, in French and in English; the scope form works without script."""

import os

import pytest

from tests.web.test_browser import AXE, CHROMIUM, LAUNCH_ARGS, _shoot, axe_problems, demo_live  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make install-test runs npm ci)"),
]
PATH = "/calendrier/?depuis=2022-01-01&mois=24"


def test_browser_calendar_fits_a_phone_and_passes_axe_in_both_languages(demo_live):  # noqa: F811
    """At 390 and 1366 px, in French and English, the page is no wider than the window and has
    no serious or critical axe violation; submitting the scope form with script off keeps the
    window and narrows the list to the country chosen."""
    from playwright.sync_api import sync_playwright

    # given
    base_url, _pages = demo_live
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for language in ("fr", "en"):
            context = browser.new_context(locale="fr-FR")
            context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
            page = context.new_page()
            for width in (390, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                # when
                response = page.goto(base_url + PATH)
                # then
                assert response.status == 200
                wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if wide > window:
                    problems.append(f"{language} at {width}px is {wide}px wide")
                problems += axe_problems(page, f"{language} at {width}px")
                _shoot(page, f"calendar-{width}-{language}")
            context.close()
        # the scope form, with JavaScript off
        context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
        page = context.new_page()
        page.goto(base_url + PATH)
        page.select_option("select[name=pays]", "RS")
        page.locator(".scope-form button[type=submit]").click()
        page.wait_for_load_state("load")
        items = page.locator(".happening").all_inner_texts()
        address = page.url
        context.close()
        browser.close()
    assert not problems, "\n".join(problems)
    assert "pays=RS" in address and "depuis=2022-01-01" in address and "mois=24" in address
    assert len(items) == 1 and "Pančevo" in items[0]
