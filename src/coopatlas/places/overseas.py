"""France overseas: the départements and régions (DROM) and the collectivities (COM).

ISO 3166 and GeoNames give each of them a country code of its own (RE, PF…); the COG, the
atlas and the law count them as France: their communes are French communes with INSEE codes,
never foreign partners. This table is the one place that says so; the resolver, the French
gazetteer and the importers' country parsing read it.
"""

from dataclasses import dataclass

FRANCE = "FR"


@dataclass(frozen=True)
class Overseas:
    iso2: str  # its own code in ISO 3166 and GeoNames
    code: str  # its COG code: the département's (971…976) or the collectivity's (975…988)
    region: str  # its COG région code: 01–06 for a DROM, the collectivity's own code for a COM
    name: str  # as the COG names it (the admin hint given to the resolver)


FRENCH_OVERSEAS: dict[str, Overseas] = {
    o.iso2: o
    for o in (
        Overseas("GP", "971", "01", "Guadeloupe"),
        Overseas("MQ", "972", "02", "Martinique"),
        Overseas("GF", "973", "03", "Guyane"),
        Overseas("RE", "974", "04", "La Réunion"),
        Overseas("YT", "976", "06", "Mayotte"),
        Overseas("PM", "975", "975", "Saint-Pierre-et-Miquelon"),
        Overseas("BL", "977", "977", "Saint-Barthélemy"),
        Overseas("MF", "978", "978", "Saint-Martin"),
        Overseas("TF", "984", "984", "Terres australes et antarctiques françaises"),
        Overseas("WF", "986", "986", "Wallis et Futuna"),
        Overseas("PF", "987", "987", "Polynésie française"),
        Overseas("NC", "988", "988", "Nouvelle-Calédonie"),
    )
}


def in_france(iso2: str | None) -> bool:
    """Whether a country code is France's, mainland or overseas."""
    return iso2 == FRANCE or iso2 in FRENCH_OVERSEAS


def french_place(iso2: str) -> tuple[str, str]:
    """Return (country, territory) of a country code: an overseas code becomes France with the
    territory's name ("RE" → ("FR", "La Réunion")); any other stays as it is, with no territory."""
    territory = FRENCH_OVERSEAS.get(iso2)
    return (FRANCE, territory.name) if territory else (iso2, "")
