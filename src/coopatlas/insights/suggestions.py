"""Who should meet whom: actors that work with the same partners, countries or themes.

What two organisations share is defined once, here (`shared` over their `Profile`s): the
suggestions and the "in common" panel (insights.common) both read it.

For an organisation, every other non-foreign organisation of the published atlas is scored on
what they share: a foreign partner (5 points each), a country on a theme (3), a country (2), a
theme (1). Those it already works with (a co-participant of one of its partnerships, such as the
network coordinating it) and its networks are left out. Those of its own French région come
first, then the others; each suggestion says why, naming the shared partner or the partner town
of the shared country.
"""

import threading
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipForm
from coopatlas.atlas.models import (
    FRANCE,
    NetworkMembership,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Theme,
)
from coopatlas.atlas.selectors import theme_roots
from coopatlas.core.memory import release_free_memory
from coopatlas.core.text import normalise
from coopatlas.places.models import Country
from coopatlas.search.index import version
from coopatlas.search.memo import remembered
from coopatlas.search.signals import apply_pending

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

WEIGHTS = {"partner": 5, "town": 4, "country_theme": 3, "country": 2, "theme": 1}


def town_key(kind: str, country: str, name: str, admin_area: str) -> tuple[str, str] | None:
    """The town a foreign partner stands for or lies in: a foreign authority is its town; another
    organisation (a university, an NGO) lies in the town its record names, if any."""
    if kind == OrganisationKind.FOREIGN_AUTHORITY:
        return (country, normalise(name))
    return (country, normalise(admin_area)) if admin_area else None


@dataclass
class Profile:
    """What an organisation works on: its partners across the border (foreign ones for a French
    organisation, French ones for a foreign one), their countries, its themes."""

    partners: dict[int, bool] = field(default_factory=dict)  # partner id → twinned with it
    countries: dict[str, int] = field(default_factory=dict)  # country → one partner there
    themes: set[str] = field(default_factory=set)  # top-level theme codes
    country_themes: dict[tuple[str, str], int] = field(default_factory=dict)  # → one partner there
    towns: dict[tuple[str, str], int] = field(default_factory=dict)  # partner town → one partner there
    town_names: dict[tuple[str, str], str] = field(default_factory=dict)  # as its records write it
    together: set[int] = field(default_factory=set)  # every co-participant, whatever its side


@dataclass
class Shared:
    """What two organisations share: partners, partner countries, themes, themes in a country."""

    partners: set[int]
    countries: set[str]
    themes: set[str]
    country_themes: set[tuple[str, str]]
    towns: set[tuple[str, str]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.partners or self.countries or self.themes)


def shared(mine: Profile, theirs: Profile) -> Shared:
    """Return what two profiles have in common."""
    return Shared(
        partners=_both(mine.partners, theirs.partners),
        countries=_both(mine.countries, theirs.countries),
        themes=mine.themes & theirs.themes,
        country_themes=_both(mine.country_themes, theirs.country_themes),
        towns=_both(mine.towns, theirs.towns),
    )


