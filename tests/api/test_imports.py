"""POST /api/v1/imports: a large file is queued for the worker (202, then GET /api/v1/jobs/{id});
a write lock held by another writer is a 503 with Retry-After, never a 500."""

import io

import pytest
from django.test import Client

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.jobs.worker import run as run_worker

CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"


def _file(text: str = CSV):
    upload = io.BytesIO(text.encode())
    upload.name = "jumelages.csv"
    return upload


@pytest.mark.django_db(databases=["default", "jobs"])
def test_a_large_import_is_queued_then_followed_by_its_job(admin_client_fr, resolver, settings):
    """Above the size threshold the API answers 202 with the job's address; the job's state goes
    from pending to done, with the report as its result."""
    # given
    settings.IMPORT_ASYNC_BYTES = 10
    # when
    response = admin_client_fr.post("/api/v1/imports", {"file": _file(), "source": "table"})
    # then
    assert response.status_code == 202
    url = response.json()["url"]
    assert admin_client_fr.get(url).json()["state"] == "pending"
    # when: the worker has run it
    run_worker(batch=True)
    job = admin_client_fr.get(url).json()
    # then
    assert job["state"] == "done" and job["result"]["counts"]["created"] == 1 and job["percent"] == 100
    assert Partnership.objects.count() == 0  # a dry run


@pytest.mark.django_db(databases=["default", "jobs"])
def test_a_job_of_another_user_is_not_found_in_the_api(admin_client_fr, django_user_model, settings):
    """GET /api/v1/jobs/{id} answers 404 to anyone but the job's owner and staff."""
    # given
    settings.IMPORT_ASYNC_BYTES = 10
    url = admin_client_fr.post("/api/v1/imports", {"file": _file(), "source": "table"}).json()["url"]
    other = Client()
    other.force_login(django_user_model.objects.create_user("other", password="pw-other-123"))
    # when
    response = other.get(url)
    # then
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_api_import_meeting_another_writer_gets_503_with_retry_after(admin_client_fr, write_lock_held):
    """While another connection holds SQLite's write lock, an API dry run answers 503 with
    Retry-After and the "another write" message; nothing is written."""
    # when
    response = admin_client_fr.post("/api/v1/imports", {"file": _file(), "source": "table"})
    # then
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Une autre écriture" in response.json()["detail"]
    assert not ImportBatch.objects.exists()
