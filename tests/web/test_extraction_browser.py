"""Extraction in a real browser: paste a text, accept one candidate, reject another, then find the
accepted partnership in the atlas with its source."""

import pytest
from django.test import Client

from tests.conftest import OUTPUT
from tests.web.test_browser import AXE, CHROMIUM, LAUNCH_ARGS, axe_problems, pytestmark  # noqa: F401  (same marks)

TEXT = """Villes jumelles de Lannion

Lannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983.
Une convention de coopération lie la ville de Lannion et Kaolack (Sénégal) depuis 1990.
"""


@pytest.fixture
def signed_in(live_server, resolver, django_user_model):
    from coopatlas.extraction.service import get_extractor

    get_extractor("fr")  # loaded before the browser's event loop starts
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
    client = Client()
    client.force_login(user)
    return live_server.url, client.cookies["sessionid"].value


def _reveal(page, candidate):
    """A candidate the scorer is less sure of is folded under "À vérifier": open it, as a person
    would, and check it was the fold that hid it."""
    if not candidate.is_visible():
        assert "to-check" in candidate.get_attribute("class")
        page.locator("details.to-check-group > summary").click()
    assert candidate.is_visible()


def test_browser_paste_accept_reject_and_find_the_partnership(signed_in):
    from playwright.sync_api import sync_playwright

    base_url, session = signed_in
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        page = context.new_page()
        page.goto(base_url + "/extraction/")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "extraction-form.png"), full_page=True)
        page.fill("#x-text", TEXT)
        page.fill("#x-url", "https://www.example.org/lannion/jumelages")
        page.click("button[type=submit]:has-text('Extraire')")
        page.wait_for_selector("section.candidate")
        assert page.locator("section.candidate").count() == 2
        if AXE.exists():  # the review page is accessible too
            serious = axe_problems(page, "extraction review")
            assert not serious, serious
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "extraction-review.png"), full_page=True)
        caerphilly = page.locator("section.candidate", has_text="Caerphilly")
        _reveal(page, caerphilly)
        caerphilly.locator("button[value=accept]").click()
        page.wait_for_selector("section.candidate[data-status=accepted]", state="attached")
        kaolack = page.locator("section.candidate", has_text="Kaolack")
        _reveal(page, kaolack)
        kaolack.locator("button[value=reject]").click()
        page.wait_for_selector("section.candidate[data-status=rejected]", state="attached")  # folded still
        page.screenshot(path=str(OUTPUT / "extraction-decided.png"), full_page=True)
        page.locator("section.candidate[data-status=accepted] a").click()
        page.wait_for_load_state()
        body = page.content()
        assert "Caerphilly" in page.locator("h1").inner_text() or "Caerphilly" in body
        assert "example.org/lannion/jumelages" in body
        page.goto(base_url + "/recherche/?q=Caerphilly")
        assert page.locator("text=Lannion").count() >= 1
        assert "Kaolack" not in page.locator("main").inner_text()
        browser.close()
