"""Hostile input to the import pages and the import API: a mapping naming a file of the server,
JSON nested or with numbers beyond reason, files known by the person's own name; and a merge the
models refuse on the extraction page. Each answers with its reason, never a server error, never
a file's content, never a temporary file's name."""

import codecs
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.extraction.models import Candidate
from coopatlas.extraction.pages import Page
from coopatlas.extraction.review import save_page
from coopatlas.extraction.service import extract_text
from tests.atlas.factories import commune, foreign_town, twinning

# The job queue's database, where imports run in a worker (when the jobs app is installed).
DATABASES = [alias for alias in ("default", "jobs") if alias in settings.DATABASES]
pytestmark = pytest.mark.django_db(databases=DATABASES)

CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"
SECRET = "FAKE-SECRET-KEY-d41d8cd98f00b204e9800998ecf8427e"
STORED_NAME = re.compile(r"tmp\w{4,}|[0-9a-f]{32}")  # a temporary file's or a stored upload's name


@pytest.fixture
def importer(client, django_user_model):
    """A client signed in as a user allowed to add partnerships, and nothing more."""
    user = django_user_model.objects.create_user("importer", "importer@example.org", "pw-importer-123")
    user.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    client.force_login(user)
    return client


@pytest.fixture
def secret_file(tmp_path) -> Path:
    """A file of the server holding a secret line, as var/secret_key or /etc/passwd do."""
    path = tmp_path / "secret_key"
    path.write_text(SECRET + "\n")
    return path


