"""The task the worker runs (django-tasks): one job, whatever its kind, from its parameters."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django_tasks import task

from coopatlas.ingest.errors import FileRejected, WriteBusy, is_lock_error
from coopatlas.jobs import uploads
from coopatlas.jobs.models import Job
from coopatlas.jobs.service import Progress, mark

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """A job that cannot be done, said in French and English."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.fr, self.en = fr, en


@task()
def run_job(job_id: int) -> None:
    """Run the job `job_id`; its state, progress and result go to its row, never an exception."""
    job = Job.objects.filter(pk=job_id, state=Job.State.PENDING).first()
    if job is None:
        return
    mark(job, Job.State.RUNNING)
    try:
        # Owner 0: an export asked for by a visitor who is not signed in (see web.imports).
        owner = get_user_model().objects.get(pk=job.owner_id) if job.owner_id else AnonymousUser()
        result = RUNNERS[job.kind](job, owner)
    except (JobFailed, FileRejected) as exc:
        mark(job, Job.State.FAILED, error_fr=exc.fr, error_en=exc.en)
    except OperationalError as exc:
        if not is_lock_error(exc):
            raise
        busy = WriteBusy()
        mark(job, Job.State.FAILED, error_fr=busy.fr, error_en=busy.en)
    except Exception:
        logger.exception("job %s failed", job.pk)
        mark(
            job,
            Job.State.FAILED,
            error_fr="Erreur inattendue : la tâche n'a pas abouti, rien n'a été écrit.",
            error_en="Unexpected error: the job did not finish, nothing was written.",
        )
        raise
    else:
        mark(job, Job.State.DONE, result=result)
    finally:
        uploads.sweep()


def _import_request(job: Job, owner, *, dry_run: bool):
    from coopatlas.ingest.service import ImportRequest

    params = job.params
    try:
        path = uploads.path_of(params["upload"])
    except ValueError as exc:
        raise JobFailed("Fichier d'import inconnu.", "Unknown import file.") from exc
    return ImportRequest(
        path=path,
        source=params["source"],
        dry_run=dry_run,
        skip_invalid=params.get("skip_invalid", False),
        mapping=params.get("mapping") or None,
        publication_state=params.get("publication_state") or None,
        acting_user=owner,
        file_name=params.get("file_name") or "",
    )


def _report(report, notes: list[str]) -> dict:
    data = report.as_dict()
    data["summary_fr"] = report.summary_fr()
    data["notes"] = notes
    return data


def import_preview(job: Job, owner) -> dict:
    """A dry run of the uploaded file; the file is kept for the confirmation."""
    from coopatlas.ingest.readers.table import ColumnsUnknown
    from coopatlas.ingest.service import import_file

    try:
        report, notes = import_file(_import_request(job, owner, dry_run=True), progress=Progress(job))
    except ColumnsUnknown as exc:
        if not job.params.get("picker"):  # queued by the API: refused, as a small file would be
            uploads.discard(job.params.get("upload", ""))
            raise
        # The file is kept: the person picks its columns, and the same upload is previewed again.
        return {"columns": columns_to_pick(exc)}
    except (FileRejected, JobFailed):
        uploads.discard(job.params.get("upload", ""))
        raise
    return _report(report, notes)


MAX_PICKED_COLUMNS = 200  # a table's columns offered in the picker (a wider file is no table of ours)


def columns_to_pick(exc) -> dict:
    """What the column picker shows: the file's named columns, our guesses, the fields missing."""
    header = [h for h in exc.header if h][:MAX_PICKED_COLUMNS]
    return {
        "header": header,
        "guesses": {field: column for field, column in exc.guesses.items() if column in header},
        "missing": exc.missing,
        "fr": exc.fr,
        "en": exc.en,
    }


