"""The alerts' pages: choosing them (/mon-compte/alertes/) and stopping them from an e-mail's
link without signing in (GET shows, POST stops; a tampered token is refused)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from coopatlas.alerts.models import Subscription
from coopatlas.alerts.services import send_alerts, unsubscribe_token
from coopatlas.atlas.models import Partnership
from tests.accounts.factories import pair
from tests.alerts.factories import AlertKind, cast, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_settings_page_needs_a_signed_in_user(client):
    response = client.get("/mon-compte/alertes/")
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_the_settings_page_offers_the_kinds_the_roles_open(people):
    """The editor sees its scope's kinds, not the review; the account page links the page."""
    page = _signed_in(people.editor).get("/mon-compte/alertes/").content.decode()
    assert str(AlertKind.ENDING.label) in page and str(AlertKind.BOARD_ANSWERS.label) in page
    assert str(AlertKind.REVIEW.label) not in page
    plain = _signed_in(people.nobody).get("/mon-compte/alertes/").content.decode()
    assert str(AlertKind.NEW_PARTNERSHIPS.label) in plain and str(AlertKind.ENDING.label) not in plain
    assert 'href="/mon-compte/alertes/"' in _signed_in(people.editor).get("/mon-compte/").content.decode()


def test_the_settings_page_saves_the_choices(people):
    """Checked boxes become active subscriptions with their parameters; unchecked stay off."""
    response = _signed_in(people.editor).post(
        "/mon-compte/alertes/",
        {
            "ending_active": "on",
            "ending_months": "12",
            "new_partnerships_active": "on",
            "countries": ["DE", "BJ"],
            "themes": [],
            "language": "en",
        },
    )
    assert response.status_code == 302
    saved = {s.kind: s for s in Subscription.objects.filter(user=people.editor)}
    assert saved[AlertKind.ENDING].active and saved[AlertKind.ENDING].months == 12
    assert saved[AlertKind.ENDING].language == "en"
    assert {c.iso2 for c in saved[AlertKind.NEW_PARTNERSHIPS].countries.all()} == {"DE", "BJ"}
    assert AlertKind.TO_VERIFY not in saved
    page = _signed_in(people.editor).get("/mon-compte/alertes/").content.decode()
    assert 'value="12" selected' in page


def test_the_settings_page_refuses_bad_values_in_french(people):
    """Months outside 3/6/12, or new partnerships with nothing to follow: a 400 naming the
    problem in French, nothing written."""
    client = _signed_in(people.editor)
    bad_months = client.post(
        "/mon-compte/alertes/", {"ending_active": "on", "ending_months": "7", "language": "fr"}
    )
    assert bad_months.status_code == 400
    assert "Sélectionnez un choix valide" in bad_months.content.decode()
    nothing = client.post(
        "/mon-compte/alertes/", {"new_partnerships_active": "on", "ending_months": "6", "language": "fr"}
    )
    assert nothing.status_code == 400
    assert "Choisissez au moins un pays ou un thème" in nothing.content.decode()
    assert not Subscription.objects.exists()


def test_a_kind_the_roles_do_not_open_is_refused_by_the_service(people):
    with pytest.raises(ValidationError, match="Vos rôles ne donnent rien"):
        subscribe(people.nobody, AlertKind.ENDING, months=6)


def test_unsubscribe_get_shows_and_post_stops(people):
    """The link's GET lists the alerts it stops and stops nothing (a scanner opening it); its
    POST stops them all, without signing in."""
    subscribe(people.editor, AlertKind.ENDING, months=3)
    subscribe(people.editor, AlertKind.TO_VERIFY)
    url = f"/alertes/desabonnement/{unsubscribe_token(people.editor)}/"
    shown = Client().get(url)
    assert shown.status_code == 200 and str(AlertKind.TO_VERIFY.label) in shown.content.decode()
    assert Subscription.objects.filter(user=people.editor, active=True).count() == 2
    done = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "2 alertes arrêtées" in done.content.decode()
    assert not Subscription.objects.filter(user=people.editor, active=True).exists()


def test_a_tampered_token_is_refused_with_a_clear_page(people):
    subscribe(people.editor, AlertKind.ENDING, months=3)
    token = unsubscribe_token(people.editor)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for response in (
        Client().get(f"/alertes/desabonnement/{tampered}/"),
        Client().post(f"/alertes/desabonnement/{tampered}/"),
    ):
        assert response.status_code == 400
        assert "lien de désabonnement n'est pas valable" in response.content.decode().replace("’", "'")
    assert Subscription.objects.get(user=people.editor).active


def test_one_user_s_token_stops_only_that_user_s_alerts(people):
    """Alice's link stops Alice's alerts; Bob's stay, whatever Alice posts."""
    subscribe(people.editor, AlertKind.ENDING, months=3)
    subscribe(people.lyon_editor, AlertKind.ENDING, months=3)
    Client().post(
        f"/alertes/desabonnement/{unsubscribe_token(people.editor)}/", {"user": people.lyon_editor.pk}
    )
    assert not Subscription.objects.get(user=people.editor).active
    assert Subscription.objects.get(user=people.lyon_editor).active


def test_every_email_carries_its_unsubscription_link_and_one_click_headers(people, mailoutbox):
    """RFC 8058: List-Unsubscribe names the link, List-Unsubscribe-Post asks for one click;
    the link in the body is the same, and posting to it stops the alerts."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(
        end_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    subscribe(people.editor, AlertKind.ENDING, months=3)
    send_alerts()
    [mail] = mailoutbox
    header = mail.extra_headers["List-Unsubscribe"]
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = header.strip("<>")
    assert link.startswith("http://127.0.0.1:8000/alertes/desabonnement/") and link in mail.body
    Client(enforce_csrf_checks=True).post(
        link.removeprefix("http://127.0.0.1:8000"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert not Subscription.objects.get(user=people.editor).active
