"""Every write to the atlas goes through these functions.

Each one validates (full_clean) before saving, runs in a transaction, and records who made
the change — a user, or an import batch — in the record's history. Those acting for a user
check first that the user may (accounts.permissions; `acting_user=None` is the system itself).
The publication workflow and proposed corrections are in workflow.py.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from coopatlas.accounts.permissions import require
from coopatlas.accounts.scope import Footprint
from coopatlas.atlas.choices import OrganisationKind
from coopatlas.atlas.models import (
    PARTNERSHIP_FACTS,
    Contact,
    Event,
    FundingLine,
    ImportBatch,
    NetworkMembership,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Source,
    SustainableDevelopmentGoal,
    Theme,
    footprint_of_organisations,
)
from coopatlas.atlas.rules import NO_FRENCH_PARTICIPANT, has_french_side
from coopatlas.core.text import normalise
from coopatlas.places.models import Country


@dataclass(frozen=True)
class ParticipantSpec:
    """An organisation to attach to a partnership in a given role."""

    organisation: Organisation
    role: str
    note: str = ""


@dataclass(frozen=True)
class FundingSpec:
    """A funding line: a funder organisation or a plain label, an amount and a year."""

    amount: Decimal
    year: int
    funder: Organisation | None = None
    funder_label: str = ""
    water_one_percent_amount: Decimal | None = None
    kind: str = "other"
    recipient_country: Country | None = None


@dataclass
class Provenance:
    """Who or what makes a change: a signed-in user, an import batch, or a script."""

    acting_user: AbstractBaseUser | None = None
    batch: ImportBatch | None = None
    reason: str = ""

    def reason_text(self) -> str:
        if self.reason:
            return self.reason
        if self.batch is not None:
            return f"Import (lot {self.batch.pk})"
        return ""


M = TypeVar("M", bound=models.Model)


def note_change(
    instance: models.Model,
    *,
    user: AbstractBaseUser | None = None,
    reason: str = "",
    batch: ImportBatch | None = None,
) -> None:
    """Tell django-simple-history who makes the next save or delete of `instance`, why, and in
    which import batch (it reads them off the instance; a model without history ignores them)."""
    # setattr: simple_history's two attributes are set at run time, no stubs declare them.
    if user is not None:
        setattr(instance, "_history_user", user)  # noqa: B010
    if reason:
        setattr(instance, "_change_reason", reason)  # noqa: B010
    if batch is not None:
        setattr(instance, "_history_batch_id", batch.pk)  # noqa: B010 (models.BatchedHistory)


class EditConflict(Exception):
    """Someone saved the record since the version an edit started from: nothing was written.
    `current` is the record as saved now, `base` its history row at the edit's version."""

    def __init__(self, current: Partnership, base_version: int):
        super().__init__(f"« {current} » a été modifié depuis la version {base_version}.")
        self.current = current
        self.base_version = base_version

    @property
    def base(self):
        return self.current.history.filter(version=self.base_version).order_by("-history_id").first()


def next_version(partnership: Partnership) -> int:
    """The version a save of this partnership writes: one more than the one stored, its row locked
    until the transaction ends (PostgreSQL) so that two writers never write the same version."""
    stored = (
        Partnership.objects.select_for_update().filter(pk=partnership.pk).values_list("version", flat=True)
    )
    return (stored.first() or 0) + 1


def _save(instance: M, provenance: Provenance) -> M:
    """Validate then save `instance`, recording the author in its history if it has one. A
    partnership's version is raised from the one stored (not the one the instance was read at)."""
    instance.full_clean()
    if isinstance(instance, Partnership) and instance.pk is not None:
        instance.version = next_version(instance)
    user = provenance.acting_user
    note_change(
        instance,
        user=user if user is not None and user.is_authenticated else None,
        reason=provenance.reason_text(),
        batch=provenance.batch,
    )
    instance.save()
    return instance


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    country_id: str,
    acting_user: AbstractBaseUser | None = None,
    batch: ImportBatch | None = None,
    **fields: Any,
) -> Organisation:
    """Create an organisation after validating it; return it."""
    organisation = Organisation(name=name.strip(), kind=kind, country_id=country_id, **fields)
    return _save(organisation, Provenance(acting_user, batch))


