"""Signing in and out as a person would, in Debian's chromium driven by Playwright."""

import os

import pytest
from django.contrib.auth.models import Permission

from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "un-mot-de-passe-solide-42"


@pytest.fixture
def importer_live(live_server, django_user_model):
    """The live server's address and a non-staff user allowed to import, made before the browser
    starts (Django refuses database work inside Playwright's event loop)."""
    user = django_user_model.objects.create_user("camille", "camille@example.org", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    return live_server.url


def test_browser_non_staff_user_signs_in_reaches_imports_and_signs_out(importer_live):
    """A non-staff importer follows "Se connecter", signs in, lands on /imports/, then signs out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        # given: an anonymous visitor asking for the imports page is sent to sign in
        page.goto(importer_live + "/imports/")
        assert "/connexion/?next=/imports/" in page.url
        # when
        page.fill("#id_username", "camille")
        page.fill("#id_password", PASSWORD)
        page.click("form.sign-in button[type=submit]")
        # then
        page.wait_for_url(importer_live + "/imports/")
        assert page.locator("h1").inner_text() == "Importer des données"
        assert page.locator(".account-name").inner_text() == "camille"
        _shoot(page, "imports-signed-in")
        # when: signing out
        page.click("form.account button[type=submit]")
        # then
        page.wait_for_url(importer_live + "/")
        assert page.get_by_role("link", name="Se connecter").count() == 1
        page.goto(importer_live + "/imports/")
        assert "/connexion/" in page.url
        browser.close()
