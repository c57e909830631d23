"""The review queue (/revue/): a coordinator's submitted records, each with what changed since
its published version, to publish or send back with a comment; and the import batches whose
drafts it may publish in one action."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coopatlas.accounts.models import RoleKind
from coopatlas.accounts.permissions import EDITING_KINDS, REVIEWING_KINDS, describe_roles, may, scope_of
from coopatlas.atlas.choices import PublicationState
from coopatlas.atlas.models import PROPOSABLE_FIELDS, ImportBatch, Partnership, ProposalState, ProposedChange
from coopatlas.atlas.services.workflow import (
    change_accept,
    change_propose,
    change_refuse,
    partnership_publish,
    partnership_send_back,
    partnership_submit,
    partnership_verify,
    partnerships_publish,
)
from coopatlas.web.accounts import login_required

# The fields of a partnership a reviewer compares (the rest is bookkeeping).
COMPARED_EXCLUDED = ["updated_at", "created_at", "publication_state", "import_hash", "imported_at"]


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class Waiting:
    partnership: Partnership
    submitted_by: str
    submitted_at: object
    changes: list[Change]
    is_new: bool


def _review_scope(user):
    scope = scope_of(user, EDITING_KINDS)
    if scope.empty:
        raise PermissionDenied(
            _(
                "La revue est réservée aux éditeurs, aux coordinateurs d'un territoire et à "
                "l'équipe de l'atlas (vos rôles : %(roles)s)."
            )
            % {"roles": describe_roles(user)}
        )
    return scope


def waiting_for(user):
    """Return the submitted partnerships the user reviews (the header's counter reads it)."""
    return Partnership.objects.waiting_review_by(user)


def sent_back_to(user):
    """Return the drafts of the user's organisations that a reviewer sent back (with a comment)."""
    scope = scope_of(user, (RoleKind.EDITOR,))
    if scope.empty:
        return Partnership.objects.none()
    return (
        Partnership.objects.filter(publication_state=PublicationState.DRAFT)
        .within(scope)
        .filter(
            publication_steps__from_state=PublicationState.SUBMITTED,
            publication_steps__to_state=PublicationState.DRAFT,
        )
        .distinct()
    )


def _waiting(partnership: Partnership) -> Waiting:
    history = partnership.history.select_related("history_user")
    latest = history.first()
    # The version the public saw: as the last publication left it (records published before the
    # workflow existed have no step: their last published history row).
    publication = partnership.publication_steps.filter(to_state=PublicationState.PUBLISHED).last()
    if publication is not None:
        published = history.filter(history_date__lte=publication.at).first()
    else:
        published = history.filter(publication_state=PublicationState.PUBLISHED).first()
    changes = []
    if latest is not None and published is not None:
        delta = latest.diff_against(published, excluded_fields=COMPARED_EXCLUDED)
        changes = [
            Change(Partnership._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes
        ]
    step = (
        partnership.publication_steps.filter(to_state=PublicationState.SUBMITTED)
        .select_related("actor")
        .last()
    )
    who = step.actor if step is not None else None
    return Waiting(
        partnership=partnership,
        submitted_by=(who.get_full_name() or who.email or who.get_username()) if who else "—",
        submitted_at=step.at if step is not None else None,
        changes=changes,
        is_new=published is None,
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _review_scope(request.user)
    scope = scope_of(request.user, REVIEWING_KINDS)
    waiting = [
        _waiting(p)
        for p in waiting_for(request.user)
        .prefetch_related("participations__organisation")
        .order_by("updated_at")[:100]
    ]
    drafts = Q(
        created_partnerships__publication_state__in=[PublicationState.DRAFT, PublicationState.SUBMITTED]
    )
    in_scope = Q(created_partnerships__in=Partnership.objects.within(scope))
    batches = (
        ImportBatch.objects.filter(undone_at__isnull=True)
        .annotate(drafts=Count("created_partnerships", filter=drafts & in_scope))
        .filter(drafts__gt=0)
        .order_by("-started_at")[:50]
    )
    proposals = [_proposal(p) for p in proposals_for(request.user)[:100]]
    sent_back = [
        (p, p.publication_steps.filter(to_state=PublicationState.DRAFT).last())
        for p in sent_back_to(request.user).order_by("-updated_at")[:100]
    ]
    return render(
        request,
        "web/review.html",
        {"waiting": waiting, "batches": batches, "proposals": proposals, "sent_back": sent_back},
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_object_or_404(Partnership, pk=pk)
    return _decide(
        request,
        partnership,
        {
            "publish": (partnership_publish, _("« %(p)s » est publié.")),
            "send_back": (partnership_send_back, _("« %(p)s » est renvoyé en brouillon à ses éditeurs.")),
        },
        _("Choisissez « Publier » ou « Renvoyer »."),
    )


def _decide(request: HttpRequest, record, decisions: dict, unknown: str) -> HttpResponse:
    """Apply the decision posted (`decision`, with its `comment`) through its service, say what
    happened (or why not), and go back to the queue."""
    chosen = decisions.get(request.POST.get("decision", ""))
    if chosen is None:
        messages.error(request, unknown)
        return redirect("web:review")
    service, done = chosen
    try:
        service(record, acting_user=request.user, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"p": record})
    return redirect("web:review")


@login_required
@require_POST
def review_publish_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    _review_scope(request.user)
    drafts = Partnership.objects.filter(
        created_by_batch=batch, publication_state__in=[PublicationState.DRAFT, PublicationState.SUBMITTED]
    )
    outcome = partnerships_publish(drafts.iterator(chunk_size=2000), acting_user=request.user, batch=batch)
    messages.success(
        request,
        _("Lot n° %(n)s : %(published)s partenariat(s) publié(s), %(refused)s hors de votre périmètre.")
        % {"n": batch.pk, "published": outcome.published, "refused": len(outcome.refused)},
    )
    return redirect("web:review")


class ProposalForm(forms.ModelForm):
    """The fields a contributor may correct, prefilled with today's values, and a message."""

    message = forms.CharField(
        label=_("Message (ce qui est faux, ce qui manque)"), widget=forms.Textarea, required=False
    )
    source_url = forms.URLField(
        label=_("Source (adresse d'une page qui l'atteste)"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Partnership
        fields = list(PROPOSABLE_FIELDS)


@login_required
def propose_change(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = get_object_or_404(Partnership.objects.published(), pk=pk)
    form = ProposalForm(request.POST or None, instance=Partnership.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: form[name].value() for name in PROPOSABLE_FIELDS if name in form.changed_data}
        try:
            change_propose(
                partnership,
                acting_user=request.user,
                changes=changes,
                message=data.get("message") or "",
                source_url=data.get("source_url") or "",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Merci : votre proposition est transmise aux éditeurs de ce partenariat.")
            )
            return redirect(partnership.get_absolute_url())
    return render(request, "web/propose_change.html", {"partnership": partnership, "form": form})


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(ProposedChange.objects.select_related("partnership", "author"), pk=pk)
    return _decide(
        request,
        proposal,
        {
            "accept": (change_accept, _("%(p)s : acceptée et appliquée.")),
            "refuse": (change_refuse, _("%(p)s : refusée.")),
        },
        _("Choisissez « Accepter » ou « Refuser »."),
    )


@dataclass
class Proposal:
    proposal: ProposedChange
    changes: list[Change]


def proposals_for(user):
    """Return the open proposals on the records the user decides on (editors and coordinators)."""
    scope = scope_of(user, EDITING_KINDS)
    if scope.empty:
        return ProposedChange.objects.none()
    return ProposedChange.objects.filter(
        state=ProposalState.OPEN, partnership__in=Partnership.objects.within(scope)
    ).select_related("partnership", "author", "batch")


def _proposal(proposal: ProposedChange) -> Proposal:
    partnership = proposal.partnership
    changes = []
    for name, value in proposal.changes.items():
        model_field = Partnership._meta.get_field(name)
        changes.append(Change(model_field.verbose_name, model_field.value_to_string(partnership), value))
    return Proposal(proposal, changes)


def record_actions(user, partnership: Partnership) -> dict:
    """Return what the partnership page offers this user (each asked of accounts.permissions)."""
    state = partnership.publication_state
    return {
        "may_submit": state == PublicationState.DRAFT and may(user, "partnership_submit", partnership),
        "may_publish": state in (PublicationState.DRAFT, PublicationState.SUBMITTED)
        and may(user, "partnership_publish", partnership),
        "may_verify": state == PublicationState.PUBLISHED and may(user, "partnership_verify", partnership),
        "may_propose": state == PublicationState.PUBLISHED,
        "may_edit": may(user, "partnership_edit", partnership),
        # What other sources say differently of it, kept out and waiting for a decision.
        "source_conflicts": [
            _proposal(p)
            for p in partnership.proposed_changes.filter(
                batch__isnull=False, state=ProposalState.OPEN
            ).select_related("batch")
        ]
        if may(user, "proposal_decide", partnership)
        else [],
    }


@login_required
@require_POST
def record_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one workflow step from the partnership page (submit, publish, "Toujours exact")."""
    partnership = get_object_or_404(Partnership.objects.visible_to(request.user), pk=pk)
    try:
        if step == "soumettre":
            partnership_submit(partnership, acting_user=request.user, comment=request.POST.get("comment", ""))
            messages.success(request, _("Soumis à la revue de votre coordinateur."))
        elif step == "publier":
            partnership_publish(partnership, acting_user=request.user)
            messages.success(request, _("Publié."))
        elif step == "toujours-exact":
            partnership_verify(partnership, acting_user=request.user)
            messages.success(request, _("Merci : vérifié aujourd'hui."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(partnership.get_absolute_url())
