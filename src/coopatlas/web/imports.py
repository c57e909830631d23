"""Imports and exports in the web app: upload a file, preview what it would do (a dry run),
confirm; list the import batches and undo one; download the template spreadsheet; export any
search result."""

import hashlib
import json
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.atlas.models import ImportBatch
from coopatlas.atlas.services.undo import can_undo, undo_preview
from coopatlas.core.spreadsheet import neutralise
from coopatlas.exports.responses import export_response
from coopatlas.exports.selection import SelectionError, select
from coopatlas.exports.service import MEDIA_TYPES
from coopatlas.ingest.readers.table import FIELDS, template_columns
from coopatlas.ingest.service import SOURCES
from coopatlas.jobs import uploads
from coopatlas.jobs.models import Job
from coopatlas.jobs.router import ALIAS as JOBS_DB
from coopatlas.jobs.service import submit
from coopatlas.web.accounts import permission_required
from coopatlas.web.jobs import SESSION_EXPORTS

MAX_UPLOAD = 100 * 1024 * 1024
CAN_IMPORT = "coopatlas.import_run"  # accounts.permissions


def _params(post, user, *, upload: str, file_name: str, sha256: str) -> dict:
    """What the worker needs to run the import: the options chosen and the upload's name only
    (its path is made from that name in coopatlas.jobs.uploads, never taken from a request)."""
    return {
        "upload": upload,
        "file_name": file_name,
        "sha256": sha256,
        "picker": True,  # columns not ours are picked on the job's page, not refused
        "source": post.get("source", ""),
        "skip_invalid": post.get("skip_invalid") == "on",
        "mapping": post.get("mapping") or "",
        "publication_state": "published"
        if post.get("publish") == "on" and user.has_perm("coopatlas.import_publish")
        else "draft",
    }


@permission_required(CAN_IMPORT)
def imports(request: HttpRequest) -> HttpResponse:
    """The upload form and the list of import batches."""
    batches = list(ImportBatch.objects.select_related("created_by")[:50])
    for batch in batches:
        # The undo button only where the rule of atlas.services.undo allows it.
        batch.can_undo = batch.undone_at is None and can_undo(request.user, batch)[0]
    return render(request, "web/imports.html", {"batches": batches, "sources": SOURCES})


@permission_required(CAN_IMPORT)
@require_POST
def import_preview(request: HttpRequest) -> HttpResponse:
    """Store the upload and queue its dry run; the job's page shows its progress, then what the
    import would do."""
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
    digest = hashlib.sha256()

    def chunks():
        for chunk in upload.chunks():
            digest.update(chunk)
            yield chunk

    stored = uploads.store(chunks(), upload.name)
    job = submit(
        Job.Kind.IMPORT_PREVIEW,
        request.user,
        _params(request.POST, request.user, upload=stored, file_name=upload.name, sha256=digest.hexdigest()),
    )
    return redirect("web:job", pk=job.pk)


@permission_required(CAN_IMPORT)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the import previewed by job `pk`, for real (once)."""
    # One transaction on the jobs database (BEGIN IMMEDIATE on SQLite, a row lock on PostgreSQL):
    # of two clicks on "Confirmer", the second finds the preview already confirmed.
    with transaction.atomic(using=JOBS_DB):
        preview = (
            Job.objects.select_for_update()
            .filter(pk=pk, kind=Job.Kind.IMPORT_PREVIEW, state=Job.State.DONE, owner_id=request.user.pk)
            .first()
        )
        # A preview that asks for the file's columns has nothing to confirm.
        if preview is None or preview.params.get("confirmed_by") or "columns" in preview.result:
            raise Http404(_("Import inconnu ou déjà confirmé."))
        job = submit(Job.Kind.IMPORT, request.user, {**preview.params, "preview": preview.pk})
        preview.params = {**preview.params, "confirmed_by": job.pk}
        preview.save(update_fields=["params"])
    return redirect("web:job", pk=job.pk)


@permission_required(CAN_IMPORT)
@require_POST
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview again the upload of preview `pk`, with the columns picked for our fields: the picks
    become the mapping's text (never a path), each one a column of the file as read by the worker."""
    preview = (
        Job.objects.filter(
            pk=pk, kind=Job.Kind.IMPORT_PREVIEW, state=Job.State.DONE, owner_id=request.user.pk
        )
    ).first()
    if preview is None or "columns" not in preview.result:
        raise Http404(_("Import inconnu ou déjà confirmé."))
    header = set(preview.result["columns"]["header"])
    mapping = {}
    for field in FIELDS:
        column = request.POST.get(f"col_{field}", "")
        if not column:
            continue
        if column not in header:
            return HttpResponseBadRequest(_("Colonne inconnue dans ce fichier."))
        mapping[field] = column
    job = submit(
        Job.Kind.IMPORT_PREVIEW,
        request.user,
        {**preview.params, "mapping": json.dumps(mapping, ensure_ascii=False), "picked_from": preview.pk},
    )
    return redirect("web:job", pk=job.pk)


