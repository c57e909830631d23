"""An export as an HTTP download, for the web app and the API."""

import tempfile
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from coopatlas.exports.naming import export_file_name
from coopatlas.exports.selection import Selection
from coopatlas.exports.service import MEDIA_TYPES, encoded, export, stream


def export_response(fmt: str, selection: Selection, *, personal_data: bool = False) -> HttpResponse:
    """The export as a download written while it is sent, a chunk of partnerships at a time (XLSX,
    a zip, is written to a temporary file first, row by row)."""
    content_type, extension = MEDIA_TYPES[fmt]
    name = export_file_name(selection, extension, personal_data=personal_data)
    if fmt == "xlsx":
        with tempfile.NamedTemporaryFile(suffix=f".{extension}", delete=False) as handle:
            path = Path(handle.name)
        export(fmt, selection, path, personal_data=personal_data)
        response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)
        path.unlink()  # the open handle keeps the data until the response is sent
        return response
    response = StreamingHttpResponse(
        encoded(stream(fmt, selection, personal_data=personal_data)), content_type=content_type
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
