"""The contributor's pages: my organisations' partnerships and their state, and declaring a new
one (a draft, submitted from its page). Every write goes through the atlas services, which
check the user's roles."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopatlas.accounts.permissions import EDITING_KINDS, may, scope_of
from coopatlas.atlas.choices import ParticipationRole, PartnershipForm
from coopatlas.atlas.models import (
    FRANCE,
    BoardAnswer,
    Organisation,
    Partnership,
    ProposalState,
    ProposedChange,
    PublicationState,
    PublicationStep,
)
from coopatlas.atlas.services import (
    EDITABLE_FIELDS,
    EditConflict,
    ParticipantSpec,
    foreign_partner,
    partnership_create,
    partnership_revert,
    partnership_update,
)
from coopatlas.core.years import MIN_YEAR, add_months
from coopatlas.places.models import Country
from coopatlas.places.overseas import FRENCH_OVERSEAS
from coopatlas.web.accounts import login_required


def _my_organisations(user):
    return Organisation.objects.edited_by(user).order_by("name")


class DeclareForm(forms.Form):
    french = forms.ModelChoiceField(
        label=gettext_lazy("Collectivité française"), queryset=Organisation.objects.none()
    )
    partner_name = forms.CharField(label=gettext_lazy("Collectivité partenaire (nom)"), max_length=300)
    partner_country = forms.ModelChoiceField(
        label=gettext_lazy("Pays du partenaire"),
        # France overseas is France: La Réunion or Polynésie française is no partner country.
        queryset=Country.objects.exclude(iso2__in=[FRANCE, *FRENCH_OVERSEAS]).order_by("name_fr"),
    )
    form = forms.ChoiceField(label=gettext_lazy("Forme"), choices=PartnershipForm.choices)
    start_year = forms.IntegerField(label=gettext_lazy("Année de début"), min_value=MIN_YEAR, required=False)
    title = forms.CharField(label=gettext_lazy("Titre (facultatif)"), max_length=500, required=False)
    summary = forms.CharField(label=gettext_lazy("Résumé"), widget=forms.Textarea, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["french"].queryset = organisations
        if organisations.count() == 1:
            self.fields["french"].initial = organisations.first()


ENDING_WITHIN_MONTHS = 6  # agreements ending within six months


@dataclass
class SentBack:
    partnership: Partnership
    step: PublicationStep


@login_required
def my_partnerships(request: HttpRequest) -> HttpResponse:
    """The partnerships of my organisations (editor) or territory (coordinator), newest first, and
    what waits for me: drafts sent back with a comment, corrections proposed, records not verified
    for two years, agreements ending soon."""
    scope = scope_of(request.user, EDITING_KINDS)
    mine = Partnership.objects.within(scope) if not scope.empty else Partnership.objects.none()
    today = timezone.localdate()
    drafts = list(mine.filter(publication_state=PublicationState.DRAFT).prefetch_related("publication_steps"))
    sent_back = []
    for partnership in drafts:
        steps = list(partnership.publication_steps.all())
        if steps and steps[-1].from_state == PublicationState.SUBMITTED:
            sent_back.append(SentBack(partnership, steps[-1]))
    kept = _my_organisations(request.user)
    context = {
        "answers": BoardAnswer.objects.filter(post__organisation__in=kept, read_at__isnull=True)
        .select_related("post", "organisation")
        .order_by("-created_at")[:50],
        "records": mine.order_by("-updated_at")[:200],
        "may_declare": _my_organisations(request.user).exists(),
        "sent_back": sent_back,
        "proposals": ProposedChange.objects.filter(partnership__in=mine, state=ProposalState.OPEN)
        .select_related("partnership")
        .order_by("-pk")[:50],
        "stale": mine.to_verify(today).order_by("last_verified_on", "updated_at")[:50],
        "ending": mine.ending(today, add_months(today, ENDING_WITHIN_MONTHS)).order_by("end_date")[:50],
    }
    return render(request, "web/my_partnerships.html", context)


@login_required
def declare(request: HttpRequest) -> HttpResponse:
    """Declare a partnership of one of my organisations with a foreign authority: a draft."""
    organisations = _my_organisations(request.user)
    if not organisations.exists():
        messages.error(request, _("Déclarer un partenariat demande d'être éditeur d'une organisation."))
        return redirect("web:my_partnerships")
    form = DeclareForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                partner = foreign_partner(
                    name=data["partner_name"],
                    country_id=data["partner_country"].iso2,
                    acting_user=request.user,
                )
                title = (
                    data["title"]
                    or f"{PartnershipForm(data['form']).label} {data['french'].name} – {partner.name}"
                )
                partnership = partnership_create(
                    title=title,
                    form=data["form"],
                    start_year=data["start_year"],
                    summary=data["summary"],
                    participants=[
                        ParticipantSpec(data["french"], ParticipationRole.FRENCH_AUTHORITY),
                        ParticipantSpec(partner, ParticipationRole.FOREIGN_AUTHORITY),
                    ],
                    acting_user=request.user,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Brouillon enregistré : complétez-le étape par étape, puis soumettez-le à la revue."),
            )
            return redirect("web:declare_step", pk=partnership.pk, step="partenaires")
    return render(request, "web/declare.html", {"form": form})


class PartnershipEditForm(forms.ModelForm):
    """The record's own facts, and the version the form was read at (hidden)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Partnership
        fields = EDITABLE_FIELDS
        widgets = {
            "signature_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in ("summary", "context", "history_text", "objectives_local", "objectives_france")
            },
        }


