"""Declaring a partnership in steps, after its first one (web/contributor.declare creates the
draft): who, what, when, money, people, events, sources and documents, then sending it to review.
Each step writes at once through the atlas services (a draft is never lost between steps); every
page works without JavaScript."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopatlas.accounts.permissions import may
from coopatlas.atlas.choices import ParticipationRole, PublicationState
from coopatlas.atlas.localisation import organisation_locate
from coopatlas.atlas.models import (
    FRANCE,
    Contact,
    Document,
    Event,
    FundingLine,
    Organisation,
    Partnership,
    Source,
    SustainableDevelopmentGoal,
    Theme,
    Volunteer,
)
from coopatlas.atlas.selectors import funding_summary
from coopatlas.atlas.services import (
    EditConflict,
    foreign_partner,
    participation_add,
    partnership_part_add,
    partnership_part_remove,
    partnership_themes_set,
    partnership_update,
)
from coopatlas.atlas.services.documents import document_add, document_remove, may_open
from coopatlas.atlas.services.workflow import partnership_submit
from coopatlas.core.files import ACCEPTED, ACCEPTED_LABELS
from coopatlas.places.models import Country
from coopatlas.places.overseas import FRENCH_OVERSEAS
from coopatlas.web.accounts import login_required
from coopatlas.web.forms import add_service_error


@dataclass(frozen=True)
class Step:
    slug: str
    title: str


STEPS = (
    Step("partenaires", gettext_lazy("Qui")),
    Step("quoi", gettext_lazy("Quoi")),
    Step("quand", gettext_lazy("Quand")),
    Step("financement", gettext_lazy("Financement")),
    Step("personnes", gettext_lazy("Personnes")),
    Step("evenements", gettext_lazy("Événements")),
    Step("sources", gettext_lazy("Sources et documents")),
    Step("envoi", gettext_lazy("Envoi à la revue")),
)
SLUGS = [step.slug for step in STEPS]


# --- forms ----------------------------------------------------------------------------------------


class PartnerForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Collectivité partenaire (nom)"),
        max_length=300,
        widget=forms.TextInput(attrs={"list": "known-partners", "autocomplete": "off"}),
        help_text=gettext_lazy("Les collectivités déjà connues de l'atlas sont proposées pendant la saisie."),
    )
    country = forms.ModelChoiceField(
        label=gettext_lazy("Pays"),
        queryset=Country.objects.exclude(iso2__in=[FRANCE, *FRENCH_OVERSEAS]).order_by("name_fr"),
    )


class VersionedForm(forms.ModelForm):
    """A step writing the partnership's facts: it carries the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, instance: Partnership, **kwargs):
        kwargs.setdefault("initial", {})["version"] = instance.version
        super().__init__(*args, instance=instance, **kwargs)


