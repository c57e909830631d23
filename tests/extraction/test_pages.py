"""Reading what users give the extractor: bad inputs get a clear error, HTML is reduced to its
text (scripts dropped, never run), the labelled examples are found."""

import io
import json
import sys
import time

import pytest

from coopatlas.extraction.pages import PageError, nesting_depth, read_page
from coopatlas.extraction.service import extract_page, extract_text
from tests.conftest import SHARED

EXAMPLES = SHARED / "examples" / "extraction"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The text is empty."),
        (b"   \n\t ", "The text is empty."),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000, "binary"),
        (b"<html><body><script>alert(1)</script></body></html>", "no text"),
        (b"a" * (10 * 1024 * 1024 + 1), "10 MB at most"),
    ],
)
def test_bad_inputs_get_a_clear_error(data, message):
    with pytest.raises(PageError) as error:
        read_page(data)
    assert message in error.value.en
    assert error.value.fr


def test_windows_1252_text_is_read():
    page = read_page("Jumelée avec Hanovre depuis 1966 — à l'été".encode("cp1252"))
    assert "Jumelée" in page.text


def test_html_main_text_without_scripts_styles_or_navigation():
    html = b"""<!doctype html><html><head><title>Villes jumelles</title><style>p{color:red}</style></head>
    <body><nav>Accueil | Plan du site</nav><main><h1>Nos villes jumelles</h1>
    <p>Premier paragraphe.</p><ul><li>Neukoelln (Allemagne)</li><li>Zaanstad (Pays-Bas)</li></ul>
    <script>document.body.innerHTML = "<img src=x onerror=alert(1)>"</script></main>
    <footer>Mentions legales</footer></body></html>"""
    page = read_page(html)
    assert page.title == "Villes jumelles"
    assert "alert" not in page.text and "color:red" not in page.text
    assert "Plan du site" not in page.text and "Mentions legales" not in page.text
    assert "  • Neukoelln (Allemagne)" in page.text
    assert page.was_html


@pytest.mark.django_db
def test_a_page_without_partnership_gives_an_empty_list(resolver):
    _, found = extract_text("La médiathèque ouvre ses portes samedi. Entrée libre, venez nombreux !")
    assert found == []


@pytest.mark.django_db
def test_a_long_page_is_answered_in_bounded_time(resolver):
    paragraph = "La commune organise des rencontres sportives et culturelles chaque été avec ses habitants. "
    text = ("Actualités\n\n" + paragraph * 10 + "\n\n") * 200  # ~180,000 characters of prose, no partnership
    started = time.perf_counter()
    with pytest.raises(PageError):
        read_page(text * 6)  # over a million characters: refused at once
    assert time.perf_counter() - started < 5
    _, found = extract_text(text)
    assert found == []


