"""A user's alert subscriptions, one per kind, and every alert item sent (never twice)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How far ahead "agreements ending" looks, in months: the choices the settings page offers.
MONTH_CHOICES = (3, 6, 12)
LANGUAGES = (("fr", "Français"), ("en", "English"))


class AlertKind(models.TextChoices):
    ENDING = "ending", _("Conventions de mon périmètre qui arrivent à échéance")
    TO_VERIFY = "to_verify", _("Partenariats à vérifier (non vérifiés depuis deux ans)")
    REVIEW = "review", _("Partenariats qui attendent ma revue")
    BOARD_ANSWERS = "board_answers", _("Réponses aux annonces de mes collectivités (bourse aux partenariats)")
    NEW_PARTNERSHIPS = "new_partnerships", _("Nouveaux partenariats publiés dans les pays ou thèmes suivis")


class Subscription(models.Model):
    """What one user receives of one kind: on or off, and its parameters (months ahead for
    agreements ending; countries and themes followed for new partnerships)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
        verbose_name="compte",
    )
    kind = models.CharField("alerte", max_length=20, choices=AlertKind.choices)
    active = models.BooleanField("active", default=True)
    months = models.PositiveSmallIntegerField(
        "fin dans les N mois",
        null=True,
        blank=True,
        help_text="Pour les conventions qui arrivent à échéance.",
    )
    countries = models.ManyToManyField(
        "places.Country", related_name="+", blank=True, verbose_name="pays suivis"
    )
    themes = models.ManyToManyField("atlas.Theme", related_name="+", blank=True, verbose_name="thèmes suivis")
    language = models.CharField("langue des e-mails", max_length=5, choices=LANGUAGES, default="fr")
    # New partnerships are those published from then on: set when the alert starts or restarts.
    started_at = models.DateTimeField("suivie depuis", default=timezone.now)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "abonnement à une alerte"
        verbose_name_plural = "abonnements aux alertes"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="alert_subscription_once_per_kind"),
            models.CheckConstraint(
                condition=Q(months__isnull=True) | Q(months__gte=1, months__lte=24),
                name="alert_subscription_months_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()}"


class SentAlert(models.Model):
    """One item an alert told a user about (a partnership ending on a date, an answer…): the
    unique constraint is what keeps it from being sent twice, even by two runs at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="compte"
    )
    kind = models.CharField("alerte", max_length=20, choices=AlertKind.choices)
    item_key = models.CharField("élément", max_length=100)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)
    # The run that claimed the row: a run sends the items it inserted, none another run holds.
    run = models.CharField("envoi", max_length=32, db_index=True)

    class Meta:
        verbose_name = "alerte envoyée"
        verbose_name_plural = "alertes envoyées"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "item_key"], name="alert_item_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.kind} {self.item_key}"
