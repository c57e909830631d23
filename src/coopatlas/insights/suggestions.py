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
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import PartnershipForm
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
from coopatlas.places.models import Country

WEIGHTS = {"partner": 5, "country_theme": 3, "country": 2, "theme": 1}


@dataclass
class Profile:
    """What an organisation works on: its partners across the border (foreign ones for a French
    organisation, French ones for a foreign one), their countries, its themes."""

    partners: dict[int, bool] = field(default_factory=dict)  # partner id → twinned with it
    countries: dict[str, int] = field(default_factory=dict)  # country → one partner there
    themes: set[str] = field(default_factory=set)  # top-level theme codes
    country_themes: dict[tuple[str, str], int] = field(default_factory=dict)  # → one partner there
    together: set[int] = field(default_factory=set)  # every co-participant, whatever its side


@dataclass
class Shared:
    """What two organisations share: partners, partner countries, themes, themes in a country."""

    partners: set[int]
    countries: set[str]
    themes: set[str]
    country_themes: set[tuple[str, str]]

    def __bool__(self) -> bool:
        return bool(self.partners or self.countries or self.themes)


def shared(mine: Profile, theirs: Profile) -> Shared:
    """Return what two profiles have in common."""
    return Shared(
        partners=set(mine.partners.keys() & theirs.partners.keys()),
        countries=set(mine.countries.keys() & theirs.countries.keys()),
        themes=mine.themes & theirs.themes,
        country_themes=set(mine.country_themes.keys() & theirs.country_themes.keys()),
    )


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
    forms = dict(partnerships.values_list("pk", "form"))
    for pk, org, name, iso2, region in Participation.objects.filter(
        partnership_id__in=list(forms)
    ).values_list(
        "partnership_id",
        "organisation_id",
        "organisation__name",
        "organisation__country_id",
        "organisation__region_code",
    ):
        members[pk].append((org, iso2))
        info[org] = (name, iso2, region)
    roots = theme_roots(list(forms))
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
                for theme in roots[pk]:
                    profile.country_themes.setdefault((country, theme), partner)
    return dict(result), info


_cache_lock = threading.Lock()
_cache: dict[tuple, tuple] = {}


def published_profiles() -> tuple[dict[int, Profile], dict[int, tuple[str, str, str]]]:
    """Return the profiles of the published atlas, kept in memory until the atlas changes.

    The state is the partnerships' count and last change, and the participations' and theme
    links' counts and largest ids: any edit, import or merge moves one of them.
    """
    published = Partnership.objects.published()
    state = (
        published.count(),
        published.aggregate(last=Max("updated_at"))["last"],
        tuple(
            Participation.objects.aggregate(
                n=Count("pk"), top=Max("pk"), orgs=Max("organisation_id")
            ).values()
        ),
        tuple(PartnershipTheme.objects.aggregate(n=Count("pk"), top=Max("pk")).values()),
        Organisation.objects.aggregate(last=Max("updated_at"))["last"],
    )
    with _cache_lock:
        if state not in _cache:
            _cache.clear()
            _cache[state] = profiles(published)
        return _cache[state]


def actors_to_connect(organisation: Organisation, *, limit: int = 10) -> list[Suggestion]:
    """Return the organisations `organisation` should meet, its own région first, with reasons.

    Only French organisations get suggestions, and only French ones are suggested; never one it
    already works with (any co-participant of its partnerships) nor one of its networks.
    """
    all_profiles, info = published_profiles()
    mine = all_profiles.get(organisation.pk)
    if mine is None or organisation.country_id != FRANCE:
        return []
    known = mine.together | {
        pk
        for pair in NetworkMembership.objects.filter(
            Q(member=organisation) | Q(network=organisation)
        ).values_list("network_id", "member_id")
        for pk in pair
    }
    theme_names = {t.code: t.display_name.lower() for t in Theme.objects.filter(level=1)}
    country_names = {c.iso2: c.display_name for c in Country.objects.only("iso2", "name_fr", "name_en")}

    def partner_words(partner: int) -> str:
        name, iso2, _region = info[partner]
        return f"{name} ({country_names.get(iso2, iso2)})"

    scored = []
    for other, theirs in all_profiles.items():
        if other == organisation.pk or other in known or info[other][1] != FRANCE:
            continue
        common = shared(mine, theirs)
        shared_partners, shared_pairs = common.partners, common.country_themes
        shared_countries, shared_themes = common.countries, common.themes
        if not (shared_partners or shared_countries):
            continue  # a theme alone is too common to be worth a meeting
        score = (
            WEIGHTS["partner"] * len(shared_partners)
            + WEIGHTS["country_theme"] * len(shared_pairs)
            + WEIGHTS["country"] * len(shared_countries)
            + WEIGHTS["theme"] * len(shared_themes)
        )
        reasons = []
        ordered = sorted(shared_partners, key=lambda p: info[p][0])
        if twinned := [p for p in ordered if theirs.partners[p]]:
            reasons.append(
                _("également jumelée avec %(partner)s") % {"partner": _towns(twinned, partner_words)}
            )
        if partnered := [p for p in ordered if not theirs.partners[p]]:
            reasons.append(
                _("également partenaire de %(partner)s") % {"partner": _towns(partnered, partner_words)}
            )
        # One reason per shared theme, naming the partner towns: short, and still concrete.
        covered = {info[p][1] for p in shared_partners}
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
        same_territory = bool(organisation.region_code) and info[other][2] == organisation.region_code
        scored.append((other, score, same_territory, reasons))
    scored.sort(key=lambda item: (not item[2], -item[1], info[item[0]][0]))
    chosen = scored[:limit]
    organisations = Organisation.objects.in_bulk([item[0] for item in chosen])
    return [Suggestion(organisations[pk], score, same, reasons) for pk, score, same, reasons in chosen]


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
