"""What the pipeline reports row by row: the outcome of each row (first rows listed), and themes
that do not match exactly answered with the close theme names."""

import pytest

from coopatlas.ingest.pipeline import LISTED_ROWS
from tests.ingest.conftest import write

HEADER = "collectivite_francaise;partenaire;pays_partenaire;annee_debut;themes\n"


def test_an_inexact_theme_name_gets_the_close_theme_names_proposed(tmp_path, run_import):
    """« Échanges culturels » is not a theme: the row error proposes « Échanges culturels et
    interculturalité », in French and English, never a bare « thème inconnu »."""
    # given
    path = write(tmp_path / "j.csv", HEADER + "Lille;Cologne;Allemagne;1958;Échanges culturels\n")
    # when
    report = run_import(path, "table", dry_run=True)
    # then
    (error,) = report.errors
    assert (error.field, error.value) == ("thèmes", "Échanges culturels")
    assert "«\u00a0Échanges culturels et interculturalité\u00a0»" in error.fr and "\u00a0?" in error.fr
    assert "Cultural exchanges" in error.en


def test_a_theme_name_far_from_all_themes_lists_the_first_level_themes(tmp_path, run_import):
    """A theme close to none is answered with the first-level themes to choose from."""
    # given
    path = write(tmp_path / "j.csv", HEADER + "Lille;Cologne;Allemagne;1958;Xylophones\n")
    # when
    report = run_import(path, "table", dry_run=True)
    # then
    (error,) = report.errors
    assert "Culture et patrimoine" in error.fr and "Culture and heritage" in error.en


@pytest.mark.parametrize("extra", [0, 7])
def test_the_report_lists_the_first_rows_with_their_outcome(tmp_path, run_import, extra):
    """Each row is listed with its place in the file, its title, partners and outcome (the error
    for a rejected row), up to LISTED_ROWS rows."""
    # given
    rows = "Lille;Cologne;Allemagne;1958;\nRennes;Erlangen;Atlantide;1964;\n"
    rows += "".join(f"Lille;Cologne {n};Allemagne;1958;\n" for n in range(LISTED_ROWS - 2 + extra))
    path = write(tmp_path / "j.csv", HEADER + rows)
    # when
    report = run_import(path, "table", dry_run=True, skip_invalid=True)
    # then
    listed = report.as_dict()["listed"]
    assert len(listed) == LISTED_ROWS and report.rows == LISTED_ROWS + extra
    first, second = listed[:2]
    assert (first["where"], first["outcome"]) == ("ligne 2", "created")
    assert first["title"] == "Jumelage Lille – Cologne" and first["partners"] == ["Lille", "Cologne"]
    assert (second["where"], second["outcome"], second["field"]) == ("ligne 3", "rejected", "pays_partenaire")
    assert second["value"] == "Atlantide" and "pays inconnu" in second["fr"]