class WhatForm(VersionedForm):
    themes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thèmes (le premier coché dans l'ordre de la liste est le thème principal)"),
        queryset=Theme.objects.order_by("level", "position", "name_fr"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    main_theme = forms.ModelChoiceField(
        label=gettext_lazy("Thème principal"),
        queryset=Theme.objects.order_by("level", "position", "name_fr"),
        required=False,
    )
    sdgs = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Objectifs de développement durable"),
        queryset=SustainableDevelopmentGoal.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partnership
        fields = ("form", "title", "status", "summary", "description")
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }


class WhenForm(VersionedForm):
    class Meta:
        model = Partnership
        fields = (
            "signature_date",
            "signature_year",
            "start_year",
            "end_date",
            "duration_months",
            "is_triennial",
        )
        widgets = {
            "signature_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class FundingForm(forms.ModelForm):
    funder_label = forms.CharField(label=gettext_lazy("Financeur"), max_length=300)

    def _post_clean(self):
        # with no funder the field says so; the model's own check (a funder organisation or a
        # label) would name its `funder`, which this form has not
        if "funder_label" in self.errors:
            return
        super()._post_clean()

    class Meta:
        model = FundingLine
        fields = ("funder_label", "amount", "water_one_percent_amount", "year", "kind", "recipient_country")
        labels = {"funder_label": gettext_lazy("Financeur")}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("first_name", "last_name", "function", "email", "phone", "legal_basis")


class VolunteerForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = ("first_name", "last_name", "scheme", "mission")


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ("kind", "title", "year", "month", "day")


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ("url", "title")


class DocumentForm(forms.ModelForm):
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy("PDF, ODT, DOCX ou image (PNG, JPEG, WebP)."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{t.extension}" for t in ACCEPTED)}),
    )

    class Meta:
        model = Document
        fields = ("title", "kind", "access")


# what each list step adds, by the prefix of its form (documents are added on the sources step)
PARTS = {
    "financement": {"funding": FundingForm},
    "personnes": {"contact": ContactForm, "volunteer": VolunteerForm},
    "evenements": {"event": EventForm},
    "sources": {"source": SourceForm},
}
REMOVABLE = {
    "funding": FundingLine,
    "contact": Contact,
    "volunteer": Volunteer,
    "event": Event,
    "source": Source,
}


# --- the view --------------------------------------------------------------------------------------


def _partnership(request: HttpRequest, pk: int) -> Partnership:
    partnership = get_object_or_404(Partnership.objects.visible_to(request.user), pk=pk)
    if not may(request.user, "partnership_edit", partnership):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce partenariat."))
    return partnership


def _next(pk: int, slug: str) -> str:
    index = SLUGS.index(slug)
    return reverse("web:declare_step", args=[pk, SLUGS[min(index + 1, len(SLUGS) - 1)]])


@login_required
def declare_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in SLUGS:
        raise Http404(_("Cette étape n'existe pas."))
    partnership = _partnership(request, pk)
    if partnership.publication_state != PublicationState.DRAFT:
        # once submitted or published, its facts change through its edit page (and its review);
        # the steps would publish parts unreviewed
        messages.error(request, _("Ce partenariat n'est plus un brouillon : modifiez-le depuis sa page."))
        return redirect(partnership.get_absolute_url())
    handler = _HANDLERS[step]
    with transaction.atomic():  # a step is written whole or not at all
        answer = handler(request, partnership)
    if isinstance(answer, HttpResponse):
        return answer
    context = {
        "p": partnership,
        "step": step,
        "steps": STEPS,
        "index": SLUGS.index(step) + 1,
        "next_url": _next(pk, step),
        "is_last": step == SLUGS[-1],
        **answer,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "web/declare_step.html", context, status=status)


def _conflict_message(partnership: Partnership) -> str:
    return _(
        "Quelqu'un a enregistré ce partenariat depuis que vous avez ouvert cette page : rien n'a été "
        "écrit. Rechargez la page pour partir de la version enregistrée."
    )


def _saved(request: HttpRequest, partnership: Partnership, step: str, stay: bool = False) -> HttpResponse:
    messages.success(request, _("Brouillon enregistré."))
    if stay:
        return redirect("web:declare_step", pk=partnership.pk, step=step)
    return redirect(_next(partnership.pk, step))


def _partners(request: HttpRequest, partnership: Partnership):
    form = PartnerForm(request.POST or None, prefix="partner")
    if request.method == "POST":
        if form.is_valid():
            try:
                started = timezone.now()
                partner = foreign_partner(
                    name=form.cleaned_data["name"],
                    country_id=form.cleaned_data["country"].iso2,
                    acting_user=request.user,
                )
                created = partner.created_at >= started
                if partnership.participations.filter(organisation=partner).exists():
                    raise ValidationError(
                        {"name": _("« %(name)s » est déjà partenaire.") % {"name": partner.name}}
                    )
                participation_add(
                    partnership=partnership,
                    organisation=partner,
                    role=ParticipationRole.FOREIGN_AUTHORITY,
                    acting_user=request.user,
                )
                if created:  # a partner the atlas knew keeps the place its keepers gave it
                    organisation_locate(partner, acting_user=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return _saved(request, partnership, "partenaires", stay=True)
    participations = list(partnership.participations.select_related("organisation__country"))
    known = (
        Organisation.objects.public()  # names of drafts' partners are not told
        .filter(kind="foreign_authority")
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:3000]
    )
    foreign = [x for x in participations if x.role == ParticipationRole.FOREIGN_AUTHORITY]
    placed = [x.organisation for x in foreign if x.organisation.latitude is not None]
    return {
        "form": form,
        "french": [x for x in participations if x.role == ParticipationRole.FRENCH_AUTHORITY],
        "foreign": foreign,
        "located": placed[-1] if placed else None,  # the partner added last, shown on a map
        "known_partners": known,
    }


def _what(request: HttpRequest, partnership: Partnership):
    links = list(partnership.theme_links.order_by("priority"))
    initial = {
        "themes": [link.theme_id for link in links],
        "main_theme": links[0].theme_id if links else None,
        "sdgs": list(partnership.sdgs.values_list("pk", flat=True)),
    }
    form = WhatForm(request.POST or None, instance=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        themes = list(data["themes"])
        if data["main_theme"] is not None:
            themes = [data["main_theme"], *[t for t in themes if t != data["main_theme"]]]
        try:
            partnership_update(
                partnership,
                acting_user=request.user,
                expected_version=data["version"],
                **{name: data[name] for name in WhatForm.Meta.fields},
            )
            partnership_themes_set(
                partnership,
                themes=themes,
                sdgs=[goal.number for goal in data["sdgs"]],
                acting_user=request.user,
            )
        except EditConflict:
            form.add_error(None, _conflict_message(partnership))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(request, partnership, "quoi")
    return {"form": form}


def _when(request: HttpRequest, partnership: Partnership):
    form = WhenForm(request.POST or None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            partnership_update(
                partnership,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
                **{name: form.cleaned_data[name] for name in WhenForm.Meta.fields},
            )
        except EditConflict:
            form.add_error(None, _conflict_message(partnership))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(request, partnership, "quand")
    return {"form": form}


def _list_step(step: str):
    """A step that adds parts one at a time (funding lines, people, events, sources) and removes them."""

    def handle(request: HttpRequest, partnership: Partnership):
        kinds = PARTS[step]
        chosen = request.POST.get("part") if request.method == "POST" else None
        if request.method == "POST" and request.POST.get("remove"):
            return _remove(request, partnership, step)
        forms_ = {
            prefix: form_class(
                request.POST if chosen == prefix else None,
                prefix=prefix,
                instance=form_class._meta.model(partnership=partnership),  # its clean() sees the partnership
            )
            for prefix, form_class in kinds.items()
        }
        if step == "sources":
            forms_["document"] = DocumentForm(
                request.POST if chosen == "document" else None,
                request.FILES if chosen == "document" else None,
                prefix="document",
            )
        if chosen in forms_:
            form = forms_[chosen]
            if form.is_valid():
                try:
                    if chosen == "document":
                        document_add(
                            partnership=partnership,
                            upload=form.cleaned_data["file"],
                            title=form.cleaned_data["title"],
                            kind=form.cleaned_data["kind"],
                            access=form.cleaned_data["access"],
                            acting_user=request.user,
                        )
                    else:
                        # a valid ModelForm holds its unsaved instance; the service writes it
                        partnership_part_add(partnership, form.instance, acting_user=request.user)
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    return _saved(request, partnership, step, stay=True)
        return {
            "part_forms": forms_,
            "funding": funding_summary(partnership) if step == "financement" else None,
            "contacts": partnership.contacts.all() if step == "personnes" else None,
            "volunteers": partnership.volunteers.all() if step == "personnes" else None,
            "events": partnership.events.all() if step == "evenements" else None,
            "sources": partnership.sources.filter(batch__isnull=True) if step == "sources" else None,
            "documents": [d for d in partnership.documents.all() if may_open(request.user, d)]
            if step == "sources"
            else None,
            "accepted": ACCEPTED_LABELS,
        }

    return handle


def _remove(request: HttpRequest, partnership: Partnership, step: str) -> HttpResponse:
    kind, _sep, number = request.POST["remove"].partition(":")
    if not number.isascii() or not number.isdecimal():
        raise Http404(_("Rien de tel à retirer."))
    if kind == "document":
        document = get_object_or_404(Document, pk=number, partnership=partnership)
        if not may_open(request.user, document):  # a private document is its uploader's
            raise Http404(_("Rien de tel à retirer."))
        document_remove(document, acting_user=request.user)
    elif kind in REMOVABLE:
        rows = REMOVABLE[kind].objects.filter(partnership=partnership)
        if kind == "source":
            rows = rows.filter(batch__isnull=True)  # an import's provenance stays
        part = get_object_or_404(rows, pk=number)
        partnership_part_remove(part, acting_user=request.user)
    else:
        raise Http404(_("Rien de tel à retirer."))
    messages.success(request, _("Retiré."))
    return redirect("web:declare_step", pk=partnership.pk, step=step)


def _send(request: HttpRequest, partnership: Partnership):
    if request.method == "POST":
        try:
            partnership_submit(partnership, acting_user=request.user, comment=request.POST.get("comment", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("web:declare_step", pk=partnership.pk, step="envoi")
        messages.success(request, _("Soumis à la revue de votre coordinateur."))
        return redirect(partnership.get_absolute_url())
    participations = list(partnership.participations.select_related("organisation__country"))
    return {
        "may_submit": partnership.publication_state == PublicationState.DRAFT
        and may(request.user, "partnership_submit", partnership),
        "partners": participations,
        "funding": funding_summary(partnership),
        "themes": partnership.theme_links.select_related("theme").order_by("priority"),
        "counts": {
            "events": partnership.events.count(),
            "sources": partnership.sources.count(),
            "documents": partnership.documents.count(),
            "contacts": partnership.contacts.count(),
        },
    }


_HANDLERS = {
    "partenaires": _partners,
    "quoi": _what,
    "quand": _when,
    "financement": _list_step("financement"),
    "personnes": _list_step("personnes"),
    "evenements": _list_step("evenements"),
    "sources": _list_step("sources"),
    "envoi": _send,
}