def _both(first, second) -> set:
    """Return the keys in both (walking the smaller: a big city's thousand partners against
    each of tens of thousands of profiles)."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return {key for key in small if key in large}


@dataclass
class Suggestion:
    organisation: Organisation
    score: int
    same_territory: bool
    reasons: list[str]


def profiles(
    partnerships: QuerySet[Partnership],
) -> tuple[dict[int, Profile], dict[int, tuple[str, str, str]]]:
    """Return each organisation's profile over `partnerships`, and (name, country, région) per id."""
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    info: dict[int, tuple[str, str, str]] = {}
    towns: dict[int, tuple[str, str] | None] = {}
    town_names: dict[int, str] = {}
    forms = dict(partnerships.values_list("pk", "form"))
    for pk, org, name, iso2, region, kind, area in Participation.objects.filter(
        partnership_id__in=partnerships.values("pk")
    ).values_list(
        "partnership_id",
        "organisation_id",
        "organisation__name",
        "organisation__country_id",
        "organisation__region_code",
        "organisation__kind",
        "organisation__admin_area",
    ):
        members[pk].append((org, iso2))
        info[org] = (name, iso2, region)
        towns[org] = town_key(kind, iso2, name, area) if iso2 != FRANCE else None
        town_names[org] = name if kind == OrganisationKind.FOREIGN_AUTHORITY else area
    roots = theme_roots(partnerships.values("pk"))
    result: dict[int, Profile] = defaultdict(Profile)
    for pk, people in members.items():
        for org, iso2 in people:
            profile = result[org]
            profile.themes |= roots[pk]
            profile.together |= {other for other, _iso2 in people if other != org}
            across = [(p, c) for p, c in people if (c == FRANCE) != (iso2 == FRANCE)]
            for partner, country in across:
                twinned = forms[pk] == PartnershipForm.TWINNING
                profile.partners[partner] = profile.partners.get(partner, False) or twinned
                profile.countries.setdefault(country, partner)
                if (town := towns.get(partner)) is not None:
                    profile.towns.setdefault(town, partner)
                    profile.town_names.setdefault(town, town_names[partner])
                for theme in roots[pk]:
                    profile.country_themes.setdefault((country, theme), partner)
    return dict(result), info


def profiles_of(organisations: list[int]) -> tuple[dict[int, Profile], dict[int, tuple[str, str, str]]]:
    """Return the exact profiles of a few organisations (over their published partnerships)."""
    published = Partnership.objects.published()
    theirs = published.filter(
        pk__in=Participation.objects.filter(organisation_id__in=organisations).values("partnership_id")
    )
    found, info = profiles(theirs)
    return {pk: found[pk] for pk in organisations if pk in found}, info


@dataclass
class Overlaps:
    """What every organisation of the published atlas works on, as sparse 0/1 matrices (one row
    per organisation): its partners across the border, their countries, its themes, and each
    country on each theme. A product with one organisation's row counts, for every other, the
    partners, countries and themes they share: scoring all of them costs a few milliseconds and
    a few megabytes where a profile object per organisation held 200 MB at 100,000 partnerships.
    """

    ids: "np.ndarray"  # row → organisation id, ascending
    french: "np.ndarray"  # row → a French organisation
    regions: list[str]  # row → its région code
    names: list[str]
    partners: "sparse.csr_matrix"
    countries: "sparse.csr_matrix"
    themes: "sparse.csr_matrix"
    country_themes: "sparse.csr_matrix"
    towns: "sparse.csr_matrix"

    def row(self, organisation_id: int) -> int | None:
        import numpy as np

        at = int(np.searchsorted(self.ids, organisation_id))
        return at if at < len(self.ids) and self.ids[at] == organisation_id else None

    def scores(self, row: int) -> tuple["np.ndarray", "np.ndarray"]:
        """Return every organisation's score against `row`'s, and whether it shares a partner or
        a country with it."""
        counts = {
            name: (matrix @ matrix[row].T).toarray().ravel()
            for name, matrix in (
                ("partner", self.partners),
                ("country", self.countries),
                ("theme", self.themes),
                ("country_theme", self.country_themes),
                ("town", self.towns),
            )
        }
        score = sum(WEIGHTS[name] * values for name, values in counts.items())
        return score, (counts["partner"] > 0) | (counts["country"] > 0)


