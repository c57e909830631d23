"""Reference geography: countries and world regions (French territories and the gazetteer follow)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coopatlas.core.i18n import BilingualName


class WorldRegion(models.TextChoices):
    """The seven zones used by the atlas filters."""

    EUROPE = "europe", _("Europe")
    AFRICA = "africa", _("Afrique")
    LATIN_AMERICA = "latin_america", _("Amérique latine et Caraïbes")
    NORTH_AMERICA = "north_america", _("Amérique du Nord")
    ASIA = "asia", _("Asie")
    MIDDLE_EAST = "middle_east", _("Moyen-Orient")
    OCEANIA = "oceania", _("Océanie")


class Country(BilingualName, models.Model):
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


# --- French administrative geography (Code officiel géographique, via Etalab) --------------------


class Region(models.Model):
    """A French région (18 since 2016), keyed by its INSEE code (e.g. 32 Hauts-de-France)."""

    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    chef_lieu = models.CharField("chef-lieu (code INSEE)", max_length=5, blank=True)
    zone = models.CharField("zone", max_length=10, blank=True)

    class Meta:
        verbose_name = "région française"
        verbose_name_plural = "régions françaises"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    """A French département (101), keyed by its code (01–95, 2A, 2B, 971–976)."""

    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="departements",
        verbose_name="région",
        null=True,
        blank=True,
    )
    chef_lieu = models.CharField("chef-lieu (code INSEE)", max_length=5, blank=True)
    zone = models.CharField("zone", max_length=10, blank=True)

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An intercommunalité with its own taxation (CC, CA, CU, métropole), keyed by SIREN."""

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=10)  # CC, CA, CU, METRO, MET69
    population = models.PositiveIntegerField("population", null=True, blank=True)

    class Meta:
        verbose_name = "intercommunalité (EPCI)"
        verbose_name_plural = "intercommunalités (EPCI)"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune of the COG, current or delegated/associated, or a municipal arrondissement."""

    # A delegated commune can share its INSEE code with the new commune it joined.
    insee_code = models.CharField("code INSEE", max_length=5, db_index=True)
    kind = models.CharField("type", max_length=30)  # commune-actuelle, commune-deleguee, …
    name = models.CharField("nom", max_length=200)
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name="département",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name="région",
    )
    parent_code = models.CharField("commune de rattachement", max_length=5, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="intercommunalité",
    )
    population = models.PositiveIntegerField("population", null=True, blank=True)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    coord_source = models.CharField("source des coordonnées", max_length=40, blank=True)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "kind"], name="commune_unique_code_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    @property
    def is_current(self) -> bool:
        return self.kind == "commune-actuelle"


# --- Names people placed ------------------------------------------------------------------------


class LearnedPlace(models.Model):
    """The place a person chose for a name in a country (on the page of places to check): the
    resolver answers that name with it from then on. One row per name key and country; a later
    choice replaces it, the history keeps the earlier ones."""

    name_key = models.CharField("clé du nom", max_length=200)  # names.place_key of the raw name
    country = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name="pays")
    raw_name = models.CharField("nom tel qu'écrit", max_length=300)
    # The place chosen: its identity (an INSEE code for a French commune, département or région,
    # a GeoNames id for a town; the kind and name for a state or county built from towns, or an
    # EPCI) and enough to answer without the gazetteer.
    place_kind = models.CharField("type de lieu", max_length=20)
    insee_code = models.CharField("code INSEE", max_length=5, blank=True)
    geonames_id = models.PositiveIntegerField("identifiant GeoNames", null=True, blank=True)
    place_name = models.CharField("nom du lieu", max_length=200)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    population = models.PositiveIntegerField("population", default=0)
    admin1 = models.CharField("région, État ou province", max_length=200, blank=True)
    admin2 = models.CharField("département ou comté", max_length=200, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="choisi par",
    )
    chosen_at = models.DateTimeField("choisi le")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lieu appris"
        verbose_name_plural = "lieux appris"
        ordering = ["name_key", "country"]
        constraints = [
            models.UniqueConstraint(fields=["name_key", "country"], name="learned_place_one_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.raw_name} ({self.country_id}) → {self.place_name}"
