"""The atlas's rules about French authorities, defined once: the services, the back-office's
participants formset, the import pipeline and the participation's own validation ask these."""

from collections.abc import Iterable

from coopatlas.atlas.choices import ACTOR_KINDS, FRENCH_AUTHORITY_KINDS, ParticipationRole

FRANCE = "FR"
NO_FRENCH_PARTICIPANT = (
    "Un partenariat doit compter au moins une collectivité territoriale française participante, "
    "ou un acteur français (université, association, entreprise…) porteur de l'initiative."
)


def is_french_authority(kind: str, country_id: str | None) -> bool:
    """Whether an organisation of this kind and country is a French local authority."""
    return country_id == FRANCE and kind in FRENCH_AUTHORITY_KINDS


def is_french_actor(kind: str, country_id: str | None) -> bool:
    """Whether an organisation is a French actor of a territory (a university, an NGO, a
    company…: not an authority, a ministry, an embassy or a funder)."""
    return country_id == FRANCE and kind in ACTOR_KINDS


def has_french_side(participants: Iterable[tuple[str | None, str, str | None]]) -> bool:
    """Whether participants given as (role, kind, country) have a French side: a French local
    authority in the French authority's role, or a French actor (university, NGO, company…)
    leading or taking part in it in another role than the foreign authority's — the initiatives of
    a territory's actors are partnerships in their own right. The condition of every partnership
    (unless an import asks for all pairs)."""
    return any(
        (role == ParticipationRole.FRENCH_AUTHORITY and is_french_authority(kind, country))
        or (role != ParticipationRole.FOREIGN_AUTHORITY and is_french_actor(kind, country))
        for role, kind, country in participants
    )


def is_domestic(participants: Iterable[tuple[str, str | None]], countries: Iterable[str] = ()) -> bool:
    """Whether a partnership is domestic: between French local authorities only, such as a
    twinning of a mainland commune with one of La Réunion. Participants are given as (kind,
    country), `countries` are the countries the record names. No participant and no country
    outside France, and two French local authorities at least (a record naming one French
    authority and no partner lacks its partner: it is not domestic).

    The one definition: the search index files each partnership under it (the `portee` facet),
    and the home page, the dashboards, the country pages and the map count the international
    ones unless asked for the domestic ones too."""
    participants = list(participants)
    if any(country != FRANCE for _kind, country in participants):
        return False
    if any(country != FRANCE for country in countries):
        return False
    return sum(1 for kind, country in participants if is_french_authority(kind, country)) >= 2


# --- One record per real-world fact ------------------------------------------------------------
# The roles whose organisations make a partnership what it is: the same French authority and the
# same foreign authority, in a compatible form, are one partnership whatever source names them.
IDENTITY_ROLES = (ParticipationRole.FRENCH_AUTHORITY, ParticipationRole.FOREIGN_AUTHORITY)
# A form that says nothing precise: compatible with any other.
UNSAID_FORMS = ("", "other")
# The fields a second source of a partnership may fill when they are empty; a value it gives
# that differs from one already there is a conflict for review, never an overwrite.
FILLABLE_FIELDS = ("status", "signature_year", "signature_date", "start_year", "end_date", "summary")
# The values that mean "the source did not say".
UNSAID_VALUES = (None, "", "unknown")


def forms_compatible(a: str | None, b: str | None) -> bool:
    """Whether two forms can describe one partnership: the same form, or one that says nothing
    precise ("other"). A twinning and a cooperation convention between the same two are two."""
    return (a or "") == (b or "") or (a or "") in UNSAID_FORMS or (b or "") in UNSAID_FORMS


def partnership_identity(organisations: Iterable[object]) -> frozenset:
    """The key of a partnership among others: its French and foreign authorities (ids, or any
    hashable standing for an organisation about to be written), in no order. The form is compared
    apart, with forms_compatible."""
    return frozenset(organisations)


def fill_or_conflict(current: dict, incoming: dict) -> tuple[dict, dict]:
    """Compare what a record holds with what another source says of it, field by field
    (FILLABLE_FIELDS): return the values that fill an unsaid field, and the values that differ
    from a value already there (conflicts, {field: incoming value})."""
    fills: dict = {}
    conflicts: dict = {}
    for name in FILLABLE_FIELDS:
        new = incoming.get(name)
        if new in UNSAID_VALUES:
            continue
        old = current.get(name)
        if old in UNSAID_VALUES:
            fills[name] = new
        elif old != new:
            conflicts[name] = new
    return fills, conflicts