def overlaps(partnerships: QuerySet[Partnership]) -> Overlaps:
    """Return the overlap matrices of the organisations taking part in `partnerships`.

    Built by sparse products from two flat reads (who takes part in what; the root themes of
    each partnership), never a Python object per partnership or organisation: with A the
    organisations × partnerships incidence split into its French rows F and the others N,
    a French organisation's partners are F·Nᵀ, its countries F·(partnerships × countries of
    their foreign participants), its country × theme pairs F·(the same × the partnership's
    themes), and the other way round for a foreign one (its partner country is France).
    """
    import numpy as np
    from scipy import sparse

    organisations = (
        Organisation.objects.filter(
            pk__in=Participation.objects.filter(partnership_id__in=partnerships.values("pk")).values(
                "organisation_id"
            )
        )
        .order_by("pk")
        .values_list("pk", "name", "country_id", "region_code", "kind", "admin_area")
    )
    ids_list, names, countries_of, regions = [], [], [], []
    town_codes: dict[tuple[str, str], int] = {}
    town_cells = array("q")  # (row, town) of foreign organisations that name their town
    for pk, name, iso2, region, kind, area in organisations.iterator(chunk_size=5000):
        if iso2 != FRANCE and (town := town_key(kind, iso2 or "", name, area)) is not None:
            town_cells.append(len(ids_list))
            town_cells.append(town_codes.setdefault(town, len(town_codes)))
        ids_list.append(pk)
        names.append(name)
        countries_of.append(iso2 or "")
        regions.append(region or "")
    ids = np.array(ids_list, dtype=np.int64)
    del ids_list
    french = np.array([iso2 == FRANCE for iso2 in countries_of], dtype=bool)
    country_codes = {code: n for n, code in enumerate(sorted(set(countries_of)))}
    country_of_row = np.array([country_codes[iso2] for iso2 in countries_of], dtype=np.int32)
    del countries_of

    taking_part = array("q")
    for pk, org in (
        Participation.objects.filter(partnership_id__in=partnerships.values("pk"))
        .order_by()
        .values_list("partnership_id", "organisation_id")
        .distinct()
        .iterator(chunk_size=10000)
    ):
        taking_part.append(pk)
        taking_part.append(org)
    empty = np.zeros((0, 2), dtype=np.int64)
    pairs = np.frombuffer(taking_part, dtype=np.int64).reshape(-1, 2) if taking_part else empty
    partnership_ids, column = np.unique(pairs[:, 0], return_inverse=True)
    rows = np.searchsorted(ids, pairs[:, 1])
    width = len(partnership_ids)

    def incidence(keep: "np.ndarray") -> "sparse.csr_matrix":
        chosen = keep[rows]
        return sparse.csr_matrix(
            (np.ones(int(chosen.sum()), dtype=np.float32), (rows[chosen], column[chosen])),
            shape=(len(ids), max(width, 1)),
        )

    in_france, abroad = incidence(french), incidence(~french)
    # Partnerships × countries of their foreign participants, and × France for their French ones.
    by_country = _by_country(len(ids), country_of_row, len(country_codes))
    foreign_places = abroad.T @ by_country
    french_places = in_france.T @ by_country
    # Partnerships × the towns of their foreign participants (a French organisation's partner towns).
    cells = np.frombuffer(town_cells, dtype=np.int64).reshape(-1, 2) if town_cells else empty
    by_town = sparse.csr_matrix(
        (np.ones(len(cells), dtype=np.float32), (cells[:, 0], cells[:, 1])),
        shape=(len(ids), max(len(town_codes), 1)),
    )
    foreign_towns = abroad.T @ by_town

    # Partnerships × root themes.
    roots = theme_roots_of(Theme.objects.values_list("pk", "code", "parent__code", "parent__parent__code"))
    theme_codes = {code: n for n, code in enumerate(sorted(set(roots.values())))}
    if len(theme_codes) > 64:
        raise ValueError("more than 64 top-level themes")
    links = array("q")
    for pk, theme in (
        PartnershipTheme.objects.filter(partnership_id__in=partnerships.values("pk"))
        .order_by()
        .values_list("partnership_id", "theme_id")
        .iterator(chunk_size=10000)
    ):
        at = int(np.searchsorted(partnership_ids, pk))
        if at < width and partnership_ids[at] == pk:
            links.append(at)
            links.append(theme_codes[roots[theme]])
    themed = (
        np.frombuffer(links, dtype=np.int64).reshape(-1, 2) if links else np.zeros((0, 2), dtype=np.int64)
    )
    themes_of = sparse.csr_matrix(
        (np.ones(len(themed), dtype=np.float32), (themed[:, 0], themed[:, 1])),
        shape=(max(width, 1), 64),
    )

    def pairs_of(by_place: "sparse.csr_matrix") -> "sparse.csr_matrix":
        """Partnerships × (country × 64 + theme): each place of the partnership on each theme."""
        by_place, by_theme = by_place.tocsr(), themes_of.tocsr()
        cells_rows, cells_columns = [], []
        for k in range(by_place.shape[0]):
            places_k = by_place.indices[by_place.indptr[k] : by_place.indptr[k + 1]]
            themes_k = by_theme.indices[by_theme.indptr[k] : by_theme.indptr[k + 1]]
            if len(places_k) and len(themes_k):
                grid = (places_k[:, None] * 64 + themes_k[None, :]).ravel()
                cells_rows.append(np.full(len(grid), k, dtype=np.int32))
                cells_columns.append(grid)
        if not cells_rows:
            return sparse.csr_matrix((max(width, 1), max(len(country_codes), 1) * 64), dtype=np.float32)
        return sparse.csr_matrix(
            (
                np.ones(sum(len(r) for r in cells_rows), dtype=np.float32),
                (np.concatenate(cells_rows), np.concatenate(cells_columns)),
            ),
            shape=(max(width, 1), max(len(country_codes), 1) * 64),
        )

    def binary(matrix: "sparse.spmatrix") -> "sparse.csr_matrix":
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        matrix.eliminate_zeros()
        matrix.data[:] = 1  # repeated facts count once
        return matrix

    return Overlaps(
        ids=ids,
        french=french,
        regions=regions,
        names=names,
        partners=binary(in_france @ abroad.T + abroad @ in_france.T),
        countries=binary(in_france @ foreign_places + abroad @ french_places),
        themes=binary((in_france + abroad) @ themes_of),
        country_themes=binary(in_france @ pairs_of(foreign_places) + abroad @ pairs_of(french_places)),
        towns=binary(in_france @ foreign_towns),
    )


