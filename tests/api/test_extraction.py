"""POST /api/v1/extract: signed-in users allowed to add partnerships get the candidates; bad input
is a 400 naming the problem; nothing is stored."""

import pytest

from coopatlas.extraction.models import ExtractedPage

pytestmark = pytest.mark.django_db


def test_extract_needs_a_signed_in_user(client):
    assert client.post("/api/v1/extract", {"text": "x"}, content_type="application/json").status_code == 401


def test_extract_returns_the_candidates(admin_client_fr, resolver):
    text = "Villes jumelles de Lannion\n\nLannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983."
    response = admin_client_fr.post("/api/v1/extract", {"text": text}, content_type="application/json")
    assert response.status_code == 200
    (found,) = response.json()
    assert (found["french_authority"], found["foreign_authority"], found["year"]) == (
        "Lannion",
        "Caerphilly",
        1983,
    )
    assert text[found["evidence"]["start"] : found["evidence"]["end"]] == found["evidence"]["text"]
    assert not ExtractedPage.objects.exists()


def test_extract_names_bad_input(admin_client_fr):
    empty = admin_client_fr.post("/api/v1/extract", {"text": "  "}, content_type="application/json")
    assert empty.status_code == 400 and "The text is empty." in empty.json()["detail"]
    lang = admin_client_fr.post(
        "/api/v1/extract", {"text": "a", "lang": "de"}, content_type="application/json"
    )
    assert lang.status_code == 400 and "de" in lang.json()["detail"]


def test_extract_refuses_deeply_nested_html_naming_the_limit(admin_client_fr):
    """100,000 nested <div> around one sentence: a 400 naming the depth limit, not a core taken."""
    # given
    html = "<html><body>" + "<div>" * 100_000 + "<p>Lyon est jumelée avec Francfort.</p>" + "</div>" * 100_000
    # when
    response = admin_client_fr.post("/api/v1/extract", {"text": html}, content_type="application/json")
    # then
    assert response.status_code == 400
    assert "256 niveaux" in response.json()["detail"] and "256 levels" in response.json()["detail"]


def test_extract_refuses_a_text_too_long_for_a_request_with_413(admin_client_fr):
    """A 500 kB text is refused at once with 413, naming the limit and where to read it instead."""
    # given
    text = "La commune organise des rencontres culturelles avec ses habitants. " * 8_000
    # when
    response = admin_client_fr.post("/api/v1/extract", {"text": text}, content_type="application/json")
    # then
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "100000" in detail and "/extraction/" in detail and "coopatlas extract" in detail
