"""Two server threads committing edits at the same time: each edit reaches the search index once
its own transaction commits, whichever thread commits first."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from coopatlas.atlas import services
from coopatlas.atlas.models import Partnership
from coopatlas.search.engine import TextMatch
from coopatlas.search.index import reindex
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db(transaction=True)


def matching_ids(query: str) -> set[int] | None:
    """The ids the full text finds for `query` (None: no searchable word)."""
    match = TextMatch.of(query)
    if match is None:
        return None
    return set(Partnership.objects.filter(pk__in=match.ids()).values_list("pk", flat=True))


def _edit(
    pk: int, title: str, both_saved: threading.Barrier, wait_before_commit: float, errors: list
) -> None:
    """Rename a partnership in a transaction left open until the other thread has saved too."""
    try:
        with transaction.atomic():
            services.partnership_update(Partnership.objects.get(pk=pk), title=title)
            both_saved.wait(timeout=20)
            time.sleep(wait_before_commit)
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connections.close_all()


def test_two_threads_committing_edits_both_reach_the_index():
    """Thread A commits while thread B's edit is saved but not committed; both new titles are
    found afterwards (a process-wide pending set let A flush B's id before B committed)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite holds one writing transaction at a time: two cannot be open at once")
    # given
    lyon, lille = commune("Lyon"), commune("Lille")
    first = twinning(lyon, foreign_town("Turin", "IT"))
    second = twinning(lille, foreign_town("Cologne", "DE"))
    reindex({first.pk, second.pk})
    both_saved, errors = threading.Barrier(2), []
    threads = [
        threading.Thread(target=_edit, args=(first.pk, "Jumelage Aubergine", both_saved, 0.0, errors)),
        threading.Thread(target=_edit, args=(second.pk, "Jumelage Courgette", both_saved, 1.0, errors)),
    ]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then
    assert not errors, errors
    assert set(matching_ids("aubergine")) == {first.pk}
    assert set(matching_ids("courgette")) == {second.pk}
