"""The review queue: a coordinator sees its territory's submitted records with what changed,
publishes or sends back; others are refused with the reason; batches are published at once."""

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.atlas.services import partnership_update
from coopatlas.atlas.services.workflow import partnership_publish, partnership_submit
from tests.accounts.factories import (
    HAUTS_DE_FRANCE,
    coordinator_of_region,
    editor_of,
    grande_synthe,
    lyon,
    pair,
    villeneuve_d_ascq,
)


def test_coordinator_sees_the_change_since_publication_and_publishes(client, db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    editor, coordinator = editor_of(town), coordinator_of_region(HAUTS_DE_FRANCE)
    partnership_publish(partnership, acting_user=coordinator)
    partnership_update(partnership, acting_user=editor, start_year=2012)
    partnership.publication_state = "draft"
    Partnership.objects.filter(pk=partnership.pk).update(publication_state="draft")
    partnership_submit(partnership, acting_user=editor)
    elsewhere = pair(lyon(), "Birmingham", "GB")
    partnership_submit(elsewhere, acting_user=None)

    client.force_login(coordinator)
    page = client.get("/revue/").content.decode()
    assert "Jumelage Grande-Synthe – Sidi Ifni" in page
    assert "Birmingham" not in page  # Lyon is outside Hauts-de-France
    assert "<del>1990</del>" in page and "<ins>2012</ins>" in page
    assert 'title="en attente de votre revue">1</span>' in page

    answer = client.post(
        f"/revue/{partnership.pk}/decider/", {"decision": "publish", "comment": ""}, follow=True
    )
    assert "est publié" in answer.content.decode()
    partnership.refresh_from_db()
    assert partnership.publication_state == "published"


def test_sending_back_without_a_comment_is_refused_on_the_page(client, db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    partnership_submit(partnership, acting_user=editor_of(town))
    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    answer = client.post(f"/revue/{partnership.pk}/decider/", {"decision": "send_back"}, follow=True)
    assert "un commentaire est requis" in answer.content.decode()
    partnership.refresh_from_db()
    assert partnership.publication_state == "submitted"


def test_an_editor_of_another_town_is_refused_with_a_page_saying_why(client, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA")
    partnership_submit(partnership, acting_user=None)
    client.force_login(editor_of(villeneuve_d_ascq(), "vda@example.org"))
    assert "Sidi Ifni" not in client.get("/revue/").content.decode()
    answer = client.post(f"/revue/{partnership.pk}/decider/", {"decision": "publish"})
    assert answer.status_code == 403
    assert (
        "Villeneuve-d&#x27;Ascq" in answer.content.decode() or "Villeneuve-d'Ascq" in answer.content.decode()
    )
    partnership.refresh_from_db()
    assert partnership.publication_state == "submitted"


def test_an_account_without_an_editing_role_is_refused_the_queue(client, db):
    from tests.accounts.factories import account

    client.force_login(account("habitant@example.org"))
    answer = client.get("/revue/")
    assert answer.status_code == 403 and "aucun rôle" in answer.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    answer = client.get("/revue/")
    assert answer.status_code == 302 and "/connexion/" in answer["Location"]


def test_a_batch_of_drafts_is_published_in_one_action(client, db):
    batch = ImportBatch.objects.create(source_kind="twins", file_name="paires.csv")
    drafts = [pair(grande_synthe(), name, "MA") for name in ("Sidi Ifni", "Tiznit", "Guelmim")]
    Partnership.objects.filter(pk__in=[p.pk for p in drafts]).update(created_by_batch=batch)
    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    page = client.get("/revue/").content.decode()
    assert "Publier les 3 brouillons" in page
    answer = client.post(f"/revue/lot/{batch.pk}/publier/", follow=True)
    assert "3 partenariat(s) publié(s)" in answer.content.decode()
    assert Partnership.objects.published().count() == 3


def test_a_record_sent_back_waits_for_its_editor_with_the_comment(client, db):
    from coopatlas.atlas.services.workflow import partnership_send_back

    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    editor = editor_of(town)
    partnership_submit(partnership, acting_user=editor)
    partnership_send_back(
        partnership, acting_user=coordinator_of_region(HAUTS_DE_FRANCE), comment="Quelle année de signature ?"
    )
    client.force_login(editor)
    page = client.get("/revue/").content.decode()
    assert "Renvoyés vers vous" in page and "Quelle année de signature" in page
    assert 'title="en attente de votre revue">1</span>' in page
