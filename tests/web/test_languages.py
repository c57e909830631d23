"""French first, English on a switch; data stay as entered."""

import pytest
from babel.messages.pofile import read_po

from tests.conftest import REPO

pytestmark = pytest.mark.django_db
CATALOGUE = REPO / "src" / "coopatlas" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_pages_are_french_by_default(client, demo_atlas):
    """Without a choice the interface is French."""
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html and "Derniers partenariats ajoutés" in html


def test_switching_to_english_and_back(client, demo_atlas):
    """The switch turns the interface English (data unchanged), and back to French."""
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/recherche/?forme=twinning"})
    # then
    assert response.status_code == 302 and response["Location"] == "/recherche/?forme=twinning"
    html = client.get("/recherche/", {"forme": "twinning"}).content.decode()
    assert '<html lang="en">' in html and "11 partnerships" in html and "Twinning" in html
    assert "Jumelage Lyon – Birmingham" in html  # a title is data: it stays as entered
    assert "Germany" in html  # facet labels use the countries' English names
    home = client.get("/").content.decode()
    assert "Latest partnerships" in home and "Derniers partenariats" not in home
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Derniers partenariats ajoutés" in client.get("/").content.decode()


def test_english_catalogue_is_complete():
    """Every interface string has an English translation, none fuzzy."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, untranslated


def test_record_pages_in_english(client, demo_atlas):
    """Partnership, organisation and country pages speak English after the switch; data stay French."""
    from coopatlas.atlas.models import Organisation, Partnership

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    rivm = Partnership.objects.get(external_ref="demo:clermont-rivm")
    html = client.get(rivm.get_absolute_url()).content.decode()
    for fragment in [
        "Main theme",
        "Countries concerned",
        "Funding",
        "15 funders",
        "31 contacts recorded",
        "Decentralised cooperation project",
        "Spatial planning and transport",
        "Réseau international des villes Michelin",
    ]:
        assert fragment in html, fragment
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    assert "Since 1955" in client.get(boulogne.get_absolute_url()).content.decode()
    spain = client.get("/pays/ES/").content.decode()
    assert "<h1>Spain</h1>" in spain and "French embassy" in spain


def test_map_strings_follow_the_language(client):
    """The map's own strings (layer names, partnership counts in popups) are given by the page in
    the interface language."""
    french = client.get("/carte/").content.decode()
    assert '"one": "1 partenariat"' in french
    client.post("/i18n/setlang/", {"language": "en", "next": "/carte/"})
    english_page = client.get("/carte/").content.decode()
    assert '"one": "1 partnership"' in english_page
    assert "{n} partnerships" in english_page
    assert "Offline base map" in english_page
