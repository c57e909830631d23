"""The map's data: `/carte/lieux.geojson` groups the located organisations of the published atlas
into clusters per zoom and view, and `/carte/lieux/<id>.json` gives one place's popup."""

import pytest
from django.db import connection

from coopatlas.atlas.mapping import MAX_ZOOM, POINTS_ZOOM
from coopatlas.atlas.models import Organisation
from coopatlas.search.signals import apply_pending
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db

PLACES = {
    # name: (country, latitude, longitude)
    "Lille": ("FR", 50.63, 3.06),
    "Roubaix": ("FR", 50.69, 3.17),
    "Tourcoing": ("FR", 50.72, 3.16),
    "Brest": ("FR", 48.39, -4.49),
    "Nouméa": ("FR", -22.27, 166.44),
    "Cologne": ("DE", 50.94, 6.96),
    "Bonn": ("DE", 50.73, 7.10),
    "Suva": ("FJ", -18.14, 178.44),
    "Apia": ("WS", -13.83, -171.76),
    "Québec": ("CA", 46.81, -71.21),
}


def _located(name: str, iso2: str, latitude: float, longitude: float) -> Organisation:
    organisation = commune(name) if iso2 == "FR" else foreign_town(name, iso2)
    Organisation.objects.filter(pk=organisation.pk).update(latitude=latitude, longitude=longitude)
    return organisation


@pytest.fixture
def atlas():
    """Ten located towns in published twinnings, a located town named only by a draft, and a
    town without coordinates."""
    o = {name: _located(name, *place) for name, place in PLACES.items()}
    twinning(o["Lille"], o["Cologne"], 1958)
    twinning(o["Roubaix"], o["Bonn"], 1970)
    twinning(o["Tourcoing"], o["Québec"], 1980)
    twinning(o["Brest"], o["Québec"], 1985)
    twinning(o["Nouméa"], o["Suva"], 1990)
    twinning(o["Nouméa"], o["Apia"], 1995)
    twinning(o["Lille"], o["Bonn"], 2001, publication_state="draft")
    o["secret"] = _located("Ville Confidentielle", "DE", 52.52, 13.40)
    twinning(o["Lille"], o["secret"], 2024, publication_state="draft")
    o["unlocated"] = foreign_town("Erfurt", "DE")
    twinning(o["Lille"], o["unlocated"], 1960)
    return o


def _get(client, **params):
    response = client.get("/carte/lieux.geojson", params)
    assert response.status_code == 200, response.content
    return response.json()


def _count(data) -> int:
    return sum(f["properties"]["count"] for f in data["features"])


def _names(data) -> set[str]:
    return {f["properties"]["name"] for f in data["features"] if not f["properties"].get("cluster")}


@pytest.mark.parametrize("zoom", range(MAX_ZOOM + 1))
def test_map_clusters_sum_to_the_located_organisations_of_published_partnerships(client, atlas, zoom):
    """At every zoom, over the whole world, the clusters and points count each located
    organisation of a published partnership once: the draft-only and the unlocated ones never."""
    # given
    expected = (
        Organisation.objects.filter(
            latitude__isnull=False, participations__partnership__publication_state="published"
        )
        .distinct()
        .count()
    )
    # when
    data = _get(client, zoom=zoom)
    # then
    assert expected == len(PLACES) == _count(data)
    assert "Ville Confidentielle" not in _names(data) and "Erfurt" not in _names(data)


def test_map_clusters_at_a_low_zoom_split_when_zooming_in(client, atlas):
    """Lille, Roubaix and Tourcoing are one cluster at zoom 4 and three points at street level."""
    # when
    far = _get(client, zoom=4, bbox="-10,40,20,60")
    near = _get(client, zoom=POINTS_ZOOM, bbox="3.0,50.6,3.2,50.75")
    # then
    lille = next(
        f for f in far["features"] if f["properties"].get("cluster") and f["properties"]["bbox"][0] < 3.1
    )
    assert lille["properties"]["count"] >= 3
    west, south, east, north = lille["properties"]["bbox"]
    assert west <= 3.06 <= east and south <= 50.63 and 50.72 <= north
    assert _names(near) == {"Lille", "Roubaix", "Tourcoing"}
    assert not any(f["properties"].get("cluster") for f in near["features"])


def test_map_cluster_point_holds_a_single_place(client, atlas):
    """A cell with a single place gives that place as a point with its name and colour."""
    # when
    data = _get(client, zoom=6, bbox="-6,47,-3,50")
    # then
    assert data["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-4.49, 48.39]},
            "properties": {"id": atlas["Brest"].pk, "name": "Brest", "french": True, "count": 1},
        }
    ]


def test_map_bbox_keeps_only_the_places_in_view(client, atlas):
    """Only the places inside the box are counted, their coordinates inside it."""
    # when
    europe = _get(client, zoom=5, bbox="-10,40,20,60")
    # then
    assert _count(europe) == 6
    for feature in europe["features"]:
        longitude, latitude = feature["geometry"]["coordinates"]
        assert -10 <= longitude <= 20 and 40 <= latitude <= 60


def test_map_bbox_across_the_antimeridian(client, atlas):
    """A box whose west is east of its east spans the 180th meridian: Suva and Apia, not Nouméa."""
    # when
    data = _get(client, zoom=6, bbox="170,-30,-170,0")
    # then
    assert _names(data) == {"Suva", "Apia"}


