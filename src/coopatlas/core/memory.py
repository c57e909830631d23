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
