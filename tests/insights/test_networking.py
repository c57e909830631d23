"""Who should meet whom, similar partnerships and the network's bridges, on hand-built cases."""

from datetime import date, timedelta

import pytest
from django.http import QueryDict

from coopatlas.atlas.models import Organisation, Partnership, PartnershipTheme, Theme
from coopatlas.insights import network, watch
from coopatlas.insights.dashboard import scope_from
from coopatlas.insights.similarity import similar_partnerships
from coopatlas.insights.suggestions import actors_to_connect
from tests.atlas.factories import foreign_town, twinning

pytestmark = pytest.mark.django_db


def french(name: str, insee: str, departement: str, region: str) -> Organisation:
    return Organisation.objects.create(
        name=name,
        kind="commune",
        country_id="FR",
        insee_code=insee,
        departement_code=departement,
        region_code=region,
    )


def test_two_authorities_of_one_region_working_with_the_same_beninese_town_are_suggested_to_each_other():
    """Villeneuve-d'Ascq and Roubaix (Hauts-de-France) both partner Tanguiéta: each suggests the other."""
    villeneuve = french("Villeneuve-d'Ascq", "59009", "59", "32")
    roubaix = french("Roubaix", "59512", "59", "32")
    nantes = french("Nantes", "44109", "44", "52")
    tanguieta = foreign_town("Tanguiéta", "BJ")
    twinning(villeneuve, tanguieta, 2000)
    twinning(roubaix, tanguieta, 2010, form="cooperation_agreement")
    twinning(nantes, foreign_town("Cotonou", "BJ"), 2005)  # same country, other région, other town
    twinning(french("Lyon", "69123", "69", "84"), foreign_town("Birmingham", "GB"), 1951)  # nothing shared

    for me, other in ((villeneuve, roubaix), (roubaix, villeneuve)):
        suggestions = actors_to_connect(me)
        assert suggestions[0].organisation == other
        assert suggestions[0].same_territory
        assert any("Tanguiéta (Bénin)" in reason for reason in suggestions[0].reasons)
        names = [s.organisation.name for s in suggestions]
        assert "Nantes" in names and names.index("Nantes") > names.index(other.name)
        assert "Lyon" not in names
    # The form decides the words: Villeneuve-d'Ascq is twinned with Tanguiéta, Roubaix only a partner.
    assert "également jumelée avec Tanguiéta (Bénin)" in actors_to_connect(roubaix)[0].reasons
    assert "également partenaire de Tanguiéta (Bénin)" in actors_to_connect(villeneuve)[0].reasons
    nantes_reasons = next(s for s in actors_to_connect(villeneuve) if s.organisation == nantes).reasons
    assert nantes_reasons == ["travaille aussi avec Cotonou (Bénin)"]


def test_a_shared_country_on_a_shared_theme_is_named_with_the_partner_town():
    """A shared country and theme reads: travaille aussi sur « … » avec Puebla (Mexique)."""
    lyon = french("Lyon", "69123", "69", "84")
    nantes = french("Nantes", "44109", "44", "52")
    education = (
        Theme.objects.filter(level=1, code__contains="educ").first() or Theme.objects.filter(level=1).first()
    )
    for town, name in ((lyon, "Monterrey"), (nantes, "Puebla")):
        p = twinning(town, foreign_town(name, "MX"), 1990)
        PartnershipTheme.objects.create(partnership=p, theme=education)
    reasons = actors_to_connect(lyon)[0].reasons
    assert reasons == [f"travaille aussi sur « {education.name_fr.lower()} » avec Puebla (Mexique)"]


