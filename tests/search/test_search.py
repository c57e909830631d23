"""Full-text search and facets, on SQLite FTS5 and on PostgreSQL alike."""

from collections import Counter

import pytest
from django.http import QueryDict

from coopatlas.atlas.models import Partnership
from coopatlas.search.engine import TextMatch
from coopatlas.search.index import reindex
from coopatlas.search.query import SearchQuery

pytestmark = pytest.mark.django_db


def matching_ids(query: str) -> set[int] | None:
    """The ids the full text finds for `query` (None: no searchable word)."""
    match = TextMatch.of(query)
    if match is None:
        return None
    return set(Partnership.objects.filter(pk__in=match.ids()).values_list("pk", flat=True))


@pytest.fixture
def indexed_demo(demo_atlas, resolver):
    """The demo atlas, tied to its places and indexed."""
    from coopatlas.atlas.localisation import organisations_locate

    organisations_locate()
    reindex()
    return Partnership.objects.published()


def _titles(ranks) -> set[str]:
    return set(Partnership.objects.filter(pk__in=list(ranks or {})).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("query", "expected_title"),
    [
        ("jumelage", "Jumelage Lyon – Birmingham"),
        ("jumelées", "Jumelage Boulogne-Billancourt – Neukölln"),
        ("JUMELLES", "Jumelage Boulogne-Billancourt – Sousse"),
        ("coopération", "Convention de coopération entre Villeneuve-d'Ascq et Tanguiéta"),
        ("cooperation", "Convention de coopération entre Villeneuve-d'Ascq et Tanguiéta"),
        ("neukolln", "Jumelage Boulogne-Billancourt – Neukölln"),
        ("Allemagne", "Jumelage Boulogne-Billancourt – Neukölln"),
        ("universitaire", "Jumelage Lyon – Birmingham"),
        (
            "Golem",
            "Réseau international des villes Michelin (RIVM) : pérennisation et premiers partenariats "
            "opérationnels",
        ),
    ],
)
def test_full_text_folds_accents_and_word_endings(indexed_demo, query, expected_title):
    """Accents, case and French endings are folded: "jumelage" finds "jumelées" and back."""
    assert expected_title in _titles(matching_ids(query))


def test_full_text_requires_every_word(indexed_demo):
    """Several words narrow the results: all must match."""
    both = _titles(matching_ids("jumelage Tunisie"))
    assert both == {"Jumelage Boulogne-Billancourt – Sousse"}


def test_full_text_no_match_and_no_word(indexed_demo):
    """An unknown word finds nothing; a query of stop words or symbols is no query."""
    assert matching_ids("zorglub") == set()
    assert matching_ids("le la les !!") is None


def test_full_text_follows_edits(indexed_demo, django_capture_on_commit_callbacks):
    """Renaming a partner reindexes its partnerships when the change commits."""
    from coopatlas.atlas import services
    from coopatlas.atlas.models import Organisation

    sousse = Organisation.objects.get(name="Sousse")
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_update(sousse, alternate_names=["Hadrumète"])
    assert _titles(matching_ids("Hadrumète")) == {"Jumelage Boulogne-Billancourt – Sousse"}


def _independent_counts(ids: set[int]) -> dict[str, Counter]:
    """Count facet values by walking the partnerships in Python, with no facet code involved."""
    counts = {name: Counter() for name in ("pays", "zone", "forme", "theme", "region", "financement")}
    for partnership in Partnership.objects.filter(pk__in=ids).prefetch_related(
        "participations__organisation__country",
        "extra_countries",
        "theme_links__theme__parent__parent",
        "funding_lines",
    ):
        countries = {
            p.organisation.country
            for p in partnership.participations.all()
            if p.organisation.country_id != "FR"
        } | set(partnership.extra_countries.all())
        counts["pays"].update({c.iso2 for c in countries})
        counts["zone"].update({c.world_region for c in countries})
        counts["forme"][partnership.form] += 1
        counts["theme"].update({t.code for link in partnership.theme_links.all() for t in link.theme.path})
        counts["region"].update(
            {
                p.organisation.region_code
                for p in partnership.participations.all()
                if p.organisation.region_code
            }
        )
        counts["financement"]["oui" if partnership.funding_lines.all() else "non"] += 1
    return counts


def _facets(result):
    return {f.name: {v.value: v.count for v in f.values if v.count} for f in result.facets}


def test_facet_counts_match_independent_counts(indexed_demo):
    """With no filter, every facet's counts equal counts made independently."""
    result = SearchQuery(QueryDict("")).run(indexed_demo)
    facets = _facets(result)
    expected = _independent_counts(set(indexed_demo.values_list("pk", flat=True)))
    for name, counter in expected.items():
        assert facets[name] == dict(counter), name
    assert result.count == indexed_demo.count() == 15


