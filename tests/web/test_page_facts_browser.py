"""What the pages state, seen in Debian's chromium: a status to check, the "in common" panel, and
drafts marked for a signed-in editor; at desktop and phone widths, in French and English."""

import os

import pytest
from django.contrib.auth.models import Permission

from coopatlas.atlas.models import Organisation, Partnership
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, _shoot, axe_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "un-mot-de-passe-solide-42"


@pytest.fixture
def facts_live(live_server, django_user_model):
    """The demo atlas with Lyon–Birmingham turned back into a draft, an editor who may see drafts,
    and the pages to look at; all made before the browser starts."""
    from coopatlas.atlas.demo.loader import load_demo

    load_demo()
    Partnership.objects.filter(external_ref="demo:lyon-birmingham").update(publication_state="draft")
    user = django_user_model.objects.create_user("claude", "claude@example.org", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="change_partnership"))
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    pages = {
        "rivm": Partnership.objects.get(external_ref="demo:clermont-rivm").get_absolute_url(),
        "in-common": f"{boulogne.get_absolute_url()}?avec={clermont.pk}",
        "lyon": Organisation.objects.get(name="Lyon").get_absolute_url(),
        "search": "/recherche/?pays=GB",
        "country": "/pays/GB/",
    }
    return live_server.url, pages


def test_browser_status_to_check_in_common_panel_and_drafts_for_an_editor(facts_live):
    """The RIVM's "En cours" says its end date has passed; Boulogne-Billancourt with Clermont-Ferrand
    names the countries and themes they share; a signed-in editor sees the draft marked
    "Brouillon" in search results, on Lyon's page and on the United Kingdom's page."""
    from playwright.sync_api import sync_playwright

    base_url, pages = facts_live
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for locale, language in (("fr-FR", "fr"), ("en-GB", "en")):
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale=locale)
            # given: an editor signed in
            page.goto(base_url + "/connexion/")
            page.fill("#id_username", "claude")
            page.fill("#id_password", PASSWORD)
            page.click("form.sign-in button[type=submit]")
            page.wait_for_load_state()
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                for name, path in pages.items():
                    # when
                    page.goto(base_url + path)
                    # then
                    _shoot(page, f"facts-{name}-{language}-{width}")
                    problems += axe_problems(page, f"{name} {language} {width}")
                    if name == "rivm":
                        note = page.locator(".record-head .status-check")
                        assert note.is_visible()
                        expected = "date de fin dépassée" if language == "fr" else "end date passed"
                        assert expected in note.inner_text() and "31/12/2021" in note.inner_text()
                    elif name == "in-common":
                        panel = page.locator("#h-common + dl")
                        assert panel.is_visible()
                        text = panel.inner_text().lower()
                        assert ("chine" if language == "fr" else "china") in text
                        assert (
                            "culture et patrimoine" if language == "fr" else "culture and heritage"
                        ) in text
                    else:
                        badge = page.locator(".badge-draft")
                        assert badge.count() == 1 and badge.is_visible(), (name, language)
                        assert badge.text_content() == ("Brouillon" if language == "fr" else "Draft")
            page.close()
        browser.close()
    assert not problems, "\n".join(problems)
