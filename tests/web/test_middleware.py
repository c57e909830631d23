"""Query strings with control characters: one rule for every page and API route."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/partnerships?country=D%00E", "country"),
        ("/api/v1/partnerships?organisation=Lyon%00", "organisation"),
        ("/api/v1/organisations?q=Ly%00on", "q"),
        ("/api/v1/dashboard?pays=D%00E", "pays"),
        ("/api/v1/export?q=eau%00", "q"),
    ],
)
def test_api_nul_byte_in_a_parameter_is_a_400_naming_it(client, url, parameter):
    """A NUL byte in a query parameter (a 500 on PostgreSQL before) is a 400 naming the parameter."""
    # when
    response = client.get(url)
    # then
    assert response.status_code == 400
    assert f"« {parameter} »" in response.json()["detail"] and "\\x00" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/recherche/?q=eau%00", "q"),
        ("/recherche/?pays=D%00E", "pays"),
        ("/recherche/?financeur=AFD%00", "financeur"),
        ("/tableau-de-bord/?financeur=AFD%00", "financeur"),
    ],
)
def test_page_nul_byte_in_a_parameter_is_a_400_page_naming_it(client, url, parameter):
    """A NUL byte in a page's query parameter is a 400 page that names the parameter."""
    # when
    response = client.get(url)
    # then
    assert response.status_code == 400
    html = response.content.decode().replace("\u00a0", " ")  # French pages space « » with no-break spaces
    assert "Requête refusée" in html and f"« {parameter} »" in html and "\\x00" in html


def test_page_control_characters_are_refused_in_parameter_names_too(client):
    """A control character in a parameter's name is refused as in its value."""
    # when
    response = client.get("/recherche/?q%01=eau")
    # then
    assert response.status_code == 400 and "q\\x01" in response.content.decode()


def test_page_tab_and_line_breaks_in_a_search_text_are_kept(client):
    """Tab and line breaks (a pasted text) are not control characters to refuse."""
    # when
    response = client.get("/recherche/", {"q": "eau\tpotable\r\nassainissement"})
    # then
    assert response.status_code == 200


def test_page_nul_byte_in_the_path_is_a_400_page_naming_it(client):
    """A NUL byte in a path parameter (`/pays/D%00/`, a 500 on PostgreSQL before) is a 400 page."""
    # when
    response = client.get("/pays/D%00/")
    # then
    assert response.status_code == 400 and "/pays/D\\x00/" in response.content.decode()


def test_api_refusal_is_in_french_then_english(client):
    """The API's refusal gives the reason in French, then in English."""
    # when
    detail = client.get("/api/v1/organisations?q=Ly%00on").json()["detail"]
    # then
    assert detail.startswith("Caractère de contrôle refusé") and "/ Control character refused" in detail
