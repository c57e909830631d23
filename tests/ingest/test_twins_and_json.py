"""The real twin-town datasets end to end; our JSON export read back exactly; batches undone."""

import itertools
import json

import pytest

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import (
    Contact,
    DiplomaticPost,
    EuropeanProject,
    Event,
    ImportBatch,
    NetworkMembership,
    Organisation,
    Partnership,
    Programme,
    Study,
)
from coopatlas.atlas.services.undo import UndoError, batch_undo
from coopatlas.exports.json_export import write_json
from coopatlas.exports.selection import select
from tests.conftest import SHARED

TWINS = SHARED / "data" / "twins_wikipedia_hekman"
DERIVED = TWINS / "derived_france_pairs_insee.csv"
RAW = TWINS / "twin_cities_geocoded.csv"
pytestmark = pytest.mark.django_db
needs_twins = pytest.mark.skipif(not DERIVED.exists(), reason=f"twin-town data absent: {TWINS}")


@needs_twins
def test_the_derived_france_pairs_import_end_to_end_and_a_second_time_creates_nothing(run_import):
    # when
    first = run_import(DERIVED, "twins")
    # then: every unique pair of the file (3,508 flagged unique) is a twinning, none rejected
    assert first.counts["rejected"] == 0, first.errors[:5]
    assert first.counts["created"] + first.counts["skipped"] == 3842
    assert 3400 <= first.counts["created"] <= 3508
    assert Partnership.objects.filter(form="twinning").count() == first.counts["created"]
    berat = Partnership.objects.get(participations__organisation__insee_code="31065")
    assert {x.organisation.country_id for x in berat.participations.all()} == {"FR", "AL"}
    located = Organisation.objects.filter(kind="commune", latitude__isnull=False).count()
    assert located / Organisation.objects.filter(kind="commune").count() > 0.98
    # and again: nothing new
    counts = (Partnership.objects.count(), Organisation.objects.count())
    second = run_import(DERIVED, "twins")
    assert (second.counts["created"], second.counts["updated"]) == (0, 0)
    assert second.counts["unchanged"] == first.counts["created"]
    assert (Partnership.objects.count(), Organisation.objects.count()) == counts


@needs_twins
def test_raw_pairs_keep_the_french_side_unless_all(tmp_path, run_import):
    sample = tmp_path / "pairs.csv"
    with RAW.open(encoding="utf-8") as source:
        sample.write_text("".join(itertools.islice(source, 1500)), encoding="utf-8")
    french = run_import(sample, "twins", dry_run=True)
    every = run_import(sample, "twins", dry_run=True, all_pairs=True)
    assert french.counts["created"] > 0 and french.counts["skipped"] > french.counts["created"]
    assert every.counts["created"] > french.counts["created"] * 5
    assert every.counts["rejected"] <= every.rows * 0.01, every.errors[:5]


def _wipe_atlas() -> None:
    for post in DiplomaticPost.objects.all():
        post.delete()
    Partnership.objects.all().delete()
    Event.objects.all().delete()
    Contact.objects.all().delete()
    NetworkMembership.objects.all().delete()
    Study.objects.all().delete()
    Programme.objects.all().delete()
    EuropeanProject.objects.all().delete()
    Organisation.objects.update(parent=None)
    Organisation.objects.all().delete()


def test_json_export_import_export_gives_identical_files(tmp_path, run_import):
    # given
    load_demo()
    first = tmp_path / "first.json"
    with first.open("w", encoding="utf-8") as out:
        write_json(select().partnerships, out, personal_data=True)
    _wipe_atlas()
    # when
    report = run_import(first, "json", personal_data=True)
    second = tmp_path / "second.json"
    with second.open("w", encoding="utf-8") as out:
        write_json(select().partnerships, out, personal_data=True)
    # then
    assert report.counts["created"] == 15, report.errors
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text(encoding="utf-8"))
    rivm = next(p for p in data["partnerships"] if p["ref"] == "demo:clermont-rivm")
    assert len(rivm["funding"]) == 29 and len(rivm["contacts"]) > 20


def test_json_without_personal_data_holds_no_contact(tmp_path):
    load_demo()
    out = tmp_path / "public.json"
    with out.open("w", encoding="utf-8") as handle:
        write_json(select().partnerships, handle, personal_data=False)
    text = out.read_text(encoding="utf-8")
    assert '"contacts"' not in text and "@" not in text.replace("@context", "")


def test_a_malformed_json_record_is_rejected_with_its_line(tmp_path, run_import):
    load_demo()
    path = tmp_path / "e.json"
    with path.open("w", encoding="utf-8") as out:
        write_json(select("pays=DE").partnerships, out)
    _wipe_atlas()
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(
        i for i, line in enumerate(lines) if '"participants"' in line and '"start_year": 1955' in line
    )
    lines[index] = lines[index].replace('"start_year": 1955', '"start_year": "mille neuf cent"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = run_import(path, "json")
    assert report.rolled_back and report.errors[0].where.startswith(f"ligne {index + 1}")
    assert report.errors[0].field == "start_year"


def test_an_import_batch_can_be_undone(tmp_path, run_import, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")
    path = tmp_path / "j.csv"
    path.write_text(
        "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"
    )
    first = run_import(path, "table")
    partnership = Partnership.objects.get()
    path.write_text(
        "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1959\n"
        "Lille;Kharkiv;Ukraine;1959\n"
    )
    second = run_import(path, "table")
    assert (second.counts["updated"], second.counts["created"]) == (1, 1)
    # when
    counts = batch_undo(ImportBatch.objects.get(pk=second.batch_id), acting_user=admin)
    # then
    assert (counts["removed"], counts["restored"]) == (1, 1)
    partnership.refresh_from_db()
    assert partnership.start_year == 1958 and Partnership.objects.count() == 1
    assert not Organisation.objects.filter(name="Kharkiv").exists()
    with pytest.raises(UndoError):
        batch_undo(ImportBatch.objects.get(pk=second.batch_id), acting_user=admin)
    counts = batch_undo(ImportBatch.objects.get(pk=first.batch_id), acting_user=admin)
    assert counts["removed"] == 1 and not Partnership.objects.exists()
