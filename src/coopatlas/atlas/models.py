"""The atlas: organisations, partnerships and everything recorded about them.

The whole data model is described in docs/data-model.md; keep the two in step.
Identifiers are English, labels French (docs/glossary.md maps the terms).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from coopatlas.accounts.scope import Footprint, Scope
from coopatlas.atlas import rules
from coopatlas.atlas.choices import (
    FRENCH_AUTHORITY_KINDS,
    IMPORT_SOURCE_LABELS,
    BoardPostKind,
    ContactStatus,
    DocumentAccess,
    DocumentKind,
    EventKind,
    ForeignLevel,
    FundingKind,
    LegalBasis,
    OrganisationKind,
    ParticipationRole,
    PartnershipForm,
    PartnershipStatus,
    PartnerSize,
    PlaceStatus,
    PublicationState,
    VolunteerScheme,
)
from coopatlas.atlas.rules import is_french_authority
from coopatlas.core.i18n import BilingualName, sort_key
from coopatlas.core.models import TimeStampedModel
from coopatlas.core.text import normalise
from coopatlas.core.weblinks import validate_web_url
from coopatlas.core.years import DB_MAX_YEAR, MIN_YEAR, validate_year
from coopatlas.places.models import Commune, Country

FRANCE = "FR"


def _year_field(label: str, **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[validate_year], **kwargs
    )


def _year_in_range(field: str) -> Q:
    """Return the database-side check that a year column is null or within the accepted span."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": MIN_YEAR, f"{field}__lte": DB_MAX_YEAR})


# --- reference vocabularies -------------------------------------------------------------------


class Theme(BilingualName, models.Model):
    """A node of the three-level theme taxonomy (thématique / sous- / sous-sous-thématique)."""

    code = models.SlugField("code", max_length=80, unique=True)
    name_fr = models.CharField("intitulé", max_length=200)
    name_en = models.CharField("intitulé anglais", max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="thème parent",
    )
    level = models.PositiveSmallIntegerField(
        "niveau", validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    # Tag of the extraction vocabulary (culture, education, water_sanitation, …).
    tag = models.CharField("étiquette", max_length=40, blank=True)

    class Meta:
        verbose_name = "thème"
        verbose_name_plural = "thèmes"
        ordering = ["level", "position", "name_fr"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="theme_level_1_to_3"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="theme_parent_matches_level",
            ),
            models.UniqueConstraint(fields=["parent", "name_fr"], name="theme_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name_fr

    def clean(self) -> None:
        if self.parent and self.parent.level != self.level - 1:
            raise ValidationError(
                {
                    "parent": f"Un thème de niveau {self.level} doit avoir un parent de niveau "
                    f"{self.level - 1} (« {self.parent} » est de niveau {self.parent.level})."
                }
            )

    @property
    def path(self) -> list["Theme"]:
        """Return the theme's ancestors then itself, from level 1 down."""
        chain: list[Theme] = [self]
        while (parent := chain[0].parent) is not None:
            chain.insert(0, parent)
        return chain


class SustainableDevelopmentGoal(BilingualName, models.Model):
    """One of the 17 UN Sustainable Development Goals (ODD)."""

    number = models.PositiveSmallIntegerField(
        "numéro", primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )
    name_fr = models.CharField("intitulé", max_length=200)
    name_en = models.CharField("intitulé anglais", max_length=200)

    class Meta:
        verbose_name = "objectif de développement durable"
        verbose_name_plural = "objectifs de développement durable"
        ordering = ["number"]
        constraints = [models.CheckConstraint(condition=Q(number__gte=1, number__lte=17), name="sdg_1_to_17")]

    def __str__(self) -> str:
        return f"ODD {self.number} · {self.name_fr}"


class ImportBatch(models.Model):
    """One run of an import: who, when, which file, with what outcome."""

    source_kind = models.CharField("type de source", max_length=40)
    file_name = models.CharField("fichier", max_length=300, blank=True)
    file_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="lancé par",
    )
    started_at = models.DateTimeField("commencé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    counts = models.JSONField("décomptes", default=dict, blank=True)
    note = models.TextField("note", blank=True)
    undone_at = models.DateTimeField("annulé le", null=True, blank=True)

    class Meta:
        verbose_name = "lot d'import"
        verbose_name_plural = "lots d'import"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_label} · {self.file_name or '—'} · {self.started_at:%d/%m/%Y %H:%M}"

    @property
    def source_label(self) -> str:
        """The source in words (« Tableau », « Fiche de l'atlas »…), its code when it has none."""
        return str(IMPORT_SOURCE_LABELS.get(self.source_kind, self.source_kind))


# --- actors --------------------------------------------------------------------------------------


class BatchedHistory(models.Model):
    """What every history row of the atlas adds to simple-history's: the import batch that wrote
    it, if one did (undo finds a batch's rows by it). Filled from the instance's `_history_batch_id`
    (services.note_change) by a pre_create_historical_record receiver, and by the bulk writer."""

    history_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # history outlives what it names; a batch's removal keeps its rows
        verbose_name="lot d'import",
    )

    class Meta:
        abstract = True


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def french_authorities(self) -> "OrganisationQuerySet":
        return self.filter(kind__in=FRENCH_AUTHORITY_KINDS)

    def public(self) -> "OrganisationQuerySet":
        """Keep the organisations whose name the published atlas already shows: those taking part
        in or funding a published partnership, the networks of such organisations, the French
        authorities of the official geography (an INSEE code), and the territories and authors
        of studies. An organisation known only from drafts stays hidden, like the drafts."""
        published = PublicationState.PUBLISHED
        return self.filter(
            Q(
                pk__in=Participation.objects.filter(partnership__publication_state=published).values(
                    "organisation"
                )
            )
            | Q(pk__in=FundingLine.objects.filter(partnership__publication_state=published).values("funder"))
            | Q(
                pk__in=NetworkMembership.objects.filter(
                    member__participations__partnership__publication_state=published
                ).values("network")
            )
            | (Q(kind__in=FRENCH_AUTHORITY_KINDS) & ~Q(insee_code=""))
            | Q(pk__in=Study.objects.values("territory"))
            | Q(pk__in=Study.objects.exclude(author=None).values("author"))
        )

    def visible_to(self, user) -> "OrganisationQuerySet":
        """Keep what `user` may see: every organisation for those who may see drafts (the same
        right as for partnerships), the public ones for everybody else."""
        from coopatlas.accounts.permissions import is_administrator  # noqa: PLC0415 (models load first)

        if user is not None and user.is_authenticated and is_administrator(user):
            return self.all()
        return self.public()

    def edited_by(self, user) -> "OrganisationQuerySet":
        """Keep the organisations `user` holds an editor's role for (it declares their
        partnerships, posts on the board for them and reads the answers)."""
        from coopatlas.accounts.models import RoleKind  # noqa: PLC0415 (models load first)

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(roles__user=user, roles__kind=RoleKind.EDITOR).distinct()

    def matching(self, text: str) -> "OrganisationQuerySet":
        """Filter on a name, accent- and case-insensitively."""
        return self.filter(normalized_name__contains=normalise(text))


