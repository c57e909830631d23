"""The dashboard's figures, compared with counts computed independently in plain Python."""

import pytest
from django.http import QueryDict

from coopatlas.atlas.models import Partnership
from coopatlas.insights.dashboard import UNDATED, build, scope_from
from coopatlas.search.facets import UNSAID
from tests.insights.atlas_for_tests import build_atlas, oracle

pytestmark = pytest.mark.django_db


def board_for(params: dict):
    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, [str(v) for v in (value if isinstance(value, list) else [value])])
    query, _kept = scope_from(data)
    assert query.errors == []
    return build(query, Partnership.objects.published())


def scopes(atlas):
    lille = atlas.french["Métropole européenne de Lille"]
    return [
        ("all France × world", {}, {}),
        ("EPCI with its communes", {"territoire": lille.pk}, {"territoire": lille}),
        ("one commune", {"territoire": atlas.french["Lyon"].pk}, {"territoire": atlas.french["Lyon"]}),
        (
            "département × world region",
            {"departement": "59", "zone": "africa"},
            {"departement": "59", "zone": "africa"},
        ),
        ("région × country", {"region": "32", "pays": "BJ"}, {"region": "32", "pays": "BJ"}),
        ("period", {"du": 1990, "au": 2005}, {"du": 1990, "au": 2005}),
        (
            "EPCI × world region × period",
            {"territoire": lille.pk, "zone": "africa", "du": 2000, "au": 2020},
            {"territoire": lille, "zone": "africa", "du": 2000, "au": 2020},
        ),
        ("theme and form", {"theme": "sante", "forme": "twinning"}, {"theme": "sante", "forme": "twinning"}),
        ("country alone", {"pays": "DE"}, {"pays": "DE"}),
        ("world region alone", {"zone": "europe"}, {"zone": "europe"}),
        ("two countries", {"pays": ["BJ", "MX"]}, {"pays": ["BJ", "MX"]}),
        (
            "world region × one of its countries",
            {"zone": "africa", "pays": "SN"},
            {"zone": "africa", "pays": "SN"},
        ),
        (
            "world region × a country elsewhere",
            {"zone": "europe", "pays": "BR"},
            {"zone": "europe", "pays": "BR"},
        ),
        (
            "EPCI × country × period",
            {"territoire": lille.pk, "pays": "BJ", "du": 1990, "au": 2025},
            {"territoire": lille, "pays": "BJ", "du": 1990, "au": 2025},
        ),
    ]


@pytest.fixture
def atlas():
    return build_atlas()


def test_dashboard_figures_match_independent_counts_for_every_scope(atlas):
    """Each figure equals a plain-Python count, over EPCI, commune, département, zone, country, period."""
    checked_nonempty = 0
    shared_scopes = 0
    for name, params, oracle_scope in scopes(atlas):
        board = board_for(params)
        expected = oracle(atlas, oracle_scope)
        totals = {row.key: row.value for row in board.totals}
        assert totals["partnerships"] == expected["partnerships"], name
        assert totals["agreements"] == expected["agreements"], name
        assert totals["initiatives"] == expected["partnerships"] - expected["agreements"], name
        assert totals["actors"] == expected["actors"], name
        assert totals["partners"] == expected["partners"], name
        assert totals["countries"] == len(expected["countries"]), name
        countries = board.figure("countries").rows
        assert {r.key: r.value for r in countries} == expected["countries"], name
        assert {r.key: r.extra["partners"] for r in countries if r.extra["partners"]} == expected[
            "partners_in"
        ], name
        assert [r.value for r in countries] == sorted((r.value for r in countries), reverse=True), name
        themes = {r.key: r.value for r in board.figure("themes").rows}
        assert themes.pop(UNSAID, 0) == expected["unthemed"], name
        assert themes == expected["themes"], name
        assert {r.key: r.value for r in board.figure("statuses").rows} == expected["statuses"], name
        assert {r.key: r.value for r in board.figure("kinds").rows} == expected["kinds"], name
        assert {r.key: r.extra["organisations"] for r in board.figure("kinds").rows} == expected[
            "kind_organisations"
        ], name
        for row in board.figure("actors").rows + board.figure("partners").rows:
            assert row.value == expected["engaged"][int(row.key)], name
        assert {int(r.key) for r in board.figure("partners").rows} <= expected["partner_ids"], name
        years = board.figure("years").rows
        undated = [row.value for row in years if row.key == UNDATED]
        assert sum(undated) == expected["undated"] and len(undated) == bool(expected["undated"]), name
        years = [row for row in years if row.key != UNDATED]
        for row in years:
            year = int(row.key)
            assert row.value == expected["new"].get(year, 0), (name, year)
            assert row.extra["active"] == expected["active"].get(year, 0), (name, year)
            assert row.extra["ended"] == expected["ended"].get(year, 0), (name, year)
        if "du" not in params:
            assert sum(r.value for r in years) == sum(expected["new"].values()), name
        assert {int(r.key): r.value for r in board.figure("funding_years").rows} == pytest.approx(
            expected["funding_by_year"]
        ), name
        assert {int(r.key): r.extra["water"] for r in board.figure("funding_years").rows} == pytest.approx(
            expected["water_by_year"]
        ), name
        assert {r.key: r.value for r in board.figure("funders").rows} == pytest.approx(
            expected["funding_by_funder"]
        ), name
        assert totals["funding"] == pytest.approx(expected["funding"]), name
        assert totals.get("shared", 0) == pytest.approx(expected["shared"]), name
        shared_by_year = {int(r.key): r.extra.get("shared", 0) for r in board.figure("funding_years").rows}
        assert {y: v for y, v in shared_by_year.items() if v} == pytest.approx(expected["shared_by_year"]), (
            name
        )
        shared_by_funder = {r.key: r.extra.get("shared", 0) for r in board.figure("funders").rows}
        assert {k: v for k, v in shared_by_funder.items() if v} == pytest.approx(
            expected["shared_by_funder"]
        ), name
        checked_nonempty += bool(expected["partnerships"])
        shared_scopes += bool(expected["shared"])
    assert checked_nonempty >= 11, "the random atlas should fill most scopes"
    assert shared_scopes >= 4, "the random atlas should hold multi-country partnerships in a foreign scope"


