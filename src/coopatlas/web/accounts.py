"""Sign-in and sign-out on the site's own pages, for every user (the admin's sign-in refuses
non-staff users); the page shown when too many wrong passwords lock a sign-in (django-axes); the
decorators that send anonymous visitors to sign in and answer 403 to signed-in users without the
right."""

from collections.abc import Callable
from functools import wraps

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coopatlas.accounts.models import RoleKind
from coopatlas.accounts.permissions import ACTIONS, describe_roles, is_administrator
from coopatlas.accounts.services import invitation_accept, invitation_find, invitation_send
from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.places.models import Departement, Region

LOCKOUT_STATUS = 429  # Too Many Requests: what django-axes answers by default


class SignInView(auth_views.LoginView):
    """Django's sign-in; `next` is followed only to this site (Django checks it with
    url_has_allowed_host_and_scheme and falls back to LOGIN_REDIRECT_URL)."""

    template_name = "web/sign_in.html"
    redirect_authenticated_user = False  # a signed-in user sent here by a page may change account


class SignOutView(auth_views.LogoutView):
    """Django's sign-out: POST only (a link could sign anyone out from another site); then the
    home page (LOGOUT_REDIRECT_URL) or a `next` of this site."""


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page of a sign-in locked by django-axes, with how long to wait and who can unlock."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(
        request,
        "web/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=LOCKOUT_STATUS,
    )


def _require(test: Callable, refusal: Callable[[HttpRequest], str]):
    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL, REDIRECT_FIELD_NAME)
            if not test(request.user):
                raise PermissionDenied(refusal(request))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_required(perm: str):
    """Send anonymous visitors to the sign-in page (with `next`), refuse signed-in users without
    `perm` with the site's 403 page. Drop-in for Django's decorator of the same name, which sends
    signed-in users without the right back to the sign-in page instead."""

    def refusal(request: HttpRequest) -> str:
        app, _dot, action = perm.partition(".")
        if app == "coopatlas" and action in ACTIONS:  # one of accounts.permissions' actions
            return _("Votre compte ne peut pas %(action)s (vos rôles : %(roles)s).") % {
                "action": ACTIONS[action][0],
                "roles": describe_roles(request.user),
            }
        return _("Votre compte n'a pas le droit d'ouvrir cette page (droit requis : %(perm)s).") % {
            "perm": perm
        }

    return _require(lambda user: user.has_perm(perm), refusal)


def staff_required(view):
    """Like permission_required, for pages of the staff (the back-office's users)."""
    return _require(
        lambda user: user.is_active and user.is_staff,
        lambda request: _("Cette page est réservée à l'équipe qui gère l'atlas."),
    )(view)


def login_required(view):
    """Send anonymous visitors to the sign-in page (with `next`); the view checks the rest."""
    return _require(lambda user: user.is_active, lambda request: _("Ce compte est désactivé."))(view)


# --- Accounts: my account, invitations, password reset, who did what -------------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de la personne invitée"))
    kind = forms.ChoiceField(label=_("Rôle"), choices=RoleKind.choices)
    organisation = forms.CharField(
        label=_("Organisation (code INSEE ou numéro dans l'atlas), pour un éditeur ou un lecteur"),
        required=False,
    )
    region = forms.ModelChoiceField(
        label=_("Région (coordinateur)"), queryset=Region.objects.order_by("name"), required=False
    )
    departement = forms.ModelChoiceField(
        label=_("Département (coordinateur)"), queryset=Departement.objects.order_by("code"), required=False
    )
    may_publish = forms.BooleanField(label=_("Peut publier sans revue (éditeur)"), required=False)

    def clean_organisation(self):
        value = self.cleaned_data["organisation"].strip()
        if not value:
            return None
        found = Organisation.objects.filter(
            Q(insee_code=value) | Q(pk=int(value)) if value.isdecimal() else Q(insee_code=value)
        )
        found = list(found.order_by("kind")[:2])
        if not found:
            raise forms.ValidationError(
                _("Aucune organisation n'a le code ou le numéro « %(v)s ».") % {"v": value}
            )
        return found[0]


@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's roles and scope, and its last changes."""
    changes = Partnership.history.model.objects.filter(history_user=request.user).order_by("-history_date")[
        :20
    ]
    return render(
        request,
        "web/my_account.html",
        {
            "roles": request.user.roles.select_related("organisation", "region", "departement"),
            "changes": changes,
        },
    )


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    """Invite someone to a role (administrators anywhere, coordinators in their territory)."""
    form = InvitationForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _invitation, link = invitation_send(
                email=data["email"],
                kind=data["kind"],
                organisation=data["organisation"],
                region=data["region"],
                departement=data["departement"],
                may_publish=data["may_publish"],
                acting_user=request.user,
                link_base=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            link = None
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s (lien valable 7 jours).") % {"email": data["email"]},
            )
    return render(request, "web/invite.html", {"form": form, "link": link})


class AcceptForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), required=False)
    last_name = forms.CharField(label=_("Nom"), required=False)
    password = forms.CharField(
        label=_("Mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Mot de passe, encore"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Les deux mots de passe diffèrent."))
        return data


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open the account of an invitation: choose a password, get the role, be signed in."""
    try:
        invitation = invitation_find(token)
    except ValidationError as error:
        return render(request, "web/invitation.html", {"refused": " ".join(error.messages)}, status=410)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                token,
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Bienvenue : votre compte est ouvert."))
            return redirect("web:my_account")
    return render(request, "web/invitation.html", {"invitation": invitation, "form": form})


@login_required
def who_did_what(request: HttpRequest) -> HttpResponse:
    """The administrators' view of the history filtered by user (?compte=e-mail)."""
    if not is_administrator(request.user):
        raise PermissionDenied(_("L'historique par compte est réservé aux administrateurs de l'atlas."))
    email = request.GET.get("compte", "").strip()
    users = get_user_model().objects.filter(email__iexact=email) if email else get_user_model().objects.none()
    rows = []
    for model in (Partnership.history.model, Organisation.history.model):
        rows += list(model.objects.filter(history_user__in=users).order_by("-history_date")[:100])
    rows.sort(key=lambda row: row.history_date, reverse=True)
    return render(
        request, "web/who_did_what.html", {"email": email, "rows": rows[:100], "found": users.exists()}
    )