class Organisation(TimeStampedModel):
    """Any actor: a French or foreign authority, a university, an NGO, a network, a funder…"""

    name = models.CharField("nom", max_length=300)
    acronym = models.CharField("sigle", max_length=40, blank=True)
    kind = models.CharField("type d'acteur", max_length=30, choices=OrganisationKind.choices)
    foreign_level = models.CharField(
        "niveau (collectivité étrangère)", max_length=20, choices=ForeignLevel.choices, blank=True
    )
    admin_area = models.CharField(
        "région, État ou province",
        max_length=150,
        blank=True,
        help_text="Pour distinguer les homonymes : « South Carolina », « Bavière »…",
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="organisations", verbose_name="pays"
    )
    insee_code = models.CharField(
        "code INSEE",
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{2}|2[AB]|\d{3}|\d{5}|2[AB]\d{3})$",
                "Code INSEE attendu : 5 caractères pour une commune "
                "(ex. 59271, 2A004), 2 ou 3 pour un département ou une région.",
            )
        ],
    )
    seat_code = models.CharField(
        "commune du siège (code INSEE)",
        max_length=5,
        blank=True,
        db_index=True,
        help_text="Pour un acteur (université, association, entreprise…) : la commune où il a son "
        "siège, par laquelle il appartient au territoire de cette commune, de son EPCI, de son "
        "département et de sa région.",
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", "Code INSEE de commune attendu (ex. 69266).")],
    )
    siren = models.CharField(
        "SIREN",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", "Le SIREN compte 9 chiffres.")],
    )
    geonames_id = models.PositiveIntegerField("identifiant GeoNames", null=True, blank=True)
    wikidata_id = models.CharField(
        "identifiant Wikidata",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q\d+$", "Identifiant Wikidata attendu : Q suivi de chiffres.")],
    )
    population = models.PositiveIntegerField("population", null=True, blank=True)
    latitude = models.FloatField(
        "latitude",
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        "longitude",
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="rattachement",
        help_text="Département d'une commune, région d'un département, ville d'un arrondissement…",
    )
    alternate_names = models.JSONField("autres noms", default=list, blank=True)
    website = models.URLField("site web", blank=True, validators=[validate_web_url])
    note = models.TextField("note", blank=True)
    departement_code = models.CharField(
        "département",
        max_length=3,
        blank=True,
        help_text="Pour une collectivité française : son département.",
    )
    region_code = models.CharField(
        "région", max_length=3, blank=True, help_text="Pour une collectivité française : sa région."
    )
    place_status = models.CharField(
        "localisation", max_length=20, choices=PlaceStatus.choices, default=PlaceStatus.PENDING
    )
    place_reason = models.CharField("motif de la localisation", max_length=500, blank=True)
    place_candidates = models.JSONField("lieux candidats", default=list, blank=True)
    normalized_name = models.CharField(max_length=300, editable=False, db_index=True)
    external_ref = models.CharField(
        "référence externe",
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="Identifiant stable dans la source d'import (ex. demo:lyon).",
    )
    created_by_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_organisations",
        verbose_name="créée par le lot d'import",
    )
    networks = models.ManyToManyField(
        "self",
        through="NetworkMembership",
        symmetrical=False,
        related_name="network_members",
        blank=True,
        verbose_name="réseaux",
    )
    history = HistoricalRecords(bases=[BatchedHistory])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(insee_code="") | Q(country=FRANCE), name="org_insee_only_in_france"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=FRENCH_AUTHORITY_KINDS) | Q(country=FRANCE),
                name="org_french_authority_in_france",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.FOREIGN_AUTHORITY) | ~Q(country=FRANCE),
                name="org_foreign_authority_abroad",
            ),
            models.CheckConstraint(
                condition=Q(foreign_level="") | Q(kind=OrganisationKind.FOREIGN_AUTHORITY),
                name="org_level_only_for_foreign_authority",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180)),
                name="org_coordinates_pair_in_range",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="org_name_not_empty"),
            models.UniqueConstraint(
                fields=["kind", "insee_code"],
                condition=~Q(insee_code=""),
                name="org_unique_insee_per_kind",
            ),
        ]
        indexes = [models.Index(fields=["kind", "country"]), models.Index(fields=["place_status"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalized_name = normalise(" ".join([self.name, self.acronym]))
        if self.seat_code:
            # An actor's seat gives its département and région (the scopes and facets read them).
            codes = (
                Commune.objects.filter(insee_code=self.seat_code, kind="commune-actuelle")
                .values_list("departement_id", "region_id")
                .first()
            )
            if codes is not None:
                self.departement_code, self.region_code = codes[0] or "", codes[1] or ""
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.seat_code and self.country_id and self.country_id != FRANCE:
            errors["seat_code"] = "Le siège (commune française) est réservé aux organisations françaises."
        elif (
            self.seat_code
            and not Commune.objects.filter(insee_code=self.seat_code, kind="commune-actuelle").exists()
        ):
            errors["seat_code"] = f"Aucune commune actuelle n'a le code INSEE {self.seat_code}."
        if self.insee_code and self.country_id and self.country_id != FRANCE:
            errors["insee_code"] = (
                f"Le code INSEE {self.insee_code} est réservé aux organisations françaises "
                f"(pays indiqué : {self.country_id})."
            )
        if self.kind in FRENCH_AUTHORITY_KINDS and self.country_id and self.country_id != FRANCE:
            errors["country"] = (
                f"Une collectivité française ({self.get_kind_display()}) doit avoir le pays FR, "
                f"pas {self.country_id}."
            )
        if self.kind == OrganisationKind.FOREIGN_AUTHORITY and self.country_id == FRANCE:
            errors["country"] = "Une collectivité étrangère ne peut pas être située en France."
        if self.foreign_level and self.kind != OrganisationKind.FOREIGN_AUTHORITY:
            errors["foreign_level"] = "Le niveau ne s'applique qu'aux collectivités étrangères."
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = "Latitude et longitude vont ensemble : indiquez les deux ou aucune."
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("web:organisation", args=[self.pk])

    @property
    def display_name(self) -> str:
        """Return the name followed by the acronym when the name does not contain it."""
        if self.acronym and self.acronym.casefold() not in self.name.casefold():
            return f"{self.name} ({self.acronym})"
        return self.name

    @property
    def seat_name(self) -> str:
        """The name of the commune where an actor has its seat ("" when none is known)."""
        if not self.seat_code:
            return ""
        name = (
            Commune.objects.filter(insee_code=self.seat_code, kind="commune-actuelle")
            .values_list("name", flat=True)
            .first()
        )
        return name or ""

    @property
    def is_french_authority(self) -> bool:
        return is_french_authority(self.kind, self.country_id)

    def footprint(self) -> Footprint:
        """Return what the roles compare: this organisation, and its région and département
        when it is in France."""
        return footprint_of_organisations(
            [(self.pk, self.country_id, self.region_code, self.departement_code, self.seat_code, self.kind)]
        )


def footprints_of_partnerships(ids) -> dict[int, Footprint]:
    """Return the footprint of each partnership (Partnership.footprint) in one query."""
    rows: dict[int, list] = {pk: [] for pk in ids}
    participations = Participation.objects.filter(partnership_id__in=list(rows)).values_list(
        "partnership_id",
        "organisation_id",
        "organisation__country_id",
        "organisation__region_code",
        "organisation__departement_code",
        "organisation__seat_code",
        "organisation__kind",
    )
    for partnership_id, *organisation in participations.iterator(chunk_size=5000):
        rows[partnership_id].append(organisation)
    return {pk: footprint_of_organisations(found) for pk, found in rows.items()}


def footprint_of_organisations(rows) -> Footprint:
    """Return the footprint of organisations given as (id, country, région, département[, seat,
    kind]): their ids and the territories of those in France. Where no French authority is among
    them (an organisation alone, an initiative of a territory's actors), the authorities of the
    actors' seats too (the commune, its EPCI or métropole): their people keep the records of
    their territory's actors, never a record of another authority that an actor takes part in."""
    ids, regions, departements, seats = set(), set(), set(), set()
    authority = False
    for pk, country, region, departement, *extra in rows:
        if pk is not None:
            ids.add(pk)
        if country == FRANCE:
            if region:
                regions.add(region)
            if departement:
                departements.add(departement)
            if extra and extra[0]:
                seats.add(extra[0])
            if len(extra) > 1 and extra[1] in FRENCH_AUTHORITY_KINDS:
                authority = True
    if seats and not authority:
        ids |= seat_authorities(seats)
    return Footprint(frozenset(ids), frozenset(regions), frozenset(departements))


def seat_authorities(seat_codes: set[str]) -> set[int]:
    """The ids of the authorities of these seat communes: the communes themselves and the EPCI or
    métropole each belongs to (two queries)."""
    epcis = set(
        Commune.objects.filter(insee_code__in=seat_codes, kind="commune-actuelle")
        .exclude(epci_id=None)
        .values_list("epci_id", flat=True)
    )
    return set(
        Organisation.objects.filter(
            Q(kind=OrganisationKind.COMMUNE, insee_code__in=seat_codes)
            | Q(kind__in=(OrganisationKind.EPCI, OrganisationKind.METROPOLE), siren__in=epcis)
        ).values_list("pk", flat=True)
    )


# The fields that describe an organisation beyond its name, kind and country: what an import
# may give and what an export writes.
ORGANISATION_DATA_FIELDS = (
    "acronym",
    "foreign_level",
    "admin_area",
    "insee_code",
    "seat_code",
    "siren",
    "geonames_id",
    "wikidata_id",
    "population",
    "latitude",
    "longitude",
    "alternate_names",
    "website",
    "note",
    "departement_code",
    "region_code",
    "place_status",
    "place_reason",
)


class NetworkMembership(models.Model):
    """An organisation's membership of a network of cities (Eurocities, CGLU, LUCI…)."""

    network = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": OrganisationKind.NETWORK},
        verbose_name="réseau",
    )
    member = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="network_links", verbose_name="membre"
    )
    since_year = _year_field("membre depuis")
    is_founder = models.BooleanField("membre fondateur", default=False)

    class Meta:
        verbose_name = "adhésion à un réseau"
        verbose_name_plural = "adhésions à des réseaux"
        constraints = [
            models.UniqueConstraint(fields=["network", "member"], name="membership_unique"),
            models.CheckConstraint(condition=~Q(network=F("member")), name="membership_not_self"),
            models.CheckConstraint(condition=_year_in_range("since_year"), name="membership_year"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∈ {self.network}"

    def clean(self) -> None:
        if self.network_id and self.network.kind != OrganisationKind.NETWORK:
            raise ValidationError({"network": f"« {self.network} » n'est pas un réseau."})


class EuropeanProject(TimeStampedModel):
    """A European project (Interreg, URBACT, Horizon…) in which organisations take part."""

    name = models.CharField("nom", max_length=200, unique=True)
    programme = models.CharField("programme européen", max_length=200, blank=True)
    start_year = _year_field("année de début")
    end_year = _year_field("année de fin")
    description = models.TextField("description", blank=True)
    participants = models.ManyToManyField(
        Organisation, related_name="european_projects", verbose_name="participants", blank=True
    )

    class Meta:
        verbose_name = "projet européen"
        verbose_name_plural = "projets européens"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=_year_in_range("start_year"), name="euproject_start"),
            models.CheckConstraint(condition=_year_in_range("end_year"), name="euproject_end"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="euproject_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A support programme a partnership belongs to (e.g. a regional network's programme)."""

    name = models.CharField("nom", max_length=300, unique=True)
    operator = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name="porteur",
    )
    description = models.TextField("description", blank=True)

    class Meta:
        verbose_name = "programme"
        verbose_name_plural = "programmes"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- partnerships ----------------------------------------------------------------------------------

# Statuses that say a partnership has not ended: with an end date passed, they need checking.
UNENDED_STATUSES = (PartnershipStatus.ACTIVE, PartnershipStatus.PLANNED)
# A published record neither verified ("Toujours exact") nor changed for this long asks to be
# verified ("Mes partenariats", the e-mail alerts).
STALE_AFTER_DAYS = 730


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def published(self) -> "PartnershipQuerySet":
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def involving(self, organisation: Organisation) -> "PartnershipQuerySet":
        return self.filter(participations__organisation=organisation).distinct()

    def with_country(self, iso2: str) -> "PartnershipQuerySet":
        """Filter on partnerships concerning a country (a participant's or an explicit one)."""
        return self.filter(Q(participations__organisation__country=iso2) | Q(extra_countries=iso2)).distinct()

    def status_outdated(self, today: datetime.date | None = None) -> "PartnershipQuerySet":
        """Filter on partnerships said active or planned whose end date has passed."""
        return self.filter(status__in=UNENDED_STATUSES, end_date__lt=today or timezone.localdate())

    def ending(self, today: datetime.date, until: datetime.date) -> "PartnershipQuerySet":
        """Keep the agreements whose end date falls from `today` to `until` (both included),
        neither archived nor said ended: those to renew, extend or close."""
        return self.filter(end_date__gte=today, end_date__lte=until).exclude(
            Q(publication_state=PublicationState.ARCHIVED) | Q(status=PartnershipStatus.ENDED)
        )

    def to_verify(self, today: datetime.date) -> "PartnershipQuerySet":
        """Keep the published records not verified for STALE_AFTER_DAYS: verified before then,
        or never verified and not changed since then."""
        before = today - datetime.timedelta(days=STALE_AFTER_DAYS)
        return self.filter(publication_state=PublicationState.PUBLISHED).filter(
            Q(last_verified_on__isnull=True, updated_at__date__lt=before) | Q(last_verified_on__lt=before)
        )

    def waiting_review_by(self, user) -> "PartnershipQuerySet":
        """Keep the records submitted for review in the territory `user` reviews (its
        coordinator's scope; the atlas team: everywhere); none for who reviews nothing."""
        from coopatlas.accounts.permissions import REVIEWING_KINDS, scope_of  # noqa: PLC0415 (models load first)

        scope = scope_of(user, REVIEWING_KINDS)
        if user is None or scope.empty:
            return self.none()
        return self.filter(publication_state=PublicationState.SUBMITTED).within(scope)

    def visible_to(self, user) -> "PartnershipQuerySet":
        """Keep what `user` may see: the published records, and the others of its editing scope
        (accounts.permissions: the atlas team sees every draft, an editor its organisation's)."""
        from coopatlas.accounts.permissions import EDITING_KINDS, scope_of  # noqa: PLC0415 (models load first)

        if user is None or not user.is_authenticated:
            return self.published()
        scope = scope_of(user, EDITING_KINDS)
        if scope.national:
            return self.all()
        if scope.empty:
            return self.published()
        mine = Partnership.objects.within(scope).values("pk")
        return self.filter(Q(publication_state=PublicationState.PUBLISHED) | Q(pk__in=mine))

    def within(self, scope: Scope) -> "PartnershipQuerySet":
        """Keep the partnerships a scope reaches (accounts.permissions.scope_of): one of their
        participants is the scope's organisation, or a participant in France is in its territory."""
        if scope.national:
            return self
        reached = Q(organisation_id__in=scope.organisation_ids)
        in_france = Q(organisation__country=FRANCE)
        if scope.region_codes:
            reached |= in_france & Q(organisation__region_code__in=scope.region_codes)
        if scope.departement_codes:
            reached |= in_france & Q(organisation__departement_code__in=scope.departement_codes)
        return self.filter(pk__in=Participation.objects.filter(reached).values("partnership_id"))


class Partnership(TimeStampedModel):
    """A partnership: a twinning, an agreement, a project or an initiative, with its partners."""

    title = models.CharField("titre", max_length=500)
    form = models.CharField("forme", max_length=30, choices=PartnershipForm.choices)
    status = models.CharField(
        "état", max_length=20, choices=PartnershipStatus.choices, default=PartnershipStatus.ACTIVE
    )
    signature_year = _year_field("année de signature")
    signature_date = models.DateField(
        "date de signature",
        null=True,
        blank=True,
        help_text="Date complète quand elle est connue ; sinon l'année seule suffit.",
    )
    start_year = _year_field("année de début")
    end_date = models.DateField("date de fin", null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        "durée (mois)", null=True, blank=True, validators=[MaxValueValidator(1200)]
    )
    is_triennial = models.BooleanField("partenariat triennal", default=False)
    summary = models.TextField("résumé", blank=True)
    context = models.TextField("contexte", blank=True)
    history_text = models.TextField("historique", blank=True)
    objectives_local = models.TextField("objectifs locaux", blank=True)
    objectives_france = models.TextField("objectifs en France", blank=True)
    description = models.TextField("description détaillée", blank=True)
    themes = models.ManyToManyField(
        Theme,
        through="PartnershipTheme",
        related_name="partnerships",
        blank=True,
        verbose_name="thèmes",
    )
    sdgs = models.ManyToManyField(
        SustainableDevelopmentGoal, related_name="partnerships", blank=True, verbose_name="ODD"
    )
    extra_countries = models.ManyToManyField(
        Country,
        related_name="+",
        blank=True,
        verbose_name="autres pays concernés",
        help_text="Pays concernés sans collectivité partenaire (initiatives, études).",
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name="programme",
    )
    publication_state = models.CharField(
        "publication",
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.DRAFT,
    )
    last_verified_on = models.DateField("dernière vérification", null=True, blank=True)
    # Raised by every save through the services: an edit made from an older version is refused
    # (services.EditConflict) instead of silently overwriting what someone saved in between.
    version = models.PositiveIntegerField("version", default=1, editable=False)
    note = models.TextField(
        "note éditoriale",
        blank=True,
        help_text="Incohérences de la source, choix faits à la saisie…",
    )
    external_ref = models.CharField("référence externe", max_length=200, null=True, blank=True, unique=True)
    # Set by the importer: the fingerprint of the source row last imported, when, and by which batch
    # the record was created. A record changed in the app after `imported_at` is not overwritten
    # by a later import: the import reports a conflict instead.
    import_hash = models.CharField("empreinte importée", max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField("importé le", null=True, blank=True, editable=False)
    created_by_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_partnerships",
        verbose_name="créé par le lot d'import",
    )
    history = HistoricalRecords(m2m_fields=[sdgs, extra_countries], bases=[BatchedHistory])

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = "partenariat"
        verbose_name_plural = "partenariats"
        ordering = ["-start_year", "title"]
        indexes = [
            # The search's two sorts, read in order page after page (search.query.ORDERINGS).
            models.Index(fields=["-start_year", "title", "id"], name="partnership_by_start"),
            models.Index(fields=["title", "id"], name="partnership_by_title"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="partnership_title_not_empty"),
            models.CheckConstraint(
                condition=_year_in_range("signature_year"), name="partnership_signature_year"
            ),
            models.CheckConstraint(condition=_year_in_range("start_year"), name="partnership_start_year"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_date__year__gte=F("start_year")),
                name="partnership_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(signature_date__isnull=True)
                | Q(signature_year__isnull=True)
                | Q(signature_date__year=F("signature_year")),
                name="partnership_signature_date_matches_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.signature_date and self.signature_year is None:
            self.signature_year = self.signature_date.year
        if self.signature_date and self.signature_year != self.signature_date.year:
            errors["signature_date"] = (
                f"La date de signature {self.signature_date:%d/%m/%Y} ne tombe pas en "
                f"{self.signature_year}, l'année de signature indiquée."
            )
        if self.end_date and self.start_year and self.end_date.year < self.start_year:
            errors["end_date"] = (
                f"La date de fin ({self.end_date:%d/%m/%Y}) précède l'année de début ({self.start_year})."
            )
        if self.end_date:
            try:
                validate_year(self.end_date.year)
            except ValidationError as exc:
                errors["end_date"] = exc.messages[0]
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        return reverse("web:partnership", args=[self.pk])

    @property
    def status_outdated(self) -> bool:
        """Whether the status says active or planned though the end date has passed (to check)."""
        return (
            self.status in UNENDED_STATUSES
            and self.end_date is not None
            and self.end_date < timezone.localdate()
        )

    @property
    def first_year(self) -> int | None:
        """Return the year the partnership began: its start year, else its signature year."""
        return self.start_year or self.signature_year

    def participants(self, role: str) -> list["Participation"]:
        return [p for p in self.participations.all() if p.role == role]

    @property
    def is_domestic(self) -> bool:
        """Whether it joins French local authorities only (atlas.rules.is_domestic): a twinning
        of a mainland commune with one of La Réunion, kept out of the international figures."""
        return rules.is_domestic(
            [(p.organisation.kind, p.organisation.country_id) for p in self.participations.all()],
            [country.iso2 for country in self.extra_countries.all()],
        )

    def footprint(self) -> Footprint:
        """Return what the roles compare: every participant, and the territories of those in
        France (one query)."""
        if self.pk is None:
            return Footprint()
        return footprint_of_organisations(
            self.participations.values_list(
                "organisation_id",
                "organisation__country_id",
                "organisation__region_code",
                "organisation__departement_code",
                "organisation__seat_code",
                "organisation__kind",
            )
        )

    @property
    def french_participations(self) -> list["Participation"]:
        """The French side: its French authorities, or — for an initiative of a territory's
        actors — the French organisations taking part."""
        authorities = self.participants(ParticipationRole.FRENCH_AUTHORITY)
        if authorities:
            return authorities
        return [
            p
            for p in self.participations.all()
            if p.organisation.country_id == FRANCE and p.role != ParticipationRole.FOREIGN_AUTHORITY
        ]

    @property
    def foreign_participations(self) -> list["Participation"]:
        """The other side: its foreign authorities, or else the foreign organisations taking part."""
        authorities = self.participants(ParticipationRole.FOREIGN_AUTHORITY)
        if authorities or self.participants(ParticipationRole.FRENCH_AUTHORITY):
            return authorities
        return [p for p in self.participations.all() if p.organisation.country_id != FRANCE]

    def countries(self) -> list[Country]:
        """Return the countries concerned: foreign participants' plus explicit ones."""
        found: dict[str, Country] = {}
        for participation in self.participations.all():
            country = participation.organisation.country
            if country.iso2 != FRANCE:
                found.setdefault(country.iso2, country)
        for country in self.extra_countries.all():
            found.setdefault(country.iso2, country)
        return sorted(found.values(), key=lambda c: sort_key(c.display_name))

    def funding_total(self) -> Decimal:
        return self.funding_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0")


class PartnershipTheme(models.Model):
    """A theme of a partnership with its priority (0 = main theme, then 1, 2, …)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="theme_links", verbose_name="partenariat"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, verbose_name="thème")
    priority = models.PositiveSmallIntegerField("priorité", default=0)
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "thème du partenariat"
        verbose_name_plural = "thèmes du partenariat"
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "theme"], name="partnership_theme_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.theme} (priorité {self.priority})"


class PublicationStep(models.Model):
    """One step of a partnership's publication workflow: from which state to which, by whom,
    when, with the reviewer's comment (a record sent back says why)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="publication_steps", verbose_name="partenariat"
    )
    from_state = models.CharField("de", max_length=20, choices=PublicationState.choices)
    to_state = models.CharField("vers", max_length=20, choices=PublicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="lot publié",
    )
    comment = models.TextField("commentaire", blank=True)
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "étape de publication"
        verbose_name_plural = "étapes de publication"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.partnership_id}: {self.from_state} → {self.to_state}"


class ProposalState(models.TextChoices):
    OPEN = "open", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


# The fields of a partnership anyone signed in may propose to correct.
PROPOSABLE_FIELDS = ("title", "status", "signature_year", "start_year", "end_date", "summary")
# A partnership's own facts (not its workflow state nor its parts): what its editors change in
# the app, what a version of its history gives back, what an import row sets.
PARTNERSHIP_FACTS = (
    "title",
    "form",
    "status",
    "signature_year",
    "signature_date",
    "start_year",
    "end_date",
    "duration_months",
    "is_triennial",
    "summary",
    "context",
    "history_text",
    "objectives_local",
    "objectives_france",
    "description",
)


class ProposedChange(models.Model):
    """A correction proposed by a contributor to a published partnership: new values for some
    fields and/or a message and a source, accepted or refused by the record's editors or
    coordinators (atlas.services.workflow)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="proposed_changes", verbose_name="partenariat"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    changes = models.JSONField("valeurs proposées", default=dict, blank=True)
    message = models.TextField("message", blank=True)
    source_url = models.URLField("source", max_length=500, blank=True, validators=[validate_web_url])
    state = models.CharField("état", max_length=10, choices=ProposalState.choices, default=ProposalState.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)
    created_at = models.DateTimeField("proposée le", default=timezone.now)
    # Set when the values come from an import that met a field already set otherwise: a
    # conflict between sources, reviewed like any proposed correction.
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name="lot d'import en conflit",
    )

    class Meta:
        verbose_name = "proposition de correction"
        verbose_name_plural = "propositions de correction"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Proposition n° {self.pk} sur « {self.partnership} »"


class Participation(models.Model):
    """An organisation's part in a partnership, with its role."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name="partenariat",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name="organisation",
    )
    role = models.CharField("rôle", max_length=30, choices=ParticipationRole.choices)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    note = models.CharField("précision", max_length=300, blank=True)
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "participant"
        verbose_name_plural = "participants"
        ordering = ["role", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "role"], name="participation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"

    def clean(self) -> None:
        if not self.organisation_id:
            return
        org = self.organisation
        if self.role == ParticipationRole.FRENCH_AUTHORITY and not is_french_authority(
            org.kind, org.country_id
        ):
            raise ValidationError(
                {
                    "organisation": (
                        f"« {org} » ({org.get_kind_display()}, {org.country_id}) n'est pas une "
                        "collectivité territoriale française."
                    )
                }
            )
        if self.role == ParticipationRole.FOREIGN_AUTHORITY and org.country_id == FRANCE:
            raise ValidationError(
                {
                    "organisation": (
                        f"« {org} » est en France : elle ne peut pas être la collectivité étrangère."
                    )
                }
            )


