"""The footer's pages that French public-sector sites must have, and the sources page's credits."""

import pytest

pytestmark = pytest.mark.django_db

FOOTER_PAGES = {
    "/mentions-legales/": "Mentions légales",
    "/accessibilite/": "Déclaration d'accessibilité",
    "/donnees-personnelles/": "Données personnelles",
}


@pytest.mark.parametrize("path", ["/", "/recherche/", "/sources/", "/pays/DE/", "/mentions-legales/"])
def test_every_footer_links_the_public_sector_pages(client, path):
    """Every page's footer links the legal notice, the accessibility statement and personal data."""
    html = client.get(path).content.decode()
    footer = html[html.index('class="site-footer"') :]
    for address in FOOTER_PAGES:
        assert f'href="{address}"' in footer, address
    assert "Accessibilité\u00a0: partiellement conforme" in footer


@pytest.mark.parametrize(("path", "title"), FOOTER_PAGES.items())
def test_footer_pages_answer_in_french_and_english(client, path, title):
    """Each footer page answers with its title in French, and in English when asked."""
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert title not in english.split("<main", 1)[1]


def test_legal_notice_names_the_configured_publisher(client, settings):
    """The legal notice names the publisher, director, host and contact set in the settings."""
    # given
    settings.SITE_PUBLISHER = "Ville de Clermont-Ferrand, 10 rue Philippe-Marcombes, 63000 Clermont-Ferrand"
    settings.SITE_PUBLICATION_DIRECTOR = "Olivier Bianchi"
    settings.SITE_HOSTING = "OVH SAS, 2 rue Kellermann, 59100 Roubaix"
    settings.SITE_CONTACT_EMAIL = "atlas@clermont-ferrand.fr"
    # when
    html = client.get("/mentions-legales/").content.decode()
    # then
    for fact in [
        "Ville de Clermont-Ferrand",
        "Olivier Bianchi",
        "OVH SAS",
        "mailto:atlas@clermont-ferrand.fr",
    ]:
        assert fact in html, fact
    assert "À renseigner" not in html


def test_legal_notice_says_what_is_missing_when_not_configured(client, settings):
    """Without a configured publisher the notice says what is to fill in, naming the setting."""
    settings.SITE_PUBLISHER = ""
    html = client.get("/mentions-legales/").content.decode()
    assert "À renseigner" in html and "COOPATLAS_PUBLISHER" in html


def test_accessibility_statement_says_partially_conformant_and_what_was_tested(client):
    """The RGAA statement says "partiellement conforme", what was tested (axe-core, keyboard,
    390 px) and what is not yet conformant or not tested (maps, screen readers)."""
    html = client.get("/accessibilite/").content.decode()
    for fact in [
        "partiellement conforme",
        "RGAA",
        "axe-core",
        "clavier",
        "390 pixels",
        "Non-conformités connues",
        "cartes",
        "lecteur d'écran",
        "Défenseur des droits",
    ]:
        assert fact in html, fact


def test_personal_data_page_says_what_why_how_long_and_whom_to_ask(client, settings):
    """The personal-data page names the contacts, volunteers and accounts kept, why, for how long,
    the GDPR rights and the address to write to."""
    settings.SITE_CONTACT_EMAIL = "dpo@clermont-ferrand.fr"
    html = client.get("/donnees-personnelles/").content.decode()
    for fact in [
        "Contacts des partenariats",
        "Volontaires",
        "Comptes de l'équipe",
        "Pourquoi",
        "Combien de temps",
        "RGPD",
        "rectifier",
        "CNIL",
        "mailto:dpo@clermont-ferrand.fr",
        "24 heures",
    ]:
        assert fact in html, fact


def test_sources_page_credits_geonames_for_world_places(client):
    """The sources page credits GeoNames under CC BY 4.0 for the world's place names."""
    html = client.get("/sources/").content.decode()
    assert "Lieux du monde" in html
    assert "GeoNames" in html and "CC BY 4.0" in html
    assert "https://www.geonames.org/" in html
