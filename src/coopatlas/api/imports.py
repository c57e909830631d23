"""Imports and exports through the API: the same pipeline as the command line and the web app.

Importing needs a signed-in user allowed to add partnerships (session authentication, with the
CSRF token); exporting follows the search page's filters and never includes personal data.

A file up to settings.IMPORT_ASYNC_BYTES is imported inside the request (200 with the report). A larger one is
queued for the worker: 202 with the job's address, `GET /api/v1/jobs/{id}` follows it (state,
progress, then the same report). When another write holds SQLite's lock past its busy timeout,
the answer is 503 with Retry-After, and nothing is written.
"""

import hashlib
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, JsonResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from coopatlas.api.schemas import ErrorOut
from coopatlas.atlas.models import ImportBatch
from coopatlas.exports.responses import export_response
from coopatlas.exports.selection import SelectionError, select
from coopatlas.exports.service import MEDIA_TYPES
from coopatlas.ingest.errors import FileRejected, WriteBusy
from coopatlas.ingest.service import SOURCES, ImportRequest, import_file
from coopatlas.jobs import uploads
from coopatlas.jobs.models import Job
from coopatlas.jobs.service import submit

router = Router(tags=["imports and exports"])

RETRY_AFTER_SECONDS = 30


class JobQueuedOut(Schema):
    job: int
    url: str
    state: str


class JobOut(Schema):
    id: int
    kind: str
    state: str
    rows: int
    bytes_read: int
    bytes_total: int
    percent: int | None
    error: str
    result: dict


class RowErrorOut(Schema):
    where: str
    field: str
    value: str
    fr: str
    en: str


class ImportOut(Schema):
    batch: int | None
    dry_run: bool
    rolled_back: bool
    counts: dict[str, int]
    errors: list[RowErrorOut]
    conflicts: list[str]
    to_review: list[str]
    notes: list[str]


class BatchOut(Schema):
    id: int
    source: str
    file: str
    started_at: str
    counts: dict
    undone: bool


