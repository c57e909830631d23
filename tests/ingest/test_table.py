"""Spreadsheets in, with a column mapping: detected encodings and delimiters, idempotent
re-imports, updates, conflicts with edits made in the app, all-or-nothing and dry runs."""

import csv

import pytest
from openpyxl import Workbook

from coopatlas.atlas import services
from coopatlas.atlas.models import ImportBatch, Organisation, Partnership
from coopatlas.ingest.errors import FileRejected
from coopatlas.ingest.service import write_report
from tests.ingest.conftest import write

MAPPING = (
    "collectivite_francaise=Ville;code_insee=Code;partenaire=Jumelle;pays_partenaire=Pays;"
    "annee_debut=Depuis;montant=Montant"
)
ROWS = (
    "Ville;Code;Jumelle;Pays;Depuis;Montant\n"
    "Boulogne-Billancourt;92012;Neukölln;Allemagne;vers 1955;1 255,50 €\n"
    "Lille;;Cologne;Allemagne;1958;\n"
    "Rennes;;Erlangen;Deutschland;1964-2020;\n"
)


def test_a_mapped_csv_becomes_partnerships_with_places(tmp_path, run_import):
    # given
    path = write(tmp_path / "jumelages.csv", ROWS)
    # when
    report = run_import(path, "table", mapping=MAPPING)
    # then
    assert (report.counts["created"], report.counts["rejected"]) == (3, 0), report.errors
    assert "délimiteur : ;" in report.notes
    boulogne = Partnership.objects.get(participations__organisation__insee_code="92012")
    assert (boulogne.form, boulogne.start_year, boulogne.funding_total()) == ("twinning", 1955, 1255.5)
    assert "approximative" in boulogne.note and "vers 1955" in boulogne.note
    assert boulogne.title == "Jumelage Boulogne-Billancourt – Neukölln"
    rennes = Partnership.objects.get(participations__organisation__name="Erlangen")
    assert rennes.end_date.isoformat() == "2020-12-31"
    lille = Organisation.objects.get(name="Lille", kind="commune")
    assert (lille.insee_code, lille.place_status) == ("59350", "resolved")
    assert lille.latitude is not None
    cologne = Organisation.objects.get(name="Cologne")
    assert (cologne.country_id, cologne.kind) == ("DE", "foreign_authority")
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.counts["created"] == 3 and len(batch.file_sha256) == 64


def test_importing_the_same_file_twice_creates_nothing(tmp_path, run_import):
    path = write(tmp_path / "jumelages.csv", ROWS)
    run_import(path, "table", mapping=MAPPING)
    before = (Partnership.objects.count(), Organisation.objects.count())
    report = run_import(path, "table", mapping=MAPPING)
    assert (report.counts["created"], report.counts["unchanged"]) == (0, 3)
    assert (Partnership.objects.count(), Organisation.objects.count()) == before


def test_a_changed_row_updates_its_record_and_an_edit_in_the_app_is_not_overwritten(tmp_path, run_import):
    path = write(tmp_path / "jumelages.csv", ROWS)
    run_import(path, "table", mapping=MAPPING)
    lille = Partnership.objects.get(participations__organisation__name="Cologne")
    rennes = Partnership.objects.get(participations__organisation__name="Erlangen")
    services.partnership_update(rennes, summary="Saisi à la main dans l'application.")
    changed = ROWS.replace("Cologne;Allemagne;1958", "Cologne;Allemagne;1959").replace(
        "Erlangen;Deutschland;1964-2020", "Erlangen;Deutschland;1965-2020"
    )
    # when
    report = run_import(write(path, changed), "table", mapping=MAPPING)
    # then
    # Rennes, edited in the app, stays as it is (its differing year up for review).
    assert (report.counts["updated"], report.counts["conflicts"], report.counts["unchanged"]) == (1, 1, 2)
    lille.refresh_from_db()
    rennes.refresh_from_db()
    assert lille.start_year == 1959
    assert (rennes.start_year, rennes.summary) == (1964, "Saisi à la main dans l'application.")
    # The value the file gives is kept out, for review, beside the one set in the app.
    assert "« 1964 » dans l'atlas, « 1965 » selon cette source" in report.conflicts[0]
    assert rennes.proposed_changes.get().changes == {"start_year": 1965}
    assert lille.history.first().history_change_reason == f"Import (lot {report.batch_id})"


