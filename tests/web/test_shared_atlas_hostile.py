"""Hostile input to the shared atlas's forms: a script in a proposed title or message is shown as text, a
javascript: source is refused, an organisation code that is a path is named back as unknown."""

from coopatlas.atlas.models import ProposedChange
from tests.accounts.factories import HAUTS_DE_FRANCE, account, coordinator_of_region, grande_synthe, pair


def test_hostile_input_to_the_proposal_review_and_invitation_forms(client, db):
    p = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    client.force_login(account("x@example.org"))
    r = client.post(
        f"/partenariats/{p.pk}/proposer/",
        {
            "title": "<script>alert(1)</script>",
            "status": p.status,
            "message": "<img src=x onerror=alert(1)>",
            "source_url": "javascript:alert(1)",
        },
    )
    assert r.status_code == 200 and not ProposedChange.objects.exists()
    r = client.post(
        f"/partenariats/{p.pk}/proposer/",
        {
            "title": "<script>alert(1)</script>",
            "status": p.status,
            "message": "<img src=x onerror=alert(1)>",
            "source_url": "",
        },
    )
    assert ProposedChange.objects.count() == 1
    client.force_login(coordinator_of_region(HAUTS_DE_FRANCE))
    page = client.get("/revue/").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    r = client.post(
        "/comptes/inviter/",
        {"email": "a" * 300 + "@x.fr", "kind": "editor", "organisation": "../../etc/passwd"},
    )
    assert r.status_code == 200 and "Aucune organisation" in r.content.decode()
    r = client.post("/mes-partenariats/nouveau/", {})
    assert r.status_code in (200, 302)
