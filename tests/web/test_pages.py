"""The minimal public pages: home, partnership list, partnership and organisation pages."""

import re

import pytest
from django.contrib.auth.models import Permission

from coopatlas.atlas.models import Organisation, Partnership

pytestmark = pytest.mark.django_db


def test_home_shows_counts_and_latest(client, demo_atlas):
    """The home page shows the atlas figures and links to partnerships."""
    html = client.get("/").content.decode()
    assert "partenariats" in html
    published = Partnership.objects.published().count()
    assert f"<strong>{published}</strong>" in html
    assert "Afrique" in html and "Économie durable" in html


def test_partnership_list_filters_and_explains_bad_input(client, demo_atlas):
    """The list narrows by country and form, and names an unknown country instead of failing."""
    html = client.get("/partenariats/", {"pays": "DE"}).content.decode()
    assert "Neukölln" in html and "Birmingham" not in html
    assert "2 partenariats" in html
    html = client.get("/partenariats/", {"pays": "ZZ"}).content.decode()
    assert "Pays\u00a0: valeur inconnue" in html and "ZZ" in html
    html = client.get("/partenariats/", {"forme": "protocol"}).content.decode()
    assert "Dnipropetrovsk" in html and "1 partenariat" in html


def test_partnership_page_every_field(client, demo_atlas):
    """The network page shows dates, themes, the 31 partners, funding totals and sources."""
    partnership = Partnership.objects.get(external_ref="demo:clermont-rivm")
    html = client.get(partnership.get_absolute_url()).content.decode()
    for fragment in [
        "2019",
        "2020",
        "31/12/2021",
        "Thème principal",
        "Priorité 5",
        "Collectivités étrangères (31)",
        "Vitoria-Gasteiz",
        "1\u202f380\u202f394",
        "473\u202f397",
        "906\u202f997",
        "15 financeurs",
        "Ambassade de France à Rome",
        "ODD 11",
        "Atlas français de la coopération décentralisée",
        "Golem",
    ]:
        assert fragment in html, fragment


def test_partnership_page_hides_contacts_from_anonymous_visitors(client, demo_atlas):
    """Names and emails of contacts are never shown to anonymous visitors."""
    partnership = Partnership.objects.get(external_ref="demo:clermont-rivm")
    html = client.get(partnership.get_absolute_url()).content.decode()
    assert "monica.arnaudo" not in html and "Arnaudo" not in html and "Aubert" not in html
    assert "31 contacts" in html


def test_partnership_page_shows_contacts_to_allowed_users(client, django_user_model, demo_atlas):
    """A signed-in user with the contact permission sees names and emails."""
    user = django_user_model.objects.create_user("chargee", password="pw-ri-12345")
    user.user_permissions.add(Permission.objects.get(codename="view_contact"))
    client.force_login(user)
    partnership = Partnership.objects.get(external_ref="demo:clermont-rivm")
    html = client.get(partnership.get_absolute_url()).content.decode()
    assert "monica.arnaudo@comune.cuneo.it" in html


def test_organisation_page_groups_partners_by_start_year(client, demo_atlas):
    """Boulogne-Billancourt's page lists its partners under "Depuis 1955", "Depuis 1968"…"""
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    html = client.get(boulogne.get_absolute_url()).content.decode()
    positions = [html.index(f"Depuis {year}") for year in (1955, 1968, 1972, 1977, 1993, 1996, 2007)]
    assert positions == sorted(positions)
    section_1955 = html[positions[0] : positions[1]]
    for town in ["Neukölln", "Anderlecht", "Hammersmith &amp; Fulham", "Zaanstad"]:
        assert town in section_1955


def test_a_big_organisation_page_lists_its_first_partners_and_links_to_all(client, demo_atlas, monkeypatch):
    """Past PARTNERS_SHOWN partners (a national atlas's biggest city has a thousand), the page
    lists the first ones by year, says how many there are and links to the search of them all."""
    from coopatlas.web import views

    monkeypatch.setattr(views, "PARTNERS_SHOWN", 3)
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    html = client.get(boulogne.get_absolute_url()).content.decode()
    assert "Depuis 1955" in html and "Depuis 1968" not in html
    assert re.search(r"Les 3 premiers partenaires sur (\d+)\.", html).group(1) == "10"
    assert f'href="/recherche/?organisation={boulogne.pk}"' in html