def test_windows_1252_and_comma_csv_with_our_own_columns(tmp_path, run_import):
    text = (
        "collectivite_francaise,partenaire,pays_partenaire,forme,annee_signature,themes\n"
        "Besançon,Fribourg-en-Brisgau,Allemagne,Jumelage,1959,Échanges scolaires\n"
    )
    path = write(tmp_path / "excel.csv", text, encoding="cp1252")
    report = run_import(path, "table")
    assert report.counts["created"] == 1, report.errors
    assert "encodage : cp1252" in report.notes
    partnership = Partnership.objects.get()
    assert partnership.title == "Jumelage Besançon – Fribourg-en-Brisgau"
    assert [t.code for t in partnership.themes.all()] == ["echanges-scolaires"]


def test_rows_sharing_a_reference_make_one_partnership(tmp_path, run_import):
    text = (
        "reference;collectivite_francaise;partenaire;pays_partenaire;forme;financeur;montant;annee_financement\n"
        "r1;Villeneuve-d'Ascq;Tanguiéta;Bénin;convention;Ville;1 000;2023\n"
        "r1;Villeneuve-d'Ascq;;Bénin;convention;Ministère;2 500,00;2024\n"
        "r2;Grande-Synthe;Sidi Ifni;Maroc;convention;;;\n"
    )
    report = run_import(write(tmp_path / "r.csv", text), "table")
    assert report.counts["created"] == 2, report.errors
    r1 = Partnership.objects.get(external_ref="r1")
    assert r1.funding_lines.count() == 2 and r1.funding_total() == 3500


def test_an_xlsx_workbook_reads_like_a_csv(tmp_path, run_import):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Jumelages"
    sheet.append(["collectivite_francaise", "partenaire", "pays_partenaire", "annee_debut"])
    sheet.append(["Lyon", "Birmingham", "Royaume-Uni", 1951])
    sheet.append(["Lyon", "Atlantide", "Nulle part", 1960])
    workbook.save(tmp_path / "j.xlsx")
    report = run_import(tmp_path / "j.xlsx", "table", skip_invalid=True)
    assert report.counts["created"] == 1
    assert str(report.errors[0]).startswith("feuille Jumelages, ligne 3 · pays_partenaire")


def test_one_bad_row_means_nothing_is_written_unless_skip_invalid(tmp_path, run_import):
    text = ROWS + "Nantes;;Seattle;Etats-Unis;abc;\n"
    path = write(tmp_path / "j.csv", text)
    # when
    report = run_import(path, "table", mapping=MAPPING)
    # then
    assert report.rolled_back and report.counts["rejected"] == 1
    error = report.errors[0]
    assert (error.where, error.field, error.value) == ("ligne 5", "annee_debut", "abc")
    assert Partnership.objects.count() == 0 and not ImportBatch.objects.exists()
    assert Organisation.objects.filter(name="Cologne").count() == 0
    # and with --skip-invalid, the valid rows go in
    report = run_import(path, "table", mapping=MAPPING, skip_invalid=True)
    assert (report.counts["created"], report.counts["rejected"]) == (3, 1)
    assert Partnership.objects.count() == 3
    out = tmp_path / "rapport.csv"
    write_report(report, out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1][:3] == ["ligne 5", "annee_debut", "abc"] and "unreadable year" in rows[1][4]


def test_a_dry_run_counts_and_writes_nothing(tmp_path, run_import):
    report = run_import(write(tmp_path / "j.csv", ROWS), "table", mapping=MAPPING, dry_run=True)
    assert report.counts["created"] == 3 and report.rolled_back
    assert Partnership.objects.count() == 0 and Organisation.objects.filter(name="Neukölln").count() == 0