def test_similar_partnerships_share_the_words_that_make_them_similar():
    """Two water-and-sanitation cooperations are each other's nearest text, with the words that say so."""
    a = twinning(french("Villeneuve-d'Ascq", "59009", "59", "32"), foreign_town("Tanguiéta", "BJ"))
    a.description = "Accès à l'eau potable et assainissement des écoles, forages et latrines."
    a.save()
    b = twinning(french("Roubaix", "59512", "59", "32"), foreign_town("Natitingou", "BJ"))
    b.description = "Forages d'eau potable, latrines et assainissement dans les quartiers."
    b.save()
    c = twinning(french("Lyon", "69123", "69", "84"), foreign_town("Birmingham", "GB"))
    c.description = "Échanges culturels, orchestres et festivals de lumière."
    c.save()
    found = similar_partnerships(a)
    assert found[0].partnership == b
    assert {"forages", "latrines", "assainissement"} & set(found[0].words)
    assert c not in [s.partnership for s in found]


def test_network_bridge_is_the_actor_linking_two_countries():
    """Dunkerque, twinned in Germany and in Senegal, bridges the two countries."""
    dunkerque = french("Dunkerque", "59183", "59", "32")
    krefeld, saint_louis = foreign_town("Krefeld", "DE"), foreign_town("Saint-Louis", "SN")
    twinning(dunkerque, krefeld)
    twinning(dunkerque, saint_louis)
    twinning(french("Lille", "59350", "59", "32"), krefeld)
    query, _ = scope_from(QueryDict(""))
    graph = network.build(query, Partnership.objects.published())
    assert len(graph.nodes) == 4 and len(graph.edges) == 3
    assert graph.bridges[0].name == "Dunkerque"
    assert "2 pays" in graph.bridges[0].reason


def test_a_national_network_keeps_the_most_engaged_and_still_counts_every_partner_country(monkeypatch):
    """Beyond LARGEST organisations the graph holds the most engaged ones and says how many the
    scope has; a kept authority's partner countries still count its partners left out."""
    monkeypatch.setattr(network, "LARGEST", 3)
    dunkerque, lille = french("Dunkerque", "59183", "59", "32"), french("Lille", "59350", "59", "32")
    krefeld, saint_louis = foreign_town("Krefeld", "DE"), foreign_town("Saint-Louis", "SN")
    twinning(dunkerque, krefeld)
    twinning(lille, krefeld)
    twinning(dunkerque, foreign_town("Dubrovnik", "HR"))
    twinning(lille, saint_louis)
    twinning(dunkerque, saint_louis)
    query, _ = scope_from(QueryDict(""))
    graph = network.build(query, Partnership.objects.published())
    assert graph.organisations == 5 and graph.bounded
    assert {n.name for n in graph.nodes.values()} == {"Dunkerque", "Lille", "Krefeld"}
    assert graph.nodes[dunkerque.pk].partner_countries == {"DE", "HR", "SN"}
    monkeypatch.setattr(network, "LARGEST", 1500)
    whole = network.build(query, Partnership.objects.published())
    assert not whole.bounded and len(whole.nodes) == 5


def test_a_link_counts_once_per_partnership_even_between_two_french_authorities():
    """Dunkerque and Lille in one agreement with Krefeld: each of the three links weighs 1."""
    from coopatlas.atlas.choices import ParticipationRole
    from coopatlas.atlas.models import Participation

    dunkerque, lille = french("Dunkerque", "59183", "59", "32"), french("Lille", "59350", "59", "32")
    krefeld = foreign_town("Krefeld", "DE")
    partnership = twinning(dunkerque, krefeld)
    Participation.objects.create(
        partnership=partnership, organisation=lille, role=ParticipationRole.FRENCH_AUTHORITY, position=1
    )
    query, _ = scope_from(QueryDict(""))
    graph = network.build(query, Partnership.objects.published())
    assert sorted(graph.edges.values()) == [1, 1, 1]