class FundingLine(models.Model):
    """One funder's contribution to a partnership in one year."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="funding_lines",
        verbose_name="partenariat",
    )
    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fundings",
        verbose_name="financeur",
    )
    funder_label = models.CharField(
        "financeur (libellé)",
        max_length=300,
        blank=True,
        help_text="Pour un financeur qui n'est pas une organisation (ex. « Usagers français »).",
    )
    amount = models.DecimalField(
        "montant (€)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    water_one_percent_amount = models.DecimalField(
        "montant « 1 % eau » (€)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Part relevant de la loi Oudin-Santini (2005).",
    )
    year = models.PositiveSmallIntegerField("année", validators=[validate_year])
    kind = models.CharField("nature", max_length=20, choices=FundingKind.choices, default=FundingKind.OTHER)
    # Where the money goes, when a partnership reaches several countries and the line is for one
    # of them (the yearly development-aid declaration counts amounts per country).
    recipient_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pays bénéficiaire",
        help_text="Pour un partenariat avec plusieurs pays : le pays où va ce montant.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["year", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(water_one_percent_amount__isnull=True) | Q(water_one_percent_amount__gte=0),
                name="funding_water_not_negative",
            ),
            models.CheckConstraint(condition=_year_in_range("year"), name="funding_year"),
            models.CheckConstraint(
                condition=Q(funder__isnull=False) | ~Q(funder_label=""), name="funding_has_funder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder_name} · {self.amount} € · {self.year}"

    @property
    def funder_name(self) -> str:
        return self.funder.name if self.funder is not None else self.funder_label

    def clean(self) -> None:
        if not self.funder_id and not self.funder_label.strip():
            raise ValidationError({"funder": "Indiquez le financeur (organisation ou libellé)."})


# --- people (personal data) -----------------------------------------------------------------------


class Contact(TimeStampedModel):
    """A person to contact. Personal data: shown only to users who may see it (accounts.permissions,
    "personal_data_see": the record's keepers and readers)."""

    last_name = models.CharField("nom", max_length=150, blank=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    function = models.CharField("fonction", max_length=300, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name="organisation",
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name="partenariat",
    )
    legal_basis = models.CharField(
        "base légale", max_length=30, choices=LegalBasis.choices, default=LegalBasis.PUBLIC_TASK
    )
    last_confirmed_on = models.DateField("dernière confirmation", null=True, blank=True)
    note = models.CharField("note", max_length=300, blank=True)
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(last_name="", email="", phone="", function=""),
                name="contact_identifies_someone",
            ),
        ]

    def __str__(self) -> str:
        name = " ".join(part for part in [self.first_name, self.last_name] if part)
        return name or self.function or self.email


