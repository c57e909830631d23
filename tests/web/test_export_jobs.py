"""A large export runs in the worker: the export link leads to the job's page, which gives the file
once written; a small one is streamed in the request. The API answers 202 and a job likewise."""

import csv

import pytest
from django.test import Client

from coopatlas.atlas.models import Partnership
from coopatlas.jobs.models import Job
from coopatlas.jobs.worker import run_queued

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(content.decode("utf-8-sig").splitlines(), delimiter=";"))


def test_a_small_export_is_streamed_in_the_request(client, demo_atlas, settings):
    """Under the threshold the CSV comes at once, as a stream, named for its search."""
    # given
    settings.EXPORT_ASYNC_ROWS = 1000
    # when
    response = client.get("/exporter/", {"format": "csv", "pays": "DE"})
    # then
    assert response.status_code == 200 and response.streaming
    assert "partenariats-DE-" in response["Content-Disposition"]
    rows = _rows(b"".join(response.streaming_content))
    assert len(rows) - 1 == Partnership.objects.published().with_country("DE").count() >= 2


def test_a_large_export_runs_in_the_worker_and_ends_with_a_file_to_download(
    admin_client_fr, demo_atlas, settings
):
    """Over the threshold the export is a job: its page shows progress, then a download link to
    the same file the request would have streamed."""
    # given: a threshold below the atlas's size
    settings.EXPORT_ASYNC_ROWS = 3
    total = Partnership.objects.count()
    # when
    response = admin_client_fr.get("/exporter/", {"format": "csv"})
    # then: a job, pending, on its page
    assert response.status_code == 302
    job = Job.objects.get(kind="export")
    assert response["Location"] == f"/taches/{job.pk}/"
    assert "attend son tour" in admin_client_fr.get(response["Location"]).content.decode()
    # when the worker has run it
    run_queued()
    job.refresh_from_db()
    page = admin_client_fr.get(f"/taches/{job.pk}/").content.decode()
    # then
    assert job.state == "done" and job.result["count"] == total and job.percent == 100
    assert f"/taches/{job.pk}/fichier/" in page and f"({total} partenariats)" in page
    download = admin_client_fr.get(f"/taches/{job.pk}/fichier/")
    assert download.status_code == 200 and "partenariats-" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    settings.EXPORT_ASYNC_ROWS = 100_000
    direct = b"".join(admin_client_fr.get("/exporter/", {"format": "csv"}).streaming_content)
    assert content == direct and len(_rows(content)) == total + 1


def test_an_export_job_of_a_visitor_is_theirs_only(client, django_user_model, demo_atlas, settings):
    """A visitor not signed in follows their export through their session; anyone else gets a 404."""
    # given
    settings.EXPORT_ASYNC_ROWS = 3
    response = client.get("/exporter/", {"format": "json"})
    job = Job.objects.get(kind="export")
    run_queued()
    # when
    mine = client.get(f"/taches/{job.pk}/fichier/")
    content = b"".join(mine.streaming_content)
    other = Client()
    other.force_login(django_user_model.objects.create_user("autre", "autre@example.org", "pw-autre-123"))
    theirs = other.get(f"/taches/{job.pk}/fichier/")
    # then
    assert response.status_code == 302 and job.owner_id == 0
    assert mine.status_code == 200 and b'"partnerships"' in content
    assert theirs.status_code == 404 and Client().get(f"/taches/{job.pk}/fichier/").status_code == 302


def test_a_large_api_export_answers_202_and_its_job_gives_the_file(admin_client_fr, demo_atlas, settings):
    """Through the API, a signed-in user's large export is a job whose result names its file."""
    # given
    settings.EXPORT_ASYNC_ROWS = 3
    # when
    response = admin_client_fr.get("/api/v1/export", {"format": "geojson"})
    run_queued()
    job = admin_client_fr.get(response.json()["url"]).json()
    file = admin_client_fr.get(job["result"]["file_url"])
    content = b"".join(file.streaming_content)
    # then
    assert response.status_code == 202 and job["state"] == "done"
    assert job["result"]["count"] == Partnership.objects.published().count()
    assert file.status_code == 200 and b"FeatureCollection" in content
