"""/api/v1/partnerships speaks the search: every parameter of /recherche/, facet counts, a cursor,
conditional answers (ETag, Last-Modified, 304) and read-only CORS."""

import pytest
from django.http import QueryDict

from coopatlas.atlas import services
from coopatlas.atlas.models import Partnership
from coopatlas.search.index import reindex
from coopatlas.search.query import SearchQuery

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed_demo(demo_atlas, resolver):
    from coopatlas.atlas.localisation import organisations_locate

    organisations_locate()
    reindex()
    return Partnership.objects.published()


@pytest.mark.parametrize(
    "params",
    [
        "q=jumelage",
        "pays=DE",
        "zone=europe",
        "theme=education-social-recherche&debut_min=2018&debut_max=2024",
        "q=jumelage&pays=DE&pays=TN",
        "forme=twinning&tri=titre",
        "financement=oui&etat=active",
    ],
)
def test_api_answers_what_the_search_page_counts(client, indexed_demo, params):
    """Same parameters, same count, same facet counts and same order as the page's search."""
    body = client.get(f"/api/v1/partnerships?{params}&limit=500").json()
    expected = SearchQuery(QueryDict(params)).run(indexed_demo)
    assert body["count"] == expected.count > 0
    assert [p["id"] for p in body["results"]] == [p.pk for p in expected.rows(0, 500)]
    counts = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in body["facets"]}
    assert counts == {f.name: {v.value: v.count for v in f.values} for f in expected.facets}


@pytest.mark.parametrize("sort", ["debut", "titre", "pertinence"])
def test_api_cursor_walks_every_result_once_in_order(client, indexed_demo, sort):
    """Following `next` two by two gives the whole result, in the sort's order, each row once."""
    params = {"tri": sort, "limit": 2, "facettes": "false"}
    if sort == "pertinence":
        params["q"] = "jumelage"
    whole = client.get("/api/v1/partnerships", {**params, "limit": 500}).json()
    walked, cursor = [], None
    while True:
        body = client.get(
            "/api/v1/partnerships", {**params, **({"curseur": cursor} if cursor else {})}
        ).json()
        walked += [p["id"] for p in body["results"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert walked == [p["id"] for p in whole["results"]]
    assert len(walked) == whole["count"] == len(set(walked)) > 2


def test_api_refuses_an_unknown_value_parameter_or_cursor_naming_it(client, indexed_demo):
    response = client.get("/api/v1/partnerships", {"pays": "XX"})
    assert response.status_code == 400 and "XX" in response.json()["detail"]
    response = client.get("/api/v1/partnerships", {"curseur": "pas-un-curseur"})
    assert response.status_code == 400 and "curseur" in response.json()["detail"]
    response = client.get("/api/v1/partnerships", {"paysage": "DE"})
    assert response.status_code == 400 and "paysage" in response.json()["detail"]
    response = client.get("/api/v1/partnerships", {"curseur": "eyJ5IjoxfQ", "offset": 3})
    assert response.status_code == 400 and "offset" in response.json()["detail"]


def test_api_answers_304_until_the_atlas_changes(client, indexed_demo, django_capture_on_commit_callbacks):
    """A client asking again with the ETag gets a 304 without a body, until an edit moves it."""
    first = client.get("/api/v1/partnerships", {"pays": "DE"})
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get("/api/v1/partnerships", {"pays": "DE"}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    since = client.get("/api/v1/partnerships", {"pays": "DE"}, headers={"if-modified-since": modified})
    assert since.status_code == 304
    other = client.get("/api/v1/partnerships", {"pays": "TN"}, headers={"if-none-match": etag})
    assert other.status_code == 200  # another question has another tag
    one = Partnership.objects.published().first()
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_update(one, summary="Un résumé revu.")
    changed = client.get("/api/v1/partnerships", {"pays": "DE"}, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    detail = client.get(f"/api/v1/partnerships/{one.pk}")
    assert (
        client.get(f"/api/v1/partnerships/{one.pk}", headers={"if-none-match": detail["ETag"]}).status_code
        == 304
    )


def test_api_is_readable_from_other_sites_for_reading_only(client, indexed_demo):
    """Any origin may read the API (no cookies); a preflight allows GET, not POST."""
    answer = client.get("/api/v1/partnerships", headers={"origin": "https://ville.example"})
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in answer
    assert "ETag" in answer["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/imports",
        headers={"origin": "https://ville.example", "access-control-request-method": "POST"},
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    page = client.get("/recherche/", headers={"origin": "https://ville.example"})
    assert "Access-Control-Allow-Origin" not in page
