"""Factories for atlas records, named after real places."""

import factory

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole, PartnershipForm
from coopatlas.atlas.models import Organisation, Participation, Partnership


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("external_ref",)

    name = "Lyon"
    kind = OrganisationKind.COMMUNE
    country_id = "FR"
    insee_code = ""
    external_ref = factory.LazyAttribute(lambda o: f"test:{o.kind}:{o.name}")

    class Params:
        foreign = factory.Trait(kind=OrganisationKind.FOREIGN_AUTHORITY, foreign_level="municipality")


def commune(name: str, insee_code: str = "") -> Organisation:
    return OrganisationFactory(name=name, insee_code=insee_code)


def foreign_town(name: str, iso2: str) -> Organisation:
    return OrganisationFactory(name=name, country_id=iso2, foreign=True)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    title = factory.Sequence(lambda n: f"Partenariat de test {n}")
    form = PartnershipForm.TWINNING
    start_year = 1990
    publication_state = "published"


def twinning(french: Organisation, foreign: Organisation, year: int = 1990, **kwargs) -> Partnership:
    """Create a published twinning between two organisations."""
    partnership = PartnershipFactory(
        title=f"Jumelage {french.name} – {foreign.name}", start_year=year, **kwargs
    )
    Participation.objects.create(
        partnership=partnership, organisation=french, role=ParticipationRole.FRENCH_AUTHORITY
    )
    Participation.objects.create(
        partnership=partnership, organisation=foreign, role=ParticipationRole.FOREIGN_AUTHORITY
    )
    return partnership