def test_epci_scope_includes_member_communes_but_not_neighbours(atlas):
    """The Lille métropole's scope holds its communes' records (Roubaix…), not Dunkerque's."""
    lille = atlas.french["Métropole européenne de Lille"]
    board = board_for({"territoire": lille.pk})
    actors = {row.label for row in board.figure("actors").rows}
    in_scope = oracle(atlas, {"territoire": lille})["ids"]
    dunkerque_only = {
        p.pk
        for p in atlas.partnerships
        if {x.organisation.name for x in p.participations.all() if x.organisation.country_id == "FR"}
        == {"Dunkerque"}
    }
    assert dunkerque_only and not (dunkerque_only & in_scope)
    assert actors & {"Villeneuve-d'Ascq", "Roubaix"}
    assert "Université de Lille" in actors or not any(
        x.organisation.name == "Université de Lille"
        for p in atlas.partnerships
        for x in p.participations.all()
    )


def test_scope_refuses_bad_values_with_their_names():
    """An unknown territory, country or year comes back as an error naming the value."""
    data = QueryDict("territoire=999999&pays=ZZ&du=18x&zone=atlantis")
    query, kept = scope_from(data)
    text = " ".join(str(e) for e in query.errors)
    assert "999999" in text and "ZZ" in text and "18x" in text and "atlantis" in text
    assert kept == {"france": ["1"]}


def test_foreign_territory_is_refused(db):
    """A foreign authority cannot be a French territory."""
    from coopatlas.atlas.models import Organisation
    from tests.atlas.factories import commune, twinning

    krefeld = Organisation.objects.create(name="Krefeld", kind="foreign_authority", country_id="DE")
    twinning(commune("Dunkerque"), krefeld)  # published: its name is public, so the refusal may say it
    query, _kept = scope_from(QueryDict(f"territoire={krefeld.pk}"))
    assert any("Krefeld" in str(e) for e in query.errors)
    assert query.filters.territory is None


def test_all_france_leaves_out_pairs_without_a_french_participant(db):
    """A Krefeld–Birmingham pair (imported with --all) is not part of France's dashboard."""
    from coopatlas.atlas.models import Organisation, Participation

    def town(name, iso2, kind="foreign_authority"):
        return Organisation.objects.create(name=name, kind=kind, country_id=iso2)

    lille = town("Lille", "FR", kind="commune")
    for first, second in ((lille, town("Erfurt", "DE")), (town("Krefeld", "DE"), town("Birmingham", "GB"))):
        pair = Partnership.objects.create(title="Jumelage", form="twinning", publication_state="published")
        Participation.objects.create(partnership=pair, organisation=first, role="french_authority")
        Participation.objects.create(partnership=pair, organisation=second, role="foreign_authority")
    board = board_for({})
    totals = {row.key: row.value for row in board.totals}
    assert totals["partnerships"] == 1 and totals["countries"] == 1
    assert [row.key for row in board.figure("countries").rows] == ["DE"]