@permission_required(CAN_IMPORT)
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm the undo of batch `pk`, saying what it would remove (GET); queue it (POST):
    the job's page then says what was removed and restored."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    # Refused before asking and before queuing, with the reason; the worker's batch_undo checks
    # the same rule again.
    allowed, reason = can_undo(request.user, batch)
    if not allowed:
        return render(request, "403.html", {"exception": reason}, status=403)
    if request.method != "POST":
        return render(request, "web/import_undo.html", {"batch": batch, "effects": undo_preview(batch)})
    job = submit(Job.Kind.UNDO, request.user, {"batch": batch.pk})
    return redirect("web:job", pk=job.pk)


def import_template(request: HttpRequest) -> HttpResponse:
    """The spreadsheet template with our own columns, and a sheet explaining each."""
    return _template(
        "Partenariats",
        template_columns(),
        "Une ligne par partenariat ; des lignes de même « reference » ajoutent partenaires ou financements.",
        "modele-import-coopatlas.xlsx",
    )


def tracking_template(request: HttpRequest) -> HttpResponse:
    """A territory's tracking sheet (`coopatlas import --source suivi`): one initiative of an
    actor of the territory per row; the category is picked from a list of the categories of the
    studies in the atlas, in each study's order, also given on a sheet of their own."""
    from coopatlas.atlas.models import StudyCategory
    from coopatlas.ingest.readers.tracking import TRACKING_FIELDS

    categories = list(
        StudyCategory.objects.select_related("study").order_by("study__title", "study_id", "rank")
    )
    names = list(dict.fromkeys(c.name for c in categories))
    return _template(
        "Initiatives",
        [(name, description) for name, (description, _aliases) in TRACKING_FIELDS.items()],
        "Une ligne par initiative d'un acteur du territoire (université, association, entreprise…) ; "
        "le siège de l'acteur (commune ou code postal) le rattache au territoire ; des lignes de même "
        "« reference » ajoutent des partenaires.",
        "modele-suivi-coopatlas.xlsx",
        lists={
            "categorie": names,
            "type_acteur": [
                "université",
                "école",
                "association",
                "entreprise",
                "hôpital",
                "chambre",
                "culture",
                "organisme public",
            ],
        },
        extra_sheet=(
            "Catégories",
            ["étude", "rang", "catégorie", "exemples"],
            [[c.study.title, c.rank, c.name, c.examples] for c in categories],
        ),
    )


