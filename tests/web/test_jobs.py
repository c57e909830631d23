"""Long work in the web app goes through the worker's queue: the page that starts it answers at
once with the job's page, which shows its state and progress, then its result; only its owner
(or staff) sees it."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.extraction.models import ExtractedPage
from coopatlas.jobs.models import Job
from coopatlas.jobs.worker import run as run_worker

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])
CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"


def _upload(client, text: str = CSV):
    upload = io.BytesIO(text.encode())
    upload.name = "jumelages.csv"
    return client.post("/imports/apercu/", {"file": upload, "source": "table"})


def test_import_preview_is_queued_then_shows_its_progress_and_preview(admin_client_fr, resolver):
    """The upload answers with the job's page (waiting, asking again); the worker records its
    progress (rows, bytes read of the file's size); the page then shows the preview."""
    # given
    rows = "".join(f"Lille;Cologne {n};Allemagne;1958\n" for n in range(300))
    response = _upload(admin_client_fr, CSV + rows)
    # when: before the worker runs
    waiting = admin_client_fr.get(response["Location"]).content.decode()
    # then
    assert response.status_code == 302 and response["Location"].startswith("/taches/")
    assert "En attente" in waiting and 'hx-trigger="every 2s"' in waiting
    assert not ImportBatch.objects.exists()
    # when: the worker has run it
    run_worker(batch=True)
    job = Job.objects.get()
    done = admin_client_fr.get(response["Location"]).content.decode()
    # then
    assert job.state == "done" and job.rows == 301 and job.total > 0 and job.done == job.total
    assert "Confirmer l'import" in done and "Aperçu\u00a0: jumelages.csv" in done
    assert Partnership.objects.count() == 0


def test_running_job_shows_its_percentage(admin_client_fr, django_user_model):
    """While the worker runs a job, its state part says « En cours » with how far it has gone."""
    # given
    user = django_user_model.objects.get(username="admin")
    job = Job.objects.create(
        kind="import", owner_id=user.pk, state="running", rows=1200, done=300, total=1000
    )
    # when
    html = admin_client_fr.get(f"/taches/{job.pk}/etat/").content.decode()
    # then
    assert "En cours" in html and 'value="30"' in html and "1200 lignes lues" in html


def test_undo_runs_in_the_worker(admin_client_fr, resolver):
    """Undoing a batch answers with the job's page; the batch is undone by the worker."""
    # given
    _upload(admin_client_fr)
    run_worker(batch=True)
    admin_client_fr.post(f"/imports/confirmer/{Job.objects.get().pk}/")
    run_worker(batch=True)
    batch = ImportBatch.objects.get()
    # when
    response = admin_client_fr.post(f"/imports/{batch.pk}/annuler/")
    # then: queued, nothing removed yet
    assert response.status_code == 302 and response["Location"].startswith("/taches/")
    assert Partnership.objects.count() == 1
    # when: the worker has run it
    run_worker(batch=True)
    page = admin_client_fr.get(response["Location"]).content.decode()
    # then
    assert Partnership.objects.count() == 0 and f"Lot n° {batch.pk} annulé" in page


def test_a_job_of_another_user_is_not_found(admin_client_fr, django_user_model):
    """Another user's job is a 404 to anyone but its owner and staff, its state part too."""
    # given
    owner = django_user_model.objects.get(username="admin")
    job = Job.objects.create(kind="import_preview", owner_id=owner.pk, params={"file_name": "x.csv"})
    other = django_user_model.objects.create_user("other", password="pw-other-123")
    client = Client()
    client.force_login(other)
    # when
    page, status = client.get(f"/taches/{job.pk}/"), client.get(f"/taches/{job.pk}/etat/")
    # then
    assert page.status_code == 404 and status.status_code == 404
    assert admin_client_fr.get(f"/taches/{job.pk}/").status_code == 200


def test_confirming_another_users_preview_is_refused(admin_client_fr, django_user_model, resolver):
    """A preview can be confirmed by the user who made it only."""
    # given
    _upload(admin_client_fr)
    run_worker(batch=True)
    preview = Job.objects.get()
    other = django_user_model.objects.create_user("other", password="pw-other-123")
    other.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    client = Client()
    client.force_login(other)
    # when
    response = client.post(f"/imports/confirmer/{preview.pk}/")
    # then
    assert response.status_code == 404 and Job.objects.count() == 1


def test_a_long_text_is_read_by_the_worker_not_the_request(admin_client_fr):
    """1 MB of text: the POST answers at once with the job's page; nothing is read in the request."""
    # given
    text = "La commune organise des rencontres culturelles avec ses habitants. " * 15_000
    # when
    response = admin_client_fr.post("/extraction/", {"text": text})
    # then
    assert response.status_code == 302 and response["Location"].startswith("/taches/")
    job = Job.objects.get()
    assert job.kind == "extraction" and job.state == "pending"
    assert not ExtractedPage.objects.exists()


def test_a_page_read_by_the_worker_leads_to_its_review(admin_client_fr, resolver):
    """A page longer than what is read in the request goes to the worker, then to its review."""
    # given
    filler = "La commune organise des rencontres culturelles avec ses habitants. " * 320
    text = (
        "Villes jumelles de Lannion\n\n"
        + filler
        + "\n\nLannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983."
    )
    response = admin_client_fr.post("/extraction/", {"text": text})
    # when
    run_worker(batch=True)
    review = admin_client_fr.get(response["Location"], follow=True)
    # then
    assert review.redirect_chain[-1][0].startswith("/extraction/")
    assert "<mark>Caerphilly</mark>" in review.content.decode()
