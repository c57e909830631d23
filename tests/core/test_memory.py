"""The web process's memory helpers: what start loaded is frozen out of full collections."""

import gc

from coopatlas.core.memory import release_free_memory, settle_heap


def test_settle_heap_freezes_what_is_alive_and_collection_still_works():
    gc.unfreeze()
    try:
        settle_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the interpreter, Django, the test run's modules
        # What is allocated after is still collected: a cycle made now is freed.
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
        # Collection leaves the frozen objects frozen. (A frozen object may still be freed by its
        # last reference going, in this thread or in a server or worker thread an earlier test
        # left running: the count may drop by a few, never to what a thaw would leave.)
        assert frozen - 100 <= gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_release_free_memory_is_harmless():
    release_free_memory()