def import_confirm(job: Job, owner) -> dict:
    """The import previewed, for real, if its file is still the one previewed."""
    from coopatlas.ingest.files import sha256_of
    from coopatlas.ingest.service import import_file

    request = _import_request(job, owner, dry_run=False)
    try:
        if not request.path.exists() or sha256_of(request.path) != job.params.get("sha256"):
            raise JobFailed(
                "Le fichier prévisualisé n'est plus disponible : déposez-le à nouveau.",
                "The previewed file is no longer available: upload it again.",
            )
        report, notes = import_file(request, progress=Progress(job))
    finally:
        uploads.discard(job.params.get("upload", ""))
    return _report(report, notes)


def undo(job: Job, owner) -> dict:
    from coopatlas.atlas.models import ImportBatch
    from coopatlas.atlas.services.undo import UndoError, batch_undo

    number = job.params.get("batch")
    batch = ImportBatch.objects.filter(pk=number).first()
    if batch is None:
        raise JobFailed(f"Lot inconnu : {number}.", f"Unknown batch: {number}.")
    try:
        counts = batch_undo(batch, acting_user=owner)
    except UndoError as exc:
        raise JobFailed(str(exc), str(exc)) from exc
    return {"batch": batch.pk, **counts}


def extraction(job: Job, owner) -> dict:
    """Read the page given, keep it and its candidates for review."""
    from coopatlas.extraction.pages import PageError
    from coopatlas.extraction.review import save_page
    from coopatlas.extraction.service import extract_text

    name = job.params.get("upload", "")
    try:
        data = uploads.path_of(name).read_bytes()
        page, candidates = extract_text(
            data, url=job.params.get("url", ""), base_authority=job.params.get("base_authority") or None
        )
    except PageError as exc:
        raise JobFailed(exc.fr, exc.en) from exc
    except (ValueError, FileNotFoundError) as exc:
        raise JobFailed("Texte à lire introuvable.", "Text to read not found.") from exc
    finally:
        uploads.discard(name)
    stored = save_page(page, candidates, owner)
    return {"page": stored.pk, "candidates": len(candidates)}


def export_file(job: Job, owner) -> dict:
    """Write an export of a search to a file of var/uploads/ (swept after a day), with progress;
    what is exported follows the owner's rights now, not the request's."""
    from coopatlas.exports.naming import export_file_name
    from coopatlas.exports.selection import SelectionError, select
    from coopatlas.exports.service import MEDIA_TYPES, export

    params = job.params
    fmt = params.get("format", "")
    personal = bool(params.get("personal_data"))
    if fmt not in MEDIA_TYPES:
        raise JobFailed(f"Format d'export inconnu : {fmt}.", f"Unknown export format: {fmt}.")
    if personal and not owner.has_perm("coopatlas.personal_data_export"):
        raise JobFailed(
            "Export des données personnelles réservé aux utilisateurs habilités.",
            "Exports with personal data are for authorised users only.",
        )
    try:
        selection = select(
            params.get("query", ""),
            published_only=bool(params.get("published_only")),
            reader=owner,
        )
    except SelectionError as exc:
        raise JobFailed(str(exc), str(exc)) from exc
    _content_type, extension = MEDIA_TYPES[fmt]
    name = uploads.reserve(extension)
    total = selection.partnerships.count()
    progress = Progress(job)
    progress(0, 0, total)
    count = export(
        fmt,
        selection,
        uploads.path_of(name),
        personal_data=personal,
        progress=lambda rows: progress(rows, rows, total),
    )
    return {
        "file": name,
        "name": export_file_name(selection, extension, personal_data=personal),
        "format": fmt,
        "count": count,
        "file_url": f"/api/v1/jobs/{job.pk}/file",
    }


RUNNERS = {
    Job.Kind.IMPORT_PREVIEW: import_preview,
    Job.Kind.IMPORT: import_confirm,
    Job.Kind.UNDO: undo,
    Job.Kind.EXTRACTION: extraction,
    Job.Kind.EXPORT: export_file,
}