def test_each_facet_counts_under_the_other_facets(indexed_demo):
    """With a country and a form ticked, the country facet counts under the form only, and back."""
    # given
    query = SearchQuery(QueryDict("pays=DE&forme=twinning&q=jumelage"))
    # when
    result = query.run(indexed_demo)
    facets = _facets(result)
    # then
    jumelage = set(matching_ids("jumelage"))
    twinnings = set(indexed_demo.filter(form="twinning", pk__in=jumelage).values_list("pk", flat=True))
    german = {pk for pk in jumelage if "DE" in {c.iso2 for c in Partnership.objects.get(pk=pk).countries()}}
    assert facets["pays"] == dict(_independent_counts(twinnings)["pays"])
    assert facets["forme"] == dict(_independent_counts(german)["forme"])
    assert result.count == len(twinnings & german) == 1
    assert facets["zone"] == dict(_independent_counts(twinnings & german)["zone"])


def test_facets_combine_french_region_theme_and_years(indexed_demo):
    """Région, theme and year range narrow together; the région facet counts without itself."""
    query = SearchQuery(QueryDict("region=32&theme=education-social-recherche&debut_min=2018&debut_max=2024"))
    result = query.run(indexed_demo)
    titles = set(result.partnerships.values_list("title", flat=True))
    assert titles == {
        "Convention de partenariat entre Grande-Synthe et Sidi Ifni",
        "Convention de coopération entre Villeneuve-d'Ascq et Tanguiéta",
        "Protocole d'entente entre la Région Hauts-de-France et l'oblast de Dnipropetrovsk",
    }
    facets = _facets(result)
    in_theme_and_years = set(
        SearchQuery(QueryDict("theme=education-social-recherche&debut_min=2018&debut_max=2024"))
        .run(indexed_demo)
        .partnerships.values_list("pk", flat=True)
    )
    assert facets["region"] == dict(_independent_counts(in_theme_and_years)["region"])


def test_funding_facet_and_empty_result(indexed_demo):
    """ "With funding" keeps the network record; a search with no result still counts facets."""
    funded = SearchQuery(QueryDict("financement=oui")).run(indexed_demo)
    assert list(funded.partnerships.values_list("external_ref", flat=True)) == ["demo:clermont-rivm"]
    empty = SearchQuery(QueryDict("q=zorglub")).run(indexed_demo)
    assert empty.count == 0 and all(not f.values for f in empty.facets)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("debut_min=abc", "doit être un nombre"),
        ("pays=ZZ", "« ZZ »"),
        ("debut_max=1850", "hors de la période"),
        ("forme=mariage", "« mariage »"),
        ("tri=hasard", "Tri inconnu"),
        ("odd=18", "« 18 »"),
    ],
)
def test_invalid_parameters_are_explained_not_fatal(indexed_demo, params, message):
    """A bad parameter is named in a message and ignored; the search still answers."""
    query = SearchQuery(QueryDict(params))
    result = query.run(indexed_demo)
    assert any(message in error for error in query.errors)
    assert result.count == 15


def test_search_page_renders_state_from_the_url(client, indexed_demo):
    """The page shows the results and ticked facets for the URL's state; htmx gets the fragment."""
    html = client.get("/recherche/", {"q": "jumelage", "pays": "DE"}).content.decode()
    assert "1 partenariat" in html and 'value="DE" checked' in html and "Neukölln" in html
    fragment = client.get("/recherche/", {"q": "jumelage"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="search-area">') and "<html" not in fragment
    bad = client.get("/recherche/", {"debut_min": "vers 1990", "pays": "ZZ"})
    assert bad.status_code == 200 and "doit être un nombre" in bad.content.decode()


def test_search_sorts_by_title_and_paginates(client, indexed_demo):
    """Sorting by title orders the results; pages keep the filters."""
    html = client.get("/recherche/", {"tri": "titre"}).content.decode()
    first = html.index("Convention de coopération entre Villeneuve")
    last = html.index("Réseau international des villes Michelin")
    assert first < last


@pytest.mark.parametrize("parameter", ["organisation", "territoire"])
def test_search_superscript_digit_as_an_id_is_dropped_with_a_message(parameter):
    """A superscript digit (which isdigit takes and int refuses) as an id is named and dropped."""
    # given
    params = QueryDict(f"{parameter}=%C2%B2")
    # when
    query = SearchQuery(params)
    # then
    assert query.errors and "« ² »" in str(query.errors[0])
    assert query.filters.organisation is None and query.filters.territory is None
