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
