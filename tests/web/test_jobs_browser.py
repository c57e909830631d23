"""A web import in a real browser: the upload lands on the job's page, which waits, then shows the
preview by itself once the worker has run the job (htmx asks again every two seconds)."""

import threading

import pytest
from django.db import connections
from django.test import Client

from tests.conftest import OUTPUT
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "jobs"]),
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]
CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"


@pytest.fixture
def signed_in(live_server, resolver, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-123")
    client = Client()
    client.force_login(user)
    return live_server.url, client.cookies["sessionid"].value


def _worker_after(seconds: float) -> threading.Thread:
    """The worker, run in a thread of its own (outside Playwright's event loop) after a while."""
    from coopatlas.jobs.worker import run_queued

    def work():
        threading.Event().wait(seconds)
        run_queued()
        connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_browser_import_waits_on_its_job_page_then_shows_the_preview(signed_in, tmp_path):
    """The job's page says « En attente », then shows the preview without a reload by hand."""
    from playwright.sync_api import sync_playwright

    # given
    base_url, session = signed_in
    csv_path = tmp_path / "jumelages.csv"
    csv_path.write_text(CSV)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        page = context.new_page()
        page.goto(base_url + "/imports/")
        page.set_input_files("#i-file", str(csv_path))
        # when
        page.click("button[type=submit]:has-text('Prévisualiser')")
        page.wait_for_url("**/taches/*/")
        waiting = page.inner_text("#job-status")
        worker = _worker_after(1)
        page.wait_for_selector("text=Confirmer l'import", timeout=60_000)
        worker.join()
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "job-import-preview.png"), full_page=True)
        browser.close()
    # then
    assert "En attente" in waiting
