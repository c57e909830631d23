"""Write an export in the format asked; used by the command line, the web, the API and the worker.

Every format but XLSX is a stream of text pieces (`stream`): a file, a streamed HTTP response or
a job's file is written as the rows are read, a chunk of partnerships at a time. XLSX (a zip)
is written to a file by openpyxl's write-only mode."""

from collections.abc import Callable, Iterator
from pathlib import Path

from coopatlas.exports.rows import Tally
from coopatlas.exports.selection import Selection

FORMATS = ("csv", "csv-plain", "xlsx", "json", "geojson", "iati")
# Media type and file extension of each format, for downloads.
MEDIA_TYPES = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "csv-plain": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "geojson": ("application/geo+json", "geojson"),
    "iati": ("application/xml", "xml"),
}


def _unknown(fmt: str) -> ValueError:
    return ValueError(f"Format inconnu : {fmt} (admis : {', '.join(FORMATS)})")


def stream(
    fmt: str,
    selection: Selection,
    *,
    personal_data: bool = False,
    decimal_comma: bool = False,
    tally: Tally | None = None,
) -> Iterator[str]:
    """Yield the export's text in pieces, for any format but XLSX (ValueError for others)."""
    partnerships = selection.partnerships
    if fmt == "json":
        from coopatlas.exports.json_export import iter_json

        return iter_json(partnerships, personal_data=personal_data, tally=tally)
    if fmt in ("csv", "csv-plain"):
        from coopatlas.exports.tabular import iter_csv

        return iter_csv(partnerships, excel=fmt == "csv", decimal_comma=decimal_comma, tally=tally)
    if fmt == "geojson":
        from coopatlas.exports.geojson import iter_geojson

        return iter_geojson(partnerships, tally=tally)
    if fmt == "iati":
        from coopatlas.exports.iati import iter_iati

        return iter_iati(partnerships, tally=tally)
    raise _unknown(fmt)


def encoded(pieces: Iterator[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield the pieces as UTF-8, gathered into blocks of about `size` characters."""
    block: list[str] = []
    length = 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(block).encode()
            block, length = [], 0
    if block:
        yield "".join(block).encode()


def export(
    fmt: str,
    selection: Selection,
    path: Path,
    *,
    personal_data: bool = False,
    decimal_comma: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the selection to `path` in `fmt`; return the number of partnerships written.
    `progress` is told the number of partnerships written after each chunk.

    The file is written next to its final name and moved into place when complete, so that a
    failed export never leaves half a file behind.
    """
    if fmt not in FORMATS:
        raise _unknown(fmt)
    partial = path.with_name(path.name + ".partial")
    tally = Tally(progress)
    try:
        if fmt == "xlsx":
            from coopatlas.exports.tabular import write_xlsx

            write_xlsx(selection.partnerships, partial, personal_data=personal_data, tally=tally)
        else:
            with partial.open("wb") as out:
                pieces = stream(
                    fmt, selection, personal_data=personal_data, decimal_comma=decimal_comma, tally=tally
                )
                for block in encoded(pieces):
                    out.write(block)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return tally.rows
