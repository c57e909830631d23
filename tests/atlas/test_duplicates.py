"""Duplicates: found like a person would, merged with everything attached, and undone."""

from decimal import Decimal

import pytest

from coopatlas.accounts.models import Role, RoleKind
from coopatlas.atlas import services
from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.duplicates import find_duplicates
from coopatlas.atlas.localisation import organisations_locate
from coopatlas.atlas.models import Contact, FundingLine, Organisation, OrganisationMerge, Participation
from coopatlas.atlas.services import FundingSpec, ParticipantSpec
from coopatlas.atlas.services.merges import organisations_merge, organisations_merge_undo

pytestmark = pytest.mark.django_db

# (kind, country, name, foreign level or "", admin area): the same place written twice.
SAME_PLACE = [
    (("foreign_authority", "RS", "Pančevo"), ("foreign_authority", "RS", "Pancevo")),
    (("foreign_authority", "DE", "Bad-Kreuznach"), ("foreign_authority", "DE", "Bad Kreuznach")),
    (("foreign_authority", "IL", "Ra'anana"), ("foreign_authority", "IL", "Raanana")),
    (("foreign_authority", "DE", "Neukölln"), ("foreign_authority", "DE", "Berlin-Neukölln")),
    (("commune", "FR", "Saint-Étienne"), ("commune", "FR", "St Etienne")),
    (("commune", "FR", "Villeneuve-d'Ascq"), ("commune", "FR", "Villeneuve d'Ascq")),
    (("foreign_authority", "DE", "Frankfurt am Main"), ("foreign_authority", "DE", "Francfort")),
    (("foreign_authority", "BY", "Gomel"), ("foreign_authority", "BY", "Homyel'")),
    (
        ("foreign_authority", "GB", "Hammersmith & Fulham"),
        ("foreign_authority", "GB", "Hammersmith and Fulham"),
    ),
    (("foreign_authority", "CN", "Guang'an"), ("foreign_authority", "CN", "Guangan")),
    (("foreign_authority", "HU", "Nyiregyhaza"), ("foreign_authority", "HU", "Nyíregyháza")),
    (("foreign_authority", "CA", "Montréal"), ("foreign_authority", "CA", "Montreal")),
    (("foreign_authority", "MX", "Santiago de Querétaro"), ("foreign_authority", "MX", "Querétaro")),
    (("foreign_authority", "ES", "Vitoria-Gasteiz"), ("foreign_authority", "ES", "Vitoria")),
    (("foreign_authority", "GB", "London"), ("foreign_authority", "GB", "Londres")),
    (("foreign_authority", "PL", "Warszawa"), ("foreign_authority", "PL", "Varsovie")),
    (("foreign_authority", "ES", "Sevilla"), ("foreign_authority", "ES", "Séville")),
    (("foreign_authority", "ES", "Lasarte-Oria"), ("foreign_authority", "ES", "Lasarte")),
    (("foreign_authority", "CH", "Sankt Gallen"), ("foreign_authority", "CH", "St. Gallen")),
    (("foreign_authority", "DE", "Aachen"), ("foreign_authority", "DE", "Aix-la-Chapelle")),
]
# Names that look alike but are different places, kinds or countries.
LOOK_ALIKES = [
    (
        ("commune", "FR", "Saint-Denis", "", "Seine-Saint-Denis"),
        ("commune", "FR", "Saint-Denis", "", "La Réunion"),
    ),
    (
        ("foreign_authority", "GB", "Birmingham", "", ""),
        ("foreign_authority", "US", "Birmingham", "", "Alabama"),
    ),
    (
        ("foreign_authority", "DE", "Frankfurt am Main", "", ""),
        ("foreign_authority", "DE", "Frankfurt (Oder)", "", ""),
    ),
    (("commune", "FR", "Paris", "", ""), ("foreign_authority", "US", "Paris", "", "Texas")),
    (("commune", "FR", "Valence", "", ""), ("foreign_authority", "ES", "Valencia", "", "")),
    (("commune", "FR", "Vernouillet", "", "Yvelines"), ("commune", "FR", "Vernouillet", "", "Eure-et-Loir")),
    (("commune", "FR", "Lyon", "", ""), ("metropole", "FR", "Métropole de Lyon", "", "")),
    (("foreign_authority", "BE", "Bruges", "", ""), ("commune", "FR", "Bruges", "", "Gironde")),
    (
        ("foreign_authority", "US", "Springfield", "", "Illinois"),
        ("foreign_authority", "US", "Springfield", "", "Massachusetts"),
    ),
    (
        ("foreign_authority", "GB", "Newport", "", "Wales"),
        ("foreign_authority", "GB", "Newport", "", "Isle of Wight"),
    ),
    (
        ("foreign_authority", "US", "Portland", "", "Oregon"),
        ("foreign_authority", "US", "Portland", "", "Maine"),
    ),
    (("foreign_authority", "DE", "Hamm", "", ""), ("foreign_authority", "DE", "Hamburg", "", "")),
    (
        ("foreign_authority", "DE", "Halle (Saale)", "", ""),
        ("foreign_authority", "DE", "Halle (Westf.)", "", ""),
    ),
    (
        ("foreign_authority", "ES", "Santiago de Compostela", "", ""),
        ("foreign_authority", "MX", "Santiago de Querétaro", "", ""),
    ),
    (("foreign_authority", "ES", "Córdoba", "", ""), ("foreign_authority", "AR", "Córdoba", "", "")),
    (
        ("foreign_authority", "DE", "Neustadt an der Weinstraße", "", ""),
        ("foreign_authority", "DE", "Neustadt in Holstein", "", ""),
    ),
    (("commune", "FR", "Villeneuve-d'Ascq", "", ""), ("commune", "FR", "Villeneuve-sur-Lot", "", "")),
    (("commune", "FR", "Boulogne-Billancourt", "", ""), ("commune", "FR", "Boulogne-sur-Mer", "", "")),
    (
        ("foreign_authority", "BY", "Gomel", "municipality", ""),
        ("foreign_authority", "BY", "Gomel Oblast", "province", ""),
    ),
    (("foreign_authority", "IT", "San Marino", "", ""), ("foreign_authority", "SM", "San Marino", "", "")),
]