def test_map_whole_world_gives_the_extent_of_the_places(client, atlas):
    """Without a box, the answer gives the extent of the places for the map to fit them."""
    # when
    whole = _get(client, zoom=2)
    in_view = _get(client, zoom=2, bbox="-180,-90,180,90")
    # then
    assert whole["extent"] == [-171.76, -22.27, 178.44, 50.94]
    assert "extent" not in in_view and _count(in_view) == _count(whole)


def test_map_country_filter_keeps_its_places_and_their_french_partners(client, atlas):
    """`pays=DE` keeps the German towns and the French towns twinned with them."""
    # when
    data = _get(client, zoom=POINTS_ZOOM, pays="de")
    # then
    assert _names(data) == {"Cologne", "Bonn", "Lille", "Roubaix"}


def test_map_organisation_filter_keeps_it_and_its_partners(client, atlas):
    """`organisation=<Nouméa>` keeps Nouméa and its published partners, and says where it is."""
    # when
    data = _get(client, zoom=POINTS_ZOOM, organisation=atlas["Nouméa"].pk)
    # then
    assert _names(data) == {"Nouméa", "Suva", "Apia"}
    assert data["centre"] == {"id": atlas["Nouméa"].pk, "coordinates": [166.44, -22.27]}


def test_map_organisation_filter_on_a_draft_only_organisation_is_404(client, atlas):
    """Centred on an organisation known only from a draft, the map answers 404 to a visitor."""
    # when
    response = client.get("/carte/lieux.geojson", {"organisation": atlas["secret"].pk})
    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"zoom": "x"}, "zoom"),
        ({"zoom": "-1"}, "zoom"),
        ({"zoom": str(MAX_ZOOM + 1)}, "zoom"),
        ({"zoom": "²"}, "zoom"),
        ({"zoom": "3", "bbox": "1,2,3"}, "bbox"),
        ({"zoom": "3", "bbox": "a,b,c,d"}, "bbox"),
        ({"zoom": "3", "bbox": "0,10,5,nan"}, "bbox"),
        ({"zoom": "3", "bbox": "0,10,5,inf"}, "bbox"),
        ({"zoom": "3", "bbox": "0,60,5,40"}, "bbox"),
        ({"zoom": "3", "bbox": "-200,0,5,10"}, "bbox"),
        ({"zoom": "3", "bbox": "0,-95,5,10"}, "bbox"),
        ({"zoom": "16", "bbox": "-180,-90,180,90"}, "bbox"),
        ({"zoom": "3", "pays": "FRA"}, "pays"),
        ({"zoom": "3", "organisation": "x"}, "organisation"),
    ],
)
def test_map_bad_parameter_is_a_400_naming_it(client, atlas, params, parameter):
    """A zoom out of 0–18, a malformed or too large box, a bad country or organisation is a 400
    that names the parameter."""
    # when
    response = client.get("/carte/lieux.geojson", params)
    # then
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def _parameters_bound(client, params) -> int:
    """Return the most parameters one query bound while answering."""
    counts = []

    def count(execute, sql, parameters, many, context):
        counts.append(len(parameters or ()))
        return execute(sql, parameters, many, context)

    with connection.execute_wrapper(count):
        _get(client, **params)
    return max(counts)


def test_map_queries_bind_no_list_of_ids(client, atlas):
    """However many places, every query of the map binds as many parameters: filters are joins
    and subqueries, never a list of organisation ids."""
    views = [
        {"zoom": 2},
        {"zoom": POINTS_ZOOM},
        {"zoom": 5, "pays": "DE"},
        {"organisation": atlas["Lille"].pk},
    ]
    # given
    apply_pending()
    before = [_parameters_bound(client, params) for params in views]
    for n in range(40):
        twinning(atlas["Lille"], _located(f"Stadt {n}", "DE", 48 + n / 10, 8 + n / 10), 1960 + n)
    apply_pending()  # the search index written (the map reads the domestic partnerships there)
    # when
    after = [_parameters_bound(client, params) for params in views]
    # then
    assert after == before


def test_map_answer_is_gzipped(client, atlas):
    """The map's data is compressed for a browser that accepts gzip."""
    # when
    response = client.get("/carte/lieux.geojson", {"zoom": POINTS_ZOOM}, HTTP_ACCEPT_ENCODING="gzip")
    # then
    assert response.headers["Content-Encoding"] == "gzip"


def test_place_popup_lists_its_latest_published_partnerships(client, atlas):
    """A place's popup gives its name, country, count and latest published partnerships, drafts left out."""
    # when
    popup = client.get(f"/carte/lieux/{atlas['Lille'].pk}.json").json()
    # then
    assert popup["name"] == "Lille" and popup["country"] == "France" and popup["french"] is True
    assert popup["partnerships"] == 2
    assert [link["title"] for link in popup["links"]] == [
        "Jumelage Lille – Erfurt",
        "Jumelage Lille – Cologne",
    ]
    assert popup["url"] == f"/organisations/{atlas['Lille'].pk}/"


def test_place_popup_of_a_draft_only_or_unlocated_organisation_is_404(client, atlas):
    """No popup for an organisation known only from a draft, or not on the map."""
    # when / then
    assert client.get(f"/carte/lieux/{atlas['secret'].pk}.json").status_code == 404
    assert client.get(f"/carte/lieux/{atlas['unlocated'].pk}.json").status_code == 404
