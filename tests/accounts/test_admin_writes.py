"""The back-office writes through the services: its publication goes through the workflow, a
change is refused outside the user's scope, the history names the user and the back-office."""

from coopatlas.accounts.models import RoleKind
from coopatlas.atlas.models import PublicationStep
from tests.accounts.factories import account, grande_synthe, lyon, pair


def test_publishing_from_the_back_office_is_a_workflow_step(admin_client_fr, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA")
    answer = admin_client_fr.post(
        "/admin/atlas/partnership/",
        {"action": "publish_selected", "_selected_action": [partnership.pk]},
        follow=True,
    )
    assert "1 partenariat(s) publié(s)" in answer.content.decode()
    partnership.refresh_from_db()
    assert partnership.publication_state == "published"
    step = PublicationStep.objects.get(partnership=partnership)
    assert step.actor.username == "admin"


def test_a_staff_user_without_an_administrator_role_sees_only_its_scope(client, db):
    from django.contrib.auth.models import Permission

    inside = pair(grande_synthe(), "Sidi Ifni", "MA")
    pair(lyon(), "Birmingham", "GB")
    user = account("coord@example.org", {"kind": RoleKind.COORDINATOR, "region_id": "32"})
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_partnership"))
    client.force_login(user)
    listing = client.get("/admin/atlas/partnership/").content.decode()
    assert "Sidi Ifni" in listing and "Birmingham" not in listing
    # Read-only: Django's change right is the atlas team's; the coordinator edits through the app.
    assert client.post(f"/admin/atlas/partnership/{inside.pk}/change/", {"title": "x"}).status_code == 403


def test_every_back_office_page_writes_through_the_team_rules():
    """Every ModelAdmin of the atlas has AtlasTeamWrites (permissions asked, author noted,
    deletions through the services)."""
    from django.contrib import admin

    from coopatlas.atlas.admin import AtlasTeamWrites

    atlas_admins = [a for m, a in admin.site._registry.items() if m._meta.app_label == "atlas"]
    assert atlas_admins
    assert [type(a).__name__ for a in atlas_admins if not isinstance(a, AtlasTeamWrites)] == []


def test_a_staff_user_with_django_rights_but_no_role_cannot_change_a_contact(client, db):
    from django.contrib.auth.models import Permission

    from coopatlas.atlas.services import contact_create

    contact = contact_create(last_name="Benali")
    user = account("stagiaire@example.org")
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "change_contact"]))
    client.force_login(user)
    answer = client.post(f"/admin/atlas/contact/{contact.pk}/change/", {"last_name": "Autre"})
    assert answer.status_code == 403
    contact.refresh_from_db()
    assert contact.last_name == "Benali"