def _org(kind, country, name, level="", admin="", n=[0]):  # noqa: B006 — a counter for unique refs
    n[0] += 1
    return services.organisation_create(
        name=name,
        kind=kind,
        country_id=country,
        admin_area=admin,
        external_ref=f"twins:{n[0]}",
        foreign_level=(level or "municipality") if kind == "foreign_authority" else "",
    )


def _names(pairs) -> list[list[str]]:
    return [sorted(Organisation.objects.filter(pk__in=pair).values_list("name", flat=True)) for pair in pairs]


def test_dedupe_finds_the_pairs_a_person_would(resolver):
    """Each of 20 real places entered twice under two spellings is found, and nothing else."""
    # given
    expected = {frozenset((_org(*left).pk, _org(*right).pk)) for left, right in SAME_PLACE}
    organisations_locate()
    # when
    found = {frozenset((p.survivor.pk, p.duplicate.pk)) for p in find_duplicates()}
    # then
    assert not expected - found, f"missed: {_names(expected - found)}"
    assert not found - expected, f"unexpected: {_names(found - expected)}"


def test_dedupe_keeps_look_alikes_apart(resolver):
    """None of 20 look-alike pairs (homonyms, other kinds, other countries) is taken for a duplicate."""
    # given
    for left, right in LOOK_ALIKES:
        _org(*left), _org(*right)
    organisations_locate()
    # when
    found = find_duplicates()
    # then
    assert found == [], (
        f"merged look-alikes: {[(p.survivor.name, p.duplicate.name, p.reason) for p in found]}"
    )


def test_dedupe_never_merges_across_countries(resolver):
    """Even a shared name and identifier cannot join two countries."""
    left = _org("foreign_authority", "IT", "San Marino")
    right = _org("foreign_authority", "SM", "San Marino")
    Organisation.objects.filter(pk__in=[left.pk, right.pk]).update(geonames_id=3168070)
    assert find_duplicates() == []
    with pytest.raises(ValueError, match="même pays"):
        organisations_merge(survivor=left, duplicate=right)


def test_merge_moves_everything_and_undo_restores_it(django_user_model):
    """Participations, contacts, funding lines and names move to the survivor; undo puts them back."""
    # given
    user = django_user_model.objects.create_user("fusion", password="pw-merge-123")
    Role.objects.create(user=user, kind=RoleKind.ADMINISTRATOR)  # merges are the atlas team's
    lyon = services.organisation_create(name="Lyon", kind="commune", country_id="FR", insee_code="69123")
    survivor = _org("foreign_authority", "RS", "Pančevo")
    duplicate = _org("foreign_authority", "RS", "Pancevo")
    kept = services.partnership_create(
        title="Jumelage A",
        form="twinning",
        participants=[
            ParticipantSpec(lyon, ParticipationRole.FRENCH_AUTHORITY),
            ParticipantSpec(survivor, ParticipationRole.FOREIGN_AUTHORITY),
        ],
    )
    moved = services.partnership_create(
        title="Jumelage B",
        form="twinning",
        participants=[
            ParticipantSpec(lyon, ParticipationRole.FRENCH_AUTHORITY),
            ParticipantSpec(duplicate, ParticipationRole.FOREIGN_AUTHORITY),
        ],
        funding=[FundingSpec(amount=Decimal("1000"), year=2020, funder=duplicate)],
    )
    Participation.objects.create(
        partnership=kept, organisation=duplicate, role=ParticipationRole.FOREIGN_AUTHORITY
    )
    services.contact_create(last_name="Petrović", organisation=duplicate)
    duplicate_pk = duplicate.pk
    # when
    record = organisations_merge(survivor=survivor, duplicate=duplicate, reason="test", acting_user=user)
    # then
    assert not Organisation.objects.filter(pk=duplicate_pk).exists()
    assert set(
        Participation.objects.filter(organisation=survivor).values_list("partnership__title", flat=True)
    ) == {"Jumelage A", "Jumelage B"}
    assert Participation.objects.filter(partnership=kept, organisation=survivor).count() == 1
    assert Contact.objects.get(last_name="Petrović").organisation == survivor
    assert FundingLine.objects.get(partnership=moved).funder == survivor
    survivor.refresh_from_db()
    assert "Pancevo" in survivor.alternate_names
    assert "Fusionnée" in (Organisation.history.filter(id=duplicate_pk).first().history_change_reason or "")

    # when the merge is undone
    restored = organisations_merge_undo(record, acting_user=user)
    # then
    assert restored.pk == duplicate_pk and restored.name == "Pancevo"
    assert Contact.objects.get(last_name="Petrović").organisation_id == duplicate_pk
    assert FundingLine.objects.get(partnership=moved).funder_id == duplicate_pk
    assert Participation.objects.filter(partnership=moved, organisation_id=duplicate_pk).exists()
    assert Participation.objects.filter(partnership=kept, organisation_id=duplicate_pk).exists()
    survivor.refresh_from_db()
    assert "Pancevo" not in survivor.alternate_names
    assert OrganisationMerge.objects.get(pk=record.pk).undone_at is not None
    with pytest.raises(ValueError, match="déjà été annulée"):
        organisations_merge_undo(OrganisationMerge.objects.get(pk=record.pk))
