"""An import by an editor or a coordinator: rows of its scope land as drafts, the others are
refused row by row with the reason; the atlas team's imports are not narrowed."""

import pytest

from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.ingest.service import ImportRequest, import_file
from tests.accounts.factories import HAUTS_DE_FRANCE, account, coordinator_of_region

ROWS = (
    "collectivite_francaise;code_insee;partenaire;pays_partenaire;forme;annee_debut;publication\n"
    "Grande-Synthe;59271;Sidi Ifni;MA;Jumelage;2003;published\n"
    "Lyon;69123;Birmingham;GB;Jumelage;1951;published\n"
)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "jumelages.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def test_a_coordinator_imports_its_territory_as_drafts_and_is_told_which_rows_are_outside(table, db):
    report, _notes = import_file(
        ImportRequest(
            path=table, source="table", skip_invalid=True, acting_user=coordinator_of_region(HAUTS_DE_FRANCE)
        )
    )
    assert report.counts["created"] == 1 and report.counts["rejected"] == 1
    assert [e.fr for e in report.errors if "périmètre" in e.fr]
    assert "Lyon" in " ".join(str(e.value) for e in report.errors)
    created = Partnership.objects.get()
    assert "Grande-Synthe" in created.title and created.publication_state == "draft"
    # Nothing of a refused row is written, not even its partners.
    assert not Organisation.objects.filter(name__in=["Lyon", "Birmingham"]).exists()


def test_the_atlas_team_imports_anywhere(table, db):
    report, _notes = import_file(
        ImportRequest(
            path=table, source="table", acting_user=account("equipe@example.org", {"kind": "administrator"})
        )
    )
    assert report.counts["created"] == 2
