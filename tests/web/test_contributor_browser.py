"""The contributor's app in Debian's chromium, at 1366 px and on a 390 px phone: the editor of
Grande-Synthe declares a twinning with two partners, a funding line and a signed convention in
the steps, leaves (the draft is kept), comes back and submits it; the Hauts-de-France coordinator
publishes it. Every page of the steps, the board and the edit page pass axe-core (no serious or
critical violation) and fit the width."""

import os

import pytest

from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _shoot, axe_problems
from tests.web.test_declaration import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "Jumelage-Ratingen-1976"


@pytest.fixture
def people(live_server, django_user_model, resolver, settings, tmp_path):
    from coopatlas.accounts.models import Role, RoleKind
    from tests.accounts.factories import HAUTS_DE_FRANCE, grande_synthe

    settings.MEDIA_ROOT = tmp_path / "media"
    editor = django_user_model.objects.create_user(
        "ri@ville-grande-synthe.fr",
        "ri@ville-grande-synthe.fr",
        PASSWORD,
        first_name="Nadia",
        last_name="Benali",
    )
    Role.objects.create(user=editor, kind=RoleKind.EDITOR, organisation=grande_synthe())
    coordinator = django_user_model.objects.create_user(
        "coordination@lianes.example", "coordination@lianes.example", PASSWORD
    )
    Role.objects.create(user=coordinator, kind=RoleKind.COORDINATOR, region_id=HAUTS_DE_FRANCE)
    from coopatlas.atlas.services.board import board_post_create
    from tests.accounts.factories import villeneuve_d_ascq

    villeneuve = villeneuve_d_ascq()
    poster = django_user_model.objects.create_user("ri@villeneuvedascq.fr", "ri@villeneuvedascq.fr", PASSWORD)
    Role.objects.create(user=poster, kind=RoleKind.EDITOR, organisation=villeneuve)
    board_post_create(
        organisation=villeneuve,
        acting_user=poster,
        kind="request",
        title="Cherche une commune béninoise pour l'eau potable",
        description="Forages et gestion de l'eau.",
        countries=["BJ"],
    )
    convention = tmp_path / "convention-ratingen.pdf"
    convention.write_bytes(PDF)
    return live_server.url, convention


def _sign_in(page, url, email):
    page.goto(url + "/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("form.sign-in button[type=submit]")
    page.wait_for_load_state()


def _checked(page, name: str, width: int, problems: list[str]) -> None:
    page.wait_for_load_state()
    scroll, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > window:
        problems.append(f"{name} at {width}px is {scroll}px wide")
    problems.extend(axe_problems(page, f"{name} at {width}px"))


@pytest.mark.parametrize("width", [1366, 390])
def test_declare_in_steps_come_back_submit_and_publish(people, width):
    from playwright.sync_api import sync_playwright

    url, convention = people
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="fr-FR")
        _sign_in(page, url, "ri@ville-grande-synthe.fr")
        page.goto(url + "/mes-partenariats/nouveau/")
        _checked(page, "declare", width, problems)
        page.fill("#id_partner_name", "Ratingen")
        page.select_option("#id_partner_country", "DE")
        page.select_option("#id_form", "twinning")
        page.fill("#id_start_year", "1976")
        page.click("form.record button[type=submit]")
        page.wait_for_load_state()
        assert "Brouillon enregistré" in page.content()
        _checked(page, "step-partners", width, problems)

        # a second partner, chosen among the names the atlas knows or typed, placed on the map
        page.fill("#id_partner-name", "Barking")
        page.select_option("#id_partner-country", "GB")
        page.get_by_role("button", name="Ajouter").click()
        page.wait_for_load_state()
        partners = page.locator("ul.partners").inner_text()
        assert "Ratingen" in partners and "Barking" in partners and "lieu trouvé" in partners
        page.get_by_role("link", name="Continuer").click()
        _checked(page, "step-what", width, problems)
        page.get_by_role("button", name="Enregistrer et continuer").click()  # "Quoi" as it is
        page.wait_for_load_state()
        _checked(page, "step-when", width, problems)
        page.fill("#id_signature_year", "1976")
        page.get_by_role("button", name="Enregistrer et continuer").click()
        page.wait_for_load_state()

        # money: a funding line, its total shown
        page.fill("#id_funding-funder_label", "Ville de Grande-Synthe")
        page.fill("#id_funding-amount", "2500")
        page.fill("#id_funding-year", "2025")
        page.get_by_role("button", name="Ajouter").click()
        page.wait_for_load_state()
        assert "Total" in page.locator("main").inner_text()
        _checked(page, "step-funding", width, problems)
        for step in ("Personnes", "Événements"):
            page.get_by_role("link", name=step, exact=True).click()
            _checked(page, f"step-{step}", width, problems)
        page.get_by_role("link", name="Sources et documents").click()
        page.fill("#id_document-title", "Convention de jumelage")
        page.select_option("#id_document-kind", "convention")
        page.set_input_files("#id_document-file", str(convention))
        page.locator("form", has=page.locator("#id_document-file")).get_by_role(
            "button", name="Ajouter"
        ).click()
        page.wait_for_load_state()
        assert "Convention de jumelage" in page.locator("main").inner_text()
        _checked(page, "step-sources", width, problems)
        step_address = page.url

        # leave, come back: the draft is there, on "Mes partenariats" too
        page.goto(url + "/")
        page.goto(url + "/mes-partenariats/")
        assert "Brouillon" in page.locator("main").inner_text()
        _checked(page, "my-partnerships", width, problems)
        page.goto(step_address)
        assert "Convention de jumelage" in page.locator("main").inner_text()
        page.get_by_role("link", name="Envoi à la revue").click()
        _checked(page, "step-send", width, problems)
        page.get_by_role("button", name="Soumettre à la revue").click()
        page.wait_for_load_state()
        assert "Soumis à la revue" in page.content()
        record = page.url
        _shoot(page, f"contributor-submitted-{width}")
        page.context.clear_cookies()  # signed out (on a phone the button sits in the folded menu)

        _sign_in(page, url, "coordination@lianes.example")
        page.goto(record)
        page.get_by_role("button", name="Publier").click()
        page.wait_for_load_state()
        assert "Publié" in page.content()
        page.goto(record.rstrip("/") + "/modifier/")
        _checked(page, "edit", width, problems)
        page.goto(record.rstrip("/") + "/historique/")
        _checked(page, "history", width, problems)
        page.goto(url + "/bourse/")
        _checked(page, "board", width, problems)
        page.get_by_role("link", name="Cherche une commune béninoise pour l'eau potable").click()
        _checked(page, "board-post", width, problems)
        page.context.clear_cookies()
        _sign_in(page, url, "ri@villeneuvedascq.fr")
        page.goto(url + "/bourse/nouvelle/")
        _checked(page, "board-new", width, problems)
        browser.close()
    assert not problems, problems
