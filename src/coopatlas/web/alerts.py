"""E-mail alerts: the signed-in user chooses what it receives (/mon-compte/alertes/); the link of
every alert e-mail stops them without signing in (/alertes/desabonnement/<token>/): a GET shows
what will stop, a POST — the page's button, or the mail client's one-click (RFC 8058) — stops it."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from coopatlas.alerts.models import LANGUAGES, MONTH_CHOICES, AlertKind, Subscription
from coopatlas.alerts.selection import kinds_open_to, theme_choices
from coopatlas.alerts.services import (
    Choice,
    active_subscriptions,
    read_unsubscribe_token,
    subscriptions_save,
    unsubscribe,
)
from coopatlas.atlas.models import FRANCE
from coopatlas.places.models import Country
from coopatlas.places.overseas import FRENCH_OVERSEAS
from coopatlas.web.accounts import login_required
from coopatlas.web.forms import add_service_error


class AlertsForm(forms.Form):
    """One checkbox per kind the user's roles open, with the parameters of those that have some."""

    ending_active = forms.BooleanField(required=False, label=AlertKind.ENDING.label)
    ending_months = forms.TypedChoiceField(
        label=gettext_lazy("Fin dans les"),
        choices=[(n, format_lazy(gettext_lazy("{n} mois"), n=n)) for n in MONTH_CHOICES],
        coerce=int,
        initial=6,
    )
    to_verify_active = forms.BooleanField(required=False, label=AlertKind.TO_VERIFY.label)
    review_active = forms.BooleanField(required=False, label=AlertKind.REVIEW.label)
    board_answers_active = forms.BooleanField(required=False, label=AlertKind.BOARD_ANSWERS.label)
    new_partnerships_active = forms.BooleanField(required=False, label=AlertKind.NEW_PARTNERSHIPS.label)
    countries = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Pays suivis"),
        queryset=Country.objects.exclude(iso2__in=[FRANCE, *FRENCH_OVERSEAS]).order_by("name_fr"),
        required=False,
        to_field_name="iso2",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Plusieurs choix : Ctrl (ou Cmd) + clic."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thèmes suivis"),
        queryset=theme_choices(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Un thème suit aussi ses sous-thèmes."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Langue des e-mails"), choices=LANGUAGES)

    def __init__(self, *args, open_kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_kinds = open_kinds
        for kind in AlertKind.values:
            if kind not in open_kinds:
                del self.fields[f"{kind}_active"]
        if AlertKind.ENDING not in open_kinds:
            del self.fields["ending_months"]

    def sections(self) -> list[dict]:
        """The form's fields grouped per kind, for one fieldset each."""
        extra = {AlertKind.ENDING: ["ending_months"], AlertKind.NEW_PARTNERSHIPS: ["countries", "themes"]}
        return [
            {"active": self[f"{kind}_active"], "fields": [self[name] for name in extra.get(kind, [])]}
            for kind in AlertKind.values
            if kind in self.open_kinds
        ]

    def choices(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {
            kind: Choice(
                active=data[f"{kind}_active"],
                months=data.get("ending_months") if kind == AlertKind.ENDING else None,
                countries=list(data["countries"]) if kind == AlertKind.NEW_PARTNERSHIPS else [],
                themes=list(data["themes"]) if kind == AlertKind.NEW_PARTNERSHIPS else [],
            )
            for kind in self.open_kinds
        }


def _initial(user) -> dict:
    initial: dict = {"language": get_language() if get_language() in dict(LANGUAGES) else "fr"}
    for subscription in Subscription.objects.filter(user=user).prefetch_related("countries", "themes"):
        initial[f"{subscription.kind}_active"] = subscription.active
        initial["language"] = subscription.language
        if subscription.kind == AlertKind.ENDING and subscription.months:
            initial["ending_months"] = subscription.months
        if subscription.kind == AlertKind.NEW_PARTNERSHIPS:
            initial["countries"] = list(subscription.countries.all())
            initial["themes"] = list(subscription.themes.all())
    return initial


@login_required
def alerts_settings(request: HttpRequest) -> HttpResponse:
    """Choose the alerts one receives by e-mail, and their parameters."""
    open_kinds = kinds_open_to(request.user)
    form = AlertsForm(request.POST or None, initial=_initial(request.user), open_kinds=open_kinds)
    if request.method == "POST":
        if form.is_valid():
            try:
                subscriptions_save(
                    request.user, choices=form.choices(), language=form.cleaned_data["language"]
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Vos choix d'alertes sont enregistrés."))
                return redirect("web:alerts")
    return render(
        request,
        "web/alerts.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=400 if request.method == "POST" else 200,
    )


@csrf_exempt  # the signed token is the proof; a mail client's one-click POST carries no CSRF token
def alerts_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: say which alerts the link stops (a mail scanner opening it stops nothing); POST: stop
    them. A tampered or unknown token is refused with a page saying so."""
    try:
        user_id, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "web/alerts_unsubscribe.html", {"refused": True}, status=400)
    if not get_user_model().objects.filter(pk=user_id).exists():
        return render(request, "web/alerts_unsubscribe.html", {"refused": True}, status=400)
    if request.method == "POST":
        stopped = unsubscribe(user_id, kind)
        return render(request, "web/alerts_unsubscribe.html", {"done": True, "stopped": stopped})
    labels = [sub.get_kind_display() for sub in active_subscriptions(user_id, kind).order_by("kind")]
    return render(request, "web/alerts_unsubscribe.html", {"labels": labels, "token": token})