@dataclass
class FieldVersions:
    """One field of a record seen in two versions (an edit conflict, a history step)."""

    label: str
    before: str
    after: str
    both_changed: bool = False


def _shown(name: str, value) -> str:
    """A field's value as a person reads it: the choice's label, a French date, "—" for none."""
    field = Partnership._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    return str(value)


def _label(name: str) -> str:
    return str(Partnership._meta.get_field(name).verbose_name).capitalize()


def _conflict(
    form: PartnershipEditForm, conflict: EditConflict
) -> tuple[PartnershipEditForm, list[FieldVersions], dict]:
    """The merge form: each field takes the change made on either side since the shared version
    (both, when only one side changed it); a field both changed is shown side by side and keeps
    the user's value until they choose. Its hidden version is the one saved now."""
    current, base = conflict.current, conflict.base
    mine = form.cleaned_data
    merged, rows = {}, []
    for name in EDITABLE_FIELDS:
        theirs = getattr(current, name)
        original = getattr(base, name) if base is not None else theirs
        mine_changed, theirs_changed = mine[name] != original, theirs != original
        merged[name] = mine[name] if mine_changed else theirs
        if mine[name] != theirs:
            rows.append(
                FieldVersions(
                    _label(name),
                    _shown(name, mine[name]),
                    _shown(name, theirs),
                    mine_changed and theirs_changed,
                )
            )
    merged["version"] = current.version
    last = current.history.select_related("history_user").first()
    who = {"user": _person(last.history_user) if last else "", "date": last.history_date if last else None}
    return PartnershipEditForm(initial=merged, instance=current), rows, who


def _person(user) -> str:
    """A person as others may see them: their name, never their address (usernames are e-mails)."""
    if user is None:
        return _("l'atlas (import ou script)")
    return user.get_full_name() or _("un compte sans nom (n° %(pk)s)") % {"pk": user.pk}


def _editable(request: HttpRequest, pk: int) -> Partnership:
    partnership = get_object_or_404(Partnership.objects.visible_to(request.user), pk=pk)
    if not may(request.user, "partnership_edit", partnership):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce partenariat."))
    return partnership


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a partnership's facts. A save made from an older version than the one stored is
    refused: both versions are shown side by side with a form that merges them."""
    partnership = _editable(request, pk)
    if request.method != "POST":
        form = PartnershipEditForm(instance=partnership, initial={"version": partnership.version})
        return render(request, "web/partnership_edit.html", {"form": form, "p": partnership})
    form = PartnershipEditForm(request.POST, instance=Partnership.objects.get(pk=pk))
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
        try:
            partnership_update(
                Partnership.objects.get(pk=pk),
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
                **values,
            )
        except EditConflict as conflict:
            merge, rows, who = _conflict(form, conflict)
            return render(
                request,
                "web/partnership_edit.html",
                {"form": merge, "p": conflict.current, "conflict": rows, "who": who},
                status=409,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect(partnership.get_absolute_url())
    return render(request, "web/partnership_edit.html", {"form": form, "p": partnership})


@dataclass
class HistoryStep:
    row: object
    who: str
    changes: list[FieldVersions]
    latest: bool


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed what and when, newest first, with "revenir à cette version" for those who may
    edit the record (POST)."""
    partnership = _editable(request, pk)
    if request.method == "POST":
        try:
            row_id = int(request.POST.get("version", ""))
            shown = int(request.POST.get("current", "0")) or None
            partnership_revert(partnership, row_id, acting_user=request.user, expected_version=shown)
        except (ValueError, Partnership.history.model.DoesNotExist):
            messages.error(request, _("Cette version n'existe pas dans l'historique de ce partenariat."))
        except EditConflict:
            messages.error(
                request,
                _(
                    "Quelqu'un a enregistré ce partenariat depuis que vous avez ouvert son historique : "
                    "rien n'a été écrit."
                ),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Le partenariat a repris cette version (un nouveau pas de son historique).")
            )
        return redirect("web:partnership_history", pk=pk)
    rows = list(
        partnership.history.select_related("history_user").order_by("-history_date", "-history_id")[:200]
    )
    steps = []
    for index, row in enumerate(rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        changes = []
        if older is not None:
            delta = row.diff_against(
                older, included_fields=[*EDITABLE_FIELDS, "publication_state", "last_verified_on"]
            )
            for change in delta.changes:
                changes.append(
                    FieldVersions(
                        _label(change.field),
                        _shown(change.field, change.old),
                        _shown(change.field, change.new),
                    )
                )
        steps.append(HistoryStep(row, _person(row.history_user), changes, index == 0))
    return render(request, "web/partnership_history.html", {"p": partnership, "steps": steps})
