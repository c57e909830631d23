"""Write an export file in the format asked; used by the command line, the web and the API."""

from pathlib import Path

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


def export(
    fmt: str,
    selection: Selection,
    path: Path,
    *,
    personal_data: bool = False,
    decimal_comma: bool = False,
) -> int:
    """Write the selection to `path` in `fmt`; return the number of partnerships written.

    The file is written next to its final name and moved into place when complete, so that a
    failed export never leaves half a file behind.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        count = _write(fmt, selection, partial, personal_data=personal_data, decimal_comma=decimal_comma)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _write(fmt: str, selection: Selection, path: Path, *, personal_data: bool, decimal_comma: bool) -> int:
    partnerships = selection.partnerships
    if fmt == "json":
        from coopatlas.exports.json_export import write_json

        with path.open("w", encoding="utf-8", newline="\n") as out:
            return write_json(partnerships, out, personal_data=personal_data)
    if fmt in ("csv", "csv-plain"):
        from coopatlas.exports.tabular import write_csv

        return write_csv(
            partnerships, path, excel=fmt == "csv", personal_data=personal_data, decimal_comma=decimal_comma
        )
    if fmt == "xlsx":
        from coopatlas.exports.tabular import write_xlsx

        return write_xlsx(partnerships, path, personal_data=personal_data)
    if fmt == "geojson":
        from coopatlas.exports.geojson import write_geojson

        with path.open("w", encoding="utf-8") as out:
            return write_geojson(partnerships, out)
    if fmt == "iati":
        from coopatlas.exports.iati import write_iati

        with path.open("wb") as out:
            return write_iati(partnerships, out)
    raise ValueError(f"Format inconnu : {fmt} (admis : {', '.join(FORMATS)})")