@pytest.mark.django_db
@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"labelled examples not found in {EXAMPLES}")
def test_labelled_examples(resolver):
    """Each labelled page gives its gold pairs (the benchmark prints the figures)."""
    sys.path.insert(0, str(SHARED.parent / "main"))
    from coopatlas.extraction.training import matches

    for path in sorted(EXAMPLES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        found = extract_page(read_page(case["text"]))
        gold = case["gold"]
        hits = [g for g in gold if any(matches(f, g) for f in found)]
        assert len(found) <= len(gold) + 1, path.name
        assert len(hits) >= 0.9 * len(gold), path.name


@pytest.mark.django_db
def test_cli_extract_json_from_standard_input(tmp_path, monkeypatch, capsys, resolver):
    from coopatlas.cli import main

    text = "Lannion : nos villes jumelles\n\nLannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983.\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["extract", "-", "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert found["foreign_authority"] == "Caerphilly" and found["year"] == 1983
    assert main(["extract", str(tmp_path / "missing.html")]) == 2
    assert "introuvable" in capsys.readouterr().err


@pytest.mark.django_db
def test_evidence_offsets_hold_in_a_long_paragraph_read_in_pieces(resolver):
    sentence = "La commune organise des rencontres culturelles chaque été avec ses habitants. "
    text = (
        "Actualités\n\n"
        + sentence * 150
        + "Depuis 1983, Lannion est jumelée avec Caerphilly (Royaume-Uni). "
        + sentence * 150
        + "\n\n"  # a second long paragraph: its offsets follow the first one's pieces
        + sentence * 150
        + "Quimper a signé en 2015 une convention de coopération avec Limerick (Irlande). "
        + sentence * 50
    )
    page, found = extract_text(text)
    assert len(page.text) > 20_000 and len(found) == 2
    for item in found:
        evidence = item["evidence"]
        assert page.text[evidence["start"] : evidence["end"]] == evidence["text"]
    assert {f["year"] for f in found} == {1983, 2015}


@pytest.mark.django_db
def test_cards_of_short_blocks_read_as_one_line_each(resolver):
    html = """<html><head><title>Nos villes jumelles | Ville de Quimperlé</title></head><body><main>
    <h1>Nos villes jumelles</h1>
    <div class="grid">
     <div class="card"><h3>Viersen</h3><p>Allemagne</p><p>Jumelée depuis <strong>1974</strong></p></div>
     <div class="card"><h3>Clonakilty</h3><p>Irlande</p><p>Jumelée depuis 1987</p></div>
     <div class="card"><h3>Culture</h3><p>Des échanges chaque année.</p></div>
    </div><div><span>Publié le</span> <span>03/02/2024</span></div></main></body></html>"""
    page, found = extract_text(html)
    assert "Viersen — Allemagne — Jumelée depuis 1974" in page.text.splitlines()
    assert {(f["french_authority"], f["foreign_authority"], f["year"]) for f in found} == {
        ("Quimperlé", "Viersen", 1974),
        ("Quimperlé", "Clonakilty", 1987),
    }


@pytest.mark.django_db
@pytest.mark.skipif(not (EXAMPLES / "002.json").exists(), reason=f"labelled examples not found in {EXAMPLES}")
def test_atlas_sheet_themes_follow_its_taxonomy(resolver):
    """The sheet's main theme counts at each level, the others at their most precise level, plus
    the subjects their labels name ("Jeunesse & genre" → youth, gender)."""
    case = json.loads((EXAMPLES / "002.json").read_text(encoding="utf-8"))
    found = extract_page(read_page(case["text"]))
    assert set(found[0]["themes"]) == set(case["gold"][0]["themes"])
    assert found[0]["themes"][0] == "economy"
    # each partner's evidence is its row of the partner table, not an earlier mention of the town
    table = case["text"].index("Partenaires étrangers du partenariat")
    vitoria = next(f for f in found if f["foreign_authority"] == "Vitoria-Gasteiz")
    assert vitoria["evidence"]["start"] > table and "|" in vitoria["evidence"]["text"]


@pytest.mark.django_db
def test_any_text_gets_candidates_with_true_offsets_or_a_clear_error(resolver):
    """Property: whatever the text (markup, names, years, bullets, odd characters), the extractor
    answers with candidates whose evidence is where it says, or a PageError; never a crash."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        [
            "Lannion", " est jumelée avec ", "Caerphilly", " (Royaume-Uni)", " depuis 1983", ". ",
            "\n", "\n  • ", "Villes jumelles de Quimper\n", " | ", "Allemagne : ", "Viersen", "<p>",
            "</li>", "<script>x</script>", "la ville de ", "l'oblast de ", "Lviv", " en Ukraine",
            " a signé une convention de coopération avec ", "Publié le 13/12/2024", "’", "\t", "é",
        ]
    )  # fmt: skip
    texts = st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40).map("".join)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts)
    def check(text):
        try:
            page, found = extract_text(text)
        except PageError as error:
            assert error.fr and error.en
            return
        for item in found:
            evidence = item["evidence"]
            assert page.text[evidence["start"] : evidence["end"]] == evidence["text"]
            assert item["kind"] in (
                "jumelage",
                "cooperation_agreement",
                "protocol",
                "friendship_pact",
                "project",
                "other",
            )
            assert item["country_iso2"] != "FR"

    check()


def test_html_nested_past_the_limit_is_refused():
    """100,000 nested <div> are refused with a French and English error naming the limit."""
    # given
    html = "<html><body>" + "<div>" * 100_000 + "<p>Lyon est jumelée avec Francfort.</p>" + "</div>" * 100_000
    # when
    with pytest.raises(PageError) as error:
        read_page(html)
    # then
    assert "256 niveaux" in error.value.fr and "256 levels" in error.value.en


@pytest.mark.django_db
def test_partnership_inside_150_nested_blocks_is_found(resolver):
    """A sentence inside 150 levels of <div> (under the limit) is still read and its pair found."""
    # given
    sentence = "<p>Depuis 1983, Lannion est jumelée avec Caerphilly (Royaume-Uni).</p>"
    html = "<html><body>" + "<div>" * 150 + sentence + "</div>" * 150 + "</body></html>"
    # when
    page, found = extract_text(html)
    # then
    assert [(f["french_authority"], f["foreign_authority"], f["year"]) for f in found] == [
        ("Lannion", "Caerphilly", 1983)
    ]


def test_lists_and_tables_left_unclosed_do_not_count_as_nesting():
    """Unclosed <li>, <td> and <p>, as old pages write them, are closed by the parser: not deep."""
    # given
    html = "<ul>" + "<li>un" * 5000 + "</ul><table>" + "<tr><td>x" * 3000 + "</table>" + "<p>x" * 4000
    # when
    depth = nesting_depth(html)
    # then
    assert depth <= 3
