"""Sign-in and sign-out on the site's own pages, for every user (the admin's sign-in refuses
non-staff users); the page shown when too many wrong passwords lock a sign-in (django-axes); the
decorators that send anonymous visitors to sign in and answer 403 to signed-in users without the
right."""

from collections.abc import Callable
from functools import wraps

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

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
    return _require(
        lambda user: user.has_perm(perm),
        lambda request: (
            _("Votre compte n'a pas le droit d'ouvrir cette page (droit requis : %(perm)s).") % {"perm": perm}
        ),
    )


def staff_required(view):
    """Like permission_required, for pages of the staff (the back-office's users)."""
    return _require(
        lambda user: user.is_active and user.is_staff,
        lambda request: _("Cette page est réservée à l'équipe qui gère l'atlas."),
    )(view)


def login_required(view):
    """Send anonymous visitors to the sign-in page (with `next`); the view checks the rest."""
    return _require(lambda user: user.is_active, lambda request: _("Ce compte est désactivé."))(view)