@transaction.atomic
def foreign_partner(*, name: str, country_id: str, acting_user: AbstractBaseUser | None) -> Organisation:
    """Return the foreign authority of this name in this country (accents and case aside), or
    create it (its place is found later by `coopatlas locate`, in a process with the resolver)."""
    require(acting_user, "organisation_create")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Donnez le nom de la collectivité partenaire."})
    found = Organisation.objects.filter(
        kind=OrganisationKind.FOREIGN_AUTHORITY, country_id=country_id, normalized_name=normalise(name)
    ).first()
    if found is not None:
        return found
    return _save(
        Organisation(name=name, kind=OrganisationKind.FOREIGN_AUTHORITY, country_id=country_id),
        Provenance(acting_user),
    )


@transaction.atomic
def organisation_update(
    organisation: Organisation,
    *,
    acting_user: AbstractBaseUser | None = None,
    batch: ImportBatch | None = None,
    **fields: Any,
) -> Organisation:
    """Change the given fields of an organisation after validating them; return it."""
    for name, value in fields.items():
        setattr(organisation, name, value)
    return _save(organisation, Provenance(acting_user, batch))


def _check_participants(participants: Sequence[ParticipantSpec]) -> None:
    if not has_french_side((s.role, s.organisation.kind, s.organisation.country_id) for s in participants):
        raise ValidationError({"participants": NO_FRENCH_PARTICIPANT})


@transaction.atomic
def partnership_create(
    *,
    title: str,
    form: str,
    participants: Sequence[ParticipantSpec],
    themes: Sequence[Theme | tuple[Theme, int]] = (),
    sdgs: Iterable[int] = (),
    funding: Sequence[FundingSpec] = (),
    extra_country_ids: Iterable[str] = (),
    acting_user: AbstractBaseUser | None = None,
    batch: ImportBatch | None = None,
    **fields: Any,
) -> Partnership:
    """Create a partnership with its participants, themes, SDGs and funding.

    Themes are given in priority order (the first is the main theme, priority 0) or as
    (theme, priority) pairs.

    Raise ValidationError, naming the field, when any part is invalid; nothing is then written.
    """
    provenance = Provenance(acting_user, batch)
    _check_participants(participants)
    require(
        acting_user,
        "partnership_create",
        footprint_of_organisations(
            (
                s.organisation.pk,
                s.organisation.country_id,
                s.organisation.region_code,
                s.organisation.departement_code,
                s.organisation.seat_code,
                s.organisation.kind,
            )
            for s in participants
        ),
    )
    partnership = _save(Partnership(title=title.strip(), form=form, **fields), provenance)
    participations_set(partnership, participants, provenance=provenance)
    for index, item in enumerate(themes):
        theme, priority = item if isinstance(item, tuple) else (item, index)
        _save(PartnershipTheme(partnership=partnership, theme=theme, priority=priority), provenance)
    if sdgs:
        numbers = list(sdgs)
        found = SustainableDevelopmentGoal.objects.filter(number__in=numbers)
        if found.count() != len(set(numbers)):
            unknown = sorted(set(numbers) - set(found.values_list("number", flat=True)))
            raise ValidationError({"sdgs": f"ODD inconnu(s) : {unknown} (attendu : 1 à 17)."})
        partnership.sdgs.set(found)
    if extra_country_ids:
        # django-stubs takes only int primary keys here; a country's is its ISO code.
        partnership.extra_countries.set(list(extra_country_ids))  # type: ignore[arg-type]
    for position, spec in enumerate(funding):
        funding_line_add(partnership=partnership, spec=spec, position=position, provenance=provenance)
    if batch is not None:
        _save(Source(partnership=partnership, batch=batch, title=batch.file_name), provenance)
    return partnership


def participations_set(
    partnership: Partnership,
    participants: Sequence[ParticipantSpec],
    *,
    provenance: Provenance,
) -> list[Participation]:
    """Attach each participant in order; return the participations created."""
    created = []
    for position, spec in enumerate(participants):
        participation = Participation(
            partnership=partnership,
            organisation=spec.organisation,
            role=spec.role,
            note=spec.note,
            position=position,
        )
        created.append(_save(participation, provenance))
    return created


