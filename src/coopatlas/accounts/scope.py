"""What a record touches (its footprint) and what a user reaches (its scope), in plain values.

The atlas says which French authorities a record belongs to (`footprint()` on its models); the
roles say which authorities a user answers for. Both are sets of organisation ids, région codes
and département codes, so that the rules compare them without knowing the atlas's models.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Footprint:
    """The French authorities a record belongs to: their ids, régions and départements."""

    organisation_ids: frozenset[int] = frozenset()
    region_codes: frozenset[str] = frozenset()
    departement_codes: frozenset[str] = frozenset()

    def __or__(self, other: "Footprint") -> "Footprint":
        return Footprint(
            self.organisation_ids | other.organisation_ids,
            self.region_codes | other.region_codes,
            self.departement_codes | other.departement_codes,
        )


@dataclass(frozen=True)
class Scope:
    """The records a user reaches through some of its roles: every record (national), or those
    whose footprint meets its organisations, régions or départements."""

    national: bool = False
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    region_codes: frozenset[str] = field(default_factory=frozenset)
    departement_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.national or self.organisation_ids or self.region_codes or self.departement_codes)

    def reaches(self, footprint: Footprint) -> bool:
        """Say whether a record of this footprint is in the scope."""
        return self.national or bool(
            self.organisation_ids & footprint.organisation_ids
            or self.region_codes & footprint.region_codes
            or self.departement_codes & footprint.departement_codes
        )
