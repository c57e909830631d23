"""Sign-in and sign-out on the site's own pages for every user, pages that need a right, and the
lockout after repeated wrong passwords (django-axes)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

pytestmark = pytest.mark.django_db
PASSWORD = "un-mot-de-passe-solide-42"


@pytest.fixture
def importer(django_user_model):
    """A user who is not staff, allowed to add partnerships (to import)."""
    user = django_user_model.objects.create_user("camille", "camille@example.org", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    return user


@pytest.fixture
def reader(django_user_model):
    """A signed-up user without any right."""
    return django_user_model.objects.create_user("dominique", "dominique@example.org", PASSWORD)


def _sign_in(client, username: str, password: str, **extra):
    return client.post("/connexion/", {"username": username, "password": password, **extra})


def test_sign_in_lets_a_non_staff_user_reach_imports(client, importer):
    """A user who is not staff signs in on /connexion/ and is sent on to the page asked for."""
    # when
    response = _sign_in(client, "camille", PASSWORD, next="/imports/")
    # then
    assert response.status_code == 302 and response["Location"] == "/imports/"
    assert client.get("/imports/").status_code == 200


def test_sign_in_refuses_an_offsite_next(client, importer):
    """A `next` pointing to another site is not followed: the user lands on the home page."""
    # when
    response = _sign_in(client, "camille", PASSWORD, next="https://attaquant.example/piege")
    # then
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_in_page_speaks_french_and_extends_the_site(client):
    """The sign-in page is a page of the site, with its header and a French form."""
    # when
    html = client.get("/connexion/").content.decode()
    # then
    assert "Mot de passe" in html and "Atlas des partenariats internationaux" in html


def test_sign_in_wrong_password_says_so(client, importer):
    """A wrong password gives the form back with an error, nobody signed in."""
    # when
    response = _sign_in(client, "camille", "faux")
    # then
    assert (
        response.status_code == 200 and "Identifiant ou mot de passe incorrect" in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_sign_out_refuses_get(client, importer):
    """Sign-out is POST only: a link from elsewhere cannot sign the user out."""
    # given
    client.force_login(importer)
    # when
    response = client.get("/deconnexion/")
    # then
    assert response.status_code == 405 and "_auth_user_id" in client.session


def test_sign_out_by_post_signs_out(client, importer):
    """The sign-out button (a POST) signs the user out and goes home."""
    # given
    client.force_login(importer)
    # when
    response = client.post("/deconnexion/")
    # then
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_header_offers_sign_in_to_anonymous_visitors(client):
    """Anonymous visitors see "Se connecter", pointing to the site's sign-in with the page as next."""
    # when
    html = client.get("/carte/").content.decode()
    # then
    assert 'href="/connexion/?next=/carte/"' in html and "Se connecter" in html


def test_header_shows_the_user_and_a_sign_out_form(client, importer):
    """A signed-in user sees their name and a sign-out button in a POST form with a CSRF token."""
    # given
    client.force_login(importer)
    # when
    html = client.get("/").content.decode()
    # then
    assert "camille" in html and 'action="/deconnexion/" method="post"' in html
    assert "Se déconnecter" in html and "csrfmiddlewaretoken" in html


def test_page_with_a_right_sends_anonymous_visitors_to_sign_in(client):
    """An anonymous visitor asking for /imports/ is sent to /connexion/ with next."""
    # when
    response = client.get("/imports/")
    # then
    assert response.status_code == 302 and response["Location"] == "/connexion/?next=/imports/"


def test_page_with_a_right_answers_403_page_to_a_user_without_it(client, reader):
    """A signed-in user without the right gets the site's 403 page, not a sign-in loop."""
    # given
    client.force_login(reader)
    # when
    response = client.get("/imports/")
    # then
    html = response.content.decode()
    assert response.status_code == 403
    assert "Accès refusé" in html and "importer un fichier" in html and "aucun rôle" in html


def test_staff_page_answers_403_page_to_a_non_staff_user(client, importer):
    """The places review, for the staff, refuses other signed-in users with the site's 403 page."""
    # given
    client.force_login(importer)
    # when
    response = client.get("/lieux/a-verifier/")
    # then
    assert response.status_code == 403 and "Accès refusé" in response.content.decode()


# --- password guessing ------------------------------------------------------------------------


def _fail(client, username: str, times: int = 5) -> None:
    for _attempt in range(times):
        _sign_in(client, username, "pas-le-bon")


def test_sign_in_locked_after_five_wrong_passwords(client, importer):
    """After 5 wrong passwords the right one is refused with the lockout page (429)."""
    # given
    _fail(client, "camille")
    # when
    response = _sign_in(client, "camille", PASSWORD)
    # then
    html = response.content.decode()
    assert response.status_code == 429
    assert "Trop de tentatives" in html and "15 minutes" in html and "administrateur" in html
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_user_leaves_another_user_of_the_same_address(client, importer, reader):
    """Failures are counted per username and address: another user of the address still signs in."""
    # given
    _fail(client, "camille")
    # when
    response = _sign_in(client, "dominique", PASSWORD)
    # then
    assert response.status_code == 302


def test_lockout_applies_to_the_admin_sign_in(client, django_user_model):
    """The admin's sign-in is throttled the same way."""
    # given
    django_user_model.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    for _attempt in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "pas-le-bon"})
    # when
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    # then
    assert response.status_code == 429 and "Trop de tentatives" in response.content.decode()


def test_axes_reset_username_lifts_the_lockout(client, importer):
    """`coopatlas manage axes_reset_username NAME` lets the locked user sign in again."""
    # given
    _fail(client, "camille")
    # when
    call_command("axes_reset_username", "camille")
    response = _sign_in(client, "camille", PASSWORD)
    # then
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_lockout_ends_after_the_cool_off(client, importer):
    """Once the cool-off (15 minutes) has passed since the failures, the right password signs in."""
    # given
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    _fail(client, "camille")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    # when
    response = _sign_in(client, "camille", PASSWORD)
    # then
    assert response.status_code == 302 and "_auth_user_id" in client.session
