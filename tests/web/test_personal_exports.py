"""The search page offers the export with personal data to users entitled to personal data only."""

import pytest
from django.contrib.auth.models import Permission

from coopatlas.accounts.models import Role, RoleKind
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db

PERSONAL = "donnees_personnelles=1"


@pytest.fixture
def neukolln():
    return twinning(commune("Boulogne-Billancourt"), foreign_town("Neukölln", "DE"))


def _user(django_user_model, name: str, *codenames: str):
    user = django_user_model.objects.create_user(name, password=f"pw-{name}-123")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_search_page_offers_personal_data_export_to_entitled_users(client, django_user_model, neukolln):
    """A user allowed to see contacts gets links for the export with personal data, that work."""
    # given
    client.force_login(_user(django_user_model, "camille", "view_contact"))
    # when
    html = client.get("/recherche/", {"pays": "DE"}).content.decode()
    # then
    assert "données personnelles" in html
    hrefs = [h.replace("&amp;", "&") for h in html.split('href="')[1:] if PERSONAL in h.split('"')[0]]
    assert hrefs, "no link for the export with personal data"
    href = hrefs[0].split('"')[0]
    assert "pays=DE" in href
    response = client.get(href)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    response.close()


def test_search_page_hides_personal_data_export_from_anonymous_visitors(client, neukolln):
    """An anonymous visitor sees the exports but none with personal data."""
    html = client.get("/recherche/", {"pays": "DE"}).content.decode()
    assert "/exporter/?" in html
    assert PERSONAL not in html and "données personnelles" not in html


def test_search_page_hides_personal_data_export_from_users_without_the_right(
    client, django_user_model, neukolln
):
    """An editor who may not see contacts sees the exports but none with personal data."""
    # given
    editor = _user(django_user_model, "dominique")
    Role.objects.create(
        user=editor, kind=RoleKind.EDITOR, organisation=commune("Boulogne-Billancourt", "92012")
    )
    client.force_login(editor)
    # when
    html = client.get("/recherche/", {"pays": "DE"}).content.decode()
    # then
    assert "/exporter/?" in html
    assert PERSONAL not in html
