"""The alerts' pages in Debian's chromium: chosen without JavaScript, on a 390 px phone and at
1366 px, in French and English; no sideways scroll, no serious or critical axe-core violation;
the unsubscription page likewise."""

import os

import pytest

from tests.web.test_browser import AXE, CHROMIUM, LAUNCH_ARGS, _shoot, axe_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make install-test runs npm ci)"),
]
PASSWORD = "Jumelage-Bethlehem-1998"


@pytest.fixture
def editor(live_server, django_user_model):
    from coopatlas.accounts.models import Role, RoleKind
    from coopatlas.alerts.services import unsubscribe_token
    from tests.accounts.factories import grande_synthe

    user = django_user_model.objects.create_user(
        "ri@ville-grande-synthe.fr", "ri@ville-grande-synthe.fr", PASSWORD
    )
    Role.objects.create(user=user, kind=RoleKind.EDITOR, organisation=grande_synthe())
    return live_server.url, user, unsubscribe_token(user)


def _sign_in(page, url: str) -> None:
    page.goto(url + "/connexion/")
    page.fill("#id_username", "ri@ville-grande-synthe.fr")
    page.fill("#id_password", PASSWORD)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_load_state()


def test_alerts_are_chosen_without_javascript(editor):
    """With scripts off, the editor ticks two alerts, picks 12 months and a country; saved."""
    from playwright.sync_api import sync_playwright

    from coopatlas.alerts.models import Subscription

    url, user, _token = editor
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(
            viewport={"width": 390, "height": 900}, java_script_enabled=False, locale="fr-FR"
        )
        _sign_in(page, url)
        page.goto(url + "/mon-compte/")
        page.click("text=Mes alertes par e-mail")
        page.check("#id_ending_active")
        page.select_option("#id_ending_months", "12")
        page.check("#id_new_partnerships_active")
        page.select_option("#id_countries", ["BJ"])
        page.click("form.alerts-form button[type=submit]")
        page.wait_for_load_state()
        assert "alertes sont enregistrés" in page.content()
        browser.close()
    saved = {s.kind: s for s in Subscription.objects.filter(user=user, active=True)}
    assert saved["ending"].months == 12 and [c.iso2 for c in saved["new_partnerships"].countries.all()] == [
        "BJ"
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_alerts_pages_fit_a_phone_and_pass_axe(editor, language):
    from playwright.sync_api import sync_playwright

    url, _user, token = editor
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([{"name": "django_language", "value": language, "url": url}])
        page = context.new_page()
        _sign_in(page, url)
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in [
                ("alerts", "/mon-compte/alertes/"),
                ("alerts-unsubscribe", f"/alertes/desabonnement/{token}/"),
                ("alerts-unsubscribe-refused", "/alertes/desabonnement/abimé/"),
            ]:
                page.goto(url + path)
                page.wait_for_load_state()
                scroll, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll > window:
                    problems.append(f"{name} at {width}px is {scroll}px wide")
                problems += axe_problems(page, f"[{language}] {name} at {width}px")
                _shoot(page, f"{name}-{width}-{language}")
        browser.close()
    assert not problems, "\n".join(problems)