def _by_country(size: int, country_of_row: "np.ndarray", countries: int) -> "sparse.csr_matrix":
    """Organisations × their country (0/1)."""
    import numpy as np
    from scipy import sparse

    return sparse.csr_matrix(
        (np.ones(size, dtype=np.float32), (np.arange(size), country_of_row)), shape=(size, max(countries, 1))
    )


def theme_roots_of(themes) -> dict[int, str]:
    """Return each theme's top-level code (a theme counts for its level-1 ancestor)."""
    return {pk: [c for c in codes if c][-1] for pk, *codes in themes}


_cache_lock = threading.Lock()
_cache: dict[tuple, Overlaps] = {}


def published_overlaps() -> Overlaps:
    """Return the overlaps of the published atlas, kept in this process's memory until the
    search index's version moves (any edit, import or merge of a partnership or organisation)."""
    apply_pending()
    state = version()  # moved by every write an overlap reads (search.index)
    with _cache_lock:
        if state not in _cache:
            _cache.clear()
            _cache[state] = overlaps(Partnership.objects.published())
            release_free_memory()
        return _cache[state]


def actors_to_connect(organisation: Organisation, *, limit: int = 10) -> list[Suggestion]:
    """Return the organisations `organisation` should meet, its own région first, with reasons.

    Only French organisations get suggestions, and only French ones are suggested; never one it
    already works with (any co-participant of its partnerships) nor one of its networks.
    Every organisation is scored through the overlap matrices; the reasons are read from the
    exact profiles of the few chosen. The answer is remembered under the index's version, the
    organisation's networks and the language (its reasons are sentences).
    """
    if organisation.country_id != FRANCE:
        return []
    networks = sorted(
        NetworkMembership.objects.filter(Q(member=organisation) | Q(network=organisation)).values_list(
            "network_id", "member_id"
        )
    )
    material = (organisation.pk, organisation.region_code, limit, networks, get_language())
    return remembered("suggestions", material, lambda: _suggested(organisation, networks, limit))


