"""Imports and exports in the web app: upload, preview (nothing written), confirm, undo; the
template; exports of a search, without personal data unless allowed."""

import csv
import io

import pytest
from openpyxl import load_workbook

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.jobs.models import Job
from coopatlas.jobs.worker import run as run_worker

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])
CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"


def _upload(client, text: str = CSV, **fields):
    upload = io.BytesIO(text.encode())
    upload.name = "jumelages.csv"
    return client.post("/imports/apercu/", {"file": upload, "source": "table", **fields})


def test_anonymous_visitors_cannot_import(client):
    assert client.get("/imports/").status_code == 302
    assert _upload(client).status_code == 302
    assert not ImportBatch.objects.exists()


def _queued(client, response):
    """Follow a POST that queued a job: run the worker, then open the job's page."""
    assert response.status_code == 302 and response["Location"].startswith("/taches/")
    run_worker(batch=True)
    return client.get(response["Location"], follow=True)


def test_preview_then_confirm_then_undo(admin_client_fr, resolver):
    # when: a preview
    response = _queued(admin_client_fr, _upload(admin_client_fr))
    # then: counts shown, nothing written
    html = response.content.decode()
    assert response.status_code == 200 and "Confirmer l'import" in html
    assert Partnership.objects.count() == 0 and not ImportBatch.objects.exists()
    preview = Job.objects.get()
    # when: confirmed
    response = _queued(admin_client_fr, admin_client_fr.post(f"/imports/confirmer/{preview.pk}/"))
    # then
    assert Partnership.objects.count() == 1
    batch = ImportBatch.objects.get()
    assert batch.created_by.username == "admin" and "Lot n° " in response.content.decode()
    assert admin_client_fr.post(f"/imports/confirmer/{preview.pk}/").status_code == 404  # only once
    # when: undone
    _queued(admin_client_fr, admin_client_fr.post(f"/imports/{batch.pk}/annuler/"))
    assert Partnership.objects.count() == 0
    batch.refresh_from_db()
    assert batch.undone_at is not None


def test_preview_shows_rejected_rows_and_refuses_to_confirm(admin_client_fr, resolver):
    response = _queued(admin_client_fr, _upload(admin_client_fr, CSV + "Rennes;Erlangen;Atlantide;1964\n"))
    html = response.content.decode()
    assert "ligne 3" in html and "Atlantide" in html and "pays inconnu" in html
    assert "Confirmer l'import" not in html


def test_a_bad_file_is_refused_with_its_reason(admin_client_fr):
    response = _queued(admin_client_fr, _upload(admin_client_fr, "", source="table"))
    assert "est vide" in response.content.decode()


def test_the_template_lists_our_columns(client):
    response = client.get("/imports/modele.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in workbook["Partenariats"][1]]
    assert header[:3] == ["reference", "titre", "forme"] and "pays_partenaire" in header
    assert workbook["Partenariats"].freeze_panes == "A2"


def test_a_search_exports_in_french_excel_csv_without_personal_data(client):
    load_demo()
    response = client.get("/exporter/", {"format": "csv", "pays": "DE"})
    raw = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith("attachment")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) - 1 == Partnership.objects.published().with_country("DE").count()
    assert client.get("/exporter/", {"format": "xlsx", "donnees_personnelles": "1"}).status_code == 403
    assert client.get("/exporter/", {"format": "pdf"}).status_code == 400
    response = client.get("/exporter/", {"format": "csv", "pays": "XX"})
    assert response.status_code == 400 and "XX" in response.content.decode()


def test_the_search_page_offers_its_exports(client):
    load_demo()
    html = client.get("/recherche/", {"q": "", "pays": "DE"}, follow=True).content.decode()
    assert "/exporter/?" in html and "format=xlsx" in html and "pays=DE" in html


def test_the_api_imports_for_authorised_users_and_exports_for_everyone(admin_client_fr, resolver):
    from django.test import Client

    client = Client()  # anonymous (admin_client_fr is the signed-in `client`)
    upload = io.BytesIO(CSV.encode())
    upload.name = "j.csv"
    assert client.post("/api/v1/imports", {"file": upload, "source": "table"}).status_code == 401
    upload.seek(0)
    dry = admin_client_fr.post("/api/v1/imports", {"file": upload, "source": "table"}).json()
    assert dry["dry_run"] and dry["counts"]["created"] == 1 and Partnership.objects.count() == 0
    upload.seek(0)
    done = admin_client_fr.post(
        "/api/v1/imports", {"file": upload, "source": "table", "dry_run": "false"}
    ).json()
    assert done["batch"] and Partnership.objects.count() == 1
    assert admin_client_fr.get("/api/v1/imports").json()[0]["id"] == done["batch"]
    Partnership.objects.update(publication_state="published")
    response = client.get("/api/v1/export", {"format": "geojson"})
    assert response.status_code == 200 and b"FeatureCollection" in b"".join(response.streaming_content)
    assert client.get("/api/v1/export", {"format": "csv", "pays": "XX"}).status_code == 400
