"""The name of an export file: what it holds (the search's filters, slugified) and the day.

`partenariats-jumelage-DE-2026-12-02.csv` rather than `coopatlas.csv`: downloads of several
searches can sit side by side in a folder and still say which is which. Names are in French
whatever the interface language, like the atlas's URLs, so that a file keeps one name.
"""

import datetime

from django.utils import timezone, translation
from django.utils.text import slugify

from coopatlas.atlas.choices import OrganisationKind, PartnershipForm, PartnershipStatus
from coopatlas.exports.selection import Selection
from coopatlas.places.models import Departement, Region, WorldRegion

# Longest name, extension included: long enough for several filters, short for every file system.
MAX_LENGTH = 120
MAX_PART = 40


def export_file_name(
    selection: Selection, extension: str, *, personal_data: bool = False, day: datetime.date | None = None
) -> str:
    """Return the download name of an export of `selection` in a format of `extension`."""
    day = day or timezone.localdate()
    with translation.override("fr"):
        parts = _filter_parts(selection)
    if personal_data:
        parts.append("donnees-personnelles")
    tail = f"-{day.isoformat()}.{extension}"
    stem = "partenariats"
    for part in parts:
        part = part[:MAX_PART].strip("-")
        if part and len(stem) + 1 + len(part) + len(tail) <= MAX_LENGTH:
            stem += "-" + part
    return stem + tail


def _filter_parts(selection: Selection) -> list[str]:
    search = selection.search
    if search is None:
        return []
    chosen = search.selected
    parts: list[str] = []
    parts += [slugify(PartnershipForm(v).label) for v in chosen.get("forme", [])]
    parts += chosen.get("pays", [])  # ISO codes, in capitals as everywhere
    parts += [slugify(WorldRegion(v).label) for v in chosen.get("zone", [])]
    for model, name in ((Region, "region"), (Departement, "departement")):
        if codes := chosen.get(name):
            names = dict(model.objects.filter(code__in=codes).values_list("code", "name"))
            parts += [slugify(names.get(code, code)) for code in codes]
    parts += chosen.get("theme", [])  # theme codes are slugs already
    parts += [slugify(PartnershipStatus(v).label) for v in chosen.get("etat", [])]
    parts += [slugify(OrganisationKind(v).label) for v in chosen.get("acteur", [])]
    parts += [f"odd-{v}" for v in chosen.get("odd", [])]
    parts += [
        {"oui": "avec-financement", "non": "sans-financement"}[v] for v in chosen.get("financement", [])
    ]
    if search.text:
        parts.append(slugify(search.text))
    if search.year_min or search.year_max:
        parts.append("debut-" + _years(search.year_min, search.year_max))
    filters = search.filters
    if filters.territory is not None:
        parts.append(slugify(filters.territory.name))
    if filters.organisation is not None:
        parts.append("avec-" + slugify(filters.organisation.name))
    if filters.period_from or filters.period_to:
        parts.append("actifs-" + _years(filters.period_from, filters.period_to))
    if filters.active_year:
        parts.append(f"actifs-en-{filters.active_year}")
    if filters.end_year:
        parts.append(f"termines-en-{filters.end_year}")
    if filters.funding_year:
        parts.append(f"finances-en-{filters.funding_year}")
    if filters.funder:
        parts.append("financeur-" + slugify(filters.funder))
    if filters.french_side:
        parts.append("avec-la-france")
    return [part for part in parts if part]


def _years(first: int | None, last: int | None) -> str:
    if first and last:
        return f"{first}-{last}"
    return f"depuis-{first}" if first else f"jusqu-en-{last}"
