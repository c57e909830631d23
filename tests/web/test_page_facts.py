"""What the public pages state: theme counts, a status contradicted by its end date, the signature
field, and the drafts marked for the editors who see them."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission

from coopatlas.atlas.models import PartnershipTheme, Theme
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    """A client signed in as an editor: a user allowed to change partnerships, so to see drafts."""
    user = django_user_model.objects.create_user("claude", "claude@example.org", "pw-editor-123")
    user.user_permissions.add(Permission.objects.get(codename="change_partnership"))
    client.force_login(user)
    return client


def _text(html: str) -> str:
    """Return the page's text without tags, spaces collapsed (non-breaking ones kept)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


def test_country_page_counts_partnerships_per_theme_not_theme_links(client):
    """A partnership tagged with two environment sub-themes counts once under Environnement."""
    # given: Clermont-Ferrand and Oviedo on circular economy and biodiversity, both below the
    # environment theme, and Clermont-Ferrand and Valladolid on circular economy alone
    clermont = commune("Clermont-Ferrand", "63113")
    both = twinning(clermont, foreign_town("Oviedo", "ES"), 2018)
    for code in ("economie-circulaire", "protection-environnement"):
        PartnershipTheme.objects.create(partnership=both, theme=Theme.objects.get(code=code))
    one = twinning(clermont, foreign_town("Valladolid", "ES"), 2019)
    PartnershipTheme.objects.create(partnership=one, theme=Theme.objects.get(code="economie-circulaire"))
    environment = Theme.objects.get(code="environnement-climat-energie").name_fr
    # when
    html = client.get("/pays/ES/").content.decode()
    # then
    themes = html[html.index('id="h-th"') : html.index('id="h-parts"')]
    assert re.search(rf"{re.escape(environment)}\s*<span class=\"count\">2</span>", themes), themes


@pytest.fixture
def overdue():
    """Clermont-Ferrand's agreement with Oviedo, still "active" though it ended on 31/12/2020."""
    partnership = twinning(
        commune("Clermont-Ferrand", "63113"),
        foreign_town("Oviedo", "ES"),
        2018,
        form="cooperation_agreement",
        status="active",
        end_date=datetime.date(2020, 12, 31),
    )
    PartnershipTheme.objects.create(
        partnership=partnership, theme=Theme.objects.get(code="economie-circulaire")
    )
    return partnership


NOTE = "date de fin dépassée (31/12/2020)\u00a0: statut à vérifier"


def test_partnership_status_active_past_its_end_date_is_flagged_on_every_public_page(client, overdue):
    """An "En cours" partnership whose end date has passed says so wherever its status shows."""
    # given: an active partnership ended on 31/12/2020 (the fixture)
    clermont = overdue.participations.get(role="french_authority").organisation
    oviedo = overdue.participations.get(role="foreign_authority").organisation
    pages = {
        "partnership": overdue.get_absolute_url(),
        "search": "/recherche/?pays=ES",
        "country": "/pays/ES/",
        "home": "/",
        "French organisation": clermont.get_absolute_url(),
        "foreign organisation": oviedo.get_absolute_url(),
    }
    for name, url in pages.items():
        # when
        text = _text(client.get(url).content.decode())
        # then
        assert NOTE in text, name
    # and a partnership ending in the future is not flagged
    overdue.end_date = datetime.date.today() + datetime.timedelta(days=30)
    overdue.save()
    assert "statut à vérifier" not in client.get(overdue.get_absolute_url()).content.decode()


def test_partnership_status_outdated_is_in_the_api(client, overdue):
    """The API gives the stored status and whether the end date contradicts it."""
    # when
    body = client.get(f"/api/v1/partnerships/{overdue.pk}").json()
    # then
    assert body["status"] == "active" and body["status_outdated"] is True
    overdue.status = "ended"
    overdue.save()
    assert client.get(f"/api/v1/partnerships/{overdue.pk}").json()["status_outdated"] is False


def test_partnership_signature_field_label_agrees_with_its_value(client):
    """A full signature date is labelled "Date de signature"; a year alone "Année de signature"."""
    # given
    dated = twinning(
        commune("Clermont-Ferrand", "63113"),
        foreign_town("Oviedo", "ES"),
        2018,
        signature_year=2017,
        signature_date=datetime.date(2017, 11, 21),
    )
    year_only = twinning(
        commune("Lyon", "69123"), foreign_town("Birmingham", "GB"), 1951, signature_year=1951
    )
    # when
    dated_text = _text(client.get(dated.get_absolute_url()).content.decode())
    year_text = _text(client.get(year_only.get_absolute_url()).content.decode())
    # then
    assert "Date de signature 21 novembre 2017" in dated_text
    assert "Année de signature" not in dated_text
    assert "Année de signature 1951" in year_text


@pytest.fixture
def draft():
    """A draft twinning of Clermont-Ferrand with Valladolid, next to a published twinning."""
    clermont = commune("Clermont-Ferrand", "63113")
    twinning(clermont, foreign_town("Oviedo", "ES"), 2018)
    return twinning(clermont, foreign_town("Valladolid", "ES"), 2024, publication_state="draft")


DRAFT_BADGE = re.compile(r'<span class="badge badge-draft">Brouillon</span>')


def test_drafts_are_marked_brouillon_in_lists_for_editors(editor, draft):
    """An editor sees the draft marked "Brouillon" in search results, on organisation and country pages."""
    # given: an editor (signed in) and a draft among published partnerships
    clermont = draft.participations.get(role="french_authority").organisation
    valladolid = draft.participations.get(role="foreign_authority").organisation
    for url in (
        "/recherche/?pays=ES",
        "/pays/ES/",
        clermont.get_absolute_url(),
        valladolid.get_absolute_url(),
    ):
        # when
        html = editor.get(url).content.decode()
        # then: the draft is listed, and marked once; the published twinning is not marked
        assert "Valladolid" in html, url
        assert len(DRAFT_BADGE.findall(html)) == 1, url


def test_drafts_stay_out_of_public_lists(client, draft):
    """An anonymous visitor sees neither the draft nor a "Brouillon" mark."""
    clermont = draft.participations.get(role="french_authority").organisation
    for url in ("/recherche/?pays=ES", "/pays/ES/", clermont.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Brouillon" not in html and "Valladolid" not in html, url
