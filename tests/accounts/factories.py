"""Accounts with roles, on real places: Grande-Synthe (Nord, Hauts-de-France) and Lyon."""

from django.contrib.auth import get_user_model

from coopatlas.accounts.models import Role, RoleKind
from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Organisation, Participation, Partnership
from tests.atlas.factories import OrganisationFactory, PartnershipFactory

HAUTS_DE_FRANCE, NORD = "32", "59"


def authority(name: str, insee: str, departement: str, region: str) -> Organisation:
    return OrganisationFactory(name=name, insee_code=insee, departement_code=departement, region_code=region)


def grande_synthe() -> Organisation:
    return authority("Grande-Synthe", "59271", NORD, HAUTS_DE_FRANCE)


def villeneuve_d_ascq() -> Organisation:
    return authority("Villeneuve-d'Ascq", "59009", NORD, HAUTS_DE_FRANCE)


def lyon() -> Organisation:
    return authority("Lyon", "69123", "69", "84")


def pair(french: Organisation, foreign_name: str, iso2: str, state: str = "draft") -> Partnership:
    """A partnership of `french` with a foreign town, in the given publication state."""
    foreign = OrganisationFactory(name=foreign_name, country_id=iso2, foreign=True)
    partnership = PartnershipFactory(
        title=f"Jumelage {french.name} – {foreign_name}", publication_state=state
    )
    Participation.objects.create(
        partnership=partnership, organisation=french, role=ParticipationRole.FRENCH_AUTHORITY
    )
    Participation.objects.create(
        partnership=partnership, organisation=foreign, role=ParticipationRole.FOREIGN_AUTHORITY
    )
    return partnership


def account(email: str, *roles: dict):
    """A user signing in with its e-mail, holding the given roles (kind=…, organisation=…)."""
    user = get_user_model().objects.create_user(email, email, "pw-" + email)
    for role in roles:
        Role.objects.create(user=user, **role)
    return user


def editor_of(organisation: Organisation, email: str = "editeur@example.org", **extra):
    return account(email, {"kind": RoleKind.EDITOR, "organisation": organisation, **extra})


def coordinator_of_region(code: str, email: str = "coordination@example.org"):
    return account(email, {"kind": RoleKind.COORDINATOR, "region_id": code})
