"""Extraction in the web app: paste a text or upload a page → review its candidates with their
evidence highlighted → accept (as found or edited), merge into a partnership, or reject."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.atlas.choices import PartnershipForm
from coopatlas.atlas.models import Partnership, Theme
from coopatlas.extraction import scorer
from coopatlas.extraction.models import Candidate, ExtractedPage
from coopatlas.extraction.pages import MAX_INPUT_BYTES, PageError
from coopatlas.extraction.review import KIND_TO_FORM, ReviewError, accept, merge, reject, save_page
from coopatlas.extraction.service import extract_text
from coopatlas.jobs import uploads
from coopatlas.jobs.models import Job
from coopatlas.jobs.service import submit
from coopatlas.places.models import Country
from coopatlas.web.accounts import permission_required

CAN_EXTRACT = "coopatlas.extraction_accept"  # accounts.permissions
# A text up to this long is read inside the request (under a second); a longer one, or any page
# big enough to take a core for long (1 MB of text takes half a minute), goes to the worker.
INLINE_CHARS = 20_000
KINDS = ["jumelage", "cooperation_agreement", "protocol", "friendship_pact", "project", "other"]


def _message(error) -> str:
    return error.en if (get_language() or "fr").startswith("en") else error.fr


@permission_required(CAN_EXTRACT)
def extraction_form(request: HttpRequest) -> HttpResponse:
    """The form (paste or upload) and the pages read lately."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size > MAX_INPUT_BYTES:
                messages.error(
                    request, _("Fichier trop gros (10 Mo au plus) : %(name)s") % {"name": upload.name}
                )
                return redirect("web:extraction")
            data: bytes | str = upload.read()
        else:
            data = request.POST.get("text", "")
        url = request.POST.get("url", "").strip()
        base_authority = request.POST.get("base_authority", "").strip() or None
        if len(data) > INLINE_CHARS:
            stored_name = uploads.store([data if isinstance(data, bytes) else data.encode("utf-8")])
            job = submit(
                Job.Kind.EXTRACTION,
                request.user,
                {"upload": stored_name, "url": url, "base_authority": base_authority or ""},
            )
            return redirect("web:job", pk=job.pk)
        try:
            page, candidates = extract_text(data, url=url, base_authority=base_authority)
        except PageError as error:
            messages.error(request, _message(error))
            return redirect("web:extraction")
        stored = save_page(page, candidates, request.user)
        return redirect("web:extraction_review", pk=stored.pk)
    pages = ExtractedPage.objects.annotate(
        found=Count("candidates"), pending=Count("candidates", filter=Q(candidates__status="pending"))
    ).order_by("-created_at")[:20]
    return render(request, "web/extraction.html", {"pages": pages})


def highlight(text: str, start: int, end: int, names: list[str], page_text: str) -> str:
    """The evidence, escaped, with the pair's names marked (never the page's own markup)."""
    evidence = page_text[start:end] if 0 <= start < end <= len(page_text) else text
    spans = []
    lowered = evidence.lower()
    for name in names:
        if name and (index := lowered.find(name.lower())) >= 0:
            spans.append((index, index + len(name)))
    spans.sort()
    parts, position = [], 0
    for s, e in spans:
        if s < position:
            continue
        parts.append(escape(evidence[position:s]))
        parts.append(f"<mark>{escape(evidence[s:e])}</mark>")
        position = e
    parts.append(escape(evidence[position:]))
    return mark_safe("".join(parts))  # noqa: S308 — every piece above is escaped


def _existing(data: dict) -> list[Partnership]:
    """Partnerships already in the atlas with this partner (and this French authority first):
    where the candidate may be merged rather than added again."""
    foreign = Partnership.objects.filter(
        participations__organisation__name__iexact=data.get("foreign_authority") or "",
        participations__organisation__country_id=data.get("country_iso2") or "",
    ).distinct()
    same_pair = foreign.filter(participations__organisation__name__iexact=data.get("french_authority") or "")
    return list(same_pair[:5]) or list(foreign.order_by("-pk")[:5])


@permission_required(CAN_EXTRACT)
def extraction_review(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(ExtractedPage, pk=pk)
    countries = {c.iso2: c.display_name for c in Country.objects.all()}
    kinds = [(kind, PartnershipForm(KIND_TO_FORM[kind]).label) for kind in KINDS]
    labels = dict(kinds)
    rows = []
    candidates = list(page.candidates.select_related("partnership"))
    tags = {tag for candidate in candidates for tag in candidate.data.get("themes") or []}
    # each extraction tag by the name of the broadest atlas theme it stands for
    themes = Theme.objects.filter(tag__in=tags).order_by("-level", "-pk")
    theme_names = {theme.tag: theme.display_name for theme in themes}  # the broadest wins
    for candidate in candidates:
        data = candidate.data
        evidence = data.get("evidence") or {}
        confidence = float(data.get("confidence") or 0.0)
        right = scorer.share_right(confidence)
        rows.append(
            {
                "confidence": confidence,
                "themes": [theme_names.get(tag, tag) for tag in data.get("themes") or []],
                "sure": scorer.is_sure(confidence),
                "share_right": round(100 * right) if right is not None else None,
                "candidate": candidate,
                "data": data,
                "country": countries.get(data.get("country_iso2") or "", data.get("country") or "?"),
                "existing": _existing(data) if candidate.status == Candidate.Status.PENDING else [],
                "kind": labels.get(data.get("kind"), data.get("kind")),
                "evidence": highlight(
                    evidence.get("text", ""),
                    evidence.get("start", 0),
                    evidence.get("end", 0),
                    [data.get("french_authority"), data.get("foreign_authority")],
                    page.text,
                ),
            }
        )
    rows.sort(key=lambda row: -row["confidence"])  # the surest first
    context = {
        "page": page,
        "likely": [row for row in rows if row["sure"]],
        "to_check": [row for row in rows if not row["sure"]],
        "kinds": kinds,
    }
    return render(request, "web/extraction_review.html", context)


@permission_required(CAN_EXTRACT)
@require_POST
def extraction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.select_related("page"), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "accept":
            changes = {
                name: request.POST.get(name)
                for name in ("french_authority", "foreign_authority", "country_iso2", "year", "kind")
            }
            partnership = accept(candidate, request.user, changes)
            messages.success(request, _("Partenariat créé : %(title)s") % {"title": partnership.title})
        elif action == "merge":
            target = (request.POST.get("partnership") or request.POST.get("partnership_other") or "").strip()
            if not target.isdigit() or not Partnership.objects.filter(pk=target).exists():
                messages.error(
                    request, _("Numéro de partenariat inconnu : « %(value)s »") % {"value": target}
                )
                return redirect("web:extraction_review", pk=candidate.page_id)
            merge(candidate, Partnership.objects.get(pk=target), request.user)
            messages.success(request, _("Source ajoutée au partenariat n° %(pk)s.") % {"pk": target})
        elif action == "reject":
            reject(candidate, request.user)
            messages.success(request, _("Candidat rejeté."))
        else:
            messages.error(request, _("Action inconnue."))
    except ReviewError as error:
        messages.error(request, _message(error))
    return redirect("web:extraction_review", pk=candidate.page_id)
