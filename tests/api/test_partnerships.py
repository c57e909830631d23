"""The read API: partnerships and organisations as JSON."""

import pytest

from coopatlas.atlas.models import Partnership
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


def test_api_partnerships_by_organisation_name(client, demo_atlas):
    """Filtering by an organisation's name gives its partnerships: Boulogne-Billancourt has 10."""
    response = client.get("/api/v1/partnerships", {"organisation": "Boulogne-Billancourt"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 10 and len(body["results"]) == 10
    assert sorted(p["start_year"] for p in body["results"])[0] == 1955
    for partnership in body["results"]:
        roles = {(p["name"], p["role"]) for p in partnership["participants"]}
        assert ("Boulogne-Billancourt", "french_authority") in roles


def test_api_partnership_clermont_network_in_full(client, demo_atlas):
    """The network record carries 31 foreign authorities and a funding total of 1,380,394 €."""
    pk = Partnership.objects.get(external_ref="demo:clermont-rivm").pk
    body = client.get(f"/api/v1/partnerships/{pk}").json()
    foreign = [p for p in body["participants"] if p["role"] == "foreign_authority"]
    assert len(foreign) == 31
    assert {"name": "Gomel", "country_iso2": "BY"}.items() <= next(
        p for p in foreign if p["name"] == "Gomel"
    ).items()
    assert body["funding"]["total"] == 1380394
    assert body["funding"]["by_year"] == {"2020": 473397, "2021": 906997}
    assert len(body["funding"]["lines"]) == 29 and body["funding"]["funder_count"] == 15
    assert body["themes"][0]["path"] == ["Économie durable", "Aménagement du territoire et transports"]
    assert (body["signature_year"], body["start_year"], body["form"]) == (2019, 2020, "project")
    assert len(body["countries"]) == 18


def test_api_partnerships_by_organisation_and_country(client, demo_atlas):
    """Organisation and country filters combine."""
    body = client.get(
        "/api/v1/partnerships", {"organisation": "Boulogne-Billancourt", "country": "de"}
    ).json()
    assert body["count"] == 1
    assert body["results"][0]["title"] == "Jumelage Boulogne-Billancourt – Neukölln"


def test_api_partnerships_by_organisation_id(client, demo_atlas):
    """An organisation can be named by its id."""
    from coopatlas.atlas.models import Organisation

    lyon = Organisation.objects.get(name="Lyon")
    body = client.get("/api/v1/partnerships", {"organisation": str(lyon.pk)}).json()
    assert [p["title"] for p in body["results"]] == ["Jumelage Lyon – Birmingham"]


def test_api_unknown_country_is_a_clear_400(client, demo_atlas):
    """An unknown country code is answered with a message naming it, not a 500."""
    response = client.get("/api/v1/partnerships", {"country": "ZZ"})
    assert response.status_code == 400
    assert "ZZ" in response.json()["detail"]


def test_api_bad_parameters_are_clear(client):
    """Non-numeric ids and limits out of range are refused with a message."""
    assert client.get("/api/v1/partnerships/abc").status_code in (404, 422)
    response = client.get("/api/v1/partnerships", {"limit": 0})
    assert response.status_code == 400 and "limit" in response.json()["detail"]
    assert client.get("/api/v1/partnerships/999999").status_code == 404


def test_api_hides_drafts_from_anonymous_visitors(client):
    """A draft partnership is not served to anonymous visitors."""
    draft = twinning(commune("Lyon", "69123"), foreign_town("Birmingham", "GB"), publication_state="draft")
    assert client.get("/api/v1/partnerships").json()["count"] == 0
    assert client.get(f"/api/v1/partnerships/{draft.pk}").status_code == 404


def test_api_serves_no_personal_data(client, demo_atlas):
    """No contact name or email appears anywhere in the API."""
    pk = Partnership.objects.get(external_ref="demo:clermont-rivm").pk
    text = client.get(f"/api/v1/partnerships/{pk}").content.decode()
    assert "@" not in text and "Arnaudo" not in text


def test_api_organisations_search_and_detail(client, demo_atlas):
    """Organisations are found by part of their name, accents ignored, and served in detail."""
    body = client.get("/api/v1/organisations", {"q": "neukolln"}).json()
    assert body["count"] == 1
    neukolln = body["results"][0]
    assert neukolln["name"] == "Neukölln" and neukolln["country_iso2"] == "DE"
    detail = client.get(f"/api/v1/organisations/{neukolln['id']}").json()
    assert len(detail["partnership_ids"]) == 1
    lyon = client.get("/api/v1/organisations", {"q": "Lyon"}).json()
    names = {o["name"] for o in lyon["results"]}
    assert {"Lyon", "Métropole de Lyon"} <= names
    lyon_id = next(o["id"] for o in lyon["results"] if o["name"] == "Lyon")
    assert len(client.get(f"/api/v1/organisations/{lyon_id}").json()["networks"]) == 4


def test_api_documentation_is_served(client):
    """The OpenAPI schema and its documentation page are served."""
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/partnerships" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize("resource", ["partnerships", "organisations"])
def test_api_offset_beyond_its_bound_is_a_400_naming_it(client, resource):
    """An offset past the 64-bit integers (a 500 from the database before) is a 400 naming it."""
    # given
    url = f"/api/v1/{resource}"
    # when
    response = client.get(url, {"offset": "99999999999999999999"})
    # then
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "« offset »" in detail and "99999999999999999999" in detail and "1000000000" in detail


def test_api_word_for_a_number_is_a_400_naming_it(client):
    """A word given where a number is due is a 400 naming the parameter and the value."""
    # when
    response = client.get("/api/v1/organisations", {"limit": "beaucoup"})
    # then
    assert response.status_code == 400
    assert "« limit »" in response.json()["detail"] and "beaucoup" in response.json()["detail"]


def test_api_partnerships_superscript_digit_as_organisation_matches_nothing(client, demo_atlas):
    """An organisation given as `²` (isdigit, but no int) is a name matching nothing, not a 500."""
    # when
    response = client.get("/api/v1/partnerships", {"organisation": "²"})
    # then
    assert response.status_code == 200 and response.json()["count"] == 0
