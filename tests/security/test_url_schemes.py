"""Issue 14, hole 3: only http and https addresses are stored, whatever the way in (table import,
JSON import, extraction form and API, admin, atlas services), and each refusal names the value."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coopatlas.atlas import services
from coopatlas.atlas.models import Organisation, Source
from coopatlas.core.weblinks import safe_href
from coopatlas.extraction.models import ExtractedPage
from tests.atlas.factories import commune, foreign_town, twinning
from tests.ingest.conftest import write
from tests.security.conftest import admin_form_data

pytestmark = pytest.mark.django_db

HOSTILE_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]
TABLE_MAPPING = "collectivite_francaise=Ville;partenaire=Jumelle;pays_partenaire=Pays;source_url=Source"
LANNION = "Lannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983."


def _json_export(url: str, website: str = "") -> str:
    """A coopatlas JSON file holding one twinning whose source has the address `url` (and whose
    foreign partner's website is `website`)."""
    return json.dumps(
        {
            "schema": "coopatlas",
            "version": 1,
            "organisations": [
                {"ref": "lyon", "name": "Lyon", "kind": "commune", "country": "FR", "insee_code": "69123"},
                {
                    "ref": "turin",
                    "name": "Turin",
                    "kind": "foreign_authority",
                    "country": "IT",
                    "website": website,
                },
            ],
            "partnerships": [
                {
                    "ref": "lyon-turin",
                    "title": "Jumelage Lyon – Turin",
                    "form": "twinning",
                    "participants": [
                        {"organisation": "lyon", "role": "french_authority"},
                        {"organisation": "turin", "role": "foreign_authority"},
                    ],
                    "sources": [{"url": url, "title": "Délibération"}] if url else [],
                }
            ],
        }
    )


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_table_import_rejects_a_source_url_that_is_not_http(tmp_path, run_import, url):
    """A CSV row whose `source_url` is not http(s) is rejected with its line, field and value."""
    # given
    path = write(tmp_path / "jumelages.csv", f"Ville;Jumelle;Pays;Source\nLyon;Turin;Italie;{url}\n")
    # when
    report = run_import(path, "table", mapping=TABLE_MAPPING)
    # then
    assert report.counts["rejected"] == 1
    error = report.errors[0]
    assert error.where.startswith("ligne 2") and error.field == "source · url" and error.value == url
    assert "http" in error.fr
    assert not Source.objects.filter(url=url).exists()


def test_table_import_keeps_an_https_source_url(tmp_path, run_import):
    """An https `source_url` is still taken in as the partnership's source."""
    # given
    path = write(
        tmp_path / "jumelages.csv", "Ville;Jumelle;Pays;Source\nLyon;Turin;Italie;https://lyon.fr/j\n"
    )
    # when
    report = run_import(path, "table", mapping=TABLE_MAPPING)
    # then
    assert report.counts["created"] == 1, report.errors
    assert Source.objects.filter(url="https://lyon.fr/j").exists()


def test_table_import_completes_a_source_url_without_scheme(tmp_path, run_import):
    """A `source_url` typed without its scheme (`www.lyon.fr/…`) is kept as an https address."""
    # given
    path = write(tmp_path / "jumelages.csv", "Ville;Jumelle;Pays;Source\nLyon;Turin;Italie;www.lyon.fr/j\n")
    # when
    report = run_import(path, "table", mapping=TABLE_MAPPING)
    # then
    assert report.counts["created"] == 1, report.errors
    assert Source.objects.filter(url="https://www.lyon.fr/j").exists()


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_json_import_rejects_a_source_url_that_is_not_http(tmp_path, run_import, url):
    """A JSON record whose `sources[].url` is not http(s) is rejected, naming the value."""
    # given
    path = write(tmp_path / "atlas.json", _json_export(url))
    # when
    report = run_import(path, "json")
    # then
    assert report.counts["rejected"] == 1
    assert (report.errors[0].field, report.errors[0].value) == ("source · url", url)
    assert not Source.objects.filter(url=url).exists()


@pytest.mark.parametrize("url", [*HOSTILE_URLS, "ftp://example.org/"])
def test_json_import_rejects_an_organisation_website_that_is_not_http(tmp_path, run_import, url):
    """A JSON organisation whose `website` is not http(s) is rejected, naming the field and value."""
    # given
    path = write(tmp_path / "atlas.json", _json_export("", website=url))
    # when
    report = run_import(path, "json")
    # then
    assert report.counts["rejected"] == 1
    assert (report.errors[0].field, report.errors[0].value) == ("website", url)
    assert not Organisation.objects.filter(website=url).exists()


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_extraction_form_refuses_an_address_that_is_not_http(admin_client_fr, url):
    """The extraction form refuses a page address that is not http(s), quoting it, and keeps nothing."""
    # when
    response = admin_client_fr.post("/extraction/", {"text": LANNION, "url": url}, follow=True)
    # then
    assert "seules les adresses http:// ou https:// sont admises" in response.content.decode()
    assert not ExtractedPage.objects.exists()


def test_extraction_api_refuses_an_address_that_is_not_http(admin_client_fr):
    """POST /api/v1/extract with a `javascript:` address answers 400 naming it."""
    # when
    response = admin_client_fr.post(
        "/api/v1/extract", {"text": LANNION, "url": "javascript:alert(1)"}, content_type="application/json"
    )
    # then
    assert response.status_code == 400
    assert "javascript:alert(1)" in response.json()["detail"]


@pytest.mark.parametrize("url", [*HOSTILE_URLS, "ftp://example.org/deliberation.pdf"])
def test_admin_organisation_form_refuses_a_website_that_is_not_http(admin_client_fr, url):
    """The admin's organisation form refuses a website that is not http(s) and saves nothing."""
    # given
    lyon = commune("Lyon")
    change = reverse("admin:atlas_organisation_change", args=[lyon.pk])
    data = admin_form_data(admin_client_fr, change)
    # when
    response = admin_client_fr.post(change, {**data, "website": url})
    # then
    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors["website"]
    lyon.refresh_from_db()
    assert lyon.website == ""


def test_admin_organisation_form_keeps_an_https_website(admin_client_fr):
    """The same admin form saves an https website (so the refusals above are about the address)."""
    # given
    lyon = commune("Lyon")
    change = reverse("admin:atlas_organisation_change", args=[lyon.pk])
    data = admin_form_data(admin_client_fr, change)
    # when
    response = admin_client_fr.post(change, {**data, "website": "https://www.lyon.fr/"})
    # then
    assert response.status_code == 302
    lyon.refresh_from_db()
    assert lyon.website == "https://www.lyon.fr/"


@pytest.mark.parametrize("url", [*HOSTILE_URLS, "ftp://example.org/deliberation.pdf"])
def test_services_refuse_a_source_url_that_is_not_http(url):
    """`source_add` refuses an address that is not http(s), naming the field."""
    # given
    partnership = twinning(commune("Lyon"), foreign_town("Turin", "IT"))
    # when
    with pytest.raises(ValidationError) as error:
        services.source_add(partnership=partnership, url=url, title="Délibération")
    # then
    assert "url" in error.value.message_dict


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://lyon.fr/jumelages", "https://lyon.fr/jumelages"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("//evil.example/x", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_href_keeps_only_http_addresses(value, expected):
    """A stored address becomes an href only when it is http(s)."""
    assert safe_href(value) == expected


def test_organisation_page_shows_a_legacy_javascript_website_as_text(client):
    """An organisation whose website was stored as `javascript:` before the check shows it without
    a link."""
    # given
    lyon = commune("Lyon")
    twinning(lyon, foreign_town("Turin", "IT"))  # public: it has a published partnership
    Organisation.objects.filter(pk=lyon.pk).update(website="javascript:alert(1)")
    # when
    page = client.get(lyon.get_absolute_url()).content.decode()
    # then
    assert "javascript:alert(1)" in page
    assert 'href="javascript:' not in page
