"""The shared atlas as its people use it, in Debian's chromium: the editor of Grande-Synthe
declares a partnership with Sidi Ifni and submits it; the Hauts-de-France coordinator sees it
in the review queue and publishes it; it is found by the public search; the editor of
Villeneuve-d'Ascq cannot change it; a contributor's correction reaches the coordinator and,
accepted, stays in the history under the contributor's name."""

import os

import pytest

from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "Jumelage-Sidi-Ifni-1951"


@pytest.fixture
def people(live_server, django_user_model):
    """The accounts and organisations, made before the browser starts (Django refuses database
    work inside Playwright's event loop)."""
    from coopatlas.accounts.models import Role, RoleKind
    from tests.accounts.factories import HAUTS_DE_FRANCE, grande_synthe, villeneuve_d_ascq

    def person(email, first, last, **role):
        user = django_user_model.objects.create_user(email, email, PASSWORD, first_name=first, last_name=last)
        if role:
            Role.objects.create(user=user, **role)
        return user

    person("ri@ville-grande-synthe.fr", "Nadia", "Benali", kind=RoleKind.EDITOR, organisation=grande_synthe())
    person(
        "coordination@lianes.example",
        "Paul",
        "Lefebvre",
        kind=RoleKind.COORDINATOR,
        region_id=HAUTS_DE_FRANCE,
    )
    person("ri@villeneuvedascq.fr", "Marc", "Durand", kind=RoleKind.EDITOR, organisation=villeneuve_d_ascq())
    person("citoyenne@example.org", "Awa", "Diallo")
    return live_server.url


def _sign_in(page, url, email):
    page.goto(url + "/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_load_state()


def _sign_out(page):
    page.click("form.account button[type=submit]")
    page.wait_for_load_state()


def test_declare_review_publish_refuse_and_correct(people):
    from playwright.sync_api import sync_playwright

    url = people
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")

        # The editor of Grande-Synthe declares the twinning and submits it.
        _sign_in(page, url, "ri@ville-grande-synthe.fr")
        page.get_by_role("link", name="Mes partenariats").first.click()
        page.get_by_role("link", name="Déclarer un partenariat").click()
        page.fill("#id_partner_name", "Sidi Ifni")
        page.select_option("#id_partner_country", "MA")
        page.select_option("#id_form", "twinning")
        page.fill("#id_start_year", "2003")
        page.click("form.record button[type=submit]")
        page.wait_for_load_state()
        # the draft is saved; the declaration goes on in steps, up to sending it to review
        assert "Jumelage Grande-Synthe – Sidi Ifni" in page.locator(".breadcrumb").inner_text()
        page.get_by_role("link", name="Envoi à la revue").click()
        page.get_by_role("button", name="Soumettre à la revue").click()
        page.wait_for_load_state()
        assert "Soumis à la revue" in page.content()
        assert "Jumelage Grande-Synthe – Sidi Ifni" in page.locator("h1").inner_text()
        record = page.url
        _shoot(page, "shared-atlas-submitted")
        _sign_out(page)

        # Not public yet.
        page.goto(url + "/recherche/?q=Ifni")
        assert "Sidi Ifni" not in page.locator("main").inner_text()

        # The coordinator sees it in the queue, with its header counter, and publishes it.
        _sign_in(page, url, "coordination@lianes.example")
        assert page.locator("header a[href='/revue/'] .count").inner_text() == "1"
        page.goto(url + "/revue/")
        item = page.locator(".review-item", has_text="Sidi Ifni")
        assert "jamais publié" in item.inner_text()
        assert "Nadia Benali" in item.inner_text()
        _shoot(page, "shared-atlas-review")
        item.get_by_role("button", name="Publier").click()
        page.wait_for_load_state()
        assert "est publié" in page.content()
        _sign_out(page)

        # The public search finds it.
        page.goto(url + "/recherche/?q=Ifni")
        assert "Sidi Ifni" in page.locator("main").inner_text()

        # The editor of Villeneuve-d'Ascq cannot change it: no button, and a refusal that says why.
        _sign_in(page, url, "ri@villeneuvedascq.fr")
        page.goto(record)
        assert page.get_by_role("button", name="Toujours exact").count() == 0
        answer = page.request.post(record + "toujours-exact/", headers={"Referer": record})
        assert answer.status == 403
        _sign_out(page)

        # A contributor proposes a correction; the coordinator accepts it; the history names her.
        _sign_in(page, url, "citoyenne@example.org")
        page.goto(record)
        page.get_by_role("link", name="Signaler une erreur, proposer une correction").click()
        page.fill("#id_start_year", "2002")
        page.fill("#id_message", "Le jumelage a été signé en 2002 (délibération du conseil municipal).")
        page.click("form.record button[type=submit]")
        page.wait_for_load_state()
        assert "votre proposition est transmise" in page.content()
        _sign_out(page)
        _sign_in(page, url, "coordination@lianes.example")
        page.goto(url + "/revue/")
        proposal = page.locator(".review-item", has_text="Awa Diallo")
        assert "2002" in proposal.inner_text()
        proposal.get_by_role("button", name="Accepter").click()
        page.wait_for_load_state()
        assert "acceptée et appliquée" in page.content()
        browser.close()

    from coopatlas.atlas.models import Partnership

    partnership = Partnership.objects.get(title="Jumelage Grande-Synthe – Sidi Ifni")
    assert partnership.start_year == 2002 and partnership.publication_state == "published"
    assert "Correction proposée par Awa Diallo" in partnership.history.first().history_change_reason
