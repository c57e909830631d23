"""The contributor's pages: my organisations' partnerships and their state, and declaring a new
one (a draft, submitted from its page). Every write goes through the atlas services, which
check the user's roles."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopatlas.accounts.models import RoleKind
from coopatlas.accounts.permissions import EDITING_KINDS, scope_of
from coopatlas.atlas.choices import ParticipationRole, PartnershipForm
from coopatlas.atlas.models import FRANCE, Organisation, Partnership
from coopatlas.atlas.services import ParticipantSpec, foreign_partner, partnership_create
from coopatlas.core.years import MIN_YEAR
from coopatlas.places.models import Country
from coopatlas.places.overseas import FRENCH_OVERSEAS
from coopatlas.web.accounts import login_required


def _my_organisations(user):
    return (
        Organisation.objects.filter(roles__user=user, roles__kind=RoleKind.EDITOR).distinct().order_by("name")
    )


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


@login_required
def my_partnerships(request: HttpRequest) -> HttpResponse:
    """The partnerships of my organisations (editor) or territory (coordinator), newest first."""
    scope = scope_of(request.user, EDITING_KINDS)
    records = (
        Partnership.objects.within(scope).order_by("-updated_at")[:200]
        if not scope.empty
        else Partnership.objects.none()
    )
    return render(
        request,
        "web/my_partnerships.html",
        {"records": records, "may_declare": _my_organisations(request.user).exists()},
    )


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
            messages.success(request, _("Brouillon enregistré : relisez-le, puis soumettez-le à la revue."))
            return redirect(partnership.get_absolute_url())
    return render(request, "web/declare.html", {"form": form})