def test_watch_lists_find_ending_stale_incomplete_and_inconsistent_records():
    """Each watch list holds the record made to belong to it."""
    today = date(2026, 6, 1)
    lyon = french("Lyon", "69123", "69", "84")
    ending = twinning(
        lyon, foreign_town("Birmingham", "GB"), end_date=today + timedelta(days=60), last_verified_on=today
    )
    stale = twinning(lyon, foreign_town("Francfort-sur-le-Main", "DE"), last_verified_on=date(2020, 1, 1))
    undated = twinning(lyon, foreign_town("Milan", "IT"), year=None, last_verified_on=today)
    wrong = twinning(
        lyon,
        foreign_town("Barcelone", "ES"),
        status="ended",
        end_date=date(2030, 1, 1),
        last_verified_on=today,
    )
    copy = Organisation.objects.create(
        name="Lyon", kind="commune", country_id="FR", insee_code=""
    )  # a duplicate
    twinning(copy, foreign_town("Rotterdam", "NL"), last_verified_on=today)
    query, _ = scope_from(QueryDict(""))
    lists = {w.name: w for w in watch.build(query, Partnership.objects.published(), months=3, today=today)}
    ids = {name: {item.cells[0] for item in w.items} for name, w in lists.items()}
    assert ids["fin-proche"] == {ending.pk}
    assert stale.pk in ids["a-verifier"] and ending.pk not in ids["a-verifier"]
    assert undated.pk in ids["sans-annee"]
    assert ending.pk in ids["sans-theme"]
    assert ids["dates-incoherentes"] == {wrong.pk}
    assert "Birmingham" in {item.cells[1] for item in lists["sans-coordonnees"].items}
    assert [item.cells[:2] for item in lists["doublons"].items] == [["Lyon", "Lyon"]]


def test_watch_lists_show_the_partnerships_entered_twice_in_the_scope():
    """Lyon – Birmingham twice is listed (the newer record as the duplicate, linked); Lille's
    pair with Leeds, a draft, is out of the published scope; the reason follows the language."""
    from django.utils import translation

    lyon = french("Lyon", "69123", "69", "84")
    birmingham = foreign_town("Birmingham", "GB")
    kept, twice = twinning(lyon, birmingham, 1951), twinning(lyon, birmingham, 1951)
    twinning(lyon, birmingham, form="cooperation_agreement")  # another partnership
    lille, leeds = french("Lille", "59350", "59", "32"), foreign_town("Leeds", "GB")
    twinning(lille, leeds, publication_state="draft"), twinning(lille, leeds)
    query, _ = scope_from(QueryDict(""))
    lists = {w.name: w for w in watch.build(query, Partnership.objects.published(), duplicates=False)}
    listed = lists["doublons-partenariats"]
    assert listed.computed and listed.count == 1
    [item] = listed.items
    assert item.cells == [
        twice.pk,
        twice.title,
        f"n° {kept.pk} · {kept.title}",
        "Lyon – Birmingham",
        "mêmes collectivités, même forme (Jumelage)",
    ]
    assert item.url == twice.get_absolute_url()
    with translation.override("en"):
        english = {w.name: w for w in watch.build(query, Partnership.objects.published(), limit=5)}
    assert english["doublons-partenariats"].items[0].cells[-1] == "same authorities, same form (Twinning)"


def test_the_similarity_weights_are_scikit_learns_tfidf(demo_atlas):
    """The model streams the texts into scipy matrices: its rows equal scikit-learn's
    TfidfVectorizer (sublinear tf, smoothed idf, L2 norm) over the same terms."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from coopatlas.insights import similarity

    built = similarity.model()
    texts = Partnership.objects.published().order_by("pk").values_list("pk", *similarity.TEXT_FIELDS)
    documents = [similarity._analyse(" ".join(filter(None, parts))) for _pk, *parts in texts]
    reference = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True).fit(documents)
    expected = reference.transform(documents)
    columns = [built.terms.index(term) for term in reference.get_feature_names_out()]
    assert len(built.ids) == len(documents) > 10
    assert np.allclose(built.matrix[:, columns].toarray(), expected.toarray(), atol=1e-6)
