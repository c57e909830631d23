"""Extraction in the web app: paste → review → accept (edited), merge, reject; hostile markup is
never echoed unescaped."""

import pytest

from coopatlas.atlas.models import Partnership
from coopatlas.extraction.models import Candidate

pytestmark = pytest.mark.django_db

TEXT = """Villes jumelles de Lannion

Lannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983.
Une convention de coopération lie la ville de Lannion et Kaolack (Sénégal) depuis 1990.
"""


def _read(client, **data):
    response = client.post("/extraction/", data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_anonymous_visitors_cannot_extract(client):
    assert client.get("/extraction/").status_code == 302  # to the login page


def test_paste_review_accept_edited_and_reject(admin_client_fr, resolver):
    review = _read(admin_client_fr, text=TEXT, url="https://www.example.org/jumelages")
    page = admin_client_fr.get(review).content.decode()
    assert "<mark>Caerphilly</mark>" in page and "Kaolack" in page
    first, second = Candidate.objects.order_by("position")
    response = admin_client_fr.post(
        f"/extraction/candidat/{first.pk}/", {"action": "accept", **first.data, "year": "1984"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "accepted" and first.partnership is not None
    partnership = first.partnership
    assert partnership.signature_year == 1984 and partnership.form == "twinning"
    assert partnership.publication_state == "published"
    assert partnership.sources.filter(url="https://www.example.org/jumelages").exists()
    names = set(partnership.participations.values_list("organisation__name", flat=True))
    assert names == {"Lannion", "Caerphilly"}
    admin_client_fr.post(f"/extraction/candidat/{second.pk}/", {"action": "reject"})
    second.refresh_from_db()
    assert second.status == "rejected" and second.partnership is None
    # a decided candidate cannot be decided again
    response = admin_client_fr.post(f"/extraction/candidat/{second.pk}/", {"action": "accept"}, follow=True)
    assert "déjà été traité" in response.content.decode()
    assert Partnership.objects.count() == 1


def test_merge_into_an_existing_partnership_and_bad_edits(admin_client_fr, resolver):
    _read(admin_client_fr, text=TEXT)
    first, second = Candidate.objects.order_by("position")
    admin_client_fr.post(f"/extraction/candidat/{first.pk}/", {"action": "accept", **first.data})
    target = Candidate.objects.get(pk=first.pk).partnership
    response = admin_client_fr.post(
        f"/extraction/candidat/{second.pk}/",
        {"action": "accept", **second.data, "year": "vers 90"},
        follow=True,
    )
    assert "Année invalide" in response.content.decode()
    response = admin_client_fr.post(
        f"/extraction/candidat/{second.pk}/", {"action": "merge", "partnership": "999999"}, follow=True
    )
    assert "inconnu" in response.content.decode()
    before = target.sources.count()
    # a page naming the accepted pair again offers its partnership to merge into
    _read(admin_client_fr, text=TEXT)
    again = Candidate.objects.filter(status="pending", data__foreign_authority="Caerphilly").get()
    review = admin_client_fr.get(f"/extraction/{again.page_id}/").content.decode()
    assert f'<option value="{target.pk}">' in review and "Déjà dans l'atlas" in review
    admin_client_fr.post(
        f"/extraction/candidat/{second.pk}/", {"action": "merge", "partnership_other": target.pk}
    )
    second.refresh_from_db()
    assert second.status == "merged" and second.partnership == target
    assert target.sources.count() == before + 1


def test_accepting_a_pair_already_in_the_atlas_adds_the_page_as_its_source(admin_client_fr, resolver):
    _read(admin_client_fr, text=TEXT, url="https://www.example.org/a")
    first = Candidate.objects.order_by("position").first()
    admin_client_fr.post(f"/extraction/candidat/{first.pk}/", {"action": "accept", **first.data})
    _read(admin_client_fr, text=TEXT, url="https://www.example.org/b")
    again = Candidate.objects.filter(status="pending", data__foreign_authority="Caerphilly").get()
    admin_client_fr.post(f"/extraction/candidat/{again.pk}/", {"action": "accept", **again.data})
    again.refresh_from_db()
    assert again.partnership == Candidate.objects.get(pk=first.pk).partnership
    assert Partnership.objects.count() == 1
    assert {s.url for s in again.partnership.sources.all()} >= {
        "https://www.example.org/a",
        "https://www.example.org/b",
    }


def test_hostile_markup_is_escaped_on_the_review_page(admin_client_fr, resolver):
    html = (
        "<html><body><h1>Villes jumelles de Lannion</h1><p>Lannion est jumelée avec Caerphilly "
        "(Royaume-Uni) depuis 1983 &lt;img src=x onerror=alert(1)&gt;.</p>"
        "<script>alert('pwned')</script></body></html>"
    )
    review = _read(admin_client_fr, text=html)
    page = admin_client_fr.get(review).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "pwned" not in page


def test_bad_inputs_are_named(admin_client_fr):
    response = admin_client_fr.post("/extraction/", {"text": ""}, follow=True)
    assert "Le texte est vide." in response.content.decode()


def test_review_sorts_by_confidence_and_folds_the_doubtful(admin_client_fr, django_user_model):
    """The surest candidates come first; those under the scorer's SURE threshold are folded
    under "À vérifier", each saying how sure it is."""
    from coopatlas.extraction import scorer
    from coopatlas.extraction.pages import read_page
    from coopatlas.extraction.review import save_page

    def candidate(partner, confidence, themes=()):
        return {
            "french_authority": "Lannion",
            "french_authority_kind": "commune",
            "foreign_authority": partner,
            "country": "Germany",
            "country_iso2": "DE",
            "year": None,
            "kind": "jumelage",
            "themes": list(themes),
            "confidence": confidence,
            "evidence": {"text": partner, "start": 0, "end": len(partner)},
        }

    user = django_user_model.objects.get(username="admin")
    page = read_page("Lannion : Ehingen, Viersen, Kiel.")
    stored = save_page(
        page,
        [candidate("Ehingen", 0.55), candidate("Viersen", 0.97, ["education"]), candidate("Kiel", 0.83)],
        user,
    )
    html = admin_client_fr.get(f"/extraction/{stored.pk}/").content.decode()
    folded = html.index('<details class="to-check-group">')
    assert html.index("Lannion – Viersen") < html.index("Lannion – Kiel") < folded
    assert html.index("Lannion – Ehingen") > folded
    summary = html[folded : html.index("</summary>", folded)]
    assert "À vérifier" in summary and "1 candidat moins sûr" in summary
    assert html.count('class="record candidate to-check"') == 1
    assert scorer.is_sure(0.83) and not scorer.is_sure(0.55)
    # a theme by the name of the broadest atlas theme of its tag, not by the tag
    from coopatlas.atlas.models import Theme

    education = Theme.objects.filter(tag="education").order_by("level", "pk").first()
    assert education is not None and f"{education.name_fr}</p>" in html
