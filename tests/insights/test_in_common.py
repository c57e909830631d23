"""What two organisations share, said the same way by the suggestions and the "in common" panel;
and never a suggestion to meet an organisation's own network, coordinator or co-partner."""

import re

import pytest

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole
from coopatlas.atlas.models import NetworkMembership, Organisation, Participation, PartnershipTheme, Theme
from coopatlas.insights.common import in_common
from coopatlas.insights.suggestions import actors_to_connect
from tests.atlas.factories import OrganisationFactory, foreign_town, twinning

pytestmark = pytest.mark.django_db


def french(name: str, insee: str, region: str) -> Organisation:
    return OrganisationFactory(name=name, insee_code=insee, region_code=region)


def network(name: str) -> Organisation:
    return OrganisationFactory(name=name, kind=OrganisationKind.NETWORK)


def _panel(html: str) -> str:
    """Return the text of the page's "in common" section."""
    section = html[html.index('id="h-common"') : html.index("</section>", html.index('id="h-common"'))]
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", section))


def test_in_common_shows_the_countries_themes_and_partners_the_suggestion_names(client):
    """Roubaix is told Villeneuve-d'Ascq also works on education in Benin: the panel says so too."""
    # given: Villeneuve-d'Ascq with Tanguiéta and Roubaix with Tanguiéta and Cotonou (Benin), and
    # Nantes with Cotonou, all on education
    education = Theme.objects.get(code="education-social-recherche")
    villeneuve = french("Villeneuve-d'Ascq", "59009", "32")
    roubaix = french("Roubaix", "59512", "32")
    nantes = french("Nantes", "44109", "52")
    tanguieta, cotonou = foreign_town("Tanguiéta", "BJ"), foreign_town("Cotonou", "BJ")
    for town, partner in ((villeneuve, tanguieta), (roubaix, tanguieta), (nantes, cotonou)):
        PartnershipTheme.objects.create(partnership=twinning(town, partner, 2000), theme=education)
    for me in (roubaix, villeneuve, nantes):
        for suggestion in actors_to_connect(me):
            # when
            common = in_common(suggestion.organisation, me)
            html = client.get(suggestion.organisation.get_absolute_url(), {"avec": me.pk}).content.decode()
            panel = _panel(html)
            # then: every partner, country and theme behind the suggestion is in the panel
            assert common.countries and common.themes
            for partner in common.partners:
                assert partner.name in panel
            for reason in suggestion.reasons:
                for country in re.findall(r"\(([^()]+)\)", reason):
                    assert country in panel, (reason, panel)
                for theme in re.findall(r"« ([^»]+) »", reason):
                    assert theme.lower() in panel.lower(), (reason, panel)
    # and the facts are those of the suggestion, read from both sides alike
    assert [p.name for p in in_common(roubaix, villeneuve).partners] == ["Tanguiéta"]
    assert [c.iso2 for c in in_common(nantes, roubaix).countries] == ["BJ"]
    assert in_common(nantes, roubaix).partners == [] and in_common(roubaix, nantes).partners == []
    panel = _panel(client.get(nantes.get_absolute_url(), {"avec": roubaix.pk}).content.decode())
    assert "Pays partenaires en commun Bénin" in panel and f"Thèmes en commun {education.name_fr}" in panel


def test_suggestions_never_name_the_organisations_own_network_coordinator_or_copartner(client):
    """Clermont-Ferrand is not told to meet the network it coordinates, one it belongs to, nor
    Aubière, already its partner in a twinning: only Lyon, which works with Karlsruhe too."""
    # given: the Michelin cities' network coordinating Clermont-Ferrand's cooperation with Karlsruhe
    # and Regensburg; Clermont-Ferrand and Aubière twinned together with Salford; Clermont-Ferrand a
    # member of Cités Unies France, which takes part in Lyon's cooperation with Karlsruhe
    clermont = french("Clermont-Ferrand", "63113", "84")
    aubiere = french("Aubière", "63014", "84")
    lyon = french("Lyon", "69123", "84")
    karlsruhe, regensburg = foreign_town("Karlsruhe", "DE"), foreign_town("Regensburg", "DE")
    rivm, cuf = network("Réseau international des villes Michelin"), network("Cités Unies France")
    project = twinning(clermont, karlsruhe, 2020, form="project")
    Participation.objects.create(
        partnership=project, organisation=regensburg, role=ParticipationRole.FOREIGN_AUTHORITY
    )
    Participation.objects.create(partnership=project, organisation=rivm, role=ParticipationRole.COORDINATOR)
    NetworkMembership.objects.create(network=rivm, member=clermont, is_founder=True)
    NetworkMembership.objects.create(network=cuf, member=clermont)
    salford = twinning(clermont, foreign_town("Salford", "GB"), 1990)
    Participation.objects.create(
        partnership=salford, organisation=aubiere, role=ParticipationRole.FRENCH_AUTHORITY
    )
    with_lyon = twinning(lyon, karlsruhe, 2005)
    Participation.objects.create(partnership=with_lyon, organisation=cuf, role=ParticipationRole.ASSOCIATED)
    # when
    suggested = [s.organisation.name for s in actors_to_connect(clermont)]
    html = client.get(clermont.get_absolute_url()).content.decode()
    # then
    assert suggested == ["Lyon"]
    section = html[html.index('id="h-connect"') :]
    assert "Michelin" not in section and "Cités Unies" not in section and "Aubière" not in section
    # and the panel seen from the network says what they already share
    panel = _panel(client.get(rivm.get_absolute_url(), {"avec": clermont.pk}).content.decode())
    assert project.title in panel and "Karlsruhe" in panel and "Allemagne" in panel


def test_demo_clermont_ferrand_suggestions_leave_out_its_network_and_agree_with_the_panel(client, demo_atlas):
    """On the demo atlas, Clermont-Ferrand is not told to meet the RIVM it founded, and each actor
    suggested shows, in common with it, the countries and themes its reasons name."""
    # given
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    # when
    suggestions = actors_to_connect(clermont)
    # then
    assert suggestions
    assert "Réseau international des villes Michelin" not in [s.organisation.name for s in suggestions]
    for suggestion in suggestions:
        html = client.get(suggestion.organisation.get_absolute_url(), {"avec": clermont.pk}).content.decode()
        panel = _panel(html)
        for reason in suggestion.reasons:
            for country in re.findall(r"\(([^()]+)\)", reason):
                assert country in panel, (suggestion.organisation.name, reason, panel)
            for theme in re.findall(r"« ([^»]+) »", reason):
                assert theme.lower() in panel.lower(), (suggestion.organisation.name, reason, panel)
