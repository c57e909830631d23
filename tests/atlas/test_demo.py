"""The demo atlas holds the facts of the five seed pages."""

from collections import Counter
from decimal import Decimal

import pytest

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import (
    Contact,
    DiplomaticPost,
    EuropeanProject,
    Organisation,
    Partnership,
    Study,
)
from coopatlas.atlas.selectors import funding_summary, partners_by_start_year, partnership_list

# The seven categories of the Métropole de Lyon × Latin America study (seed 001), in its order.
LYON_STUDY_CATEGORIES = [
    "Formation et savoirs",
    "Solidarité",
    "Promotion et croisement des cultures",
    "Emblèmes du territoire lyonnais",
    "Innovations urbaines",
    "Secteur économique",
    "Francophonie",
]

pytestmark = pytest.mark.django_db


def _rivm() -> Partnership:
    return Partnership.objects.get(external_ref="demo:clermont-rivm")


def test_demo_load_is_idempotent(demo_atlas):
    """A second load creates nothing and duplicates no organisation."""
    # given
    organisations = Organisation.objects.count()
    # when
    created = load_demo()
    # then
    assert demo_atlas > 0 and created == 0
    assert Organisation.objects.count() == organisations


def test_demo_boulogne_billancourt_ten_twins_with_start_years(demo_atlas):
    """Boulogne-Billancourt has ten twin towns, from 1955 to 2007, grouped by start year."""
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    assert partnership_list(organisation="Boulogne-Billancourt").count() == 10
    groups = {g.year: sorted(link.partner.name for link in g.links) for g in partners_by_start_year(boulogne)}
    assert groups == {
        1955: ["Anderlecht", "Hammersmith & Fulham", "Neukölln", "Zaanstad"],
        1968: ["Marino"],
        1972: ["Pančevo"],
        1977: ["Sousse"],
        1993: ["Irving"],
        1996: ["Ra'anana"],
        2007: ["Guang'an"],
    }


def test_demo_clermont_network_partners_and_countries(demo_atlas):
    """The Michelin-cities record has 31 foreign authorities in 18 countries, Spain first with 5."""
    partnership = _rivm()
    foreign = partnership.foreign_participations
    assert len(foreign) == 31
    by_country = Counter(p.organisation.country_id for p in foreign)
    assert len(by_country) == 18
    assert by_country.most_common(1) == [("ES", 5)]
    assert partnership.signature_year == 2019 and partnership.start_year == 2020
    assert partnership.end_date.isoformat() == "2021-12-31"
    assert partnership.form == "project" and partnership.status == "active"
    assert not partnership.is_triennial


def test_demo_clermont_network_funding(demo_atlas):
    """29 funding lines from 15 funders total 1,380,394 €: 473,397 € in 2020, 906,997 € in 2021."""
    summary = funding_summary(_rivm())
    assert len(summary.lines) == 29
    assert summary.funder_count == 15
    assert summary.total == Decimal("1380394")
    assert summary.by_year == {2020: Decimal("473397"), 2021: Decimal("906997")}


def test_demo_clermont_network_themes_in_priority_order(demo_atlas):
    """The main theme comes first, then the five others by priority."""
    links = list(_rivm().theme_links.select_related("theme"))
    assert [(link.theme.name_fr, link.priority) for link in links] == [
        ("Aménagement du territoire et transports", 0),
        ("Coopération universitaire, scientifique et recherche", 1),
        ("Économie circulaire", 2),
        ("Jeunesse & genre", 3),
        ("Protection / Gestion de l'environnement / Biodiversité", 4),
        ("Infrastructures, équipements et manifestations culturelles", 5),
    ]
    assert links[0].theme.parent.name_fr == "Économie durable"


def test_demo_gomel_kept_once_with_a_note(demo_atlas):
    """The record's "Golem" and "Gomel" are one organisation, and a note says so."""
    gomel = Organisation.objects.get(name="Gomel")
    assert gomel.country_id == "BY"
    assert "Golem" in gomel.note and "Golem" in gomel.alternate_names
    assert not Organisation.objects.filter(name="Golem").exists()
    assert Contact.objects.filter(organisation=gomel).count() == 1


def test_demo_contacts_and_embassy_posts(demo_atlas):
    """Partner contacts are stored as personal data; four embassy posts, only Rome has a correspondent."""
    assert Contact.objects.filter(partnership=_rivm()).count() == 31
    posts = {p.country_id: p for p in DiplomaticPost.objects.select_related("correspondent")}
    assert set(posts) == {"IT", "JP", "ES", "IN"}
    assert posts["IT"].correspondent.last_name == "Aubert"
    assert posts["IT"].counsellor_id == posts["IT"].correspondent_id
    assert all(posts[c].correspondent_status == "none" for c in ("JP", "ES", "IN"))


def test_demo_lyon_birmingham_since_1951_with_networks_and_projects(demo_atlas):
    """Lyon and Birmingham: twinned in 1951, four shared networks, two shared European projects."""
    partnership = Partnership.objects.get(external_ref="demo:lyon-birmingham")
    assert partnership.form == "twinning" and partnership.start_year == 1951
    assert partnership.theme_links.count() == 6
    lyon, birmingham = Organisation.objects.get(name="Lyon"), Organisation.objects.get(name="Birmingham")
    shared_networks = set(lyon.network_links.values_list("network__acronym", "network__name")) & set(
        birmingham.network_links.values_list("network__acronym", "network__name")
    )
    assert len(shared_networks) == 4
    shared_projects = EuropeanProject.objects.filter(participants=lyon).filter(participants=birmingham)
    assert sorted(shared_projects.values_list("name", flat=True)) == ["OPTICITIES", "PLUS"]
    years = [e.year for e in partnership.events.all()]
    assert years == sorted(years) and years[0] == 1951 and 2014 in years


def test_demo_lyon_latin_america_study(demo_atlas):
    """The study counts 217 initiatives by 75 actors in 20 countries, with 7 ranked categories."""
    study = Study.objects.get(territory__name="Métropole de Lyon")
    assert (study.initiatives_count, study.actors_count, study.countries_count) == (217, 75, 20)
    assert [c.name for c in study.categories.all()] == LYON_STUDY_CATEGORIES
    assert set(study.highlighted_countries.values_list("iso2", flat=True)) == {"MX", "BR", "CO", "AR"}


def test_demo_hauts_de_france_three_agreements_of_2024(demo_atlas):
    """Three agreements signed in 2024: one protocol with an oblast, two town conventions."""
    agreements = {
        p.external_ref: p
        for p in Partnership.objects.filter(signature_year=2024).prefetch_related(
            "participations__organisation"
        )
    }
    assert len(agreements) == 3
    region = agreements["demo:hdf-dnipropetrovsk"]
    assert region.form == "protocol" and region.duration_months == 60
    assert region.signature_date.isoformat() == "2024-11-21"
    assert {p.organisation.country_id for p in region.foreign_participations} == {"UA"}
    assert agreements["demo:grande-synthe-sidi-ifni"].form == "cooperation_agreement"
    tanguieta = agreements["demo:villeneuve-d-ascq-tanguieta"]
    assert tanguieta.start_year == 2018
    associated = {p.organisation.acronym for p in tanguieta.participations.all() if p.role == "associated"}
    assert {"ASNBNF", "AADACT"} <= associated
