"""Board posts that match an organisation: posts of other authorities seeking or offering a
partnership in the countries where the organisation already has partners, or on the themes of its
partnerships (the same signals as actors_to_connect: shared countries weigh more than themes)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from coopatlas.atlas.models import BoardPost, Organisation, Partnership, PartnershipTheme, Theme
from coopatlas.insights.suggestions import WEIGHTS, theme_roots_of


@dataclass
class PostMatch:
    post: BoardPost
    countries: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return WEIGHTS["country"] * len(self.countries) + WEIGHTS["theme"] * len(self.themes)


def current_posts():
    today = timezone.localdate()
    return BoardPost.objects.filter(is_open=True).filter(Q(until__isnull=True) | Q(until__gte=today))


def matching_posts(organisation: Organisation, *, limit: int = 5) -> list[PostMatch]:
    """The current posts of other authorities sharing a partner country or a theme (counted at the
    taxonomy's first level) with the organisation's published partnerships, best first."""
    partnerships = Partnership.objects.published().filter(participations__organisation=organisation)
    countries = set(
        partnerships.exclude(participations__organisation__country_id="FR").values_list(
            "participations__organisation__country_id", flat=True
        )
    ) - {organisation.country_id}
    roots = theme_roots_of(Theme.objects.values_list("pk", "code", "parent__code", "parent__parent__code"))
    mine = {
        roots.get(pk)
        for pk in PartnershipTheme.objects.filter(partnership__in=partnerships).values_list(
            "theme_id", flat=True
        )
    }
    mine.discard(None)
    if not countries and not mine:
        return []
    posts = (
        current_posts()
        .exclude(organisation=organisation)
        .prefetch_related("countries", "themes")
        .select_related("organisation")
    )
    matches = []
    for post in posts[:2000]:
        match = PostMatch(
            post,
            countries=sorted(c.display_name for c in post.countries.all() if c.iso2 in countries),
            themes=sorted({t.display_name for t in post.themes.all() if roots.get(t.pk) in mine}),
        )
        if match.score:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, -m.post.created_at.timestamp()))
    return matches[:limit]
