"""Widgets for an authority's own site: what they show, how they are themed, framed and cached."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from coopatlas.atlas.choices import PartnershipForm
from coopatlas.atlas.models import Contact
from coopatlas.atlas.services.workflow import partnership_publish
from coopatlas.web.widgets import WidgetOptions, hex_colour, theme_css
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db

HOSTILE = [
    "red;}</style><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "1d3f8f;background:url(https://evil.example/x)",
    "expression(alert(1))",
    "#12345g",
    "1d3f8f\n}body{display:none",
]


@pytest.fixture
def lyon():
    """Lyon: a twinning with Turin (1970), an agreement with Ouagadougou (2005), a draft with
    Brouillonville; a contact (personal data) on the published twinning."""
    lyon = commune("Lyon", "69123")
    turin = twinning(lyon, foreign_town("Turin", "IT"), year=1970)
    twinning(lyon, foreign_town("Ouagadougou", "BF"), year=2005, form=PartnershipForm.COOPERATION_AGREEMENT)
    twinning(lyon, foreign_town("Brouillonville", "DE"), year=2010, publication_state="draft")
    Contact.objects.create(
        partnership=turin, last_name="Dupont-Secret", email="jeanne.secret@example.org", phone="0611223344"
    )
    return lyon


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_widget_lists_published_partners_twinnings_first(client, lyon):
    """The widget lists Turin (a twinning, with its country and year) before Ouagadougou (an
    agreement), each linked to its public partnership page in a new tab."""
    # when
    response = client.get(f"/widgets/{lyon.pk}/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Turin") < html.index("Ouagadougou")
    assert "Italie" in html and "1970" in html and "Burkina Faso" in html
    links = re.findall(
        r'<a href="(/partenariats/\d+/)" target="_blank" rel="noopener">(Turin|Ouagadougou)</a>', html
    )
    assert {name for _href, name in links} == {"Turin", "Ouagadougou"}
    assert "accord ou convention de coopération" in html
    assert "data-widget-map" in html and 'id="widget-map-data"' in html


def test_widget_never_shows_drafts_nor_personal_data(client, django_user_model, lyon):
    """Neither the draft's partner nor the contact's name, e-mail or phone reach the widget, not
    even for a signed-in administrator (a widget shows what the public sees)."""
    # given
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")
    for signed_in in (False, True):
        if signed_in:
            client.force_login(admin)
        # when
        html = client.get(f"/widgets/{lyon.pk}/").content.decode()
        script = client.get(f"/widgets/{lyon.pk}.js").content.decode()
        # then
        for secret in ("Brouillonville", "Dupont-Secret", "jeanne.secret", "0611223344"):
            assert secret not in html, (signed_in, secret)
            assert secret not in script, (signed_in, secret)


def test_widget_of_an_organisation_known_only_from_drafts_is_not_found(client):
    """A foreign town known only from a draft is not public: no widget, no script, no code page."""
    # given
    draft = twinning(commune("Lyon"), foreign_town("Secretville", "DE"), publication_state="draft")
    hidden = draft.participations.get(role="foreign_authority").organisation
    # when / then
    for path in (
        f"/widgets/{hidden.pk}/",
        f"/widgets/{hidden.pk}.js",
        f"/organisations/{hidden.pk}/integrer/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/widgets/999999/").status_code == 404


def test_widget_routes_are_framable_by_any_site(client, lyon):
    """The widget page answers with frame-ancestors * and no X-Frame-Options; the rest of its
    policy stays strict (scripts and styles from our origin only)."""
    # when
    response = client.get(f"/widgets/{lyon.pk}/")
    # then
    directives = _directives(response.headers["Content-Security-Policy"])
    assert directives["frame-ancestors"] == ["*"]
    assert directives["script-src"] == directives["style-src"] == ["'self'"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_other_pages_stay_unframable(client, lyon):
    """Every other page keeps frame-ancestors 'none' and X-Frame-Options DENY, the page that gives
    the widget's code included."""
    # given
    partnership = lyon.participations.first().partnership
    for path in [
        "/",
        f"/organisations/{lyon.pk}/",
        partnership.get_absolute_url(),
        f"/organisations/{lyon.pk}/integrer/",
        "/carte/",
    ]:
        # when
        response = client.get(path)
        # then
        assert response.status_code == 200, path
        assert _directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


