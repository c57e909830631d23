"""A web import of a table in other columns, in a real browser: the columns are picked from the
file's own, the preview lists the rows, the import is confirmed; the pages fit a phone and have
no serious accessibility violation."""

import pytest

from tests.conftest import OUTPUT
from tests.web.test_browser import AXE, CHROMIUM, LAUNCH_ARGS, axe_problems
from tests.web.test_jobs_browser import _worker_after, signed_in  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "jobs"]),
    pytest.mark.skipif(
        not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed"
    ),
]
THEIRS = (
    "Commune;Pays de la commune;Ville partenaire;Pays partenaire;Depuis\n"
    "Lille;France;Cologne;Allemagne;1958\n"
    "Rennes;France;Erlangen;Allemagne;1964\n"
    "Brest;France;Denver;États-Unis;1977\n"
)


def _problems(page, name: str) -> list[str]:
    """What fails on the page at a phone's width: sideways scroll, serious axe violations."""
    found = []
    page.set_viewport_size({"width": 390, "height": 900})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 390:
        found.append(f"{name}: {width} px wide at 390 px")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"import-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(OUTPUT / f"import-{name}-1366.png"), full_page=True)
    if AXE.exists():
        found += axe_problems(page, name)
    return found


def test_browser_pick_columns_then_preview_then_confirm(signed_in, tmp_path):  # noqa: F811
    """The picker is prefilled by guesses, the partner's country is picked by hand, the preview
    lists the three rows to create and the confirmed import writes them."""
    from playwright.sync_api import sync_playwright

    # given
    base_url, session = signed_in
    csv_path = tmp_path / "Jumelages bretons et nordistes.csv"
    csv_path.write_text(THEIRS)
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        page = context.new_page()
        page.goto(base_url + "/imports/")
        page.set_input_files("#i-file", str(csv_path))
        page.click("button[type=submit]:has-text('Prévisualiser')")
        worker = _worker_after(0.5)
        page.wait_for_selector("#c-partenaire", timeout=60_000)
        worker.join()
        guessed = {
            field: page.input_value(f"#c-{field}")
            for field in ("collectivite_francaise", "partenaire", "annee_debut")
        }
        problems += _problems(page, "columns")
        # when
        page.select_option("#c-pays_partenaire", "Pays partenaire")
        page.click("button:has-text('Prévisualiser avec ces colonnes')")
        worker = _worker_after(0.5)
        page.wait_for_selector("text=Confirmer l'import", timeout=60_000)
        worker.join()
        rows = page.inner_text("table.import-rows")
        problems += _problems(page, "preview")
        page.click('button:has-text("Confirmer l\'import")')
        worker = _worker_after(0.5)
        page.wait_for_selector("text=importé", timeout=60_000)
        worker.join()
        done = page.inner_text("#job-status")
        page.goto(base_url + "/imports/")
        page.click("text=Annuler ce lot…")
        problems += _problems(page, "undo")
        undo = page.inner_text("main")
        browser.close()
    # then
    assert guessed == {
        "collectivite_francaise": "Commune",
        "partenaire": "Ville partenaire",
        "annee_debut": "Depuis",
    }
    assert "Jumelage Brest – Denver" in rows and rows.count("création") == 3
    assert "3 créé(s)" in done
    assert "supprimer 3 partenariats" in undo and "Jumelages bretons et nordistes.csv" in undo
    assert not problems, "\n".join(problems)
