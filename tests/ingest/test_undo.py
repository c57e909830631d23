"""Who may undo an import batch: its author while nobody else has edited what it wrote, and users
with the right to delete partnerships; the same rule on the web, in the service and on the
command line, and the undoer named in the history."""

import pytest
from django.contrib.auth.models import Permission

from coopatlas.atlas.models import ImportBatch, Partnership
from coopatlas.atlas.services import partnership_update
from coopatlas.atlas.services.undo import UndoNotAllowed, batch_undo
from coopatlas.cli import main
from coopatlas.ingest.service import ImportRequest, import_file
from coopatlas.jobs.worker import run_queued
from tests.ingest.conftest import write

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])  # undo runs as a job
CSV = "collectivite_francaise;partenaire;pays_partenaire;annee_debut\nLille;Cologne;Allemagne;1958\n"


def _user(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw-long-enough-1")
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def author(django_user_model):
    return _user(django_user_model, "camille", "add_partnership")


@pytest.fixture
def other_importer(django_user_model):
    return _user(django_user_model, "dominique", "add_partnership")


@pytest.fixture
def batch(author, resolver, tmp_path):
    """An import by `author`: Lille – Cologne (a draft: an importer without the right to
    publish lands drafts, whatever the import asks)."""
    report, _notes = import_file(
        ImportRequest(
            path=write(tmp_path / "jumelages.csv", CSV),
            source="table",
            acting_user=author,
            publication_state="published",
        )
    )
    assert Partnership.objects.filter(publication_state="draft").count() == 1
    return ImportBatch.objects.get(pk=report.batch_id)


def test_undo_by_the_author_of_a_fresh_batch(client, author, batch):
    """The author undoes their own batch, untouched since, from the imports page."""
    # given
    client.force_login(author)
    # when
    response = client.post(f"/imports/{batch.pk}/annuler/")
    ran = run_queued()
    # then
    assert ran == 1
    assert response.status_code == 302 and not Partnership.objects.exists()
    batch.refresh_from_db()
    assert batch.undone_at is not None


def test_undo_by_another_add_only_user_is_refused_with_the_reason(client, other_importer, batch):
    """Another user allowed only to add gets a 403 page saying who may undo; nothing is removed."""
    # given
    client.force_login(other_importer)
    # when
    response = client.post(f"/imports/{batch.pk}/annuler/")
    # then
    html = response.content.decode()
    assert response.status_code == 403
    assert "importé par camille" in html and "droit de supprimer des partenariats" in html
    assert Partnership.objects.count() == 1
    batch.refresh_from_db()
    assert batch.undone_at is None


def test_undo_by_the_author_refused_after_someone_else_edited_a_record(
    client, author, batch, django_user_model
):
    """Once another user has edited a partnership of the batch, its author may no longer undo it."""
    # given
    editor = _user(django_user_model, "edouard", "change_partnership")
    partnership_update(Partnership.objects.get(), acting_user=editor, summary="Revu par l'équipe.")
    client.force_login(author)
    # when
    response = client.post(f"/imports/{batch.pk}/annuler/")
    # then
    html = response.content.decode()
    assert response.status_code == 403 and "modifié depuis par edouard" in html
    assert Partnership.objects.get().summary == "Revu par l'équipe."


def test_undo_by_a_user_allowed_to_delete(client, batch, django_user_model):
    """A user with the right to delete partnerships may undo anyone's batch."""
    # given
    deleter = _user(django_user_model, "sasha", "add_partnership", "delete_partnership")
    client.force_login(deleter)
    # when
    response = client.post(f"/imports/{batch.pk}/annuler/")
    ran = run_queued()
    # then
    assert ran == 1
    assert response.status_code == 302 and not Partnership.objects.exists()


def test_imports_page_shows_the_undo_button_only_where_allowed(client, other_importer, batch):
    """The list of batches offers no undo button on a batch the user may not undo."""
    # given
    client.force_login(other_importer)
    # when
    html = client.get("/imports/").content.decode()
    # then
    assert f"/imports/{batch.pk}/annuler/" not in html


def test_batch_undo_refuses_a_user_not_allowed(other_importer, batch):
    """The service itself refuses, whoever calls it (web, worker, command line)."""
    # when / then
    with pytest.raises(UndoNotAllowed):
        batch_undo(batch, acting_user=other_importer)
    assert Partnership.objects.count() == 1


def test_cli_undo_import_as_a_user_records_them_in_history(author, batch):
    """`coopatlas undo-import N --as EMAIL` undoes as that user, named in the history."""
    # given
    partnership_id = Partnership.objects.get().pk
    # when
    code = main(["undo-import", str(batch.pk), "--as", "camille@example.org"])
    # then
    assert code == 0 and not Partnership.objects.exists()
    removal = Partnership.history.get(id=partnership_id, history_type="-")
    assert removal.history_user == author


def test_cli_undo_import_without_as_is_refused(batch, capsys):
    """Without --as the command line names nobody: it refuses and says what to add."""
    # when
    code = main(["undo-import", str(batch.pk)])
    # then
    assert code == 2 and Partnership.objects.count() == 1
    assert "--as" in capsys.readouterr().err


def test_undo_by_the_author_refused_after_someone_else_added_a_contact(author, batch, django_user_model):
    """A contact another user added to a partnership of the batch (the undo would delete it) also
    stops its author from undoing."""
    # given
    from coopatlas.atlas.models import Contact

    editor = _user(django_user_model, "edouard", "change_partnership", "add_contact")
    contact = Contact(partnership=Partnership.objects.get(), last_name="Durand", email="durand@example.org")
    contact._history_user = editor  # as the back-office's request does
    contact.save()
    # when / then
    with pytest.raises(UndoNotAllowed, match="modifié depuis par edouard"):
        batch_undo(batch, acting_user=author)
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_history_rows_name_their_batch(batch):
    """Every history row an import writes names its batch (a foreign key, not only a text)."""
    from coopatlas.atlas.models import Organisation, Participation

    for model in (Partnership, Participation, Organisation):
        rows = model.history.filter(history_change_reason=f"Import (lot {batch.pk})")
        assert rows.exists()
        assert not rows.exclude(history_batch_id=batch.pk).exists(), model.__name__
