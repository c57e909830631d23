"""The back-office answers on every list, change and history page, in French."""

import pytest
from django.contrib import admin
from django.urls import reverse

from coopatlas.atlas.models import Partnership

pytestmark = pytest.mark.django_db


def _registered():
    return [(model._meta.app_label, model._meta.model_name, model) for model in admin.site._registry]


@pytest.mark.django_db(databases=["default", "jobs"])  # the background tasks' lists are in the jobs database
def test_admin_every_list_and_change_page_answers(admin_client_fr, demo_atlas):
    """Each registered model's list, add and first change page return 200."""
    for app, name, model in _registered():
        listing = admin_client_fr.get(reverse(f"admin:{app}_{name}_changelist"))
        assert listing.status_code == 200, f"{app}.{name} list"
        add = admin_client_fr.get(reverse(f"admin:{app}_{name}_add"))
        assert add.status_code in (200, 403), f"{app}.{name} add"
        first = model.objects.first()
        if first is not None:
            change = admin_client_fr.get(reverse(f"admin:{app}_{name}_change", args=[first.pk]))
            assert change.status_code == 200, f"{app}.{name} change"


def test_admin_search_and_filters_answer(admin_client_fr, demo_atlas):
    """Searching and filtering the partnership list works."""
    url = reverse("admin:atlas_partnership_changelist")
    response = admin_client_fr.get(url, {"q": "Michelin", "form__exact": "project"})
    assert response.status_code == 200
    assert "Réseau international des villes Michelin" in response.content.decode()


def test_admin_is_in_french_with_funding_totals(admin_client_fr, demo_atlas):
    """The partnership page speaks French and shows the funding totals per year."""
    partnership = Partnership.objects.get(external_ref="demo:clermont-rivm")
    response = admin_client_fr.get(reverse("admin:atlas_partnership_change", args=[partnership.pk]))
    html = response.content.decode()
    assert "Modification" in html or "Modifier" in html
    assert "1\u202f380\u202f394" in html and "473\u202f397" in html


def test_admin_history_page_lists_changes(admin_client_fr, demo_atlas):
    """Each record's history is visible in the back-office."""
    partnership = Partnership.objects.get(external_ref="demo:lyon-birmingham")
    response = admin_client_fr.get(reverse("admin:atlas_partnership_history", args=[partnership.pk]))
    assert response.status_code == 200
    assert "Jumelage Lyon" in response.content.decode()


def test_admin_refuses_partnership_without_french_authority(admin_client_fr, demo_atlas):
    """Saving a partnership whose only participant is foreign shows the rule and saves nothing."""
    from coopatlas.atlas.models import Organisation

    birmingham = Organisation.objects.get(name="Birmingham")
    data = {
        "title": "Sans collectivité française",
        "form": "twinning",
        "status": "active",
        "publication_state": "draft",
        "is_triennial": "",
        "note": "",
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "0",
        "participations-MIN_NUM_FORMS": "1",
        "participations-MAX_NUM_FORMS": "1000",
        "participations-0-organisation": str(birmingham.pk),
        "participations-0-role": "foreign_authority",
        "participations-0-position": "0",
    }
    for prefix in ["theme_links", "funding_lines", "contacts", "events", "volunteers", "sources"]:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = admin_client_fr.post(reverse("admin:atlas_partnership_add"), data)
    assert response.status_code == 200
    assert "collectivité territoriale française" in response.content.decode()
    assert not Partnership.objects.filter(title="Sans collectivité française").exists()