def _suggested(organisation: Organisation, networks: list[tuple[int, int]], limit: int) -> list[Suggestion]:
    import numpy as np

    atlas = published_overlaps()
    row = atlas.row(organisation.pk)
    if row is None:
        return []
    mine = profiles_of([organisation.pk])[0].get(organisation.pk, Profile())
    known = mine.together | {organisation.pk} | {pk for pair in networks for pk in pair}
    score, sharing = atlas.scores(row)
    candidates = np.flatnonzero(sharing & atlas.french)
    ranked = sorted(
        (
            not (bool(organisation.region_code) and atlas.regions[n] == organisation.region_code),
            -int(score[n]),
            atlas.names[n],
            int(atlas.ids[n]),
        )
        for n in candidates
        if int(atlas.ids[n]) not in known
    )[:limit]
    chosen = [pk for *_key, pk in ranked]
    found, info = profiles_of([organisation.pk, *chosen])
    mine = found.get(organisation.pk, Profile())
    theme_names = {t.code: t.display_name.lower() for t in Theme.objects.filter(level=1)}
    country_names = {c.iso2: c.display_name for c in Country.objects.only("iso2", "name_fr", "name_en")}

    def partner_words(partner: int) -> str:
        name, iso2, _region = info[partner]
        return f"{name} ({country_names.get(iso2, iso2)})"

    organisations = Organisation.objects.in_bulk(chosen)
    suggestions = []
    for elsewhere, negative, _name, pk in ranked:
        theirs = found.get(pk, Profile())
        common = shared(mine, theirs)
        reasons = _reasons(common, theirs, info, partner_words, theme_names)
        suggestions.append(Suggestion(organisations[pk], -negative, not elsewhere, reasons))
    return suggestions


def _reasons(common: Shared, theirs: Profile, info: dict, partner_words, theme_names: dict) -> list[str]:
    """Return why two organisations should meet, naming the partners and themes they share."""
    shared_partners, shared_pairs, shared_countries = common.partners, common.country_themes, common.countries
    reasons = []
    # The same partner town, with another partner there (a university and an NGO in Medellín).
    partner_towns = {
        town: theirs.towns[town] for town in sorted(common.towns) if theirs.towns[town] not in shared_partners
    }
    for town, partner in list(partner_towns.items())[:2]:
        reasons.append(
            _("travaille aussi à %(town)s, avec %(partner)s")
            % {"town": theirs.town_names.get(town, town[1]), "partner": partner_words(partner)}
        )
    ordered = sorted(shared_partners, key=lambda p: info[p][0])
    if twinned := [p for p in ordered if theirs.partners[p]]:
        reasons.append(_("également jumelée avec %(partner)s") % {"partner": _towns(twinned, partner_words)})
    if partnered := [p for p in ordered if not theirs.partners[p]]:
        reasons.append(
            _("également partenaire de %(partner)s") % {"partner": _towns(partnered, partner_words)}
        )
    # One reason per shared theme, naming the partner towns: short, and still concrete.
    covered = {info[p][1] for p in shared_partners} | {country for country, _town in partner_towns}
    by_theme: dict[str, list[int]] = defaultdict(list)
    for country, theme in sorted(shared_pairs):
        if country not in covered:
            by_theme[theme].append(theirs.country_themes[(country, theme)])
    # Themes worked with the same towns make one reason: « a » et « b » avec X.
    themes_of: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for theme, partners in by_theme.items():
        themes_of[tuple(partners)].append(theme_names.get(theme, theme))
    for partners, names in sorted(themes_of.items(), key=lambda item: -len(item[0]))[:2]:
        reasons.append(
            _("travaille aussi sur %(theme)s avec %(partner)s")
            % {
                "theme": _and([_("« %(name)s »") % {"name": n} for n in sorted(names)]),
                "partner": _towns(list(partners), partner_words),
            }
        )
        covered |= {info[p][1] for p in partners}
    if rest := sorted(shared_countries - covered):
        reasons.append(
            _("travaille aussi avec %(partner)s")
            % {"partner": _towns([theirs.countries[c] for c in rest], partner_words)}
        )
    return reasons


def _towns(partners: list[int], words, limit: int = 4) -> str:
    """Return "A (X), B (Y) and 3 more": the first partner towns of a reason."""
    named = [words(p) for p in dict.fromkeys(partners)]
    text = ", ".join(named[:limit])
    if len(named) > limit:
        text += " " + _("et %(n)s autres") % {"n": len(named) - limit}
    return text


def _and(items: list[str]) -> str:
    """Return "a, b et c" (in the interface's language)."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("et") + " " + items[-1]
