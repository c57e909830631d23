"""The extractor on real pages of the labelled corpus's tuning part (tests/data/extraction/corpus),
each kept for a pattern the issue names: the year of the founding act and not of another clause,
a friendship pact that is no twinning, a page's kind of agreement, a person's first name that is
no country, and pages stating no pair. Also the scorer itself: its model matches its features,
it is trained by the command the docs give, and its confidence orders candidates."""

import json
from pathlib import Path

import pytest

from coopatlas.extraction import scorer, training
from coopatlas.extraction.pages import read_page
from coopatlas.extraction.service import extract_page, get_extractor

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent.parent / "data" / "extraction" / "corpus"
TUNING = CORPUS / "tuning"


def _page(name: str) -> tuple[dict, list[dict]]:
    case = json.loads((TUNING / f"{name}.json").read_text(encoding="utf-8"))
    found = extract_page(read_page(case["text"], url=case["source_url"]), lang=case.get("language"))
    return case, found


def _by_partner(found: list[dict]) -> dict[str, dict]:
    return {f["foreign_authority"]: f for f in found}


def test_each_partner_of_a_sentence_gets_the_year_written_after_it(resolver):
    # "après la ville anglaise d'Haverhill en 1977, la ville allemande d'Egelsbach en 1991, …"
    _, found = _page("d-010")
    years = {name: f["year"] for name, f in _by_partner(found).items()}
    assert years["Haverhill"] == 1977 and years["Egelsbach"] == 1991 and years["Penacova"] == 1999
    assert {f["french_authority"] for f in found} == {"Pont-Saint-Esprit"}


def test_a_line_naming_a_pair_dates_it_and_the_page_gives_its_kind(resolver):
    # "Montbéliard - Ludwigsburg (1950)" … on a page about Franco-German twinnings
    case, found = _page("a-027")
    pairs = {(f["french_authority"], f["foreign_authority"]): f for f in found}
    assert pairs[("Montbéliard", "Ludwigsburg")]["year"] == 1950
    assert pairs[("Besançon", "Fribourg-en-Brisgau")]["year"] == 1959
    assert {f["kind"] for f in found} == {"jumelage"}
    gold = {(g["french_authority"], g["foreign_authority"]) for g in case["gold"]}
    assert len(set(pairs) & gold) >= 10  # and no cross product of the page's list
    assert all(
        any(training.matches(f, g) for g in case["gold"]) for f in found if f["confidence"] >= scorer.SURE
    )


def test_a_friendship_charter_is_a_friendship_pact(resolver):
    _, found = _page("b-007")  # "La charte d'amitié Albi-Wakkanai"
    (albi,) = found
    assert (albi["french_authority"], albi["foreign_authority"], albi["kind"]) == (
        "Albi",
        "Wakkanai",
        "friendship_pact",
    )


def test_a_pact_before_a_future_twinning_is_a_pact(resolver):
    text = (
        "Le 12 mai 2023, la ville de Pézenas a signé un pacte d'amitié avec Tarrafal (Cap-Vert), "
        "prélude à un futur jumelage."
    )
    (found,) = extract_page(read_page(text))
    assert (found["kind"], found["year"]) == ("friendship_pact", 2023)


def test_a_first_name_after_a_comma_is_no_country(resolver):
    # "la Ville de Cannes, Dominique Paravisini": Cannes stays French, the pact is with Québec
    _, found = _page("c-037")
    assert ("Cannes", "Québec", "CA", "friendship_pact") in {
        (f["french_authority"], f["foreign_authority"], f["country_iso2"], f["kind"]) for f in found
    }
    assert not any(f["foreign_authority"] == "Cannes" for f in found)


