"""Corrections proposed by contributors: from the public page to the editors' review, and into
the record's history with the contributor's name."""

from coopatlas.atlas.models import ProposedChange
from tests.accounts.factories import (
    HAUTS_DE_FRANCE,
    account,
    coordinator_of_region,
    editor_of,
    grande_synthe,
    lyon,
    pair,
)


def test_a_contributors_correction_reaches_the_coordinator_and_its_name_stays_in_history(client, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    contributor = account("habitante@example.org")
    contributor.first_name, contributor.last_name = "Awa", "Diallo"
    contributor.save()
    client.force_login(contributor)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert f"/partenariats/{partnership.pk}/proposer/" in page
    answer = client.post(
        f"/partenariats/{partnership.pk}/proposer/",
        {
            "title": partnership.title,
            "status": partnership.status,
            "start_year": "1989",
            "signature_year": "",
            "end_date": "",
            "summary": "",
            "message": "Signé en 1989, voir la délibération.",
            "source_url": "https://www.ville-grande-synthe.fr/jumelages",
        },
        follow=True,
    )
    assert "votre proposition est transmise" in answer.content.decode()
    proposal = ProposedChange.objects.get()
    assert proposal.changes == {"start_year": "1989"}

    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    queue = client.get("/revue/").content.decode()
    assert "Awa Diallo" in queue and "<ins>1989</ins>" in queue
    client.post(f"/revue/proposition/{proposal.pk}/decider/", {"decision": "accept"})
    partnership.refresh_from_db()
    assert partnership.start_year == 1989
    last = partnership.history.first()
    assert "Correction proposée par Awa Diallo" in last.history_change_reason
    assert partnership.sources.filter(url="https://www.ville-grande-synthe.fr/jumelages").exists()


def test_an_invalid_value_is_refused_naming_the_field(client, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    client.force_login(account("habitant@example.org"))
    answer = client.post(
        f"/partenariats/{partnership.pk}/proposer/",
        {"title": partnership.title, "status": partnership.status, "start_year": "3024", "message": ""},
    )
    assert answer.status_code == 200
    assert not ProposedChange.objects.exists()
    assert "3024" in answer.content.decode() or "année" in answer.content.decode()


def test_an_editor_elsewhere_does_not_see_nor_decide_the_proposal(client, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    proposal = ProposedChange.objects.create(partnership=partnership, author=None, message="Faux")
    client.force_login(editor_of(lyon(), "lyon@example.org"))
    assert "Faux" not in client.get("/revue/").content.decode()
    assert (
        client.post(f"/revue/proposition/{proposal.pk}/decider/", {"decision": "accept"}).status_code == 403
    )


def test_the_editor_submits_and_verifies_from_the_record_page(client, db):
    town = grande_synthe()
    draft = pair(town, "Sidi Ifni", "MA")
    client.force_login(editor_of(town))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Soumettre à la revue" in page and "Toujours exact" not in page
    client.post(f"/partenariats/{draft.pk}/soumettre/")
    draft.refresh_from_db()
    assert draft.publication_state == "submitted"
    published = pair(town, "Tiznit", "MA", state="published")
    client.post(f"/partenariats/{published.pk}/toujours-exact/")
    published.refresh_from_db()
    assert published.last_verified_on is not None


def test_drafts_stay_hidden_from_anonymous_visitors_and_other_editors(client, db):
    draft = pair(grande_synthe(), "Sidi Ifni", "MA")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor_of(lyon(), "lyon@example.org"))
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_header_counts_the_corrections_waiting_for_an_editor(client, db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA", state="published")
    ProposedChange.objects.create(partnership=partnership, author=None, message="Date fausse")
    client.force_login(editor_of(town))
    page = client.get("/").content.decode()
    assert 'title="en attente de votre revue">1</span>' in page


def test_an_editor_sees_the_contacts_of_its_records_only(client, db):
    from coopatlas.atlas.services import contact_create

    mine = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    theirs = pair(lyon(), "Birmingham", "GB", state="published")
    contact_create(last_name="Benali", partnership=mine)
    contact_create(last_name="Durand", partnership=theirs)
    client.force_login(editor_of(mine.participations.first().organisation))
    assert "Benali" in client.get(mine.get_absolute_url()).content.decode()
    assert "Durand" not in client.get(theirs.get_absolute_url()).content.decode()
