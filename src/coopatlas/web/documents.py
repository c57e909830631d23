"""Opening a document attached to a partnership: only through here, for those its access level
allows (atlas.services.documents.may_open), as a download that the browser does not sniff."""

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from coopatlas.atlas.models import Document
from coopatlas.atlas.services.documents import may_open


def document_file(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(Document.objects.select_related("partnership"), pk=pk)
    if not may_open(request.user, document):
        # the same answer as for a document that does not exist: its existence is not told
        raise Http404(_("Aucun document de ce numéro ne vous est accessible."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Le fichier de ce document est introuvable.")) from None
    inline = document.content_type == "application/pdf" or document.content_type.startswith("image/")
    response = FileResponse(
        handle, as_attachment=not inline, filename=document.file_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    if document.access != "public" or document.partnership.publication_state != "published":
        response["Cache-Control"] = "private, no-store"
    return response