@transaction.atomic
def partnership_update(
    partnership: Partnership,
    *,
    acting_user: AbstractBaseUser | None = None,
    batch: ImportBatch | None = None,
    expected_version: int | None = None,
    reason: str = "",
    **fields: Any,
) -> Partnership:
    """Change the given fields of a partnership after validating them; return it. With
    `expected_version` (the version the user's form was read at), raise EditConflict and write
    nothing when the record was saved since."""
    require(acting_user, "partnership_edit", partnership)
    if expected_version is not None:
        stored = (
            Partnership.objects.select_for_update()
            .filter(pk=partnership.pk)
            .values_list("version", flat=True)
        )
        if stored.get() != expected_version:
            raise EditConflict(Partnership.objects.get(pk=partnership.pk), expected_version)
    for name, value in fields.items():
        setattr(partnership, name, value)
    _save(partnership, Provenance(acting_user, batch, reason=reason))
    from coopatlas.atlas.services.workflow import review_if_asked  # noqa: PLC0415 (it imports this module)

    return review_if_asked(partnership, acting_user=acting_user)


# The fields a contributor edits in the app (web/contributor.py), and that a version of the
# history can restore ("revenir à cette version"): the record's own facts, not its workflow state.
EDITABLE_FIELDS = PARTNERSHIP_FACTS


@transaction.atomic
def partnership_revert(
    partnership: Partnership,
    history_id: int,
    *,
    acting_user: AbstractBaseUser | None,
    expected_version: int | None = None,
) -> Partnership:
    """Give the partnership back the editable fields of one of its history rows ("revenir à cette
    version"): a new change in its history, by the actor, naming the version restored."""
    row = partnership.history.get(history_id=history_id)
    when = timezone.localtime(row.history_date).strftime("%d/%m/%Y %H:%M")
    return partnership_update(
        partnership,
        acting_user=acting_user,
        expected_version=expected_version,
        reason=f"Retour à la version {row.version} du {when}",
        **{name: getattr(row, name) for name in EDITABLE_FIELDS},
    )


@transaction.atomic
def partnership_save(
    partnership: Partnership, *, acting_user: AbstractBaseUser | None, reason: str = ""
) -> Partnership:
    """Save a partnership whose fields a form has set (the back-office), if the actor may edit it
    (or create one, for a new record); its publication state moves only through workflow.py."""
    if partnership.pk is None:
        require(acting_user, "partnership_create", Footprint())
    else:
        require(acting_user, "partnership_edit", partnership)
        partnership.publication_state = (
            Partnership.objects.filter(pk=partnership.pk).values_list("publication_state", flat=True).get()
        )
    created = partnership.pk is None
    _save(partnership, Provenance(acting_user, reason=reason))
    if created:
        return partnership
    from coopatlas.atlas.services.workflow import review_if_asked  # noqa: PLC0415 (it imports this module)

    return review_if_asked(partnership, acting_user=acting_user)


@transaction.atomic
def record_delete(instance: models.Model, *, acting_user: AbstractBaseUser | None, reason: str = "") -> None:
    """Delete a record (the atlas team only), its author and reason kept in its history."""
    require(acting_user, "record_delete", instance if hasattr(instance, "footprint") else None)
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    note_change(instance, user=user, reason=reason)
    instance.delete()


@transaction.atomic
def participation_add(
    *,
    partnership: Partnership,
    organisation: Organisation,
    role: str,
    note: str = "",
    acting_user: AbstractBaseUser | None = None,
) -> Participation:
    """Add one participant to an existing partnership; return the participation."""
    require(acting_user, "partnership_edit", partnership)
    position = partnership.participations.filter(role=role).count()
    participation = Participation(
        partnership=partnership, organisation=organisation, role=role, note=note, position=position
    )
    return _save(participation, Provenance(acting_user))


def funding_line_add(
    *,
    partnership: Partnership,
    spec: FundingSpec,
    position: int = 0,
    provenance: Provenance | None = None,
) -> FundingLine:
    """Add a funding line to a partnership; return it."""
    line = FundingLine(
        partnership=partnership,
        funder=spec.funder,
        funder_label=spec.funder_label,
        amount=spec.amount,
        water_one_percent_amount=spec.water_one_percent_amount,
        year=spec.year,
        kind=spec.kind,
        recipient_country=spec.recipient_country,
        position=position,
    )
    return _save(line, provenance or Provenance())


