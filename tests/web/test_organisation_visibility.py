"""An organisation known only from drafts is hidden like the drafts: its page, the API's list and
detail, the map's data and the search filters do not reveal its name to visitors who may not see
drafts; editors see it."""

import pytest
from django.contrib.auth.models import Permission

from coopatlas.atlas.models import Organisation
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db
SECRET = "Ville Confidentielle"


@pytest.fixture
def atlas():
    """Lille twinned with Cologne (published) and with a town that only a draft names."""
    lille = commune("Lille", "59350")
    cologne = foreign_town("Cologne", "DE")
    secret = foreign_town(SECRET, "DE")
    twinning(lille, cologne, 1958)
    twinning(lille, secret, 2024, publication_state="draft")
    Organisation.objects.filter(pk__in=[cologne.pk, secret.pk]).update(latitude=50.9, longitude=6.9)
    return {"lille": lille, "cologne": cologne, "secret": secret}


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("edouard", "edouard@example.org", "pw-long-enough-1")
    user.user_permissions.add(Permission.objects.get(codename="change_partnership"))
    return user


def test_organisation_page_of_a_draft_only_organisation_is_404(client, atlas):
    """A visitor gets a 404 for the page of an organisation named only by a draft."""
    # when
    response = client.get(f"/organisations/{atlas['secret'].pk}/")
    # then
    assert response.status_code == 404 and SECRET not in response.content.decode()


def test_organisation_page_of_a_draft_only_organisation_shown_to_editors(client, atlas, editor):
    """Those who may see drafts see its page."""
    # given
    client.force_login(editor)
    # when
    response = client.get(f"/organisations/{atlas['secret'].pk}/")
    # then
    assert response.status_code == 200 and SECRET in response.content.decode()


def test_organisation_page_of_a_published_partner_still_shown(client, atlas):
    """An organisation of a published partnership keeps its public page."""
    # when
    response = client.get(f"/organisations/{atlas['cologne'].pk}/")
    # then
    assert response.status_code == 200


def test_api_organisation_list_leaves_out_draft_only_organisations(client, atlas):
    """`/api/v1/organisations?q=` does not list a name known only from a draft."""
    # when
    data = client.get("/api/v1/organisations", {"q": "confidentielle"}).json()
    everything = client.get("/api/v1/organisations", {"limit": 500}).json()
    # then
    assert data == {"count": 0, "results": []}
    names = {o["name"] for o in everything["results"]}
    assert SECRET not in names and {"Lille", "Cologne"} <= names


def test_api_organisation_list_shows_draft_only_organisations_to_editors(client, atlas, editor):
    """Signed-in users who may see drafts find it through the API."""
    # given
    client.force_login(editor)
    # when
    data = client.get("/api/v1/organisations", {"q": "confidentielle"}).json()
    # then
    assert data["count"] == 1 and data["results"][0]["name"] == SECRET


def test_api_organisation_detail_of_a_draft_only_organisation_is_404(client, atlas):
    """`/api/v1/organisations/<id>` answers 404 for an organisation known only from a draft."""
    # when
    response = client.get(f"/api/v1/organisations/{atlas['secret'].pk}")
    # then
    assert response.status_code == 404 and SECRET not in response.content.decode()


def test_api_suggestions_of_a_draft_only_organisation_is_404(client, atlas):
    """Its suggestions are not served either."""
    # when
    response = client.get(f"/api/v1/organisations/{atlas['secret'].pk}/suggestions")
    # then
    assert response.status_code == 404


def test_map_geojson_centred_on_a_draft_only_organisation_is_404(client, atlas):
    """The map's data centred on it answers 404, and the whole map does not place it."""
    # when
    centred = client.get("/carte/lieux.geojson", {"organisation": atlas["secret"].pk})
    whole = client.get("/carte/lieux.geojson", {"zoom": 12}).json()
    popup = client.get(f"/carte/lieux/{atlas['secret'].pk}.json")
    # then
    assert centred.status_code == 404 and popup.status_code == 404
    assert SECRET not in {f["properties"]["name"] for f in whole["features"]}


def test_search_filter_on_a_draft_only_organisation_does_not_name_it(client, atlas):
    """`/recherche/?organisation=<id>` treats it as unknown instead of printing its name."""
    # when
    html = client.get("/recherche/", {"organisation": atlas["secret"].pk}).content.decode()
    # then
    assert SECRET not in html


def test_public_keeps_french_authorities_of_the_official_geography():
    """A French commune with an INSEE code is reference data: public even without a partnership."""
    # given
    roubaix = commune("Roubaix", "59512")
    # when / then
    assert Organisation.objects.public().filter(pk=roubaix.pk).exists()


def test_dashboard_territory_menu_leaves_out_draft_only_authorities(client, atlas):
    """A French grouping named only by a draft is not offered in the dashboard's territory menu."""
    # given
    from coopatlas.atlas.choices import OrganisationKind
    from tests.atlas.factories import OrganisationFactory

    grouping = OrganisationFactory(name="Syndicat Intercommunal Discret", kind=OrganisationKind.EPCI)
    twinning(grouping, atlas["secret"], 2025, publication_state="draft")
    # when
    html = client.get("/tableau-de-bord/").content.decode()
    # then
    assert "Syndicat Intercommunal Discret" not in html