def _file(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _preview(client, content: bytes, name: str = "jumelages.csv", **fields):
    """Post to the preview page and open the page that shows the outcome (once the worker has
    run the preview, when previews are queued as jobs)."""
    data = {"file": _file(content, name), "source": "table", **fields}
    response = client.post("/imports/apercu/", data)
    if response.status_code == 302 and response["Location"].startswith("/taches/"):
        from coopatlas.jobs.worker import run as run_worker

        run_worker(batch=True)
    if response.status_code == 302:
        return client.get(response["Location"], follow=True)
    return response


def _api(client, content: bytes, name: str = "jumelages.csv", **fields):
    return client.post("/api/v1/imports", {"file": _file(content, name), "source": "table", **fields})


def _secrets() -> list[str]:
    """The secrets a mapping must never reveal: the test's own and the settings' secret key."""
    found = [SECRET, settings.SECRET_KEY]
    key_file = Path(settings.VAR_DIR) / "secret_key"
    if key_file.exists():
        found.append(key_file.read_text().strip())
    return found


# --- a mapping is text, never a file name -----------------------------------------------------


def test_preview_mapping_naming_a_server_file_never_shows_its_content(importer, secret_file):
    """A mapping naming a file of the server (a secret, the settings' secret key) is read as
    text on the preview page: the file is not opened and its content never shown."""
    for path in (secret_file, Path(settings.VAR_DIR) / "secret_key"):
        # when
        response = _preview(importer, CSV.encode(), mapping=str(path))
        # then
        html = response.content.decode()
        assert response.status_code == 200 and "Correspondance illisible" in html
        assert not any(secret in html for secret in _secrets())
    assert not ImportBatch.objects.exists()


def test_api_mapping_naming_a_server_file_never_shows_its_content(importer, secret_file):
    """POST /api/v1/imports with a mapping naming a file of the server answers 400 without the
    file's content."""
    for path in (secret_file, Path(settings.VAR_DIR) / "secret_key"):
        # when
        response = _api(importer, CSV.encode(), mapping=str(path))
        # then
        assert response.status_code == 400
        assert not any(secret in response.content.decode() for secret in _secrets())


def test_api_mapping_error_shows_only_a_short_excerpt_of_the_item(importer):
    """An unreadable mapping item is shown back as a short excerpt, never whole."""
    # when: a 5,000-character item
    response = _api(importer, CSV.encode(), mapping="x" * 5000)
    # then
    detail = response.json()["detail"]
    assert response.status_code == 400 and "Correspondance illisible" in detail
    assert "x" * 100 not in detail and len(detail) < 300


def test_api_mapping_as_text_still_maps_columns(importer, resolver):
    """A mapping's text (items separated by ;) still maps the file's columns."""
    # given
    content = b"Ville;Jumelle;Pays\nLille;Cologne;Allemagne\n"
    # when
    response = _api(
        importer, content, mapping="collectivite_francaise=Ville;partenaire=Jumelle;pays_partenaire=Pays"
    )
    # then
    assert response.status_code == 200 and response.json()["counts"]["created"] == 1


def test_api_reads_excel_unicode_text_and_a_utf8_file_with_a_bad_byte(importer, resolver):
    """Excel's « Texte Unicode » (UTF-16 LE with its mark, tabs) is read through the API, and a
    UTF-8 file with one bad byte keeps its accents, the line with it named in the notes."""
    # given
    table = "collectivite_francaise;code_insee;partenaire;pays_partenaire\nBesançon;25056;Münster;Allemagne\n"
    unicode_text = codecs.BOM_UTF16_LE + table.replace(";", "\t").replace("\n", "\r\n").encode("utf-16-le")
    damaged = (table + "Sète;34301;Neuss;Allemagne\n").encode().replace("Sète".encode(), b"S\xffte")
    # when
    excel = _api(importer, unicode_text, name="jumelages.txt").json()
    utf8 = _api(importer, damaged, name="jumelages.csv").json()
    # then
    assert excel["counts"]["created"] == 1 and "encodage : utf-16" in excel["notes"]
    assert utf8["counts"]["created"] == 2 and "encodage : utf-8-sig" in utf8["notes"]
    assert any("ligne(s) 3 " in note for note in utf8["notes"])


# --- JSON beyond reason -----------------------------------------------------------------------


def _json_export(partnerships: str) -> bytes:
    return (
        '{"schema": "coopatlas", "version": 1, "organisations": [], "partnerships": ' + partnerships + "}"
    ).encode()


def test_api_json_nested_100000_deep_is_refused_with_400(importer):
    """A JSON import nested 100,000 deep answers 400 naming the nesting; nothing is written."""
    # given
    content = _json_export("[" + "[" * 100_000 + "]" * 100_000 + "]")
    # when
    response = _api(importer, content, name="export.json", source="json", dry_run="false")
    # then
    assert response.status_code == 400
    assert "imbriqué" in response.json()["detail"] and "export.json" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_preview_json_nested_100000_deep_is_refused_on_the_page(importer):
    """The preview page shows why a JSON file nested 100,000 deep is refused."""
    # when
    response = _preview(
        importer, _json_export("[" + "[" * 100_000 + "]" * 100_000 + "]"), "export.json", source="json"
    )
    # then
    assert response.status_code == 200 and "imbriqué sur plus de" in response.content.decode()


def test_api_json_with_a_5000_digit_number_is_refused_with_400(importer):
    """A JSON import with a 5,000-digit number answers 400 naming the number refused."""
    # given
    record = {"ref": "x", "title": "T", "signature_year": 0}
    content = _json_export("[" + json.dumps(record).replace(": 0", ": " + "9" * 5000) + "]")
    # when
    response = _api(importer, content, name="export.json", source="json", dry_run="false")
    # then
    detail = response.json()["detail"]
    assert response.status_code == 400 and "nombre refusé" in detail and "5 000 caractères" in detail
    assert not ImportBatch.objects.exists()


def test_preview_json_with_a_5000_digit_number_is_refused_on_the_page(importer):
    """The preview page shows why a JSON file with a 5,000-digit number is refused."""
    # when
    response = _preview(importer, _json_export("[" + "1" * 5000 + "]"), "export.json", source="json")
    # then
    assert response.status_code == 200 and "nombre refusé" in response.content.decode()


# --- the person's file name, never the stored file's -----------------------------------------


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03" * 64], ids=["empty", "binary"])
def test_api_refusal_names_the_uploaded_file(importer, content):
    """The API's refusal of a file names it as uploaded, never by a temporary name."""
    # when
    response = _api(importer, content, name="villes jumelées.csv")
    # then
    detail = response.json()["detail"]
    assert response.status_code == 400 and "villes jumelées.csv" in detail
    assert not STORED_NAME.search(detail)


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03" * 64], ids=["empty", "binary"])
def test_preview_refusal_names_the_uploaded_file(importer, content):
    """The preview page's refusal of a file names it as uploaded, never by its stored name."""
    # when
    response = _preview(importer, content, name="villes jumelées.csv")
    # then
    html = response.content.decode()
    message = re.search(r"villes jumel[^<]*", html)
    assert message is not None, html[-2000:]
    assert not STORED_NAME.search(message.group(0)) and not re.search(r"[0-9a-f]{32}\.csv", html)


# --- an extraction merge the models refuse -----------------------------------------------------


def test_merging_a_candidate_the_models_refuse_names_the_field(admin_client_fr):
    """Merging a candidate whose page address the models refuse re-shows the review page with
    the field at fault, instead of a server error; nothing is added."""
    # given: a page kept with an address that is not a URL, and a partnership to merge into
    text = "Lannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983.\n"
    page, candidates = extract_text(text)
    stored = save_page(Page(text=page.text, title="Jumelages", url="pas une adresse"), candidates, None)
    candidate = Candidate.objects.get(page=stored)
    target = twinning(commune("Lannion", "22113"), foreign_town("Caerphilly", "GB"))
    # when
    response = admin_client_fr.post(
        f"/extraction/candidat/{candidate.pk}/", {"action": "merge", "partnership": target.pk}, follow=True
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200 and "Enregistrement refusé" in html and "url" in html
    candidate.refresh_from_db()
    assert candidate.status == "pending" and Partnership.objects.get().sources.count() == 0
