"""Every change is kept with its author and date."""

import pytest
from django.core.exceptions import PermissionDenied

from coopatlas.accounts.models import Role, RoleKind
from coopatlas.atlas import services
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


def test_service_edit_by_a_user_without_a_role_is_refused(django_user_model):
    """A signed-in user who edits for no organisation may not change a record."""
    someone = django_user_model.objects.create_user("passant", password="pw-pass-123")
    partnership = twinning(commune("Lyon", "69123"), foreign_town("Birmingham", "GB"), year=1951)
    with pytest.raises(PermissionDenied, match="aucun rôle"):
        services.partnership_update(partnership, acting_user=someone, status="dormant")
    partnership.refresh_from_db()
    assert partnership.status == "active"


def test_service_edit_records_author_in_history(django_user_model):
    """An edit through a service adds a history row naming the user who made it."""
    # given
    editor = django_user_model.objects.create_user("editrice", password="pw-edit-123")
    lyon = commune("Lyon", "69123")
    Role.objects.create(user=editor, kind=RoleKind.EDITOR, organisation=lyon)
    partnership = twinning(lyon, foreign_town("Birmingham", "GB"), year=1951)
    # when
    services.partnership_update(partnership, acting_user=editor, status="dormant")
    # then
    latest = partnership.history.first()
    assert latest.status == "dormant"
    assert latest.history_user == editor
    assert latest.prev_record.status == "active"
    assert latest.diff_against(latest.prev_record).changed_fields == ["status"]


def test_admin_edit_records_author_in_history(admin_client_fr, django_user_model):
    """An edit made in the back-office is attributed to the signed-in user."""
    # given
    lyon = commune("Lyon", "69123")
    # when
    response = admin_client_fr.post(
        f"/admin/atlas/organisation/{lyon.pk}/change/",
        {
            "name": "Lyon",
            "kind": "commune",
            "country": "FR",
            "insee_code": "69123",
            "alternate_names": "[]",
            "place_status": "pending",
            "network_links-TOTAL_FORMS": "0",
            "network_links-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "website": "https://www.lyon.fr",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = lyon.history.first()
    assert latest.website == "https://www.lyon.fr"
    assert latest.history_user.username == "admin"
    history_page = admin_client_fr.get(f"/admin/atlas/organisation/{lyon.pk}/history/")
    assert "https://www.lyon.fr" in history_page.content.decode() or history_page.status_code == 200
