"""Error pages (400, 403, 404, 500) are pages of the site, under the settings without DEBUG."""

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _without_debug(settings):
    """The settings `coopatlas serve` runs with: DEBUG off, so Django's error handlers answer."""
    settings.DEBUG = False


SITE_PARTS = [
    'class="site-header"',
    'class="site-footer"',
    'action="/i18n/setlang/"',
    'action="/recherche/"',
    'rel="icon"',
]


def _assert_site_page(html: str) -> None:
    for part in SITE_PARTS:
        assert part in html, part


@pytest.mark.django_db
def test_not_found_page_is_a_site_page_with_a_way_back_to_search(client):
    """An unknown address answers 404 with the site's header, footer, language switch and search."""
    # when
    response = client.get("/nulle-part/")
    # then
    html = response.content.decode()
    assert response.status_code == 404
    _assert_site_page(html)
    assert "Page introuvable" in html and "/nulle-part/" in html


@pytest.mark.django_db
def test_not_found_page_speaks_english(client):
    """In English, the 404 page is in English."""
    response = client.get("/nulle-part/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "Page introuvable" not in html
    assert 'lang="en"' in html


@pytest.mark.django_db
def test_unknown_partnership_answers_the_site_not_found_page(client):
    """A partnership number that does not exist answers the site's 404 page."""
    response = client.get("/partenariats/999999/")
    assert response.status_code == 404
    _assert_site_page(response.content.decode())


@pytest.mark.django_db
def test_forbidden_page_is_a_site_page(client, django_user_model):
    """A signed-in user without the right to import gets the site's 403 page."""
    # given
    user = django_user_model.objects.create_user("dominique", password="pw-dominique-123")
    client.force_login(user)
    # when
    response = client.get("/imports/")
    # then
    html = response.content.decode()
    assert response.status_code == 403
    _assert_site_page(html)
    assert "Accès refusé" in html and "dominique" in html


@pytest.mark.django_db
def test_bad_request_page_is_a_site_page(client):
    """A query string with a control character answers the site's 400 page naming it."""
    response = client.get("/recherche/", {"q": "a\x00b"})
    html = response.content.decode()
    assert response.status_code == 400
    _assert_site_page(html)
    assert "Requête refusée" in html


@pytest.mark.django_db
def test_bad_request_from_django_is_a_site_page(client):
    """A request Django itself refuses (an unknown host) answers the site's 400 page."""
    response = client.get("/", HTTP_HOST="ailleurs.example")
    assert response.status_code == 400
    html = response.content.decode()
    _assert_site_page(html)
    assert "Requête refusée" in html


def test_server_error_page_is_a_site_page_without_the_database(settings):
    """A page that fails answers 500 with the site's layout; the error page itself reads nothing
    from the database (this test has no database access: any query would fail it)."""
    # given
    settings.ROOT_URLCONF = "tests.web.error_urls"
    client = Client(raise_request_exception=False)
    # when
    response = client.get("/en-panne/")
    # then
    html = response.content.decode()
    assert response.status_code == 500
    _assert_site_page(html)
    assert "Erreur du serveur" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_server_error_page_speaks_english(settings):
    """In English, the 500 page is in English."""
    settings.ROOT_URLCONF = "tests.web.error_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/en-panne/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Server error" in html and 'lang="en"' in html


@pytest.mark.django_db
def test_csrf_failure_is_a_site_page():
    """A form posted without its token (an expired page) answers the site's 403 page."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    html = response.content.decode()
    assert response.status_code == 403
    _assert_site_page(html)
    assert "Accès refusé" not in html and "Formulaire expiré" in html


@pytest.mark.django_db
def test_favicon_is_served_at_the_site_root(client):
    """Browsers ask /favicon.ico: it answers an icon, which every page also links."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").content.decode()
