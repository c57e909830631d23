"""The site's header on a phone: one compact line with a menu button that opens the navigation,
the account and the language switch; without script the navigation stays in view."""

import pytest
from django.test import Client

from tests.conftest import OUTPUT
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, pytestmark  # noqa: F401  (same marks)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def signed_in(live_server, django_user_model):
    """The live server's address and the session of a superuser named Camille Martin."""
    user = django_user_model.objects.create_superuser("camille", "camille@example.org", "pw-camille-123")
    user.first_name, user.last_name = "Camille", "Martin"
    user.save()
    client = Client()
    client.force_login(user)
    return live_server.url, client.cookies["sessionid"].value


def _browser(playwright, **context):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    return browser, browser.new_context(viewport=PHONE, locale="fr-FR", **context)


def test_phone_header_is_one_line_with_a_menu_button_that_opens_the_links(live_server):
    """At 390 px the header is under 100 px high; the menu button opens the links and says so
    (aria-expanded), and closes them again."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, context = _browser(playwright)
        page = context.new_page()
        page.goto(live_server.url + "/")
        # given
        header_height = page.locator(".site-header").bounding_box()["height"]
        button = page.get_by_role("button", name="Menu")
        closed_nav_visible = (
            page.locator(".main-nav").get_by_role("link", name="Tableau de bord").is_visible()
        )
        # when
        button.click()
        # then
        expanded = button.get_attribute("aria-expanded")
        links_visible = [
            page.locator(".main-nav").get_by_role("link", name=name).is_visible()
            for name in ("Accueil", "Partenariats", "Carte", "Tableau de bord")
        ]
        sign_in_visible = page.locator(".site-menu").get_by_role("link", name="Se connecter").is_visible()
        language_visible = page.get_by_role("button", name="English").is_visible()
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "header-menu-open-390.png"))
        button.click()
        closed_again = (
            button.get_attribute("aria-expanded") == "false" and not page.locator(".main-nav").is_visible()
        )
        browser.close()
    assert header_height < 100, f"the header is {header_height}px high on a phone"
    assert not closed_nav_visible
    assert expanded == "true" and all(links_visible) and sign_in_visible and language_visible
    assert closed_again


def test_phone_header_without_script_keeps_the_links_in_view(live_server):
    """With JavaScript off, no menu button is shown and the navigation links stay visible."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, context = _browser(playwright, java_script_enabled=False)
        page = context.new_page()
        page.goto(live_server.url + "/")
        button_visible = page.locator(".menu-button").is_visible()
        nav_visible = page.locator(".main-nav").get_by_role("link", name="Tableau de bord").is_visible()
        browser.close()
    assert not button_visible and nav_visible


def test_staff_header_shows_the_name_and_a_sign_out_button_on_a_phone_and_a_desktop(signed_in):
    """Signed in, the header names the user and offers to sign out, in the phone's menu and on a
    desktop; signing out from it returns to the home page signed out."""
    from playwright.sync_api import sync_playwright

    base_url, session = signed_in
    with sync_playwright() as playwright:
        browser, context = _browser(playwright)
        context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        page = context.new_page()
        page.goto(base_url + "/carte/")
        page.get_by_role("button", name="Menu").click()
        phone_name = page.locator(".account-name").inner_text()
        phone_sign_out = page.get_by_role("button", name="Se déconnecter").is_visible()
        page.screenshot(path=str(OUTPUT / "header-staff-390.png"))
        page.set_viewport_size({"width": 1366, "height": 900})
        desktop_sign_out = page.get_by_role("button", name="Se déconnecter").is_visible()
        page.screenshot(path=str(OUTPUT / "header-staff-1366.png"))
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(base_url + "/")
        signed_out = page.locator(".site-menu").get_by_role("link", name="Se connecter").count() == 1
        browser.close()
    assert "Camille Martin" in phone_name and phone_sign_out
    assert desktop_sign_out and signed_out