def test_organisation_page_networks_and_projects(client, demo_atlas):
    """Lyon's page shows its networks and European projects."""
    lyon = Organisation.objects.get(name="Lyon")
    html = client.get(lyon.get_absolute_url()).content.decode()
    for fragment in ["Eurocities", "CGLU", "LUCI", "Délice", "OPTICITIES", "PLUS", "Depuis 1951"]:
        assert fragment in html, fragment


def test_unknown_pages_are_404(client):
    """Missing records answer 404."""
    assert client.get("/partenariats/999999/").status_code == 404
    assert client.get("/organisations/999999/").status_code == 404


def test_draft_partnership_hidden_from_public(client, demo_atlas):
    """A draft is not shown to the public."""
    partnership = Partnership.objects.get(external_ref="demo:lyon-birmingham")
    partnership.publication_state = "draft"
    partnership.save()
    assert client.get(partnership.get_absolute_url()).status_code == 404


def test_country_page_shows_partnerships_authorities_and_embassy(client, demo_atlas):
    """Spain's page lists its partnerships, Clermont-Ferrand, and the embassy with no correspondent."""
    html = client.get("/pays/ES/").content.decode()
    assert "Espagne" in html and "Clermont-Ferrand" in html and "Ambassade de France à Madrid" in html
    assert "aucun" in html and "Vitoria-Gasteiz" in html or "RIVM" in html
    italy = client.get("/pays/it/").content.decode()
    assert "désigné" in italy and "Aubert" not in italy
    assert client.get("/pays/ZZ/").status_code == 404


def test_country_counts_for_the_choropleth(client, demo_atlas):
    """The map's country layer counts partnerships per country, keyed by ISO numeric code."""
    data = client.get("/carte/pays.json").json()
    assert data["724"] == {
        "iso2": "ES",
        "name": "Espagne",
        "count": 1,
        "search": "/recherche/?pays=ES",
        "page": "/pays/ES/",
    }
    with_gb = [p for p in Partnership.objects.published() if "GB" in {c.iso2 for c in p.countries()}]
    assert data["826"]["count"] == len(with_gb) == 3  # Birmingham, Hammersmith & Fulham, Salford
    assert "250" not in data  # France is not a partner country


def test_organisation_page_in_common_with_another(client, demo_atlas):
    """Birmingham seen from Lyon: the four shared networks and the two European projects."""
    lyon = Organisation.objects.get(name="Lyon")
    birmingham = Organisation.objects.get(name="Birmingham")
    html = client.get(birmingham.get_absolute_url(), {"avec": lyon.pk}).content.decode()
    section = html[html.index("En commun avec Lyon") :]
    for fragment in ["CGLU", "Délice", "Eurocities", "LUCI", "OPTICITIES", "PLUS"]:
        assert fragment in section, fragment
    assert client.get(birmingham.get_absolute_url(), {"avec": "x"}).status_code == 200


@pytest.mark.django_db
def test_a_partnership_sheet_downloads_as_a_one_page_pdf(client):
    """The printable sheet of a twinning is a one-page PDF, made offline, without contacts."""
    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.models import Partnership
    from coopatlas.web.pdf import render_document

    load_demo()
    neukolln = Partnership.objects.get(participations__organisation__name="Neukölln")
    response = client.get(f"/partenariats/{neukolln.pk}/fiche.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client.get(f"/partenariats/{neukolln.pk}/")
    assert len(render_document(page.content.decode(), page.wsgi_request).pages) == 1
    rivm = Partnership.objects.get(external_ref="demo:clermont-rivm")
    pdf = client.get(f"/partenariats/{rivm.pk}/fiche.pdf").content
    assert b"%PDF" in pdf[:8] and b"comune.cuneo.it" not in pdf


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/carte/lieux.geojson?organisation=%C2%B2", 400),
        ("/tableau-de-bord/veille/?mois=%C2%B2", 200),
        ("/tableau-de-bord/?groupement=etude-%C2%B2", 200),
        ("/recherche/?organisation=%C2%B2", 200),
    ],
)
def test_pages_superscript_digit_in_a_number_parameter_is_no_server_error(client, url, status):
    """A superscript digit (which isdigit takes and int refuses) is a bad value, not a 500."""
    # when
    response = client.get(url)
    # then
    assert response.status_code == status


def test_organisation_page_superscript_digit_as_other_is_ignored(client, demo_atlas):
    """`?avec=²` on an organisation page shows the page without a comparison, not a 500."""
    # given
    lyon = Organisation.objects.get(name="Lyon")
    # when
    response = client.get(lyon.get_absolute_url(), {"avec": "²"})
    # then
    assert response.status_code == 200