@transaction.atomic
def contact_create(
    *, acting_user: AbstractBaseUser | None = None, batch: ImportBatch | None = None, **fields: Any
) -> Contact:
    """Create a contact (personal data) after validating it; return it."""
    return _save(Contact(**fields), Provenance(acting_user, batch))


@transaction.atomic
def event_add(
    *, acting_user: AbstractBaseUser | None = None, batch: ImportBatch | None = None, **fields: Any
) -> Event:
    """Add a dated entry to a partnership's or organisation's timeline; return it."""
    return _save(Event(**fields), Provenance(acting_user, batch))


@transaction.atomic
def network_membership_add(
    *,
    network: Organisation,
    member: Organisation,
    since_year: int | None = None,
    is_founder: bool = False,
) -> NetworkMembership:
    """Record that `member` belongs to `network`; return the membership."""
    membership = NetworkMembership(
        network=network, member=member, since_year=since_year, is_founder=is_founder
    )
    return _save(membership, Provenance())


@transaction.atomic
def source_add(
    *,
    partnership: Partnership,
    url: str = "",
    title: str = "",
    retrieved_on: datetime.date | None = None,
    batch: ImportBatch | None = None,
) -> Source:
    """Record where a partnership's facts come from; return the source."""
    source = Source(partnership=partnership, url=url, title=title, retrieved_on=retrieved_on, batch=batch)
    return _save(source, Provenance(batch=batch))


# --- a partnership's parts, added one by one by its editors (the contributor's declaration) ------


@transaction.atomic
def partnership_part_add(
    partnership: Partnership, part: models.Model, *, acting_user: AbstractBaseUser | None
) -> models.Model:
    """Add a funding line, an event, a contact, a volunteer or a source to a partnership, if the
    actor may edit it; the part is validated and its author recorded. Return it."""
    require(acting_user, "partnership_edit", partnership)
    part.partnership = partnership  # type: ignore[attr-defined]
    if isinstance(part, FundingLine):
        part.position = partnership.funding_lines.count()
    return _save(part, Provenance(acting_user))


@transaction.atomic
def partnership_part_remove(part: models.Model, *, acting_user: AbstractBaseUser | None) -> None:
    """Remove one of a partnership's parts (its editors); its history keeps who removed it."""
    partnership = part.partnership  # type: ignore[attr-defined]
    require(acting_user, "partnership_edit", partnership)
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    note_change(part, user=user, reason="Retiré par un éditeur")
    part.delete()


@transaction.atomic
def partnership_themes_set(
    partnership: Partnership,
    *,
    themes: Sequence[Theme],
    sdgs: Iterable[int],
    acting_user: AbstractBaseUser | None,
) -> Partnership:
    """Give the partnership these themes in priority order (the first is its main theme) and these
    SDGs, if the actor may edit it."""
    require(acting_user, "partnership_edit", partnership)
    provenance = Provenance(acting_user)
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    wanted = {theme.pk: index for index, theme in enumerate(themes)}
    for link in partnership.theme_links.all():
        if link.theme_id not in wanted:
            note_change(link, user=user)
            link.delete()
        elif link.priority != wanted[link.theme_id]:
            link.priority = wanted[link.theme_id]
            _save(link, provenance)
    have = set(partnership.theme_links.values_list("theme_id", flat=True))
    for theme in themes:
        if theme.pk not in have:
            _save(
                PartnershipTheme(partnership=partnership, theme=theme, priority=wanted[theme.pk]), provenance
            )
    numbers = sorted(set(sdgs))
    found = list(SustainableDevelopmentGoal.objects.filter(number__in=numbers))
    if len(found) != len(numbers):
        raise ValidationError({"sdgs": f"ODD inconnu(s) : {numbers} (attendu : 1 à 17)."})
    partnership.sdgs.set(found)
    return partnership_update(partnership, acting_user=acting_user, reason="Thèmes et ODD")
