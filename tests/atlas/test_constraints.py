"""Impossible data is rejected, by model validation with a clear message and by the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from coopatlas.atlas import services
from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Event, FundingLine, Organisation, Partnership
from coopatlas.atlas.services import FundingSpec, ParticipantSpec
from coopatlas.core.years import max_year
from tests.atlas.factories import PartnershipFactory, commune, foreign_town

pytestmark = pytest.mark.django_db


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_partnership_end_before_start_rejected_by_validation():
    """An end date before the start year is refused, naming both dates."""
    # given
    partnership = Partnership(
        title="Test", form="twinning", start_year=2010, end_date=datetime.date(2005, 12, 31)
    )
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        partnership.full_clean()
    assert "31/12/2005" in _messages(excinfo) and "2010" in _messages(excinfo)


def test_partnership_end_before_start_rejected_by_database():
    """The database refuses an end date before the start year even when validation is bypassed."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(
            title="Test", form="twinning", start_year=2010, end_date=datetime.date(2005, 1, 1)
        )


@pytest.mark.parametrize("year", [1899, max_year() + 1, 3000])
def test_partnership_year_out_of_range_rejected(year):
    """Years outside 1900..today+5 are refused with the accepted span in the message."""
    with pytest.raises(ValidationError) as excinfo:
        Partnership(title="Test", form="twinning", start_year=year).full_clean()
    assert str(year) in _messages(excinfo) and "1900" in _messages(excinfo)


def test_partnership_far_year_rejected_by_database():
    """The database refuses a year beyond its fixed bound."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(title="Test", form="twinning", start_year=2500)


def test_signature_date_must_fall_in_signature_year():
    """A full signature date must agree with the signature year."""
    with pytest.raises(ValidationError) as excinfo:
        Partnership(
            title="T", form="protocol", signature_year=2023, signature_date=datetime.date(2024, 11, 21)
        ).full_clean()
    assert "21/11/2024" in _messages(excinfo)


def test_funding_negative_amount_rejected():
    """A negative amount is refused by validation and by the database."""
    partnership = PartnershipFactory()
    line = FundingLine(partnership=partnership, funder_label="Ville", amount=Decimal("-5"), year=2020)
    with pytest.raises(ValidationError) as excinfo:
        line.full_clean()
    assert "amount" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_funding_negative_water_amount_rejected_by_database():
    """A negative "1% eau" amount is refused by the database."""
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingLine.objects.create(
            partnership=partnership,
            funder_label="Syndicat",
            amount=Decimal("10"),
            water_one_percent_amount=Decimal("-1"),
            year=2020,
        )


def test_funding_without_funder_rejected():
    """A funding line names its funder, as an organisation or a label."""
    partnership = PartnershipFactory()
    with pytest.raises(ValidationError) as excinfo:
        FundingLine(partnership=partnership, amount=Decimal("10"), year=2020).full_clean()
    assert "financeur" in _messages(excinfo).lower()


def test_unknown_country_code_rejected():
    """An organisation in an unknown country is refused by validation and by the database."""
    with pytest.raises(ValidationError) as excinfo:
        Organisation(name="Atlantis", kind="foreign_authority", country_id="ZZ").full_clean()
    assert "country" in excinfo.value.message_dict
    # Foreign keys are checked at commit; check_constraints() asks for it now.
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Atlantis", kind="foreign_authority", country_id="ZZ")
        connection.check_constraints()


def test_partnership_without_french_participant_rejected():
    """The service refuses a partnership with no French local authority, and writes nothing."""
    # given
    birmingham = foreign_town("Birmingham", "GB")
    before = Partnership.objects.count()
    # when
    with pytest.raises(ValidationError) as excinfo:
        services.partnership_create(
            title="Sans partenaire français",
            form="twinning",
            participants=[ParticipantSpec(birmingham, ParticipationRole.FOREIGN_AUTHORITY)],
        )
    # then
    assert "collectivité territoriale française" in _messages(excinfo)
    assert Partnership.objects.count() == before


def test_french_authority_role_needs_a_french_authority():
    """A foreign town cannot take the French-authority role."""
    birmingham = foreign_town("Birmingham", "GB")
    with pytest.raises(ValidationError) as excinfo:
        services.partnership_create(
            title="Rôles inversés",
            form="twinning",
            participants=[ParticipantSpec(birmingham, ParticipationRole.FRENCH_AUTHORITY)],
        )
    assert "française" in _messages(excinfo)


def test_partnership_create_is_all_or_nothing():
    """A bad funding line rolls back the whole partnership."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    with pytest.raises(ValidationError):
        services.partnership_create(
            title="Jumelage",
            form="twinning",
            participants=[
                ParticipantSpec(lyon, ParticipationRole.FRENCH_AUTHORITY),
                ParticipantSpec(birmingham, ParticipationRole.FOREIGN_AUTHORITY),
            ],
            funding=[FundingSpec(amount=Decimal("-1"), year=2020, funder_label="Ville")],
        )
    assert not Partnership.objects.filter(title="Jumelage").exists()


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"name": "Lyon", "kind": "commune", "country_id": "DE"}, "country", "FR"),
        (
            {"name": "Köln", "kind": "foreign_authority", "country_id": "DE", "insee_code": "69123"},
            "insee_code",
            "69123",
        ),
        ({"name": "Paris", "kind": "foreign_authority", "country_id": "FR"}, "country", "France"),
        (
            {"name": "Lyon", "kind": "commune", "country_id": "FR", "insee_code": "ABCDE"},
            "insee_code",
            "5 caractères",
        ),
        ({"name": "Lyon", "kind": "commune", "country_id": "FR", "latitude": 45.7}, "latitude", "longitude"),
        (
            {"name": "Lyon", "kind": "commune", "country_id": "FR", "latitude": 95, "longitude": 4},
            "latitude",
            "90",
        ),
        ({"name": "Lyon", "kind": "commune", "country_id": "FR", "siren": "123"}, "siren", "9 chiffres"),
    ],
)
def test_organisation_impossible_fields_rejected(fields, field, fragment):
    """Each impossible organisation is refused on the faulty field with a clear message."""
    with pytest.raises(ValidationError) as excinfo:
        Organisation(**fields).full_clean()
    assert field in excinfo.value.message_dict
    assert fragment in " ".join(excinfo.value.message_dict[field])


def test_organisation_french_authority_abroad_rejected_by_database():
    """The database refuses a French commune outside France."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Lyon", kind="commune", country_id="DE")


def test_event_impossible_dates_rejected():
    """An event on 31 February, or a period ending before it starts, is refused."""
    partnership = PartnershipFactory()
    with pytest.raises(ValidationError) as excinfo:
        Event(partnership=partnership, title="Visite", year=2023, month=2, day=31).full_clean()
    assert "31/02/2023" in _messages(excinfo)
    with pytest.raises(ValidationError):
        Event(partnership=partnership, title="Échanges", year=2008, end_year=2001).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(partnership=partnership, title="Sans mois", year=2020, day=3)


def test_event_must_belong_to_something():
    """An event is attached to a partnership or an organisation."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(title="Orphelin", year=2020)


def test_sdg_outside_1_to_17_rejected():
    """Only the 17 SDGs exist."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    with pytest.raises(ValidationError) as excinfo:
        services.partnership_create(
            title="J",
            form="twinning",
            sdgs=[18],
            participants=[
                ParticipantSpec(lyon, ParticipationRole.FRENCH_AUTHORITY),
                ParticipantSpec(birmingham, ParticipationRole.FOREIGN_AUTHORITY),
            ],
        )
    assert "18" in _messages(excinfo)
