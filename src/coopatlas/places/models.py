"""Reference geography: countries and world regions (French territories and the gazetteer follow)."""

from django.db import models


class WorldRegion(models.TextChoices):
    """The seven zones used by the atlas filters."""

    EUROPE = "europe", "Europe"
    AFRICA = "africa", "Afrique"
    LATIN_AMERICA = "latin_america", "Amérique latine et Caraïbes"
    NORTH_AMERICA = "north_america", "Amérique du Nord"
    ASIA = "asia", "Asie"
    MIDDLE_EAST = "middle_east", "Moyen-Orient"
    OCEANIA = "oceania", "Océanie"


class Country(models.Model):
    """A country or territory of ISO 3166-1, keyed by its alpha-2 code."""

    iso2 = models.CharField("code ISO alpha-2", max_length=2, primary_key=True)
    iso3 = models.CharField("code ISO alpha-3", max_length=3, blank=True)
    numeric = models.CharField("code ISO numérique", max_length=3, blank=True)
    name_fr = models.CharField("nom français", max_length=100)
    name_en = models.CharField("nom anglais", max_length=100)
    world_region = models.CharField("région du monde", max_length=20, choices=WorldRegion.choices, blank=True)
    alternate_names = models.JSONField("autres noms", default=list, blank=True)

    class Meta:
        verbose_name = "pays"
        verbose_name_plural = "pays"
        ordering = ["name_fr"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_two_capitals"
            ),
        ]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def flag(self) -> str:
        """Return the flag emoji built from the two regional-indicator letters."""
        return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in self.iso2)
