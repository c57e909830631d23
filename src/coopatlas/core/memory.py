"""Giving freed memory back to the system after building a large in-memory model.

A web process builds a few models from the whole atlas (the overlaps of the suggestions, the
TF-IDF of similar partnerships): millions of small objects live for the time of the build, and
glibc's allocator keeps the freed pages in its arenas, so the process stays tens of megabytes
larger than what it holds. `malloc_trim(0)` returns them; elsewhere than glibc it does nothing.
"""

import ctypes
import ctypes.util
import functools


@functools.cache
def _trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None


def release_free_memory() -> None:
    """Return the allocator's free pages to the system (glibc), after a large build."""
    trim = _trim()
    if trim is not None:
        trim(0)


# mallopt's parameter for the number of arenas (glibc's malloc.h).
_M_ARENA_MAX = -8


def limit_arenas(count: int = 2) -> None:
    """Cap glibc's allocation arenas before a server starts its threads: by default each thread
    may get its own (up to 8 per core), each keeping freed pages of its own."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):  # not glibc
        return
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, count)


def settle_heap() -> None:
    """Move every object alive now (modules, URL map, settings, the loaded pages' code) out of
    the garbage collector's reach, once a server has loaded what it serves.

    CPython's full collection walks every tracked object; after start a web process holds some
    200,000 that live as long as it does, and a request that allocates much (an API page of
    results) triggers a full collection every few requests: 50-60 ms each, measured as an API
    answer of 60 ms taking 120 ms one time in four. Frozen, they are not walked again
    (gc.freeze, as the CPython documentation advises for servers); what requests allocate
    after is collected as before."""
    import gc

    gc.collect()
    gc.freeze()
