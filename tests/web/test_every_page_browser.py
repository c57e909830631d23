"""Every page of the site in a real browser, public and staff, on a phone (390 px) and a desktop
(1366 px), in French and English: no sideways scroll, no serious or critical axe-core violation,
and a full-page screenshot of each in test-output/pages/."""

import pytest
from django.test import Client

from coopatlas.atlas.models import Organisation, Partnership
from tests.conftest import OUTPUT
from tests.web.test_browser import AXE, CHROMIUM, LAUNCH_ARGS, axe_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "jobs"]),
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make install-test runs npm ci)"),
]
WIDTHS = (390, 1366)
LANGUAGES = ("fr", "en")
PAGES_DIR = OUTPUT / "pages"
CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"
TEXT = """Villes jumelles de Lannion

Lannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983.
Une convention de coopération lie la ville de Lannion et Kaolack (Sénégal) depuis 1990.
"""


@pytest.fixture
def every_page(live_server, resolver, django_user_model):
    """Return the live server's address, a superuser's session and every page of the site as
    (name, path, expected status, signed in), prepared before the browser's event loop starts
    (Django refuses database work inside it): the demo atlas located, a page read by the
    extraction, a file previewed by the import worker."""
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.localisation import organisations_locate
    from coopatlas.extraction.service import get_extractor
    from coopatlas.jobs.worker import run_queued

    load_demo()
    organisations_locate()
    get_extractor("fr")
    user = django_user_model.objects.create_superuser("camille", "camille@example.org", "pw-camille-123")
    client = Client()
    client.force_login(user)
    review = client.post("/extraction/", {"text": TEXT})["Location"]
    upload = __import__("io").BytesIO(CSV.encode())
    upload.name = "jumelages-lille.csv"
    job = client.post("/imports/apercu/", {"file": upload, "source": "table"})["Location"]
    run_queued()
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    clermont_partnership = Partnership.objects.get(external_ref="demo:clermont-rivm")
    public = [
        ("home", "/", 200),
        ("search", "/recherche/?q=jumelage", 200),
        ("partnership", Partnership.objects.get(external_ref="demo:clermont-rivm").get_absolute_url(), 200),
        ("organisation", Organisation.objects.get(name="Boulogne-Billancourt").get_absolute_url(), 200),
        (
            "organisation-common",
            f"{clermont.get_absolute_url()}?avec={Organisation.objects.get(name='Lyon').pk}",
            200,
        ),
        ("country", "/pays/DE/", 200),
        (
            "widget-code",
            f"{Organisation.objects.get(name='Boulogne-Billancourt').get_absolute_url()}integrer/",
            200,
        ),
        ("map", "/carte/", 200),
        ("dashboard", f"/tableau-de-bord/?territoire={clermont.pk}", 200),
        ("network", "/tableau-de-bord/reseau/", 200),
        ("watch", "/tableau-de-bord/veille/", 200),
        ("calendar", "/calendrier/?depuis=2025-01-01", 200),
        ("oda-declaration", f"/tableau-de-bord/declaration-apd/?territoire={clermont.pk}", 200),
        ("sources", "/sources/", 200),
        ("legal-notice", "/mentions-legales/", 200),
        ("accessibility", "/accessibilite/", 200),
        ("personal-data", "/donnees-personnelles/", 200),
        ("sign-in", "/connexion/", 200),
        ("not-found", "/nulle-part/", 404),
    ]
    staff = [
        ("staff-home", "/", 200),
        ("imports", "/imports/", 200),
        ("import-preview", job, 200),
        ("extraction", "/extraction/", 200),
        ("extraction-review", review, 200),
        ("places-review", "/lieux/a-verifier/", 200),
        ("my-partnerships", "/mes-partenariats/", 200),
        ("alerts", "/mon-compte/alertes/", 200),
        ("partnership-edit", f"/partenariats/{clermont_partnership.pk}/modifier/", 200),
        ("partnership-history", f"/partenariats/{clermont_partnership.pk}/historique/", 200),
        ("admin", "/admin/", 200),
    ]
    pages = [(*page, False) for page in public] + [(*page, True) for page in staff]
    return live_server.url, client.cookies["sessionid"].value, pages


def _problems(page, name: str, width: int) -> list[str]:
    """What is wrong with the page shown: sideways scroll, serious or critical axe violations."""
    problems = []
    scroll_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > window_width:
        problems.append(f"{name} at {width}px is {scroll_width}px wide")
    problems += axe_problems(page, f"{name} at {width}px")
    return problems


def test_every_page_fits_a_phone_and_passes_axe_in_both_languages(every_page):
    """Each page, public and staff, at 390 and 1366 px, in French and English: the page is no
    wider than the window and axe-core finds no serious or critical violation."""
    from playwright.sync_api import sync_playwright

    # given
    base_url, session, pages = every_page
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for language in LANGUAGES:
            for signed_in in (False, True):
                context = browser.new_context(locale="fr-FR")
                cookies = [{"name": "django_language", "value": language, "url": base_url}]
                if signed_in:
                    cookies.append({"name": "sessionid", "value": session, "url": base_url})
                context.add_cookies(cookies)
                page = context.new_page()
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    for name, path, status, staff in pages:
                        if staff != signed_in:
                            continue
                        # when
                        response = page.goto(base_url + path)
                        page.wait_for_load_state("load")
                        page.wait_for_timeout(300)  # maps and charts draw after load
                        # then
                        if response.status != status:
                            problems.append(f"{name} ({path}) answered {response.status}, not {status}")
                        if page.evaluate("document.documentElement.lang") != language:
                            problems.append(f"{name} at {width}px is not in {language}")
                        problems += [f"[{language}] {p}" for p in _problems(page, name, width)]
                        page.screenshot(
                            path=str(PAGES_DIR / f"{name}-{width}-{language}.png"), full_page=True
                        )
                context.close()
        browser.close()
    assert not problems, "\n".join(problems)
