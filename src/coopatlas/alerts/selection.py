"""What each kind of alert says to a user today: the items it covers, each with its key (what is
never sent twice), a title, one line of detail and the page it links to.

Every list is read through the same rules as the pages the user would open: its roles' scope
(accounts.permissions), `Partnership.objects.visible_to` (no draft outside the scope), the
atlas's rules for "ending" and "to verify" (atlas.models), the review queue's records and the
board's answers as the app shows them. Nothing here writes; no item carries personal data
(no contact, no e-mail address, no answer's text: the app shows those to who may see them).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, Exists, Max, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coopatlas.accounts.permissions import EDITING_KINDS, REVIEWING_KINDS, scope_of
from coopatlas.alerts.models import AlertKind, SentAlert, Subscription
from coopatlas.atlas.choices import PartnershipForm, PublicationState
from coopatlas.atlas.models import (
    FRANCE,
    BoardAnswer,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    PublicationStep,
    Theme,
)
from coopatlas.core.i18n import sort_key
from coopatlas.core.years import add_months
from coopatlas.places.models import Country

DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class AlertItem:
    """One thing an alert tells: `key` identifies it among the kind's items of a user."""

    key: str
    title: str
    detail: str
    path: str


def _day(value: datetime.date) -> str:
    return date_format(value, "d/m/Y")


def ending(user, subscription: Subscription, today: datetime.date) -> list[AlertItem]:
    """The agreements of the user's editing scope ending within its chosen months (a new end
    date is a new item)."""
    scope = scope_of(user, EDITING_KINDS)
    if scope.empty:
        return []
    until = add_months(today, subscription.months or DEFAULT_MONTHS)
    rows = (
        Partnership.objects.within(scope)
        .visible_to(user)
        .ending(today, until)
        .order_by("end_date", "title", "pk")
        .values_list("pk", "title", "end_date")
    )
    return [
        AlertItem(
            f"{pk}:{end:%Y-%m-%d}",
            title,
            _("se termine le %(day)s") % {"day": _day(end)},
            reverse("web:partnership", args=[pk]),
        )
        for pk, title, end in rows
        if end is not None  # (the filter on end_date keeps none without)
    ]


def to_verify(user, subscription: Subscription, today: datetime.date) -> list[AlertItem]:
    """The published records of the user's editing scope not verified for two years (the rule of
    "Mes partenariats"); verified or changed since, a record becomes a new item when stale again."""
    scope = scope_of(user, EDITING_KINDS)
    if scope.empty:
        return []
    rows = (
        Partnership.objects.within(scope)
        .visible_to(user)
        .to_verify(today)
        .order_by("last_verified_on", "updated_at", "pk")
        .values_list("pk", "title", "last_verified_on", "updated_at")
    )
    items = []
    for pk, title, verified, updated in rows:
        since = verified or updated.date()
        detail = (
            _("vérifié pour la dernière fois le %(day)s") % {"day": _day(verified)}
            if verified
            else _("jamais vérifié, inchangé depuis le %(day)s") % {"day": _day(since)}
        )
        items.append(
            AlertItem(f"{pk}:{since:%Y-%m-%d}", title, detail, reverse("web:partnership", args=[pk]))
        )
    return items


def review(user, subscription: Subscription, today: datetime.date) -> list[AlertItem]:
    """The records submitted for review in the territory the user reviews (the review queue's);
    each submission is an item."""
    if scope_of(user, REVIEWING_KINDS).empty:
        return []
    rows = (
        Partnership.objects.waiting_review_by(user)
        .annotate(
            submitted=Max(
                "publication_steps__pk", filter=Q(publication_steps__to_state=PublicationState.SUBMITTED)
            ),
            submitted_at=Max(
                "publication_steps__at", filter=Q(publication_steps__to_state=PublicationState.SUBMITTED)
            ),
        )
        .order_by("updated_at", "pk")
        .values_list("pk", "title", "submitted", "submitted_at")
    )
    return [
        AlertItem(
            f"{pk}:{step or 0}",
            title,
            _("soumis à la revue le %(day)s") % {"day": _day(at.date())} if at else _("soumis à la revue"),
            reverse("web:partnership", args=[pk]),
        )
        for pk, title, step, at in rows
    ]


def board_answers(user, subscription: Subscription, today: datetime.date) -> list[AlertItem]:
    """The unread answers to the board posts of the organisations the user is an editor of (who
    reads them on the post's page); its own answers left out."""
    answers = (
        BoardAnswer.objects.filter(post__organisation__in=Organisation.objects.edited_by(user))
        .filter(read_at__isnull=True)
        .exclude(author=user)
        .select_related("post", "organisation")
        .order_by("created_at", "pk")
    )
    return [
        AlertItem(
            str(answer.pk),
            answer.post.title,
            (
                _("réponse au nom de %(name)s, le %(day)s")
                % {"name": answer.organisation.name, "day": _day(answer.created_at.date())}
                if answer.organisation is not None
                else _("réponse le %(day)s") % {"day": _day(answer.created_at.date())}
            ),
            reverse("web:board_post", args=[answer.post_id]),
        )
        for answer in answers
    ]


