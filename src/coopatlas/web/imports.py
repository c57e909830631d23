"""Imports and exports in the web app: upload a file, preview what it would do (a dry run),
confirm; list the import batches and undo one; download the template spreadsheet; export any
search result."""

import hashlib
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.atlas.models import ImportBatch
from coopatlas.exports.selection import SelectionError, select
from coopatlas.exports.service import MEDIA_TYPES, export
from coopatlas.ingest.errors import FileRejected
from coopatlas.ingest.readers.table import template_columns
from coopatlas.ingest.service import SOURCES, ImportRequest, import_file
from coopatlas.ingest.undo import UndoError, batch_undo, can_undo
from coopatlas.web.accounts import permission_required

MAX_UPLOAD = 100 * 1024 * 1024
PREVIEW_ERRORS = 200
CAN_IMPORT = "atlas.add_partnership"


def _uploads() -> Path:
    folder = Path(settings.VAR_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _request_from(post, path: Path, user, *, dry_run: bool, file_name: str) -> ImportRequest:
    return ImportRequest(
        path=path,
        source=post.get("source", ""),
        dry_run=dry_run,
        skip_invalid=post.get("skip_invalid") == "on",
        mapping=post.get("mapping") or None,
        publication_state="published"
        if post.get("publish") == "on" and user.has_perm("atlas.change_partnership")
        else "draft",
        acting_user=user,
        file_name=file_name,
    )


@permission_required(CAN_IMPORT)
def imports(request: HttpRequest) -> HttpResponse:
    """The upload form and the list of import batches."""
    batches = list(ImportBatch.objects.select_related("created_by")[:50])
    for batch in batches:
        # The undo button only where the rule of ingest.undo allows it.
        batch.can_undo = batch.undone_at is None and can_undo(request.user, batch)[0]
    return render(request, "web/imports.html", {"batches": batches, "sources": SOURCES})


@permission_required(CAN_IMPORT)
@require_POST
def import_preview(request: HttpRequest) -> HttpResponse:
    """Store the upload, run it as a dry run and show what it would do."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choisissez un fichier à importer."))
        return redirect("web:imports")
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("Fichier trop gros (100 Mo au plus) : %(name)s") % {"name": upload.name})
        return redirect("web:imports")
    if request.POST.get("source") not in SOURCES:
        messages.error(request, _("Type de source inconnu."))
        return redirect("web:imports")
    token = uuid.uuid4().hex
    suffix = Path(upload.name).suffix.lower()[:8]
    stored = _uploads() / f"{token}{suffix}"
    digest = hashlib.sha256()
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    try:
        report, notes = import_file(
            _request_from(request.POST, stored, request.user, dry_run=True, file_name=upload.name)
        )
    except FileRejected as exc:
        stored.unlink(missing_ok=True)
        messages.error(request, exc.fr if request.LANGUAGE_CODE == "fr" else exc.en)
        return redirect("web:imports")
    request.session[f"import:{token}"] = {
        "path": str(stored),
        "name": upload.name,
        "sha256": digest.hexdigest(),
        "post": {k: request.POST.get(k, "") for k in ("source", "skip_invalid", "mapping", "publish")},
    }
    return render(
        request,
        "web/import_preview.html",
        {
            "report": report,
            "errors": report.errors[:PREVIEW_ERRORS],
            "notes": notes,
            "token": token,
            "name": upload.name,
            "can_confirm": not report.errors or request.POST.get("skip_invalid") == "on",
        },
    )


@permission_required(CAN_IMPORT)
@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Run the import previewed, for real."""
    pending = request.session.pop(f"import:{token}", None)
    if pending is None:
        raise Http404(_("Import inconnu ou déjà confirmé."))
    path = Path(pending["path"])
    try:
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != pending["sha256"]:
            messages.error(
                request, _("Le fichier prévisualisé n'est plus disponible : déposez-le à nouveau.")
            )
            return redirect("web:imports")
        report, _notes = import_file(
            _request_from(pending["post"], path, request.user, dry_run=False, file_name=pending["name"])
        )
    except FileRejected as exc:
        messages.error(request, exc.fr)
        return redirect("web:imports")
    finally:
        path.unlink(missing_ok=True)
    if report.rolled_back:
        messages.error(request, _("Rien n'a été importé : %(summary)s.") % {"summary": report.summary_fr()})
    else:
        messages.success(
            request,
            _("Lot n° %(batch)s importé : %(summary)s.")
            % {"batch": report.batch_id, "summary": report.summary_fr()},
        )
    return redirect("web:imports")


@permission_required(CAN_IMPORT)
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    allowed, reason = can_undo(request.user, batch)
    if not allowed:
        return render(request, "403.html", {"exception": reason}, status=403)
    try:
        counts = batch_undo(batch, acting_user=request.user)
    except UndoError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Lot n° %(batch)s annulé : %(removed)s partenariat(s) retiré(s), %(restored)s rétabli(s).")
            % {"batch": pk, "removed": counts["removed"], "restored": counts["restored"]},
        )
    return redirect("web:imports")


def import_template(request: HttpRequest) -> HttpResponse:
    """The spreadsheet template with our own columns, and a sheet explaining each."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Partenariats"
    columns = template_columns()
    sheet.append([name for name, _description in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Lisez-moi")
    guide.append(["colonne", "contenu"])
    for name, description in columns:
        guide.append([name, description])
    guide.append([])
    guide.append(
        [
            "",
            "Une ligne par partenariat ; des lignes de même « reference » ajoutent partenaires "
            "ou financements.",
        ]
    )
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        workbook.save(handle.name)
        path = Path(handle.name)
    response = FileResponse(path.open("rb"), as_attachment=True, filename="modele-import-coopatlas.xlsx")
    path.unlink()
    return response


def export_view(request: HttpRequest) -> HttpResponse:
    """Download a search result (the same filters as the search page) in a format."""
    fmt = request.GET.get("format", "csv")
    if fmt not in MEDIA_TYPES:
        return HttpResponse(_("Format d'export inconnu : %(format)s") % {"format": fmt}, status=400)
    personal = request.GET.get("donnees_personnelles") == "1"
    if personal and not request.user.has_perm("atlas.view_contact"):
        return HttpResponse(
            _("Export des données personnelles réservé aux utilisateurs habilités."), status=403
        )
    query = request.GET.copy()
    for key in ("format", "donnees_personnelles", "page", "tri"):
        query.pop(key, None)
    try:
        selection = select(
            query.urlencode(), published_only=not request.user.has_perm("atlas.view_partnership")
        )
    except SelectionError as exc:
        return HttpResponse(str(exc), status=400)
    content_type, extension = MEDIA_TYPES[fmt]
    with tempfile.NamedTemporaryFile(suffix=f".{extension}", delete=False) as handle:
        path = Path(handle.name)
    export(fmt, selection, path, personal_data=personal)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"coopatlas.{extension}", content_type=content_type
    )
    path.unlink()  # the open handle keeps the data until the response is sent
    return response


def export_links(request: HttpRequest) -> list[tuple[str, str]]:
    """Return (label, address) of each export of the current search, for the search page."""
    query = request.GET.copy()
    query.pop("page", None)
    links = []
    for fmt, label in (
        ("csv", "CSV (Excel)"),
        ("xlsx", "XLSX"),
        ("json", "JSON"),
        ("geojson", "GeoJSON"),
        ("iati", "IATI XML"),
    ):
        query["format"] = fmt
        links.append((label, f"{reverse('web:export')}?{query.urlencode()}"))
    return links
