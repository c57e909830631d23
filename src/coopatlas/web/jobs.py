"""A job's page: its state and progress while the worker runs it (the page asks again every two
seconds), then its result — an import's preview, the import or undo done, the page read."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext

from coopatlas.ingest.errors import note_en, where_en
from coopatlas.jobs import uploads
from coopatlas.jobs.models import Job

# The session key listing the export jobs a visitor who is not signed in has asked for.
SESSION_EXPORTS = "export_jobs"


def _own_job(request: HttpRequest, pk: int) -> Job:
    """The job, if the user may see it (its owner, or staff; for a visitor not signed in, an
    export this session asked for); 404 otherwise, as if it did not exist."""
    job = Job.objects.filter(pk=pk).first()
    if job is None:
        raise Http404("Tâche inconnue.")
    if job.visible_to(request.user):
        return job
    if job.owner_id == 0 and job.kind == Job.Kind.EXPORT and pk in request.session.get(SESSION_EXPORTS, []):
        return job
    raise Http404("Tâche inconnue.")


def _signed_in_or_session_export(view):
    """Like login_required, except for the exports the visitor's session asked for."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.is_authenticated and pk not in request.session.get(SESSION_EXPORTS, []):
            return redirect_to_login(request.get_full_path())
        return view(request, pk)

    return wrapper


@_signed_in_or_session_export
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.state == Job.State.DONE and job.kind == Job.Kind.EXTRACTION:
        return redirect("web:extraction_review", pk=job.result["page"])
    context = {"job": job}
    if job.state == Job.State.DONE and job.kind == Job.Kind.IMPORT_PREVIEW and "columns" in job.result:
        return render(request, "web/import_columns.html", {**context, **_picker(job)})
    if job.state == Job.State.DONE and job.kind == Job.Kind.IMPORT_PREVIEW:
        report = job.result
        listed = report.get("listed", [])
        english = get_language() == "en"
        for row in [*listed, *report["errors"][:200]]:
            row["where_shown"] = where_en(row["where"]) if english else row["where"]
        total = sum(
            report["counts"].get(k, 0) for k in ("created", "updated", "unchanged", "skipped", "rejected")
        )
        context.update(
            report=report,
            errors=report["errors"][:200],
            notes=[note_en(n) for n in report.get("notes", [])] if english else report.get("notes", []),
            name=job.params.get("file_name", ""),
            listed=listed,
            total=total,
            others=max(0, total - len(listed)),
            can_confirm=not report["errors"] or job.params.get("skip_invalid"),
            confirmed=bool(job.params.get("confirmed_by")),
        )
        return render(request, "web/import_preview.html", context)
    return render(request, "web/job.html", context)


def _picker(job: Job) -> dict:
    """The column picker of a preview whose file's columns are not ours: one row per field of our
    template, the file's columns to choose from, the guess (or the previous pick) chosen."""
    import json

    from coopatlas.ingest.readers.table import FIELDS, REQUIRED

    columns = job.result["columns"]
    try:
        picked = json.loads(job.params.get("mapping") or "{}") if job.params.get("picked_from") else {}
    except ValueError:
        picked = {}
    chosen = {**columns["guesses"], **{k: v for k, v in picked.items() if v in columns["header"]}}
    fields = [
        {
            "name": name,
            # The template's French descriptions, translated through the catalogue.
            "description": gettext(description),
            "required": name in (*REQUIRED, "collectivite_francaise"),
            "chosen": chosen.get(name, ""),
        }
        for name, (description, _aliases) in FIELDS.items()
    ]
    # What is needed first (the French authority by its name or INSEE code), then the template's order.
    first = ["collectivite_francaise", "code_insee", *REQUIRED]
    fields.sort(key=lambda field: first.index(field["name"]) if field["name"] in first else len(first))
    return {
        "name": job.params.get("file_name", ""),
        "header": columns["header"],
        "fields": fields,
        "missing": [gettext(name) for name in columns["missing"]],
        "again": bool(job.params.get("picked_from")),
    }


@_signed_in_or_session_export
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The state part of the job's page, asked again by htmx until the job is finished; then the
    whole page is reloaded to show the result."""
    job = _own_job(request, pk)
    response = render(request, "web/_job_status.html", {"job": job})
    if job.finished:
        response["HX-Refresh"] = "true"
    return response


@_signed_in_or_session_export
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file an export job wrote, as an attachment named for its search; 404 before it is
    done or once it has been swept (a day later)."""
    from coopatlas.exports.service import MEDIA_TYPES

    job = _own_job(request, pk)
    if job.kind != Job.Kind.EXPORT or job.state != Job.State.DONE:
        raise Http404("Fichier inconnu.")
    try:
        path = uploads.path_of(job.result.get("file", ""))
        handle = path.open("rb")
    except (ValueError, FileNotFoundError) as exc:
        raise Http404("Fichier expiré : relancez l'export.") from exc
    content_type, _extension = MEDIA_TYPES[job.result["format"]]
    return FileResponse(handle, as_attachment=True, filename=job.result["name"], content_type=content_type)
