"""Import a file: pick the reader for its source, run the pipeline, write the report.

Used by the command line (`coopatlas import`), the web upload and the API alike.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError

from coopatlas.core.spreadsheet import neutralise
from coopatlas.ingest.errors import FileRejected, WriteBusy, is_lock_error
from coopatlas.ingest.files import sha256_of
from coopatlas.ingest.pipeline import Importer, ImportReport

SOURCES = ("atlas-sheet", "table", "suivi", "twins", "json", "wikidata")


@dataclass
class ImportRequest:
    """What to import and how. `mapping` is the mapping's TEXT, never a file name (only the
    command line reads a mapping file, and passes its content); `file_name` is the file's name as
    the person knows it (their upload's), used in every message instead of the stored file's."""

    path: Path
    source: str
    dry_run: bool = False
    skip_invalid: bool = False
    mapping: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    all_pairs: bool = False
    publication_state: str | None = None
    personal_data: bool = False
    acting_user: AbstractBaseUser | None = None
    file_name: str | None = None


def display_name(request: ImportRequest) -> str:
    return request.file_name or request.path.name


def open_reader(request: ImportRequest):
    """Return the reader for the request's source (it has `records()`, `notes` and `source`).
    Its refusals name the file as the person knows it (`file_name`)."""
    try:
        return _open_reader(request, display_name(request))
    except FileRejected as exc:
        # The readers use that name; a library's message may still carry the stored file's path.
        name = display_name(request)
        exc.fr, exc.en = (
            t.replace(str(request.path), name).replace(request.path.name, name) for t in (exc.fr, exc.en)
        )
        exc.args = (exc.fr,)
        raise


def _open_reader(request: ImportRequest, name: str):
    if request.source == "twins":
        from coopatlas.ingest.readers.twins import TwinsReader

        return TwinsReader(request.path, all_pairs=request.all_pairs, encoding=request.encoding, name=name)
    if request.source == "wikidata":
        from coopatlas.ingest.readers.wikidata import WikidataReader

        return WikidataReader(request.path, all_pairs=request.all_pairs, encoding=request.encoding, name=name)
    if request.source in ("table", "suivi"):
        from coopatlas.ingest.readers.table import TableReader
        from coopatlas.ingest.readers.tracking import TrackingReader

        return (TrackingReader if request.source == "suivi" else TableReader)(
            request.path,
            mapping=request.mapping,
            encoding=request.encoding,
            delimiter=request.delimiter,
            sheet=request.sheet,
            name=name,
        )
    if request.source == "json":
        from coopatlas.ingest.readers.jsonfile import JsonReader

        return JsonReader(request.path, name=name)
    if request.source == "atlas-sheet":
        from coopatlas.ingest.readers.atlas_sheet import AtlasSheetReader

        return AtlasSheetReader(request.path, encoding=request.encoding, name=name)
    raise FileRejected(
        f"Source inconnue : {request.source} (admises : {', '.join(SOURCES)})",
        f"Unknown source: {request.source} (allowed: {', '.join(SOURCES)})",
    )


def import_file(
    request: ImportRequest,
    progress: Callable[[int, int, int], None] | None = None,
) -> tuple[ImportReport, list[str]]:
    """Import a file; return the report and the reader's notes (encoding, delimiter, sheet…).

    `progress(rows, bytes_read, bytes_total)` is called as rows go through.
    Raise FileRejected when the file as a whole cannot be read, WriteBusy (a FileRejected) when
    another writer holds SQLite's lock past its busy timeout; nothing is then written.
    """
    reader = open_reader(request)
    total = request.path.stat().st_size
    source = getattr(reader, "source", None)

    def on_rows(rows: int) -> None:
        if progress is not None:
            progress(rows, source.position() if source is not None else 0, total)

    importer = Importer(
        source_kind=request.source,
        file_name=request.file_name or request.path.name,
        file_sha256=sha256_of(request.path),
        acting_user=request.acting_user,
        dry_run=request.dry_run,
        skip_invalid=request.skip_invalid,
        personal_data=request.personal_data,
        require_french=not request.all_pairs,
        publication_state=request.publication_state,
        progress=on_rows,
    )
    try:
        report = importer.run(reader.records())
    except OperationalError as exc:
        # SQLite takes its write lock as the import's transaction begins (BEGIN IMMEDIATE), so a
        # lock error means nothing was written: said once here for the CLI, the web and the API.
        if is_lock_error(exc):
            raise WriteBusy() from exc
        raise
    finally:
        reader.close()
    return report, list(getattr(reader, "notes", []))


def write_report(report: ImportReport, path: Path) -> None:
    """Write the rejected rows and conflicts as a CSV (semicolon, UTF-8 with BOM, for Excel)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["emplacement", "champ", "valeur", "motif", "reason"])
        for error in report.errors:
            writer.writerow([neutralise(cell) for cell in error.as_row()])
        for conflict in report.conflicts:
            writer.writerow(
                [neutralise(conflict), "", "", "conflit : valeur déjà dans l'atlas, gardée", "conflict"]
            )
        for place in report.to_review:
            writer.writerow([neutralise(place), "lieu", "", "lieu à vérifier", "place to review"])