def test_missing_columns_are_named_with_the_columns_found(tmp_path, run_import):
    path = write(tmp_path / "j.csv", "Ville;Jumelle\nLille;Cologne\n")
    with pytest.raises(FileRejected) as caught:
        run_import(path, "table")
    assert "partenaire" in caught.value.fr and "Ville, Jumelle" in caught.value.fr
    assert "--mapping" in caught.value.fr


def test_a_mapping_one_per_line_with_constants(tmp_path, run_import):
    """A mapping's text may give one item per line, with comments and constants."""
    mapping = (
        "# our field = their column\ncollectivite_francaise=Ville\n"
        "partenaire=Jumelle\npays_partenaire==Allemagne\nforme==pacte d'amitié\n"
    )
    path = write(tmp_path / "j.csv", "Ville;Jumelle\nLille;Cologne\n")
    report = run_import(path, "table", mapping=mapping)
    assert report.counts["created"] == 1, report.errors
    assert Partnership.objects.get().form == "friendship_pact"


def test_keep_existing_leaves_a_known_record_as_it_is(resolver, db):
    """A source that adds to the atlas (pages read by extraction) never updates a record already
    there: the record is reported as matched and left unchanged."""
    from coopatlas.atlas.models import Partnership
    from coopatlas.ingest.pipeline import Importer

    def record(year):
        return {
            "form": "twinning",
            "start_year": year,
            "participants": [
                {"organisation": {"name": "Lannion", "kind": "commune", "country": "FR"},
                 "role": "french_authority"},
                {"organisation": {"name": "Caerphilly", "kind": "foreign_authority", "country": "GB"},
                 "role": "foreign_authority"},
            ],
        }  # fmt: skip

    first = Importer(source_kind="table", file_name="a.csv").run(iter([("ligne 2", record(1983))]))
    assert first.counts["created"] == 1
    (partnership,) = Partnership.objects.all()
    kept = Importer(source_kind="extraction", file_name="page", keep_existing=True).run(
        iter([("candidat 1", record(1990))])
    )
    assert kept.matched == [partnership.pk] and kept.counts["unchanged"] == 1
    partnership.refresh_from_db()
    assert partnership.start_year == 1983 and Partnership.objects.count() == 1
    updated = Importer(source_kind="table", file_name="a.csv").run(iter([("ligne 2", record(1990))]))
    assert updated.counts["updated"] == 1  # without the option, a changed row updates its record


def test_column_guesses_match_headers_by_name_synonym_and_near_spelling():
    """The columns of a file are guessed for our fields by their normalised name, a known synonym
    or a close spelling; a column is given to one field only."""
    from coopatlas.ingest.readers.table import guess_columns

    # given
    header = ["Commune", "Ville jumelle", "Pays ", "Anée de début", "Remarques"]
    # when
    guesses = guess_columns(header)
    # then
    assert guesses["collectivite_francaise"] == "Commune"
    assert guesses["partenaire"] == "Ville jumelle"
    assert guesses["pays_partenaire"] == "Pays "
    assert guesses["annee_debut"] == "Anée de début"
    assert "Remarques" not in guesses.values()


def test_unknown_columns_are_refused_with_the_header_and_the_guesses(tmp_path, run_import):
    """A table whose required columns are not found is refused with what a picker needs: the
    file's columns and our guesses for each field."""
    from coopatlas.ingest.readers.table import ColumnsUnknown

    # given
    path = write(tmp_path / "j.csv", "city1,country1,city2,country2\nLille,France,Cologne,Germany\n")
    # when
    with pytest.raises(ColumnsUnknown) as caught:
        run_import(path, "table", file_name="Jumelages du Nord.csv")
    # then
    assert caught.value.header == ["city1", "country1", "city2", "country2"]
    assert caught.value.guesses["collectivite_francaise"] == "city1"
    assert caught.value.guesses["partenaire"] == "city2"
    assert "partenaire" in caught.value.missing
    assert "Jumelages du Nord.csv" in caught.value.fr
