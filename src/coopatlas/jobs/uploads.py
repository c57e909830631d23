"""Files given to a job, kept in var/uploads/ under a random name until the job is done with them.

Only the random name travels (in the job's parameters); the path is made here from it, and a name
that is not one of ours is refused. Files left behind (a preview never confirmed) are swept after
UPLOAD_MAX_AGE seconds."""

import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

_NAME = re.compile(r"[0-9a-f]{32}(?:\.[a-z0-9]{1,7})?")


def folder() -> Path:
    # The web servers write here and the worker reads (and the other way for exports): on several
    # machines, a folder they share (COOPATLAS_UPLOADS_DIR, docs/deployment.md).
    path = Path(settings.UPLOADS_DIR) if settings.UPLOADS_DIR else Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(chunks: Iterable[bytes], original_name: str = "") -> str:
    """Write the chunks to a new file; return its name (a random token and the original suffix)."""
    suffix = Path(original_name).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,7}", suffix) else ""
    name = secrets.token_hex(16) + suffix
    with (folder() / name).open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return name


def reserve(extension: str) -> str:
    """Return a new file name (a random token and `extension`) for a file a job writes."""
    extension = extension.lower() if re.fullmatch(r"[a-z0-9]{1,7}", extension.lower()) else "bin"
    return f"{secrets.token_hex(16)}.{extension}"


def path_of(name: str) -> Path:
    """The path of an uploaded file from its name; ValueError for any other name."""
    if not _NAME.fullmatch(name or ""):
        raise ValueError(f"not an upload name: {name!r}")
    return folder() / name


def discard(name: str) -> None:
    try:
        path_of(name).unlink(missing_ok=True)
    except ValueError:
        pass


def sweep(max_age: float | None = None, now: float | None = None) -> list[str]:
    """Remove the uploads older than `max_age` seconds (settings.UPLOAD_MAX_AGE); return their names."""
    max_age = settings.UPLOAD_MAX_AGE if max_age is None else max_age
    limit = (time.time() if now is None else now) - max_age
    removed = []
    for path in folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # removed meanwhile by the job that used it
            continue
    return removed
