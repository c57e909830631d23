"""The publication workflow: draft → submitted → published → archived, by who may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict

from coopatlas.atlas.models import ImportBatch, Partnership, PublicationStep
from coopatlas.atlas.services import partnership_update
from coopatlas.atlas.services.workflow import (
    partnership_archive,
    partnership_publish,
    partnership_send_back,
    partnership_submit,
    partnership_verify,
    partnerships_publish,
)
from coopatlas.search.query import SearchQuery
from tests.accounts.factories import (
    HAUTS_DE_FRANCE,
    coordinator_of_region,
    editor_of,
    grande_synthe,
    lyon,
    pair,
    villeneuve_d_ascq,
)


def _found(word: str) -> int:
    return SearchQuery(QueryDict(f"q={word}")).run(Partnership.objects.published()).count


def test_editor_submits_coordinator_publishes_and_search_finds_it(db):
    """The editor of Grande-Synthe submits; the Hauts-de-France coordinator publishes; it is public."""
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    editor, coordinator = editor_of(town), coordinator_of_region(HAUTS_DE_FRANCE)
    with pytest.raises(PermissionDenied, match="publier"):
        partnership_publish(partnership, acting_user=editor)
    partnership_submit(partnership, acting_user=editor)
    assert _found("Ifni") == 0
    partnership_publish(partnership, acting_user=coordinator, comment="Vérifié avec la délibération")
    partnership.refresh_from_db()
    assert partnership.publication_state == "published"
    assert _found("Ifni") == 1
    steps = list(
        PublicationStep.objects.filter(partnership=partnership).values_list("to_state", "actor__email")
    )
    assert steps == [("submitted", editor.email), ("published", coordinator.email)]
    last = partnership.history.first()
    assert last.history_user == coordinator
    assert "Vérifié avec la délibération" in last.history_change_reason


def test_another_towns_editor_is_refused_with_the_reason(db):
    """The editor of Villeneuve-d'Ascq cannot submit Grande-Synthe's record; the error says why."""
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA")
    other = editor_of(villeneuve_d_ascq(), "vda@example.org")
    with pytest.raises(PermissionDenied) as refused:
        partnership_submit(partnership, acting_user=other)
    assert "Villeneuve-d'Ascq" in str(refused.value) and "périmètre" in str(refused.value)
    assert not PublicationStep.objects.exists()


def test_sending_back_needs_a_comment_and_an_impossible_step_is_named(db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    coordinator = coordinator_of_region(HAUTS_DE_FRANCE)
    partnership_submit(partnership, acting_user=editor_of(town))
    with pytest.raises(ValidationError, match="commentaire"):
        partnership_send_back(partnership, acting_user=coordinator, comment=" ")
    partnership_send_back(partnership, acting_user=coordinator, comment="Date de signature ?")
    assert partnership.publication_state == "draft"
    with pytest.raises(ValidationError, match="archivé"):
        partnership_archive(partnership, acting_user=coordinator)


def test_toujours_exact_sets_today_by_whom(db):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA", state="published")
    editor = editor_of(town)
    partnership_verify(partnership, acting_user=editor)
    partnership.refresh_from_db()
    assert partnership.last_verified_on is not None
    assert partnership.history.first().history_user == editor


def test_bulk_publish_of_a_batch_publishes_what_the_coordinator_may_and_names_the_rest(db):
    """A batch of drafts: the coordinator publishes its territory's in one action; Lyon's is
    refused with its reason; each published record has its history row and its step."""
    batch = ImportBatch.objects.create(source_kind="table", file_name="jumelages.csv")
    inside = [pair(grande_synthe(), name, "MA") for name in ("Sidi Ifni", "Tiznit")]
    outside = pair(lyon(), "Birmingham", "GB")
    Partnership.objects.filter(pk__in=[p.pk for p in [*inside, outside]]).update(created_by_batch=batch)
    coordinator = coordinator_of_region(HAUTS_DE_FRANCE)
    outcome = partnerships_publish(
        Partnership.objects.filter(created_by_batch=batch).order_by("pk"),
        acting_user=coordinator,
        batch=batch,
    )
    assert outcome.published == 2
    assert [(p.pk, reason) for p, reason in outcome.refused] == [
        (outside.pk, "hors du périmètre de vos rôles")
    ]
    assert set(Partnership.objects.published().values_list("pk", flat=True)) == {p.pk for p in inside}
    for partnership in inside:
        assert partnership.history.first().history_user == coordinator
        assert partnership.history.first().publication_state == "published"
    assert PublicationStep.objects.filter(batch=batch, to_state="published").count() == 2
    assert _found("Tiznit") == 1


def test_an_editors_change_goes_back_to_review_where_the_territory_asks(db):
    """Hauts-de-France asks to review its editors' changes to published records; Lyon does not."""
    from coopatlas.accounts.models import Role

    town, elsewhere = grande_synthe(), lyon()
    reviewed = pair(town, "Sidi Ifni", "MA", state="published")
    free = pair(elsewhere, "Birmingham", "GB", state="published")
    coordinator = coordinator_of_region(HAUTS_DE_FRANCE)
    Role.objects.filter(user=coordinator).update(review_published_edits=True)
    partnership_update(reviewed, acting_user=editor_of(town), start_year=2004)
    partnership_update(free, acting_user=editor_of(elsewhere, "lyon@example.org"), start_year=1952)
    reviewed.refresh_from_db()
    free.refresh_from_db()
    assert reviewed.publication_state == "submitted" and free.publication_state == "published"
    # The coordinator's own change does not go back to review.
    partnership_publish(reviewed, acting_user=coordinator)
    partnership_update(reviewed, acting_user=coordinator, start_year=2003)
    reviewed.refresh_from_db()
    assert reviewed.publication_state == "published"