@override_settings(WIDGET_FRAME_ANCESTORS=["https://www.ville-lyon.example", "https://*.grandlyon.example"])
def test_widget_frame_ancestors_follow_the_setting(client, lyon):
    """With COOPATLAS_WIDGET_FRAME_ANCESTORS, only the sites listed may frame the widget."""
    # when
    response = client.get(f"/widgets/{lyon.pk}/")
    # then
    directives = _directives(response.headers["Content-Security-Policy"])
    assert directives["frame-ancestors"] == ["https://www.ville-lyon.example", "https://*.grandlyon.example"]
    assert _directives(client.get("/").headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("value", HOSTILE)
def test_widget_refuses_hostile_theme_values(client, lyon, value):
    """A colour that is not hex gets the default, in the page, its stylesheet and its script: the
    hostile text is written nowhere."""
    # given
    params = {"couleur": value, "fond": value, "langue": value, "vue": value}
    # when
    page = client.get(f"/widgets/{lyon.pk}/", params)
    css = client.get("/widgets/theme.css", params)
    script = client.get(f"/widgets/{lyon.pk}.js", params)
    # then
    assert page.status_code == css.status_code == script.status_code == 200
    for response in (page, css, script):
        text = response.content.decode()
        for piece in ("alert", "evil", "expression", "12345g", "display:none", "</style>"):
            assert piece not in text, (response["Content-Type"], piece)
    assert css.content.decode() == theme_css(WidgetOptions())
    assert '<link rel="stylesheet" href="/widgets/theme.css">' in page.content.decode()
    assert '<html lang="fr">' in page.content.decode()


def test_widget_theme_colours_reach_the_stylesheet(client, lyon):
    """A valid accent and a dark background are written as custom properties, with light text."""
    # when
    page = client.get(f"/widgets/{lyon.pk}/", {"couleur": "#C9191E", "fond": "000"}).content.decode()
    css = client.get("/widgets/theme.css", {"couleur": "#C9191E", "fond": "000"})
    # then
    assert '<link rel="stylesheet" href="/widgets/theme.css?couleur=c9191e&amp;fond=000000">' in page
    assert css["Content-Type"] == "text/css; charset=utf-8"
    text = css.content.decode()
    assert "--accent: #c9191e;" in text and "--bg: #000000;" in text and "--ink: #f4f4f4;" in text
    assert "public" in css["Cache-Control"]


def test_hex_colour_normalises_or_falls_back():
    """Hex colours are read with or without "#", in 3 or 6 digits; anything else is the default."""
    assert hex_colour("#ABCDEF", "000000") == "abcdef"
    assert hex_colour("fa0", "000000") == "ffaa00"
    for bad in ["", None, "red", "#abcd", "abcdefg", "#abcdef;", " #12 34 56"]:
        assert hex_colour(bad, "000000") == "000000", bad


def test_widget_language_follows_its_parameter(client, lyon):
    """langue=en gives an English page (its lang, headings and country names) whatever the
    visitor's browser asks; the default is French."""
    # when
    english = client.get(f"/widgets/{lyon.pk}/", {"langue": "en"}, HTTP_ACCEPT_LANGUAGE="fr")
    french = client.get(f"/widgets/{lyon.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    html = english.content.decode()
    assert '<html lang="en">' in html and english["Content-Language"] == "en"
    assert "Twin towns" in html and "Italy" in html and "Villes jumelles" not in html
    html = french.content.decode()
    assert '<html lang="fr">' in html and french["Content-Language"] == "fr"
    assert "Villes jumelles" in html and "Italie" in html
    # French spacing follows the widget's language, not the browser's
    assert "Source\u00a0: atlas" in html
    assert "Source: atlas" in english.content.decode()


def test_widget_views_and_compact(client, lyon):
    """vue=liste leaves the map out (and its scripts), vue=carte the list; compact marks the page."""
    # when
    listed = client.get(f"/widgets/{lyon.pk}/", {"vue": "liste", "compact": "1"}).content.decode()
    mapped = client.get(f"/widgets/{lyon.pk}/", {"vue": "carte"}).content.decode()
    # then
    assert "data-widget-map" not in listed and "leaflet.js" not in listed and "Turin" in listed
    assert "widget-compact" in listed
    assert "data-widget-map" in mapped and "Villes jumelles" not in mapped and "widget-compact" not in mapped


def test_widget_is_public_cacheable_without_cookie(client, lyon):
    """A widget sets no cookie and does not vary on it; it may be kept by any cache for the
    period set, with an ETag."""
    # when
    response = client.get(f"/widgets/{lyon.pk}/")
    # then
    assert response.cookies == {} or not dict(response.cookies)
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_widget_answers_304_until_a_publication(client, lyon, django_user_model):
    """The same ETag gets a 304 without body; publishing a partnership of the authority changes
    the tag, and the new partner shows."""
    # given
    first = client.get(f"/widgets/{lyon.pk}/")
    etag = first["ETag"]
    # when
    again = client.get(f"/widgets/{lyon.pk}/", HTTP_IF_NONE_MATCH=etag)
    # then
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=300"
    assert "X-Frame-Options" not in again.headers
    # when a draft is published
    draft = lyon.participations.get(organisation=lyon, partnership__publication_state="draft").partnership
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")
    partnership_publish(draft, acting_user=admin)
    after = client.get(f"/widgets/{lyon.pk}/", HTTP_IF_NONE_MATCH=etag)
    # then
    assert after.status_code == 200 and after["ETag"] != etag
    assert "Brouillonville" in after.content.decode()


def test_widget_answer_is_remembered_under_the_index_version(client, lyon):
    """Asked again while nothing changed, the widget reads the index's version and nothing else
    of the atlas (its rows come from the cache)."""
    # given
    client.get(f"/widgets/{lyon.pk}/")
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/widgets/{lyon.pk}/")
    # then
    assert "Turin" in response.content.decode()
    tables = [q["sql"] for q in queries.captured_queries]
    assert tables and all("search_indexstate" in sql for sql in tables), tables


def test_widget_script_inserts_the_frame_after_itself(client, lyon):
    """The script is JavaScript, loadable by any site (CORP cross-origin), and inserts an iframe
    of the widget with the validated options, sized and titled, after document.currentScript."""
    # when
    params = {"couleur": "c9191e", "vue": "liste", "compact": "1", "x": "<b>"}
    response = client.get(f"/widgets/{lyon.pk}.js", params)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"]
    script = response.content.decode()
    assert "document.currentScript" in script and "insertBefore" in script
    assert (
        f'"src": "http://testserver/widgets/{lyon.pk}/?couleur=c9191e\\u0026vue=liste\\u0026compact=1"'
        in script
    )
    assert '"title": "Partenaires internationaux de Lyon"' in script and '"height": 260' in script
    assert "<b>" not in script
    again = client.get(f"/widgets/{lyon.pk}.js", params, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_embed_page_gives_the_code_to_copy_updated_by_its_form(client, lyon):
    """The organisation's page links to "Intégrer sur votre site", whose form (sent by GET, no
    script needed) rewrites the iframe and script snippets with the chosen options."""
    # given
    organisation_page = client.get(f"/organisations/{lyon.pk}/").content.decode()
    assert f'href="/organisations/{lyon.pk}/integrer/"' in organisation_page
    # when
    html = client.get(
        f"/organisations/{lyon.pk}/integrer/",
        {"couleur": "#c9191e", "vue": "liste", "compact": "1", "langue": "en"},
    ).content.decode()
    # then
    src = f"http://testserver/widgets/{lyon.pk}/?couleur=c9191e&amp;amp;langue=en&amp;amp;vue=liste&amp;amp;compact=1"
    assert f"&lt;iframe src=&quot;{src}&quot;" in html
    assert "height=&quot;260&quot;" in html and "title=&quot;Partenaires internationaux de Lyon&quot;" in html
    assert f"&lt;script src=&quot;http://testserver/widgets/{lyon.pk}.js?couleur=c9191e" in html
    assert 'value="#c9191e"' in html and 'value="liste" checked' in html
    assert f'src="/widgets/{lyon.pk}/?couleur=c9191e&amp;langue=en&amp;vue=liste&amp;compact=1"' in html


def test_embed_page_of_an_authority_without_publication_says_so(client):
    """An authority of the official geography with nothing published gets the code, and is told
    the frame will wait for a publication; its widget says so too."""
    # given
    quimper = commune("Quimper", "29232")
    # when
    html = client.get(f"/organisations/{quimper.pk}/integrer/").content.decode()
    widget = client.get(f"/widgets/{quimper.pk}/").content.decode()
    # then
    assert "encore publié" in html
    assert "Aucun partenariat publié pour l" in widget


def test_other_forms_partner_without_authority_counterpart(client):
    """A project whose other participant is not an authority lists that participant."""
    # given
    from coopatlas.atlas.models import Participation
    from tests.atlas.factories import OrganisationFactory

    lyon = commune("Lyon", "69123")
    project = twinning(lyon, foreign_town("Dakar", "SN"), form=PartnershipForm.DECENTRALISED_PROJECT)
    project.participations.filter(role="foreign_authority").delete()
    ngo = OrganisationFactory(name="Eau Vive Sénégal", kind="association", country_id="SN")
    Participation.objects.create(partnership=project, organisation=ngo, role="operator")
    # when
    html = client.get(f"/widgets/{lyon.pk}/").content.decode()
    # then
    assert "Eau Vive Sénégal" in html and "Sénégal" in html and "Dakar" not in html


def test_widget_of_a_large_authority_links_to_the_rest(client, lyon, monkeypatch):
    """Past the rows a widget lists, it says how many more there are and links to the atlas."""
    # given
    monkeypatch.setattr("coopatlas.web.widgets.WIDGET_ROWS", 1)
    # when
    html = client.get(f"/widgets/{lyon.pk}/").content.decode()
    # then
    assert "Turin" in html and "Ouagadougou" not in html
    assert (
        f'<a href="/organisations/{lyon.pk}/" target="_blank" rel="noopener">et 1 partenaire de plus' in html
    )
