"""Controlled vocabularies of the atlas (English codes, French labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité (EPCI)")
    METROPOLE = "metropole", _("Métropole")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    FRENCH_PUBLIC_BODY = "french_public_body", _("Autre organisme public français")
    FOREIGN_AUTHORITY = "foreign_authority", _("Collectivité étrangère")
    NATIONAL_BODY = "national_body", _("Organisme national ou ministère")
    EMBASSY = "embassy", _("Ambassade")
    UNIVERSITY = "university", _("Université ou organisme de recherche")
    SCHOOL = "school", _("Établissement scolaire")
    ASSOCIATION = "association", _("Association ou ONG")
    COMPANY = "company", _("Entreprise")
    HOSPITAL = "hospital", _("Établissement de santé")
    CHAMBER = "chamber", _("Chambre consulaire")
    CULTURAL_BODY = "cultural_body", _("Organisme culturel")
    NETWORK = "network", _("Réseau de villes ou d'acteurs")
    FUNDER = "funder", _("Bailleur ou agence")
    OTHER = "other", _("Autre")


# Kinds that are French local authorities (collectivités territoriales and their groupings).
# A tuple, not a set: its order is written into a database constraint and must not vary.
FRENCH_AUTHORITY_KINDS = (
    OrganisationKind.COMMUNE,
    OrganisationKind.EPCI,
    OrganisationKind.METROPOLE,
    OrganisationKind.DEPARTEMENT,
    OrganisationKind.REGION,
)
# French organisations other than authorities that act on their own in a territory (its actors):
# each has a seat, a commune, through which a territory's scope reaches it and its initiatives.
ACTOR_KINDS = (
    OrganisationKind.UNIVERSITY,
    OrganisationKind.SCHOOL,
    OrganisationKind.ASSOCIATION,
    OrganisationKind.COMPANY,
    OrganisationKind.HOSPITAL,
    OrganisationKind.CHAMBER,
    OrganisationKind.CULTURAL_BODY,
    OrganisationKind.FRENCH_PUBLIC_BODY,
    OrganisationKind.NETWORK,
    OrganisationKind.OTHER,
)
# Kinds that are places on a map (resolved to a commune, a region or a gazetteer entry).
PLACE_KINDS = (*FRENCH_AUTHORITY_KINDS, OrganisationKind.FOREIGN_AUTHORITY)


class ForeignLevel(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipalité")
    DISTRICT = "district", _("District ou arrondissement")
    PROVINCE = "province", _("Province, État fédéré ou oblast")
    REGION = "region", _("Région")


class PartnershipForm(models.TextChoices):
    TWINNING = "twinning", _("Jumelage")
    FRIENDSHIP_PACT = "friendship_pact", _("Pacte d'amitié")
    COOPERATION_AGREEMENT = "cooperation_agreement", _("Accord ou convention de coopération")
    PROTOCOL = "protocol", _("Protocole d'entente")
    DECENTRALISED_PROJECT = "project", _("Projet de coopération décentralisée")
    NETWORK = "network", _("Réseau")
    INITIATIVE = "initiative", _("Action ou initiative")
    OTHER = "other", _("Autre")


class PartnershipStatus(models.TextChoices):
    PLANNED = "planned", _("En projet")
    ACTIVE = "active", _("En cours")
    DORMANT = "dormant", _("En veille")
    ENDED = "ended", _("Terminé")
    # What a source does not say stays unsaid: a pair imported without a status is not "En cours".
    UNKNOWN = "unknown", _("Non renseigné")


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumis à la revue")
    PUBLISHED = "published", _("Publié")
    ARCHIVED = "archived", _("Archivé")


class ParticipationRole(models.TextChoices):
    FRENCH_AUTHORITY = "french_authority", _("Collectivité française")
    FOREIGN_AUTHORITY = "foreign_authority", _("Collectivité étrangère")
    ASSOCIATED = "associated", _("Acteur associé")
    COORDINATOR = "coordinator", _("Coordinateur")
    OPERATOR = "operator", _("Opérateur")


class FundingKind(models.TextChoices):
    OWN_FUNDS = "own_funds", _("Fonds propres")
    STATE = "state", _("État")
    AGENCY = "agency", _("Agence (AFD, agence de l'eau…)")
    EUROPEAN_UNION = "european_union", _("Union européenne")
    PARTNER = "partner", _("Partenaires étrangers")
    PRIVATE = "private", _("Privé")
    OTHER = "other", _("Autre")


class LegalBasis(models.TextChoices):
    """GDPR article 6 basis on which a contact's data is kept."""

    PUBLIC_TASK = "public_task", _("Mission d'intérêt public")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Intérêt légitime")
    CONSENT = "consent", _("Consentement")