def new_partnerships(user, subscription: Subscription, today: datetime.date) -> list[AlertItem]:
    """The partnerships published since the alert started that concern a followed country (a
    partner's or an explicit one) or theme (or one of its sub-themes), not told yet. Published
    records only."""
    countries = [c.iso2 for c in subscription.countries.all()]
    themes = list(subscription.themes.all())
    if not countries and not themes:
        return []
    # Subqueries rather than joins: one row per partnership, whatever its partners and themes.
    followed = Q()
    if countries:
        followed |= Q(
            pk__in=Participation.objects.filter(organisation__country__in=countries).values("partnership_id")
        ) | Q(
            pk__in=Partnership.extra_countries.through.objects.filter(country_id__in=countries).values(
                "partnership_id"
            )
        )
    if themes:
        followed |= Q(
            pk__in=PartnershipTheme.objects.filter(
                Q(theme__in=themes) | Q(theme__parent__in=themes) | Q(theme__parent__parent__in=themes)
            ).values("partnership_id")
        )
    since = subscription.started_at
    published_since = Exists(
        PublicationStep.objects.filter(
            partnership=OuterRef("pk"), to_state=PublicationState.PUBLISHED, at__gte=since
        )
    )
    never_stepped = ~Exists(
        PublicationStep.objects.filter(partnership=OuterRef("pk"), to_state=PublicationState.PUBLISHED)
    )
    # Told already: left out in SQL, as the list of those published since the start only grows.
    told = SentAlert.objects.filter(
        user=user, kind=AlertKind.NEW_PARTNERSHIPS, item_key=Cast(OuterRef("pk"), CharField())
    )
    chosen = (
        Partnership.objects.published()
        .filter(followed)
        .filter(published_since | (never_stepped & Q(created_at__gte=since)))
        .filter(~Exists(told))
    )
    if not chosen.exists():  # the usual day: nothing new
        return []
    ids = chosen.values("pk")
    # Countries read as rows, not prefetched: a large import published at once brings thousands.
    concerned: dict[int, set[str]] = defaultdict(set)
    for pk, iso2 in (
        Participation.objects.filter(partnership_id__in=ids)
        .exclude(organisation__country_id=FRANCE)
        .values_list("partnership_id", "organisation__country_id")
    ):
        concerned[pk].add(iso2)
    for pk, iso2 in Partnership.extra_countries.through.objects.filter(partnership_id__in=ids).values_list(
        "partnership_id", "country_id"
    ):
        concerned[pk].add(iso2)
    names = {country.iso2: country.display_name for country in Country.objects.all()}
    forms = dict(PartnershipForm.choices)
    rows = Partnership.objects.filter(pk__in=ids).order_by("title", "pk").values_list("pk", "title", "form")
    return [
        AlertItem(
            str(pk),
            title,
            ", ".join(sorted((names.get(c, c) for c in concerned[pk]), key=sort_key))
            or str(forms.get(form, form)),
            reverse("web:partnership", args=[pk]),
        )
        for pk, title, form in rows
    ]


SELECTORS: dict[str, Callable[..., list[AlertItem]]] = {
    AlertKind.ENDING: ending,
    AlertKind.TO_VERIFY: to_verify,
    AlertKind.REVIEW: review,
    AlertKind.BOARD_ANSWERS: board_answers,
    AlertKind.NEW_PARTNERSHIPS: new_partnerships,
}

# The page listing every item of a kind (an e-mail lists the first ones).
PAGES = {
    AlertKind.ENDING: "web:my_partnerships",
    AlertKind.TO_VERIFY: "web:my_partnerships",
    AlertKind.REVIEW: "web:review",
    AlertKind.BOARD_ANSWERS: "web:my_partnerships",
    AlertKind.NEW_PARTNERSHIPS: "web:search",
}


def kinds_open_to(user) -> list[str]:
    """Return the kinds of alert that can say something to `user` given its roles: ending and
    to-verify need an editing scope, review a reviewing one, board answers an organisation it
    edits for; new partnerships are open to every account."""
    kinds: list[str] = []
    if not scope_of(user, EDITING_KINDS).empty:
        kinds += [AlertKind.ENDING, AlertKind.TO_VERIFY]
    if not scope_of(user, REVIEWING_KINDS).empty:
        kinds.append(AlertKind.REVIEW)
    if Organisation.objects.edited_by(user).exists():
        kinds.append(AlertKind.BOARD_ANSWERS)
    kinds.append(AlertKind.NEW_PARTNERSHIPS)
    return kinds


def theme_choices():
    """The themes one may follow, in the taxonomy's order."""
    return Theme.objects.order_by("level", "position", "name_fr")
