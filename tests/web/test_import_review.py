"""An import checked in the web app before anything is written: columns that are not ours are
picked from the file's own, the preview lists the rows with their outcome, an undo is confirmed
first; batches show their source in words and files by the name their owner gave them."""

import io
import json
import re

import pytest
from django.utils.timezone import localtime

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.jobs import uploads
from coopatlas.jobs.models import Job
from coopatlas.jobs.worker import run_queued

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])
OURS = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"
THEIRS = (
    "Ville,Pays de la ville,Jumelée avec,Pays\n"
    "Lille,France,Cologne,Allemagne\nRennes,France,Erlangen,Allemagne\n"
)
NAME = "Jumelages du Nord 2025.csv"


def _preview(client, text: str, name: str = NAME, **fields):
    """Upload a file for a preview, run the worker, return the job's page (after redirects)."""
    upload = io.BytesIO(text.encode())
    upload.name = name
    response = client.post("/imports/apercu/", {"file": upload, "source": "table", **fields})
    assert response.status_code == 302, response
    run_queued()
    return client.get(response["Location"], follow=True)


def _selected(html: str, field: str) -> str | None:
    """The option chosen in the picker's <select> for one of our fields."""
    select = re.search(rf'<select[^>]*name="col_{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, field
    chosen = re.search(r'<option value="([^"]*)" selected', select.group(1))
    return chosen.group(1) if chosen else None


def test_columns_not_ours_get_a_picker_prefilled_by_guesses(admin_client_fr, resolver):
    """A table in other columns answers with a <select> per field listing the file's columns,
    prefilled by the guesses, not with advice to use --mapping."""
    # when
    html = _preview(admin_client_fr, THEIRS).content.decode()
    # then
    assert "--mapping" not in html and "Confirmer l'import" not in html
    assert _selected(html, "collectivite_francaise") == "Ville"
    assert _selected(html, "pays_partenaire") in ("Pays", "Pays de la ville")
    assert _selected(html, "partenaire") == "Jumelée avec" and _selected(html, "themes") == ""
    assert html.count('<option value="Jumelée avec"') == html.count("<select")
    assert NAME in html


def test_picked_columns_make_the_mapping_text_and_preview_again(admin_client_fr, resolver):
    """Submitting the picks queues a new preview of the same upload with the mapping as text
    (never a path), which then previews the rows; a column not in the file is refused."""
    # given
    _preview(admin_client_fr, THEIRS)
    first = Job.objects.get()
    picks = {
        "col_collectivite_francaise": "Ville",
        "col_partenaire": "Jumelée avec",
        "col_pays_partenaire": "Pays",
    }
    # when
    response = admin_client_fr.post(f"/imports/colonnes/{first.pk}/", picks)
    run_queued()
    html = admin_client_fr.get(response["Location"]).content.decode()
    # then
    second = Job.objects.exclude(pk=first.pk).get()
    assert json.loads(second.params["mapping"]) == {
        "collectivite_francaise": "Ville",
        "partenaire": "Jumelée avec",
        "pays_partenaire": "Pays",
    }
    assert second.params["upload"] == first.params["upload"] and second.params["file_name"] == NAME
    assert "Confirmer l'import" in html and "Jumelage Rennes – Erlangen" in html
    bad = admin_client_fr.post(
        f"/imports/colonnes/{first.pk}/", {**picks, "col_partenaire": "../../etc/passwd"}
    )
    assert bad.status_code == 400 and Job.objects.count() == 2


def test_a_preview_waiting_for_its_columns_cannot_be_confirmed(admin_client_fr, resolver):
    """The preview that asks for columns has nothing to confirm."""
    # given
    _preview(admin_client_fr, THEIRS)
    # when
    response = admin_client_fr.post(f"/imports/confirmer/{Job.objects.get().pk}/")
    # then
    assert response.status_code == 404 and not ImportBatch.objects.exists()


def test_the_preview_lists_the_rows_with_their_outcome(admin_client_fr, resolver):
    """Each row is shown with its line, title, partners and outcome; a rejected one with the field
    and value at fault; past the first 50 rows, the count of the others."""
    # given
    rows = "Rennes;Erlangen;Atlantide;1964\n" + "".join(
        f"Lille;Ville {n};Allemagne;1958\n" for n in range(60)
    )
    # when
    html = _preview(admin_client_fr, OURS + rows, skip_invalid="on").content.decode()
    # then
    assert "Jumelage Lille – Cologne" in html and "création" in html
    row = re.search(r"<tr[^>]*>\s*<td>ligne 3</td>(.*?)</tr>", html, re.S).group(1)
    assert "rejet" in row and "pays_partenaire" in row and "Atlantide" in row and "pays inconnu" in row
    listed = re.search(r'<table class="data import-rows[^"]*">(.*?)</table>', html, re.S).group(1)
    assert "Ville 47" in listed and "Ville 48" not in listed
    assert "et 12 autres" in html and "62 lignes" in html


def test_a_second_preview_says_update_and_unchanged(admin_client_fr, resolver):
    """Rows already imported are « inchangé »; changed ones « mise à jour »."""
    # given
    _preview(admin_client_fr, "reference;" + OURS.replace("\n", "\nA1;", 1))
    admin_client_fr.post(f"/imports/confirmer/{Job.objects.get().pk}/")
    run_queued()
    changed = (
        "reference;" + OURS.replace("\n", "\nA1;", 1).replace("1958", "1959") + "A2;Lille;Turin;Italie;1958\n"
    )
    same = "reference;" + OURS.replace("\n", "\nA1;", 1)
    # when
    updated = _preview(admin_client_fr, changed).content.decode()
    unchanged = _preview(admin_client_fr, same).content.decode()
    # then
    assert "mise à jour" in updated and "création" in updated
    assert "inchangé" in unchanged


def test_undoing_a_batch_asks_for_confirmation_first(admin_client_fr, resolver):
    """The batch list's undo leads to a page saying what will be removed (counts, file, date),
    whose POST queues the undo; the page itself removes nothing."""
    # given
    _preview(admin_client_fr, OURS)
    admin_client_fr.post(f"/imports/confirmer/{Job.objects.get().pk}/")
    run_queued()
    batch = ImportBatch.objects.get()
    listing = admin_client_fr.get("/imports/").content.decode()
    # when
    page = admin_client_fr.get(f"/imports/{batch.pk}/annuler/").content.decode()
    # then
    assert f'href="/imports/{batch.pk}/annuler/"' in listing
    assert f'action="/imports/{batch.pk}/annuler/"' not in listing
    assert NAME in page and "1 partenariat" in page
    assert localtime(batch.started_at).strftime("%d/%m/%Y") in page  # as the page says it: local time
    assert f'action="/imports/{batch.pk}/annuler/"' in page and Partnership.objects.count() == 1
    assert Job.objects.filter(kind="undo").count() == 0


def test_batch_lists_name_the_source_in_words(admin_client_fr):
    """The batch list says « Tableau », « Fiche de l'atlas », « Jumelages (Wikipedia) », not codes."""
    # given
    for kind in ("table", "atlas-sheet", "twins"):
        ImportBatch.objects.create(source_kind=kind, file_name=f"{kind}.txt")
    # when
    html = admin_client_fr.get("/imports/").content.decode()
    # then
    assert "<td>Tableau</td>" in html and "<td>Fiche de l&#x27;atlas</td>" in html
    assert "<td>Jumelages (Wikipedia)</td>" in html and "<td>table</td>" not in html


def test_an_inexact_theme_is_answered_with_close_themes_on_the_preview(admin_client_fr, resolver):
    """The preview's row error proposes the close theme names."""
    # given
    text = OURS.replace("annee_debut", "annee_debut;themes").replace("1958", "1958;Échanges culturels")
    # when
    html = _preview(admin_client_fr, text).content.decode()
    # then
    assert (
        "Échanges culturels et interculturalité" in html and "thème inconnu de la taxonomie</td>" not in html
    )


def test_messages_name_the_file_as_uploaded_never_as_stored(admin_client_fr, resolver):
    """The preview, the failed job's page, the batch list and the row errors show the uploaded
    file's own name, never the random one it is stored under."""
    # given: a file refused as a whole, a preview with a rejected row, an imported batch
    refused = _preview(admin_client_fr, "Ville;Ville\nLille;Lille\n", name="Doublons.csv").content.decode()
    previewed = _preview(admin_client_fr, OURS + "Rennes;Erlangen;Atlantide;1964\n").content.decode()
    _preview(admin_client_fr, OURS, name="Bon fichier.csv")
    admin_client_fr.post(
        f"/imports/confirmer/{Job.objects.filter(params__file_name='Bon fichier.csv').get().pk}/"
    )
    run_queued()
    listing = admin_client_fr.get("/imports/").content.decode()
    # then
    stored = [j.params["upload"] for j in Job.objects.exclude(params__upload=None)]
    tokens = {name.split(".")[0] for name in stored}
    for html in (refused, previewed, listing):
        assert not any(token in html for token in tokens)
    assert "Doublons.csv" in refused and NAME in previewed and "Bon fichier.csv" in listing
    assert all(len(t) == 32 for t in tokens) and uploads.folder().exists()


def test_the_preview_in_english_says_rows_outcomes_and_reasons_in_english(admin_client_fr, resolver):
    """In English the rows are « line N », their outcome and reason in English."""
    # given
    admin_client_fr.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # when
    html = _preview(admin_client_fr, OURS + "Rennes;Erlangen;Atlantide;1964\n").content.decode()
    # then
    assert "<td>line 3</td>" in html and "unknown country" in html and "rejected" in html
    assert "ligne" not in html and "pays inconnu" not in html
    assert "encoding: utf-8" in html and "delimiter: ;" in html and "encodage" not in html


def test_a_queued_api_preview_in_other_columns_fails_with_the_reason(admin_client_fr, django_user_model):
    """Without a picker (a job queued by the API), columns not ours fail the job with the columns
    found and how to give a mapping, and its file is discarded."""
    # given
    owner = django_user_model.objects.get(username="admin")
    stored = uploads.store([THEIRS.encode()], NAME)
    params = {"upload": stored, "file_name": NAME, "source": "table", "mapping": ""}
    job = Job.objects.create(kind="import_preview", owner_id=owner.pk, params=params)
    from coopatlas.jobs.tasks import run_job

    # when
    run_job.enqueue(job.pk)
    run_queued()
    job.refresh_from_db()
    # then
    assert job.state == "failed" and NAME in job.error_fr and "mapping" in job.error_en
    assert not uploads.path_of(stored).exists()


def test_the_column_picker_in_english(admin_client_fr, resolver):
    """In English the picker describes our fields and names what is missing in English."""
    # given
    admin_client_fr.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # when
    html = _preview(admin_client_fr, "Ville;Remarques\nLille;x\n").content.decode()
    # then
    assert "the French local authority&#x27;s name" in html and "(required)" in html
    assert "collectivite_francaise (or code_insee)" in html and "collectivité" not in html
