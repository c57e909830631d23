"""A web page or API call meeting SQLite's write lock held by another writer past the busy
timeout answers 503 with the "another write" message and Retry-After, never a server error."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_page_writing_while_another_write_runs_says_so_with_503(admin_client_fr, resolver, write_lock_held):
    """Reading a pasted text (which stores the page) while the lock is held: a 503 page saying
    another write is running, with Retry-After."""
    # given
    text = "Lannion est jumelée avec Caerphilly (Royaume-Uni) depuis 1983."
    # when
    response = admin_client_fr.post("/extraction/", {"text": text})
    # then
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Une autre écriture (import, annulation…) est en cours" in response.content.decode()
    assert "Traceback" not in response.content.decode()
