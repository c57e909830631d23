"""Controlled vocabularies of the atlas (English codes, French labels)."""

from django.db import models


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "Intercommunalité (EPCI)"
    METROPOLE = "metropole", "Métropole"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    FRENCH_PUBLIC_BODY = "french_public_body", "Autre organisme public français"
    FOREIGN_AUTHORITY = "foreign_authority", "Collectivité étrangère"
    NATIONAL_BODY = "national_body", "Organisme national ou ministère"
    EMBASSY = "embassy", "Ambassade"
    UNIVERSITY = "university", "Université ou organisme de recherche"
    SCHOOL = "school", "Établissement scolaire"
    ASSOCIATION = "association", "Association ou ONG"
    COMPANY = "company", "Entreprise"
    NETWORK = "network", "Réseau de villes ou d'acteurs"
    FUNDER = "funder", "Bailleur ou agence"
    OTHER = "other", "Autre"


# Kinds that are French local authorities (collectivités territoriales and their groupings).
# A tuple, not a set: its order is written into a database constraint and must not vary.
FRENCH_AUTHORITY_KINDS = (
    OrganisationKind.COMMUNE,
    OrganisationKind.EPCI,
    OrganisationKind.METROPOLE,
    OrganisationKind.DEPARTEMENT,
    OrganisationKind.REGION,
)
# Kinds that are places on a map (resolved to a commune, a region or a gazetteer entry).
PLACE_KINDS = (*FRENCH_AUTHORITY_KINDS, OrganisationKind.FOREIGN_AUTHORITY)


class ForeignLevel(models.TextChoices):
    MUNICIPALITY = "municipality", "Municipalité"
    DISTRICT = "district", "District ou arrondissement"
    PROVINCE = "province", "Province, État fédéré ou oblast"
    REGION = "region", "Région"


class PartnershipForm(models.TextChoices):
    TWINNING = "twinning", "Jumelage"
    FRIENDSHIP_PACT = "friendship_pact", "Pacte d'amitié"
    COOPERATION_AGREEMENT = "cooperation_agreement", "Accord ou convention de coopération"
    PROTOCOL = "protocol", "Protocole d'entente"
    DECENTRALISED_PROJECT = "project", "Projet de coopération décentralisée"
    NETWORK = "network", "Réseau"
    INITIATIVE = "initiative", "Action ou initiative"
    OTHER = "other", "Autre"


class PartnershipStatus(models.TextChoices):
    PLANNED = "planned", "En projet"
    ACTIVE = "active", "En cours"
    DORMANT = "dormant", "En veille"
    ENDED = "ended", "Terminé"


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publié"
    ARCHIVED = "archived", "Archivé"


class ParticipationRole(models.TextChoices):
    FRENCH_AUTHORITY = "french_authority", "Collectivité française"
    FOREIGN_AUTHORITY = "foreign_authority", "Collectivité étrangère"
    ASSOCIATED = "associated", "Acteur associé"
    COORDINATOR = "coordinator", "Coordinateur"
    OPERATOR = "operator", "Opérateur"


class FundingKind(models.TextChoices):
    OWN_FUNDS = "own_funds", "Fonds propres"
    STATE = "state", "État"
    AGENCY = "agency", "Agence (AFD, agence de l'eau…)"
    EUROPEAN_UNION = "european_union", "Union européenne"
    PARTNER = "partner", "Partenaires étrangers"
    PRIVATE = "private", "Privé"
    OTHER = "other", "Autre"


class LegalBasis(models.TextChoices):
    """GDPR article 6 basis on which a contact's data is kept."""

    PUBLIC_TASK = "public_task", "Mission d'intérêt public"
    LEGITIMATE_INTEREST = "legitimate_interest", "Intérêt légitime"
    CONSENT = "consent", "Consentement"


class VolunteerScheme(models.TextChoices):
    VSI = "vsi", "Volontariat de solidarité internationale (VSI)"
    CIVIC_SERVICE = "civic_service", "Service civique"
    VIA = "via", "Volontariat international en administration (VIA)"
    OTHER = "other", "Autre"


class EventKind(models.TextChoices):
    SIGNATURE = "signature", "Signature"
    DELEGATION_VISIT = "delegation_visit", "Visite de délégation"
    EXCHANGE = "exchange", "Programme d'échange"
    ACADEMIC_AGREEMENT = "academic_agreement", "Accord entre universités ou chercheurs"
    PROJECT = "project", "Projet"
    MEETING = "meeting", "Rencontre"
    FOUNDATION = "foundation", "Création"
    OTHER = "other", "Autre"


class ContactStatus(models.TextChoices):
    """Whether a diplomatic post has someone in a given function."""

    NAMED = "named", "Nommé"
    NONE = "none", "Aucun"
    UNKNOWN = "unknown", "Non renseigné"


class PlaceStatus(models.TextChoices):
    """Whether an organisation has been tied to a real place."""

    PENDING = "pending", "À localiser"
    RESOLVED = "resolved", "Localisé"
    MANUAL = "manual", "Localisé à la main"
    AMBIGUOUS = "ambiguous", "Ambigu"
    UNRESOLVED = "unresolved", "Introuvable"
    NOT_A_PLACE = "not_a_place", "Sans lieu (réseau, entreprise…)"