class Volunteer(models.Model):
    """A volunteer (VSI, service civique, …) working on a partnership. Personal data."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="volunteers", verbose_name="partenariat"
    )
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    scheme = models.CharField("dispositif", max_length=20, choices=VolunteerScheme.choices)
    mission = models.CharField("mission", max_length=300, blank=True)
    field = models.CharField("champ d'action", max_length=300, blank=True)
    assigned_entity = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name="entité d'affectation",
    )
    start_year = _year_field("année de début")
    end_year = _year_field("année de fin")
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "volontaire"
        verbose_name_plural = "volontaires"
        constraints = [
            models.CheckConstraint(condition=_year_in_range("start_year"), name="volunteer_start"),
            models.CheckConstraint(condition=_year_in_range("end_year"), name="volunteer_end"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="volunteer_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_scheme_display()})".strip()


class DiplomaticPost(models.Model):
    """France's embassy in a country, with its decentralised-cooperation contacts (or none)."""

    country = models.OneToOneField(
        Country, on_delete=models.PROTECT, related_name="diplomatic_post", verbose_name="pays"
    )
    name = models.CharField("poste", max_length=200)
    correspondent = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="correspondant coopération décentralisée",
    )
    correspondent_status = models.CharField(
        "correspondant", max_length=10, choices=ContactStatus.choices, default=ContactStatus.UNKNOWN
    )
    counsellor = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="conseiller de coopération et d'action culturelle",
    )
    counsellor_status = models.CharField(
        "conseiller", max_length=10, choices=ContactStatus.choices, default=ContactStatus.UNKNOWN
    )
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "poste diplomatique"
        verbose_name_plural = "postes diplomatiques"
        ordering = ["country__name_fr"]
        constraints = [
            models.CheckConstraint(
                condition=Q(correspondent__isnull=True) | Q(correspondent_status=ContactStatus.NAMED),
                name="post_correspondent_status_named",
            ),
            models.CheckConstraint(
                condition=Q(counsellor__isnull=True) | Q(counsellor_status=ContactStatus.NAMED),
                name="post_counsellor_status_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for field, status in [("correspondent", "correspondent_status"), ("counsellor", "counsellor_status")]:
            has_contact = getattr(self, f"{field}_id") is not None
            if getattr(self, status) == ContactStatus.NAMED and not has_contact:
                raise ValidationError({field: "Choisissez la personne, ou indiquez « Aucun »."})
            if has_contact and getattr(self, status) != ContactStatus.NAMED:
                raise ValidationError({status: "Une personne est choisie : l'état doit être « Nommé »."})


# --- timeline, sources, studies -------------------------------------------------------------------


class Event(models.Model):
    """A dated entry on a partnership's or organisation's timeline (a year, a period or a day)."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="partenariat",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="organisation",
    )
    kind = models.CharField("type", max_length=30, choices=EventKind.choices, default=EventKind.OTHER)
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    year = models.PositiveSmallIntegerField("année", validators=[validate_year])
    month = models.PositiveSmallIntegerField(
        "mois", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        "jour", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    end_year = _year_field("jusqu'en", help_text="Pour une période (ex. 2001 à 2008).")
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "événements"
        ordering = ["year", "month", "day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False) | Q(organisation__isnull=False),
                name="event_belongs_somewhere",
            ),
            models.CheckConstraint(condition=_year_in_range("year"), name="event_year"),
            models.CheckConstraint(condition=_year_in_range("end_year"), name="event_end_year"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("year")),
                name="event_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="event_month"
            ),
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(day__gte=1, day__lte=31, month__isnull=False),
                name="event_day_needs_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.when} · {self.title}"

    @property
    def when(self) -> str:
        """Return the date as written in French: 2014, 2001–2008, 11/2024 or 21/11/2024."""
        if self.end_year and self.end_year != self.year:
            return f"{self.year}–{self.end_year}"
        if self.day and self.month:
            return f"{self.day:02d}/{self.month:02d}/{self.year}"
        if self.month:
            return f"{self.month:02d}/{self.year}"
        return str(self.year)

    def clean(self) -> None:
        if not self.partnership_id and not self.organisation_id:
            raise ValidationError("Un événement se rattache à un partenariat ou à une organisation.")
        if self.day and not self.month:
            raise ValidationError({"day": "Un jour sans mois n'est pas une date."})
        if self.day and self.month and self.year:
            try:
                datetime.date(self.year, self.month, self.day)
            except ValueError:
                raise ValidationError(
                    {"day": f"Le {self.day:02d}/{self.month:02d}/{self.year} n'existe pas."}
                ) from None
        if self.end_year and self.year and self.end_year < self.year:
            raise ValidationError(
                {"end_year": f"La période finit ({self.end_year}) avant de commencer ({self.year})."}
            )


class Document(TimeStampedModel):
    """A file attached to a partnership (the signed convention, the council's deliberation, a
    report, a picture), stored by Django's default storage (settings.STORAGES: the media folder,
    or an S3-compatible store), opened only through the app (web/documents.py) by those its
    access level allows. Its type is read from its first bytes, not from its name."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="documents", verbose_name="partenariat"
    )
    title = models.CharField("titre", max_length=300)
    kind = models.CharField("nature", max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    access = models.CharField(
        "accès", max_length=10, choices=DocumentAccess.choices, default=DocumentAccess.SCOPE
    )
    file = models.FileField("fichier", upload_to="documents/%Y/%m/", max_length=300)
    file_name = models.CharField("nom du fichier déposé", max_length=255)
    content_type = models.CharField("type de fichier", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déposé par",
    )
    history = HistoricalRecords(bases=[BatchedHistory])

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:document", args=[self.pk])


class BoardPost(TimeStampedModel):
    """A post of the partner exchange board ("bourse aux partenariats"): an authority seeks a
    partner, or offers a partnership, in some countries or a zone, on some themes, until a date.
    Others answer it inside the app (BoardAnswer)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="board_posts", verbose_name="collectivité"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    kind = models.CharField(
        "annonce", max_length=10, choices=BoardPostKind.choices, default=BoardPostKind.REQUEST
    )
    title = models.CharField("titre", max_length=200)
    description = models.TextField("description")
    countries = models.ManyToManyField(Country, related_name="+", blank=True, verbose_name="pays recherchés")
    zone = models.CharField(
        "zone", max_length=150, blank=True, help_text="Par exemple « Afrique de l'Ouest »."
    )
    themes = models.ManyToManyField(Theme, related_name="board_posts", blank=True, verbose_name="thèmes")
    partner_size = models.CharField(
        "taille du partenaire", max_length=10, choices=PartnerSize.choices, default=PartnerSize.ANY
    )
    until = models.DateField("jusqu'au", null=True, blank=True)
    is_open = models.BooleanField("ouverte", default=True)
    history = HistoricalRecords(m2m_fields=[countries, themes], bases=[BatchedHistory])

    class Meta:
        verbose_name = "annonce de la bourse aux partenariats"
        verbose_name_plural = "annonces de la bourse aux partenariats"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("web:board_post", args=[self.pk])

    def footprint(self) -> Footprint:
        return self.organisation.footprint()

    @property
    def is_current(self) -> bool:
        return self.is_open and (self.until is None or self.until >= timezone.localdate())


class BoardAnswer(models.Model):
    """An answer to a board post, written in the app and read there by the post's authority."""

    post = models.ForeignKey(
        BoardPost, on_delete=models.CASCADE, related_name="answers", verbose_name="annonce"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="board_answers",
        verbose_name="au nom de",
    )
    message = models.TextField("message", max_length=5000)
    created_at = models.DateTimeField("écrite le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        verbose_name = "réponse à une annonce"
        verbose_name_plural = "réponses aux annonces"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Réponse à « {self.post} »"


class Source(models.Model):
    """Where a partnership's facts come from: a page, a document or an import batch."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="sources", verbose_name="partenariat"
    )
    url = models.URLField("adresse", max_length=500, blank=True, validators=[validate_web_url])
    title = models.CharField("document", max_length=300, blank=True)
    retrieved_on = models.DateField("consulté le", null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name="lot d'import",
    )

    class Meta:
        verbose_name = "source"
        verbose_name_plural = "sources"
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(title="") | Q(batch__isnull=False), name="source_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or str(self.batch)


class Study(TimeStampedModel):
    """A study of a territory's cooperation with a zone (its counts and ranked categories)."""

    title = models.CharField("titre", max_length=300)
    territory = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="studies", verbose_name="territoire"
    )
    author = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_studies",
        verbose_name="réalisée par",
    )
    world_region = models.CharField("zone étudiée", max_length=20, blank=True)
    initiatives_count = models.PositiveIntegerField("initiatives recensées")
    actors_count = models.PositiveIntegerField("acteurs du territoire")
    countries_count = models.PositiveIntegerField("pays")
    summary = models.TextField("résumé", blank=True)
    note = models.TextField("note", blank=True)
    highlighted_countries = models.ManyToManyField(
        Country, related_name="+", blank=True, verbose_name="pays aux coopérations les plus nombreuses"
    )

    class Meta:
        verbose_name = "étude"
        verbose_name_plural = "études"

    def __str__(self) -> str:
        return self.title