def test_pages_stating_no_pair_mostly_get_no_candidate(resolver):
    quiet = total = 0
    for path in sorted(TUNING.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["gold"]:
            continue
        total += 1
        quiet += not extract_page(read_page(case["text"], url=case["source_url"]), lang=case.get("language"))
    assert total >= 50 and quiet / total >= 0.8


def test_names_the_rules_read(resolver):
    text = """Les jumelages de la région
Le Limousin a signé en 1987 une convention de coopération avec la Moyenne-Franconie.
La région Rhône-Alpes et la Bavière (Allemagne) ont signé un accord de coopération en 1990.
Ob Berlin-Paris oder Kiel-Brest: die Städtepartnerschaft lebt.
Quimper est jumelée avec Limerick depuis 1980.
Villiers-sur-Marne est jumelée avec Bishop’s Stortford (Angleterre) depuis 1965.
"""
    found = {
        (f["french_authority"], f["foreign_authority"], f["country_iso2"])
        for f in extract_page(read_page(text))
    }
    assert ("Rhône-Alpes", "Bavière", "DE") in found  # a former région, a Land by its French name
    assert ("Brest", "Kiel", "DE") in found  # two names joined by a hyphen
    assert ("Quimper", "Limerick", "IE") in found  # the Irish city, not the American village
    assert ("Villiers-sur-Marne", "Bishops Stortford", "GB") in found  # a curly apostrophe


def test_the_model_matches_the_features_and_lists_are_never_doubted(resolver):
    data = scorer.model()
    assert data["features"] == scorer.FEATURES
    assert len(data["coef"]) == len(data["mean"]) == len(data["scale"]) == len(scorer.FEATURES)
    assert data["trained_on"]["pages"] >= 200
    # a list entry led by the partner and its country under a twin-towns heading (rule 0.9)
    assert scorer.probability({"rule": 0.9}) >= scorer.LIST_ENTRY_FLOOR
    plain = {"src_unit": 1.0, "relation": 1.0, "stated": 1.0, "partner_conf": 0.95, "fr_conf": 0.95}
    tied = {**plain, "tight": 1.0, "between_relation": 1.0, "cued": 1.0, "best_side": 1.0}
    assert scorer.probability(tied) > max(scorer.PROPOSE, scorer.probability(plain))


def test_train_extractor_dry_run(resolver, tmp_path, capsys):
    pytest.importorskip("sklearn", reason="scikit-learn is a development dependency (pip install -e .[test])")
    from coopatlas.cli import main

    for path in sorted(TUNING.glob("a-0*.json"))[:12]:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    before = scorer.MODEL_PATH.read_text(encoding="utf-8")
    assert main(["train-extractor", str(tmp_path), "--dry-run"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["pages"] == 12 and facts["candidates"] > facts["positive_candidates"] > 0
    assert {"precision", "recall", "f1"} <= set(facts["out_of_fold_proposed"])
    assert scorer.MODEL_PATH.read_text(encoding="utf-8") == before  # a dry run writes nothing
    assert main(["train-extractor", str(tmp_path / "nowhere")]) == 2


def test_partner_countries_are_counted_from_a_twin_town_file(tmp_path):
    towns = tmp_path / "twins.csv"
    towns.write_text(
        "fr_name,partner_name,partner_country\nA,Kiel,Germany\nB,Dundee,United Kingdom\n"
        "C,Goch,Allemagne\nD,Nowhere,Atlantis\nE,Bayonne,France\n",
        encoding="utf-8",
    )
    counts = training.partner_country_counts(towns)
    assert counts["counts"] == {"DE": 2, "GB": 1} and counts["unread"] == {"Atlantis": 1}
    from coopatlas.extraction import vocabulary

    shares = vocabulary._shares(counts["counts"])
    assert shares["DE"] == 2 / 3 and shares[""] == 1 / 3


def test_prose_cut_by_line_breaks_is_one_paragraph(resolver):
    # "…jumelage entre Thiès et Caen dès 1957, entre Ziguinchor et la\nville de Saint-Maur-des-Fossés…"
    case, found = _page("d-022")
    pairs = {(f["french_authority"], f["foreign_authority"]) for f in found}
    assert {("Saint-Maur-des-Fossés", "Ziguinchor"), ("Marseille", "Dakar"), ("Concarneau", "Mbour")} <= pairs
    assert sum(any(training.matches(f, g) for g in case["gold"]) for f in found) >= 5


def test_a_page_from_the_other_side_pairs_its_town_with_the_french_it_lists(resolver):
    # Bamako's page: "…des accords de jumelage avec les villes de Dakar (1973), Angers(1974)…"
    from coopatlas.extraction.service import get_extractor

    case = json.loads((TUNING / "d-023.json").read_text(encoding="utf-8"))
    _, _, candidates = get_extractor("fr").candidates(read_page(case["text"], url=case["source_url"]))
    assert ("Angers", "Bamako") in {(item.french.name, item.foreign.name) for item in candidates.values()}


def test_a_town_after_common_words_or_by_its_former_name(resolver):
    # "les 20 ans du Comité de Jumelage Sisteron – Fidenza en Italie": the town after the words
    _, found = _page("g-006")
    assert [(f["french_authority"], f["foreign_authority"]) for f in found] == [("Sisteron", "Fidenza")]
    # "le comité de jumelage … de Château-Gontier (Mayenne)": the heart of
    # Château-Gontier-sur-Mayenne, a commune nouvelle since 2019, named as the page names it
    _, found = _page("d-008")
    assert ("Château-Gontier", "Murrhardt") in {
        (f["french_authority"], f["foreign_authority"]) for f in found
    }


def test_foreign_homonyms_lean_to_the_countries_french_towns_twin_with(resolver):
    # "Orléans et Dundee en 1946": Dundee in Scotland (148,000) rather than in KwaZulu-Natal
    # (84,000), two sizes too close to choose by, with no country on the page
    text = "Orléans et Dundee en 1946 furent les premières villes à signer un « Serment de Jumelage »."
    units, _, found = get_extractor("fr").candidates(read_page(text))
    dundee = next(m for u in units for m in u.mentions if m.written == "Dundee")
    assert (dundee.iso2, dundee.doubtful) == ("GB", True)
