"""Pages read by the extractor and the candidates found in them, until a person decides."""

from django.conf import settings
from django.db import models

from coopatlas.core.weblinks import validate_web_url


class ExtractedPage(models.Model):
    url = models.URLField("adresse", max_length=500, blank=True, validators=[validate_web_url])
    title = models.CharField("titre", max_length=300, blank=True)
    text = models.TextField("texte extrait")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("lue le", auto_now_add=True)

    class Meta:
        verbose_name = "page extraite"
        verbose_name_plural = "pages extraites"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.url or f"page {self.pk}"


class Candidate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "À examiner"
        ACCEPTED = "accepted", "Accepté"
        MERGED = "merged", "Fusionné"
        REJECTED = "rejected", "Rejeté"

    page = models.ForeignKey(ExtractedPage, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveIntegerField("rang")
    data = models.JSONField("proposition")  # the extractor's object (fields of `coopatlas extract --json`)
    status = models.CharField("décision", max_length=10, choices=Status.choices, default=Status.PENDING)
    partnership = models.ForeignKey(
        "atlas.Partnership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)

    class Meta:
        verbose_name = "candidat"
        ordering = ["page", "position"]

    def __str__(self) -> str:
        return f"{self.data.get('french_authority')} – {self.data.get('foreign_authority')}"
