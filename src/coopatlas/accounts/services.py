"""Every write to accounts and roles: invitations, their acceptance, roles granted. Each checks
accounts.permissions ("role_grant" on the organisation or territory of the role)."""

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from coopatlas.accounts.models import Invitation, Role, RoleKind
from coopatlas.accounts.permissions import require
from coopatlas.accounts.scope import Footprint

INVITATION_DAYS = 7


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def role_footprint(*, organisation=None, region=None, departement=None) -> Footprint:
    """Return what granting a role there touches: the organisation, or the territory."""
    if organisation is not None:
        return organisation.footprint()
    return Footprint(
        region_codes=frozenset([region.pk]) if region is not None else frozenset(),
        departement_codes=frozenset([departement.pk]) if departement is not None else frozenset(),
    )


def _check_role_shape(kind: str, organisation, region, departement) -> None:
    if kind == RoleKind.EDITOR and organisation is None:
        raise ValidationError({"organisation": "Un éditeur travaille pour une organisation : choisissez-la."})
    if kind == RoleKind.COORDINATOR and (region is None) == (departement is None):
        raise ValidationError(
            {"region": "Un coordinateur couvre une région ou un département : choisissez l'un des deux."}
        )
    if kind == RoleKind.ADMINISTRATOR and (organisation or region or departement):
        raise ValidationError(
            {"kind": "Un administrateur couvre tout l'atlas : ni organisation ni territoire."}
        )


@transaction.atomic
def invitation_send(
    *,
    email: str,
    kind: str,
    acting_user,
    link_base: str,
    organisation=None,
    region=None,
    departement=None,
    may_publish: bool = False,
) -> tuple[Invitation, str]:
    """Invite `email` to a role (the acting user must be allowed to grant it there); send the
    link by e-mail and return the invitation and its link."""
    _check_role_shape(kind, organisation, region, departement)
    where = role_footprint(organisation=organisation, region=region, departement=departement)
    require(acting_user, "role_grant", where if kind != RoleKind.ADMINISTRATOR else None)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email.strip().lower(),
        kind=kind,
        organisation=organisation,
        region=region,
        departement=departement,
        may_publish=may_publish,
        token_hash=_hash(token),
        invited_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    link = f"{link_base.rstrip('/')}/invitation/{token}/"
    place = organisation or region or departement
    send_mail(
        "Invitation à coopatlas",
        f"Bonjour,\n\nVous êtes invité·e à rejoindre coopatlas comme {invitation.get_kind_display().lower()}"
        f"{' — ' + str(place) if place else ''}.\n"
        f"Ouvrez ce lien dans les {INVITATION_DAYS} jours pour choisir votre mot de passe :\n{link}\n",
        None,
        [invitation.email],
    )
    return invitation, link


def invitation_find(token: str) -> Invitation:
    """Return the open invitation of this token, or raise ValidationError saying why not."""
    invitation = Invitation.objects.filter(token_hash=_hash(token)).first()
    if invitation is None:
        raise ValidationError("Ce lien d'invitation n'existe pas : demandez une nouvelle invitation.")
    if invitation.accepted_at is not None:
        raise ValidationError("Cette invitation a déjà servi : connectez-vous avec votre adresse e-mail.")
    if invitation.expires_at < timezone.now():
        raise ValidationError(
            f"Cette invitation a expiré le {timezone.localtime(invitation.expires_at):%d/%m/%Y} : "
            "demandez-en une nouvelle."
        )
    return invitation


@transaction.atomic
def invitation_accept(token: str, *, password: str, first_name: str = "", last_name: str = ""):
    """Open the account of an invitation (or give the role to the existing account of that
    e-mail), with its role; return the user."""
    invitation = invitation_find(token)
    users = get_user_model()
    user = users.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = users(
            username=invitation.email, email=invitation.email, first_name=first_name, last_name=last_name
        )
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    _role_save(
        user,
        invitation.kind,
        granted_by=invitation.invited_by,
        organisation=invitation.organisation,
        region=invitation.region,
        departement=invitation.departement,
        may_publish=invitation.may_publish,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def role_grant(
    *, user, kind: str, acting_user, organisation=None, region=None, departement=None, may_publish=False
) -> Role:
    """Give `user` a role (the acting user must be allowed to grant it there); return it."""
    _check_role_shape(kind, organisation, region, departement)
    where = role_footprint(organisation=organisation, region=region, departement=departement)
    require(acting_user, "role_grant", where if kind != RoleKind.ADMINISTRATOR else None)
    granted_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return _role_save(
        user,
        kind,
        granted_by=granted_by,
        organisation=organisation,
        region=region,
        departement=departement,
        may_publish=may_publish,
    )


def _role_save(user, kind: str, *, granted_by, **where) -> Role:
    role = Role(user=user, kind=kind, granted_by=granted_by, **where)
    role.full_clean()
    role.save()
    return role
