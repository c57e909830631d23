"""Accounts: invitations by coordinators and administrators, the e-mail as login, password
reset by e-mail, the account page and the administrators' history by account."""

import re

from django.core import mail

from coopatlas.accounts.models import Invitation, Role
from coopatlas.atlas.services import partnership_update
from tests.accounts.factories import (
    HAUTS_DE_FRANCE,
    account,
    coordinator_of_region,
    editor_of,
    grande_synthe,
    lyon,
    pair,
)


def _signs_in(client, login: str, password: str) -> bool:
    """Sign in through the site's page (django-axes counts it); say whether it worked."""
    answer = client.post("/connexion/", {"username": login, "password": password})
    return answer.status_code == 302 and "_auth_user_id" in client.session


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_a_coordinator_invites_an_editor_of_its_territory_who_opens_an_account(client, db):
    town = grande_synthe()
    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    answer = client.post(
        "/comptes/inviter/",
        {"email": "Relations.Internationales@Ville-GS.fr", "kind": "editor", "organisation": "59271"},
    )
    assert "Invitation envoyée" in answer.content.decode()
    assert mail.outbox[-1].to == ["relations.internationales@ville-gs.fr"]
    link = _link(mail.outbox[-1])
    client.logout()
    path = link.split("testserver", 1)[-1]
    opened = client.post(
        path,
        {
            "first_name": "Inès",
            "last_name": "Martin",
            "password": "Jumelage-1951!",
            "password_again": "Jumelage-1951!",
        },
        follow=True,
    )
    page = opened.content.decode()
    assert "Éditeur d&#x27;une organisation" in page or "Éditeur d'une organisation" in page
    assert "Grande-Synthe" in page
    role = Role.objects.get(user__email="relations.internationales@ville-gs.fr")
    assert role.organisation == town
    # The link works once; the e-mail signs in (case-insensitive).
    assert client.get(path).status_code == 410
    client.logout()
    assert _signs_in(client, "RELATIONS.internationales@ville-gs.fr", "Jumelage-1951!")


def test_a_coordinator_cannot_invite_outside_its_territory(client, db):
    lyon()
    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    answer = client.post(
        "/comptes/inviter/", {"email": "x@lyon.fr", "kind": "editor", "organisation": "69123"}
    )
    assert answer.status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_expired_or_unknown_invitation_says_so(client, db):
    answer = client.get("/invitation/not-a-token/")
    assert answer.status_code == 410 and "n'existe pas" in answer.content.decode().replace("&#x27;", "'")


def test_password_reset_by_e_mail(client, db):
    account("maire-adjointe@example.org")
    client.post("/mot-de-passe/oublie/", {"email": "maire-adjointe@example.org"})
    link = _link(mail.outbox[-1])
    path = link.split("testserver", 1)[-1]
    form = client.get(path, follow=True)
    set_path = form.redirect_chain[-1][0] if form.redirect_chain else path
    client.post(set_path, {"new_password1": "Coopération-2026!", "new_password2": "Coopération-2026!"})
    assert _signs_in(client, "maire-adjointe@example.org", "Coopération-2026!")


def test_administrators_see_who_did_what(client, db):
    town = grande_synthe()
    editor = editor_of(town)
    partnership = pair(town, "Sidi Ifni", "MA")
    partnership_update(partnership, acting_user=editor, start_year=1999)
    client.force_login(account("equipe@example.org", {"kind": "administrator"}))
    page = client.get("/comptes/historique/", {"compte": editor.email}).content.decode()
    assert "Sidi Ifni" in page
    client.force_login(editor)
    assert client.get("/comptes/historique/", {"compte": editor.email}).status_code == 403
