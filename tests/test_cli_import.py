"""`coopatlas import` on the command line: a mapping file is read there (and only there), and a
hostile JSON file is refused with exit code 2 and its reason."""

import json

import pytest
from django.conf import settings

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.cli import main

# Commands may touch the job queue's database too (when the jobs app is installed).
pytestmark = pytest.mark.django_db(
    databases=[alias for alias in ("default", "jobs") if alias in settings.DATABASES]
)

TABLE = "Ville;Jumelle;Pays\nLille;Cologne;Allemagne\n"


def _export(partnerships: str) -> str:
    return '{"schema": "coopatlas", "version": 1, "organisations": [], "partnerships": ' + partnerships + "}"


def test_cli_import_reads_a_mapping_file_one_item_per_line(tmp_path, resolver):
    """A mapping file (one item per line, comments, constants) is read by the command line."""
    # given
    table = tmp_path / "jumelages.csv"
    table.write_text(TABLE)
    mapping = tmp_path / "correspondance.txt"
    mapping.write_text(
        "# notre champ = leur colonne\ncollectivite_francaise=Ville\npartenaire=Jumelle\n"
        "pays_partenaire=Pays\nforme==pacte d'amitié\n"
    )
    # when
    code = main(["import", str(table), "--source", "table", "--mapping", str(mapping), "--quiet"])
    # then
    assert code == 0
    assert Partnership.objects.get().form == "friendship_pact"


def test_cli_import_reads_a_mapping_file_holding_a_json_object(tmp_path, resolver):
    """A mapping file holding a JSON object is read by the command line."""
    # given
    table = tmp_path / "jumelages.csv"
    table.write_text(TABLE)
    mapping = tmp_path / "correspondance.json"
    mapping.write_text(
        json.dumps({"collectivite_francaise": "Ville", "partenaire": "Jumelle", "pays_partenaire": "Pays"})
    )
    # when
    code = main(["import", str(table), "--source", "table", "--mapping", str(mapping), "--quiet"])
    # then
    assert code == 0 and Partnership.objects.count() == 1


def test_cli_import_refuses_json_nested_100000_deep_with_exit_2(tmp_path, capsys):
    """A JSON file nested 100,000 deep is refused with exit code 2, saying so; nothing written."""
    # given
    path = tmp_path / "export.json"
    path.write_text(_export("[" + "[" * 100_000 + "]" * 100_000 + "]"))
    # when
    code = main(["import", str(path), "--source", "json", "--quiet"])
    # then
    assert code == 2 and "imbriqué sur plus de" in capsys.readouterr().err
    assert not ImportBatch.objects.exists()


def test_cli_import_refuses_a_5000_digit_number_with_exit_2(tmp_path, capsys):
    """A JSON file with a 5,000-digit number is refused with exit code 2, naming the number."""
    # given
    path = tmp_path / "export.json"
    record = json.dumps({"ref": "x", "title": "T", "start_year": 0}).replace(": 0", ": " + "7" * 5000)
    path.write_text(_export("[" + record + "]"))
    # when
    code = main(["import", str(path), "--source", "json", "--quiet"])
    # then
    err = capsys.readouterr().err
    assert code == 2 and "nombre refusé" in err and "7777777" in err and "7" * 100 not in err
    assert not ImportBatch.objects.exists()