class VolunteerScheme(models.TextChoices):
    VSI = "vsi", _("Volontariat de solidarité internationale (VSI)")
    CIVIC_SERVICE = "civic_service", _("Service civique")
    VIA = "via", _("Volontariat international en administration (VIA)")
    OTHER = "other", _("Autre")


class EventKind(models.TextChoices):
    SIGNATURE = "signature", _("Signature")
    DELEGATION_VISIT = "delegation_visit", _("Visite de délégation")
    EXCHANGE = "exchange", _("Programme d'échange")
    ACADEMIC_AGREEMENT = "academic_agreement", _("Accord entre universités ou chercheurs")
    PROJECT = "project", _("Projet")
    MEETING = "meeting", _("Rencontre")
    FOUNDATION = "foundation", _("Création")
    OTHER = "other", _("Autre")


class ContactStatus(models.TextChoices):
    """Whether a diplomatic post has someone in a given function."""

    NAMED = "named", _("Nommé")
    NONE = "none", _("Aucun")
    UNKNOWN = "unknown", _("Non renseigné")


class PlaceStatus(models.TextChoices):
    """Whether an organisation has been tied to a real place."""

    PENDING = "pending", _("À localiser")
    RESOLVED = "resolved", _("Localisé")
    MANUAL = "manual", _("Localisé à la main")
    AMBIGUOUS = "ambiguous", _("Ambigu")
    UNRESOLVED = "unresolved", _("Introuvable")
    NOT_A_PLACE = "not_a_place", _("Sans lieu (réseau, entreprise…)")


# An import batch's source in words, from the code it is stored under (ImportBatch.source_kind).
# Not field choices: a source added later must not need a migration, and its code is shown as is.
IMPORT_SOURCE_LABELS = {
    "table": _("Tableau"),
    "atlas-sheet": _("Fiche de l'atlas"),
    "twins": _("Jumelages (Wikipedia)"),
    "json": _("Export JSON coopatlas"),
    "extraction": _("Page lue (extraction)"),
    "synthetic": _("Données synthétiques"),
}


class DocumentKind(models.TextChoices):
    CONVENTION = "convention", _("Convention signée")
    DELIBERATION = "deliberation", _("Délibération du conseil")
    REPORT = "report", _("Rapport")
    IMAGE = "image", _("Image")
    OTHER = "other", _("Autre document")


class DocumentAccess(models.TextChoices):
    """Who may open a document attached to a partnership."""

    PUBLIC = "public", _("Public (tous ceux qui voient le partenariat)")
    SCOPE = "scope", _("Périmètre (les éditeurs et coordinateurs du partenariat)")
    PRIVATE = "private", _("Privé (la personne qui l'a déposé et l'équipe de l'atlas)")


class BoardPostKind(models.TextChoices):
    """A post of the partner exchange board ("bourse aux partenariats")."""

    REQUEST = "request", _("Recherche un partenaire")
    OFFER = "offer", _("Propose un partenariat")


class PartnerSize(models.TextChoices):
    ANY = "any", _("Toute taille")
    SMALL = "small", _("Petite (moins de 10 000 habitants)")
    MEDIUM = "medium", _("Moyenne (10 000 à 100 000 habitants)")
    LARGE = "large", _("Grande (plus de 100 000 habitants)")
