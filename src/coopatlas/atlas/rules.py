"""The atlas's rules about French authorities, defined once: the services, the back-office's
participants formset, the import pipeline and the participation's own validation ask these."""

from collections.abc import Iterable

from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS, ParticipationRole

FRANCE = "FR"
NO_FRENCH_PARTICIPANT = (
    "Un partenariat doit compter au moins une collectivité territoriale française participante."
)


def is_french_authority(kind: str, country_id: str | None) -> bool:
    """Whether an organisation of this kind and country is a French local authority."""
    return country_id == FRANCE and kind in FRENCH_AUTHORITY_KINDS


def has_french_authority(participants: Iterable[tuple[str | None, str, str | None]]) -> bool:
    """Whether participants given as (role, kind, country) count a French local authority in the
    French authority's role: the condition of every partnership (unless an import asks for all
    pairs)."""
    return any(
        role == ParticipationRole.FRENCH_AUTHORITY and is_french_authority(kind, country)
        for role, kind, country in participants
    )