@router.post(
    "/imports",
    auth=django_auth,
    response={200: ImportOut, 202: JobQueuedOut, 400: ErrorOut, 403: ErrorOut, 503: ErrorOut},
    summary="Import a file (dry run by default); a large file is queued (202)",
)
def import_upload(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008 - django-ninja's way of declaring a file
    source: str = Form(...),  # noqa: B008
    dry_run: bool = Form(True),  # noqa: B008
    skip_invalid: bool = Form(False),  # noqa: B008
    mapping: str | None = Form(None),  # noqa: B008
):
    if not request.user.has_perm("coopatlas.import_run"):
        return Status(
            403, {"detail": "Import réservé aux utilisateurs autorisés à ajouter des partenariats."}
        )
    if source not in SOURCES:
        return Status(400, {"detail": f"Source inconnue : {source} (admises : {', '.join(SOURCES)})"})
    if (file.size or 0) > settings.IMPORT_ASYNC_BYTES:
        digest = hashlib.sha256()

        def chunks():
            for chunk in file.chunks():
                digest.update(chunk)
                yield chunk

        stored = uploads.store(chunks(), file.name or "")
        params = {
            "upload": stored,
            "file_name": file.name or stored,
            "sha256": digest.hexdigest(),
            "source": source,
            "skip_invalid": skip_invalid,
            "mapping": mapping or "",
            "publication_state": "",  # as a small file: the record's own state, else the default
        }
        job = submit(Job.Kind.IMPORT_PREVIEW if dry_run else Job.Kind.IMPORT, request.user, params)
        return Status(202, {"job": job.pk, "url": f"/api/v1/jobs/{job.pk}", "state": job.state})
    suffix = Path(file.name or "").suffix.lower()[:8]
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
        for chunk in file.chunks():
            handle.write(chunk)
        path = Path(handle.name)
    try:
        report, notes = import_file(
            ImportRequest(
                path=path,
                source=source,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                mapping=mapping,
                acting_user=request.user if request.user.is_authenticated else None,
                file_name=file.name or path.name,
            )
        )
    except WriteBusy as exc:
        busy = JsonResponse({"detail": f"{exc.fr} / {exc.en}"}, status=503)
        busy["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return busy
    except FileRejected as exc:
        return Status(400, {"detail": exc.fr})
    finally:
        path.unlink(missing_ok=True)
    data = report.as_dict()
    return Status(
        200,
        {
            "batch": data["batch"],
            "dry_run": data["dry_run"],
            "rolled_back": data["rolled_back"],
            "counts": data["counts"],
            "errors": data["errors"],
            "conflicts": data["conflicts"],
            "to_review": data["to_review"],
            "notes": notes,
        },
    )


@router.get(
    "/jobs/{job_id}",
    auth=django_auth,
    response={200: JobOut, 404: ErrorOut},
    summary="A queued job: its state, progress and result",
)
def job_detail(request: HttpRequest, job_id: int):
    """`state` is pending, running, done or failed; `result` is the import's report once done."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.visible_to(request.user):
        return Status(404, {"detail": f"Tâche inconnue : {job_id}"})
    return Status(
        200,
        {
            "id": job.pk,
            "kind": job.kind,
            "state": job.state,
            "rows": job.rows,
            "bytes_read": job.done,
            "bytes_total": job.total,
            "percent": job.percent,
            "error": f"{job.error_fr} / {job.error_en}" if job.error_fr else "",
            "result": job.result,
        },
    )


@router.get(
    "/imports", auth=django_auth, response={200: list[BatchOut], 403: ErrorOut}, summary="Import batches"
)
def import_batches(request: HttpRequest):
    if not request.user.has_perm("coopatlas.import_run"):
        return Status(403, {"detail": "Réservé aux utilisateurs autorisés à importer."})
    return Status(
        200,
        [
            {
                "id": b.pk,
                "source": b.source_kind,
                "file": b.file_name,
                "started_at": b.started_at.isoformat(),
                "counts": b.counts,
                "undone": b.undone_at is not None,
            }
            for b in ImportBatch.objects.all()[:200]
        ],
    )


@router.get(
    "/export",
    response={400: ErrorOut, 202: JobQueuedOut},
    summary="Export published partnerships matching search filters",
    # The 200 answer is a file, which no response schema describes: declared by hand.
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, in the format asked for",
                "content": {
                    media_type.split(";")[0]: {
                        "schema": {"type": "object"}
                        if media_type.split(";")[0].endswith("json")
                        else {"type": "string", "format": "binary"}
                    }
                    for media_type, _ in MEDIA_TYPES.values()
                },
            }
        }
    },
)
def export_file(request: HttpRequest, format: str = "json"):  # noqa: A002 - the public parameter's name
    """Filters are those of the search page (`q`, `pays`, `theme`, `debut_min`…); the file holds
    published partnerships only, without personal data. It is streamed as it is written; for a
    signed-in user, an export of more than settings.EXPORT_ASYNC_ROWS partnerships is queued
    instead: 202 with the job to follow, whose `result.file_url` gives the file when done."""
    if format not in MEDIA_TYPES:
        return Status(400, {"detail": f"Format inconnu : {format} (admis : {', '.join(MEDIA_TYPES)})"})
    query = request.GET.copy()
    query.pop("format", None)
    try:
        selection = select(query.urlencode(), published_only=True)
    except SelectionError as exc:
        return Status(400, {"detail": str(exc)})
    if request.user.is_authenticated and selection.partnerships.count() > settings.EXPORT_ASYNC_ROWS:
        params = {"format": format, "query": query.urlencode(), "published_only": True}
        job = submit(Job.Kind.EXPORT, request.user, params)
        return Status(202, {"job": job.pk, "url": f"/api/v1/jobs/{job.pk}", "state": job.state})
    return export_response(format, selection)


@router.get(
    "/jobs/{job_id}/file",
    auth=django_auth,
    response={404: ErrorOut},
    summary="The file an export job wrote",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def job_file(request: HttpRequest, job_id: int):
    """The export's file once the job is done (`result.file_url` in the job); kept for a day."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.visible_to(request.user) or job.kind != Job.Kind.EXPORT:
        return Status(404, {"detail": f"Tâche inconnue : {job_id}"})
    if job.state != Job.State.DONE:
        return Status(404, {"detail": f"Export pas encore terminé : {job.get_state_display()}"})
    try:
        handle = uploads.path_of(job.result.get("file", "")).open("rb")
    except (ValueError, FileNotFoundError):
        return Status(404, {"detail": "Fichier expiré : relancez l'export."})
    content_type, _extension = MEDIA_TYPES[job.result["format"]]
    return FileResponse(handle, as_attachment=True, filename=job.result["name"], content_type=content_type)
