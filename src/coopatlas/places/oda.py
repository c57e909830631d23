"""The OECD DAC List of ODA Recipients: the countries and territories where spending counts as
official development assistance (aide publique au développement, APD), year by year.

Reference data with its years, as the OECD publishes it (oecd.org, "DAC List of ODA Recipients"
and "History of DAC Lists of aid recipient countries"). The DAC revises the list every three
years; between revisions a graduation takes effect on the 1st of January of a given year. The
list effective for reporting on 2018, 2019 and 2020 flows is written out below; each later
change is a dated removal. Only eligibility is kept (the income groups of each country do not
change whether an amount is declared).

When the list for a year is not held here (a year after the last edition), the latest edition
applies and `edition(year).provisional` says so: the declaration page shows a warning.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Effective for reporting on 2018, 2019 and 2020 flows (adopted by the DAC in 2017): 143
# countries and territories, by ISO 3166-1 alpha-2 code (Kosovo: XK, as the OECD and the EU use).
LIST_2018 = frozenset(
    # Least developed countries
    "AF AO BD BJ BT BF BI KH CF TD KM CD DJ ER ET GM GN GW HT KI LA LS LR MG MW ML MR MZ MM NP NE "
    "RW ST SN SL SB SO SS SD TZ TL TG TV UG VU YE ZM "
    # Other low income countries
    "KP ZW "
    # Lower middle income countries and territories
    "AM BO CV CM CG CI EG SV SZ GE GH GT HN IN ID JO KE XK KG FM MD MN MA NI NG PK PG PH LK SY TJ "
    "TK TN UA UZ VN PS "
    # Upper middle income countries and territories
    "AL DZ AG AR AZ BY BZ BA BW BR CN CO CK CR CU DM DO EC GQ FJ GA GD GY IR IQ JM KZ LB LY MY MV "
    "MH MU MX ME MS NA NR NU MK PW PA PY PE SH LC VC WS RS ZA SR TH TO TR TM VE WF".split()
)
# (year the removal takes effect, codes, why): graduations after the 2018 list.
REMOVALS: tuple[tuple[int, frozenset[str], str], ...] = (
    (2020, frozenset({"CK"}), "Îles Cook : sortie de la liste au 1er janvier 2020"),
    (2022, frozenset({"AG"}), "Antigua-et-Barbuda : sortie de la liste au 1er janvier 2022"),
)
FIRST_YEAR = 2018
# The last reporting year for which the OECD's list is held here (the 2024–2025 edition).
LAST_YEAR = 2025
# The editions, for the page that cites its source.
EDITIONS = (
    ((2018, 2020), _("Liste des bénéficiaires de l'APD du CAD pour 2018, 2019 et 2020")),
    ((2021, 2021), _("Liste du CAD pour 2021 (révision reportée d'un an)")),
    ((2022, 2023), _("Liste du CAD pour 2022 et 2023")),
    ((2024, 2025), _("Liste du CAD pour 2024 et 2025")),
)


@dataclass(frozen=True)
class Edition:
    """The list that applies to one reporting year."""

    year: int
    title: str | Promise
    countries: frozenset[str]
    provisional: bool  # no list held for this year: the nearest one applies, to be checked

    def eligible(self, iso2: str) -> bool:
        return iso2 in self.countries


def edition(year: int) -> Edition:
    """Return the DAC list that applies to flows of `year` (the nearest edition held, marked
    provisional, for a year outside the editions)."""
    held = min(max(year, FIRST_YEAR), LAST_YEAR)
    countries = set(LIST_2018)
    for effective, removed, _why in REMOVALS:
        if held >= effective:
            countries -= removed
    title = next(title for (first, last), title in EDITIONS if first <= held <= last)
    return Edition(year=year, title=title, countries=frozenset(countries), provisional=held != year)