class StudyCategory(models.Model):
    """A category of a study, ranked by the number of cooperations it counts (1 = most)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="categories")
    rank = models.PositiveSmallIntegerField("rang", validators=[MinValueValidator(1)])
    name = models.CharField("catégorie", max_length=200)
    examples = models.CharField("exemples", max_length=300, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="study_categories", verbose_name="thèmes regroupés"
    )

    class Meta:
        verbose_name = "catégorie d'étude"
        verbose_name_plural = "catégories d'étude"
        ordering = ["study", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["study", "rank"], name="study_category_rank_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="study_category_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.name}"


class OrganisationMerge(models.Model):
    """A merge of a duplicate organisation into another, kept so that it can be undone."""

    survivor = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="merges", verbose_name="organisation gardée"
    )
    removed_id = models.BigIntegerField("identifiant de l'organisation fusionnée")
    removed_name = models.CharField("organisation fusionnée", max_length=300)
    snapshot = models.JSONField("état de l'organisation fusionnée")
    moved = models.JSONField("liens déplacés", default=dict)
    reason = models.CharField("motif", max_length=300, blank=True)
    merged_at = models.DateTimeField("fusionnée le", auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "fusion d'organisations"
        verbose_name_plural = "fusions d'organisations"
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.survivor}"


class PartnershipMerge(models.Model):
    """A merge of a duplicate partnership into another (the same authorities, a compatible form),
    kept so that it can be undone: the removed record's fields, the lines moved and what the
    survivor took from it."""

    survivor = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="merges", verbose_name="partenariat gardé"
    )
    removed_id = models.BigIntegerField("identifiant du partenariat fusionné")
    removed_title = models.CharField("partenariat fusionné", max_length=500)
    snapshot = models.JSONField("état du partenariat fusionné")
    moved = models.JSONField("liens déplacés", default=dict)
    reason = models.CharField("motif", max_length=300, blank=True)
    merged_at = models.DateTimeField("fusionné le", auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "fusion de partenariats"
        verbose_name_plural = "fusions de partenariats"
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_title} → {self.survivor}"


def _history_batch(sender, instance, history_instance, **kwargs) -> None:
    """Give a history row the batch its instance was written by (services.note_change)."""
    batch_id = getattr(instance, "_history_batch_id", None)
    if batch_id is not None and hasattr(history_instance, "history_batch_id"):
        history_instance.history_batch_id = batch_id


pre_create_historical_record.connect(_history_batch, dispatch_uid="coopatlas_history_batch")