def _template(
    title: str,
    columns: list[tuple[str, str]],
    note: str,
    file_name: str,
    *,
    lists: dict[str, list[str]] | None = None,
    extra_sheet: tuple[str, list[str], list[list]] | None = None,
) -> HttpResponse:
    """A template workbook: the columns on its first sheet (a list to pick from where `lists`
    gives one), a sheet explaining each, and an optional sheet of reference rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([name for name, _description in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Lisez-moi")
    guide.append(["colonne", "contenu"])
    for name, description in columns:
        guide.append([name, description])
    guide.append([])
    guide.append(["", note])
    if lists:
        values = workbook.create_sheet("Listes")
        for position, (name, items) in enumerate(lists.items(), start=1):
            letter = get_column_letter(position)
            values.cell(row=1, column=position, value=name).font = Font(bold=True)
            for row, item in enumerate(items, start=2):
                values.cell(row=row, column=position, value=neutralise(item))
            if not items:
                continue
            column = [n for n, _d in columns].index(name) + 1
            choice = DataValidation(
                type="list",
                formula1=f"{quote_sheetname('Listes')}!${letter}$2:${letter}${len(items) + 1}",
                allow_blank=True,
            )
            sheet.add_data_validation(choice)
            choice.add(f"{get_column_letter(column)}2:{get_column_letter(column)}5000")
    if extra_sheet is not None:
        name, header, rows = extra_sheet
        extra = workbook.create_sheet(name)
        extra.append(header)
        for cell in extra[1]:
            cell.font = Font(bold=True)
        for row in rows:
            extra.append([neutralise(value) for value in row])
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        workbook.save(handle.name)
        path = Path(handle.name)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=file_name)
    path.unlink()
    return response


def export_view(request: HttpRequest) -> HttpResponse:
    """Download a search result (the same filters as the search page) in a format."""
    fmt = request.GET.get("format", "csv")
    if fmt not in MEDIA_TYPES:
        return HttpResponse(_("Format d'export inconnu : %(format)s") % {"format": fmt}, status=400)
    personal = request.GET.get("donnees_personnelles") == "1"
    if personal and not request.user.has_perm(CAN_SEE_PERSONAL_DATA):
        return HttpResponse(
            _("Export des données personnelles réservé aux utilisateurs habilités."), status=403
        )
    query = request.GET.copy()
    for key in ("format", "donnees_personnelles", "page", "tri"):
        query.pop(key, None)
    try:
        selection = select(query.urlencode(), reader=request.user)
    except SelectionError as exc:
        return HttpResponse(str(exc), status=400)
    if selection.partnerships.count() > settings.EXPORT_ASYNC_ROWS:
        return _export_job(request, fmt, query.urlencode(), personal)
    return export_response(fmt, selection, personal_data=personal)


def _export_job(request: HttpRequest, fmt: str, query: str, personal: bool) -> HttpResponse:
    """Queue a large export for the worker and send to its page (a visitor not signed in follows
    it through the session)."""
    params = {"format": fmt, "query": query, "personal_data": personal}
    if request.user.is_authenticated:
        job = submit(Job.Kind.EXPORT, request.user, params)
    else:
        job = submit(Job.Kind.EXPORT, None, params)
        request.session[SESSION_EXPORTS] = [*request.session.get(SESSION_EXPORTS, [])[-19:], job.pk]
    return redirect("web:job", pk=job.pk)


# (format, label) of the exports offered under a search; those that can hold personal data.
EXPORT_LINKS = (
    ("csv", "CSV (Excel)"),
    ("xlsx", "XLSX"),
    ("json", "JSON"),
    ("geojson", "GeoJSON"),
    ("iati", "IATI XML"),
)
PERSONAL_EXPORT_FORMATS = ("csv", "xlsx", "json")
CAN_SEE_PERSONAL_DATA = "coopatlas.personal_data_export"  # accounts.permissions


def export_links(
    request: HttpRequest, params: dict[str, list[str]], *, personal_data: bool = False
) -> list[tuple[str, str]]:
    """Return (label, address) of each export of a search given by its `params` (as
    `SearchQuery.as_params` reads them: values only, never an empty field), for the search page.

    With `personal_data`, the exports that hold contacts and volunteers, offered only to users
    entitled to personal data (an empty list for anyone else)."""
    if personal_data and not request.user.has_perm(CAN_SEE_PERSONAL_DATA):
        return []
    pairs = [
        (key, value)
        for key, values in params.items()
        if key not in ("page", "tri")
        for value in values
        if value
    ]
    links = []
    for fmt, label in EXPORT_LINKS:
        if personal_data and fmt not in PERSONAL_EXPORT_FORMATS:
            continue
        extra = [("format", fmt)] + ([("donnees_personnelles", "1")] if personal_data else [])
        links.append((label, f"{reverse('web:export')}?{urlencode(pairs + extra)}"))
    return links
