"""Editing a partnership in the contributor's app: no lost work when two people edit the same
record (the second save shows both versions and a merged form), the history read as a person
reads it, and "revenir à cette version"."""

from django.test import Client

from coopatlas.atlas.models import Partnership
from tests.accounts.factories import editor_of, grande_synthe, lyon, pair


def _form(client: Client, partnership: Partnership) -> dict:
    """The edit form's fields as the page gives them (the hidden version included)."""
    page = client.get(f"/partenariats/{partnership.pk}/modifier/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else ("on" if value is True else value)
        if value is False:
            data.pop(name)
    return data


def test_two_editors_the_second_sees_the_conflict_and_merges(db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA", state="published")
    first, second = Client(), Client()
    awa = editor_of(town, "awa@example.org")
    awa.first_name, awa.last_name = "Awa", "Diallo"
    awa.save()
    first.force_login(awa)
    second.force_login(editor_of(town, "marc@example.org"))
    mine, theirs = _form(first, partnership), _form(second, partnership)
    assert mine["version"] == theirs["version"]

    mine["start_year"] = "1989"
    assert first.post(f"/partenariats/{partnership.pk}/modifier/", mine).status_code == 302
    theirs["summary"] = "Échanges scolaires et eau potable."
    theirs["title"] = "Jumelage Grande-Synthe – Sidi Ifni (renouvelé)"
    answer = second.post(f"/partenariats/{partnership.pk}/modifier/", theirs)
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "pendant que vous le modifiiez" in page and "Awa Diallo" in page
    partnership.refresh_from_db()
    assert partnership.start_year == 1989 and partnership.summary == ""  # nothing overwritten

    merged = answer.context["form"]
    assert merged.initial["start_year"] == 1989  # the other's change, kept
    assert merged.initial["summary"] == "Échanges scolaires et eau potable."  # mine, kept
    assert merged.initial["version"] == partnership.version
    data = {name: ("" if value is None else value) for name, value in merged.initial.items()}
    data = {name: value for name, value in data.items() if name in merged.fields and value is not False}
    assert second.post(f"/partenariats/{partnership.pk}/modifier/", data).status_code == 302
    partnership.refresh_from_db()
    assert partnership.start_year == 1989
    assert partnership.summary == "Échanges scolaires et eau potable."
    assert partnership.title.endswith("(renouvelé)")
    authors = {row.history_user.email for row in partnership.history.all() if row.history_user}
    assert {"awa@example.org", "marc@example.org"} <= authors

    history = second.get(f"/partenariats/{partnership.pk}/historique/").content.decode()
    assert "Awa Diallo" in history and "<ins>1989</ins>" in history
    assert "<ins>Échanges scolaires et eau potable.</ins>" in history


def test_the_same_field_changed_on_both_sides_is_shown_and_nothing_is_saved_silently(db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    first, second = Client(), Client()
    first.force_login(editor_of(town, "a@example.org"))
    second.force_login(editor_of(town, "b@example.org"))
    mine, theirs = _form(first, partnership), _form(second, partnership)
    mine["start_year"], theirs["start_year"] = "1989", "1995"
    first.post(f"/partenariats/{partnership.pk}/modifier/", mine)
    answer = second.post(f"/partenariats/{partnership.pk}/modifier/", theirs)
    assert answer.status_code == 409
    (row,) = [r for r in answer.context["conflict"] if r.both_changed]
    assert (row.before, row.after) == ("1995", "1989")
    partnership.refresh_from_db()
    assert partnership.start_year == 1989


def test_revert_to_a_version_is_a_new_step_by_its_author(client, db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    client.force_login(editor_of(town))
    data = _form(client, partnership)
    data["start_year"] = "1989"
    client.post(f"/partenariats/{partnership.pk}/modifier/", data)
    data = _form(client, partnership)
    data["start_year"] = "2001"
    client.post(f"/partenariats/{partnership.pk}/modifier/", data)
    partnership.refresh_from_db()
    assert partnership.start_year == 2001
    at_1989 = partnership.history.get(start_year=1989)
    page = client.get(f"/partenariats/{partnership.pk}/historique/").content.decode()
    assert "Revenir à cette version" in page
    client.post(f"/partenariats/{partnership.pk}/historique/", {"version": at_1989.history_id})
    partnership.refresh_from_db()
    assert partnership.start_year == 1989
    latest = partnership.history.first()
    assert latest.history_user.email == "editeur@example.org"
    assert f"Retour à la version {at_1989.version}" in latest.history_change_reason
    bad = client.post(f"/partenariats/{partnership.pk}/historique/", {"version": "999999"}, follow=True)
    assert "existe pas dans l&#x27;historique" in bad.content.decode()


def test_an_editor_elsewhere_may_neither_edit_nor_read_the_history(client, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA", state="published")
    client.force_login(editor_of(lyon(), "lyon@example.org"))
    assert client.get(f"/partenariats/{partnership.pk}/modifier/").status_code == 403
    assert client.get(f"/partenariats/{partnership.pk}/historique/").status_code == 403
    before = partnership.version
    answer = client.post(
        f"/partenariats/{partnership.pk}/modifier/",
        {"title": "Piraté", "form": partnership.form, "status": partnership.status, "version": before},
    )
    assert answer.status_code == 403
    partnership.refresh_from_db()
    assert partnership.title != "Piraté" and partnership.version == before
    assert "/modifier/" not in client.get(partnership.get_absolute_url()).content.decode()


def test_a_bad_value_is_named_and_nothing_is_written(client, db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    client.force_login(editor_of(town))
    data = _form(client, partnership)
    data["start_year"] = "3024"
    data["end_date"] = "pas une date"
    answer = client.post(f"/partenariats/{partnership.pk}/modifier/", data)
    assert answer.status_code == 200
    errors = answer.context["form"].errors
    assert "start_year" in errors and "end_date" in errors
    partnership.refresh_from_db()
    assert partnership.start_year != 3024


def test_my_partnerships_says_what_waits_for_me(client, db):
    import datetime

    from django.utils import timezone

    from coopatlas.atlas.models import PublicationState, PublicationStep

    town = grande_synthe()
    editor = editor_of(town)
    sent_back = pair(town, "Sidi Ifni", "MA")
    PublicationStep.objects.create(
        partnership=sent_back,
        from_state=PublicationState.SUBMITTED,
        to_state=PublicationState.DRAFT,
        comment="Précisez l'année de signature.",
    )
    stale = pair(town, "Ratingen", "DE", state="published")
    Partnership.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=800), last_verified_on=None
    )
    ending = pair(town, "Barking", "GB", state="published")
    Partnership.objects.filter(pk=ending.pk).update(
        end_date=timezone.localdate() + datetime.timedelta(days=60)
    )
    client.force_login(editor)
    page = client.get("/mes-partenariats/").content.decode()
    assert "Précisez l&#x27;année de signature." in page
    assert f"/partenariats/{stale.pk}/toujours-exact/" in page
    assert "prennent fin" in page and ending.title in page
    client.post(f"/partenariats/{stale.pk}/toujours-exact/")
    stale.refresh_from_db()
    assert stale.last_verified_on == timezone.localdate()
    assert (
        f"/partenariats/{stale.pk}/toujours-exact/" not in client.get("/mes-partenariats/").content.decode()
    )


def test_history_names_people_by_name_never_by_address(client, db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    client.force_login(editor_of(town, "sans-nom@example.org"))
    data = _form(client, partnership)
    data["start_year"] = "1989"
    client.post(f"/partenariats/{partnership.pk}/modifier/", data)
    page = client.get(f"/partenariats/{partnership.pk}/historique/").content.decode()
    assert "sans-nom@example.org" not in page.split("<main", 1)[1].split("</main>")[0]
    assert "un compte sans nom" in page
