"""Roles: what a user may do, and on which records (an organisation, a territory, the country).

A user holds any number of roles. The records a role reaches are its scope: the partnerships of
one organisation (editor, reader), of a région's or a département's authorities (coordinator,
reader), or every record (administrator). The rules that read them are in permissions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur de l'atlas")
    COORDINATOR = "coordinator", _("Coordinateur d'un territoire")
    EDITOR = "editor", _("Éditeur d'une organisation")
    CONTRIBUTOR = "contributor", _("Contributeur")
    READER = "reader", _("Lecteur des données personnelles")


class Role(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name="compte"
    )
    kind = models.CharField("rôle", max_length=20, choices=RoleKind.choices)
    organisation = models.ForeignKey(
        "atlas.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name="organisation",
    )
    region = models.ForeignKey(
        "places.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name="région"
    )
    departement = models.ForeignKey(
        "places.Departement", on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    may_publish = models.BooleanField(
        "publie sans revue",
        default=False,
        help_text="Un éditeur que son coordinateur autorise à publier directement.",
    )
    review_published_edits = models.BooleanField(
        "revoir les modifications des partenariats publiés",
        default=False,
        help_text="Pour un coordinateur : un partenariat publié que son éditeur modifie repasse en revue.",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accordé par",
    )
    granted_at = models.DateTimeField("accordé le", auto_now_add=True)

    class Meta:
        verbose_name = "rôle"
        verbose_name_plural = "rôles"
        constraints = [
            # An editor works for one organisation; a coordinator for one territory.
            models.CheckConstraint(
                condition=~Q(kind="editor") | Q(organisation__isnull=False),
                name="role_editor_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(kind="coordinator")
                | (Q(region__isnull=False) & Q(departement__isnull=True))
                | (Q(region__isnull=True) & Q(departement__isnull=False)),
                name="role_coordinator_has_one_territory",
            ),
            models.CheckConstraint(
                condition=Q(may_publish=False) | Q(kind="editor"), name="role_may_publish_only_editor"
            ),
            models.CheckConstraint(
                condition=Q(review_published_edits=False) | Q(kind="coordinator"),
                name="role_review_edits_only_coordinator",
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation or self.region or self.departement
        return f"{self.get_kind_display()} — {where}" if where else str(self.get_kind_display())


class Invitation(models.Model):
    """An invitation to open an account with a role: a link valid seven days, used once. Only
    the token's SHA-256 is stored (the link itself is in the e-mail sent)."""

    email = models.EmailField("adresse e-mail")
    kind = models.CharField("rôle", max_length=20, choices=RoleKind.choices)
    organisation = models.ForeignKey(
        "atlas.Organisation", on_delete=models.CASCADE, null=True, blank=True, verbose_name="organisation"
    )
    region = models.ForeignKey("places.Region", on_delete=models.PROTECT, null=True, blank=True)
    departement = models.ForeignKey("places.Departement", on_delete=models.PROTECT, null=True, blank=True)
    may_publish = models.BooleanField("publie sans revue", default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="invité par",
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("valable jusqu'au")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"
