"""The alerts' writes and their sending: a user's choices saved, an unsubscription, and the
daily run (`coopatlas send-alerts`) that sends each user one e-mail gathering its new items.

An item is never sent twice: a run first claims the items it is about to send by inserting their
SentAlert rows, in one statement that skips rows already there (the unique constraint decides,
not a read made before: a second run at the same moment inserts nothing the first one holds),
then reads back the rows carrying its own run id — those, and only those, it sends. The claim is
committed before the e-mail leaves (no lock held while a mail server answers); a send that fails
gives its claims back, so the items go in the next run. A crash between the two loses an alert
rather than sending it twice.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coopatlas.alerts.models import LANGUAGES, MONTH_CHOICES, AlertKind, SentAlert, Subscription
from coopatlas.alerts.selection import PAGES, SELECTORS, AlertItem, kinds_open_to
from coopatlas.atlas.models import Theme
from coopatlas.places.models import Country

UNSUBSCRIBE_SALT = "coopatlas.alerts.unsubscribe"  # a namespace for the signature, not a secret
ALL_KINDS = "all"
LISTED = 50  # items listed per kind in an e-mail; the rest are counted, with a link to their page


# --- Choices ----------------------------------------------------------------------------------


@dataclass
class Choice:
    """What the user chose for one kind."""

    active: bool = False
    months: int | None = None
    countries: list[Country] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)


@transaction.atomic
def subscriptions_save(user, *, choices: dict[str, Choice], language: str = "fr") -> list[Subscription]:
    """Save the user's alert choices (one subscription per kind given; a kind its roles cannot
    receive is refused, naming it); return its subscriptions. Raise ValidationError, naming the
    field, for a bad value; nothing is written then."""
    if user is None or not user.is_authenticated:
        raise ValidationError(_("Connectez-vous pour choisir vos alertes."))
    if language not in dict(LANGUAGES):
        raise ValidationError({"language": _("Langue inconnue : « %(value)s ».") % {"value": language}})
    open_kinds = set(kinds_open_to(user))
    errors: dict[str, str] = {}
    for kind, choice in choices.items():
        if kind not in AlertKind.values:
            raise ValidationError(_("Alerte inconnue : « %(value)s ».") % {"value": kind})
        if choice.active and kind not in open_kinds:
            errors[f"{kind}_active"] = _("Vos rôles ne donnent rien à cette alerte : « %(kind)s ».") % {
                "kind": AlertKind(kind).label
            }
        if kind == AlertKind.ENDING and choice.active and choice.months not in MONTH_CHOICES:
            errors["ending_months"] = _("Choisissez 3, 6 ou 12 mois (reçu : « %(value)s »).") % {
                "value": choice.months
            }
        if kind == AlertKind.NEW_PARTNERSHIPS and choice.active and not (choice.countries or choice.themes):
            errors["countries"] = _(
                "Choisissez au moins un pays ou un thème à suivre pour recevoir les nouveaux partenariats."
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for kind, choice in choices.items():
        subscription = Subscription.objects.filter(user=user, kind=kind).first()
        if subscription is None:
            if not choice.active:
                continue
            subscription = Subscription(user=user, kind=kind, started_at=now)
        elif choice.active and not subscription.active:
            subscription.started_at = now  # a restarted alert tells what is new from now on
        subscription.active = choice.active
        subscription.months = choice.months if kind == AlertKind.ENDING else None
        subscription.language = language
        subscription.full_clean()
        subscription.save()
        if kind == AlertKind.NEW_PARTNERSHIPS:
            subscription.countries.set(choice.countries)
            subscription.themes.set(choice.themes)
    Subscription.objects.filter(user=user).update(language=language)
    return list(Subscription.objects.filter(user=user).order_by("kind"))


def unsubscribe_token(user, kind: str = ALL_KINDS) -> str:
    """Return the signed token of the link that stops `user`'s alerts of `kind` (all: every
    kind), valid without signing in."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Return (user id, kind) a token names; raise signing.BadSignature for a tampered one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("not an unsubscription token")
    kind = data.get("k")
    if kind != ALL_KINDS and kind not in AlertKind.values:
        raise signing.BadSignature("unknown kind")
    return data["u"], kind


def active_subscriptions(user_id: int, kind: str = ALL_KINDS):
    """Return the active subscriptions a token of (user id, kind) would stop."""
    found = Subscription.objects.filter(user_id=user_id, active=True)
    return found if kind == ALL_KINDS else found.filter(kind=kind)


def unsubscribe(user_id: int, kind: str = ALL_KINDS) -> int:
    """Stop a user's alerts of `kind` (all: every kind); return how many stopped."""
    return active_subscriptions(user_id, kind).update(active=False, updated_at=timezone.now())


# --- Sending ----------------------------------------------------------------------------------


@dataclass
class Section:
    """One kind's part of an e-mail: its new items (all of them claimed, the first LISTED shown)."""

    kind: str
    heading: str
    items: list[AlertItem]
    page: str

    @property
    def listed(self) -> list[AlertItem]:
        return self.items[:LISTED]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - LISTED)


@dataclass
class UserAlerts:
    user: object
    language: str
    sections: list[Section]

    @property
    def count(self) -> int:
        return sum(len(section.items) for section in self.sections)


@dataclass
class RunOutcome:
    """What a run did (or would do, dry): e-mails sent, items per kind, users skipped and why."""

    dry_run: bool
    emails: int = 0
    items: dict[str, int] = field(default_factory=dict)
    without_address: int = 0
    failed: list[str] = field(default_factory=list)
    planned: list[UserAlerts] = field(default_factory=list)


def site_url(path: str) -> str:
    """Return the absolute address of a path of the site (COOPATLAS_SITE_URL)."""
    return settings.COOPATLAS_SITE_URL.rstrip("/") + path


def _new_items(user, subscriptions: Iterable[Subscription], today: datetime.date) -> list[Section]:
    """Return, per active subscription, the items its kind says today not yet sent to the user."""
    sent: dict[str, set[str]] = {}
    # (new partnerships leave out those told in SQL: their list only grows)
    told = SentAlert.objects.filter(user=user).exclude(kind=AlertKind.NEW_PARTNERSHIPS)
    for kind, key in told.values_list("kind", "item_key"):
        sent.setdefault(kind, set()).add(key)
    open_kinds = set(kinds_open_to(user))
    sections = []
    for subscription in sorted(subscriptions, key=lambda s: list(AlertKind.values).index(s.kind)):
        if subscription.kind not in open_kinds:  # a role lost since: nothing to say
            continue
        items = SELECTORS[subscription.kind](user, subscription, today)
        fresh = [item for item in items if item.key not in sent.get(subscription.kind, set())]
        if fresh:
            sections.append(
                Section(
                    subscription.kind,
                    str(AlertKind(subscription.kind).label),
                    fresh,
                    site_url(reverse(PAGES[AlertKind(subscription.kind)])),
                )
            )
    return sections


def _claim(user, sections: list[Section], run: str) -> list[Section]:
    """Insert the SentAlert rows of these items under `run`, skipping those another run already
    holds (the unique constraint); return the sections cut down to the items this run holds."""
    now = timezone.now()
    rows = [
        SentAlert(user=user, kind=section.kind, item_key=item.key, sent_at=now, run=run)
        for section in sections
        for item in section.items
    ]
    with transaction.atomic():
        SentAlert.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    held = set(SentAlert.objects.filter(user=user, run=run).values_list("kind", "item_key"))
    kept = []
    for section in sections:
        items = [item for item in section.items if (section.kind, item.key) in held]
        if items:
            kept.append(Section(section.kind, section.heading, items, section.page))
    return kept


def _message(alerts: UserAlerts) -> EmailMultiAlternatives:
    """Build the e-mail of one user's alerts, in its language, with the unsubscription link and
    the one-click headers of RFC 8058."""
    user = alerts.user
    unsubscribe_url = site_url(reverse("web:alerts_unsubscribe", args=[unsubscribe_token(user)]))
    context = {
        "user": user,
        "sections": alerts.sections,
        "site_url": settings.COOPATLAS_SITE_URL.rstrip("/"),
        "settings_url": site_url(reverse("web:alerts")),
        "unsubscribe_url": unsubscribe_url,
        "listed": LISTED,
    }
    subject = ngettext(
        "coopatlas : %(count)s nouvelle alerte", "coopatlas : %(count)s nouvelles alertes", alerts.count
    ) % {"count": alerts.count}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/mail.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],  # type: ignore[attr-defined]
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("alerts/mail.html", context), "text/html")
    return message


def send_alerts(*, today: datetime.date | None = None, dry_run: bool = False) -> RunOutcome:
    """Send every user with active alerts one e-mail gathering the new items of all its kinds
    (none when nothing is new); `dry_run` only says what would be sent. Return the outcome."""
    today = today or timezone.localdate()
    outcome = RunOutcome(dry_run=dry_run)
    run = uuid.uuid4().hex
    by_user: dict[int, list[Subscription]] = {}
    for subscription in (
        Subscription.objects.filter(active=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("countries", "themes")
        .order_by("user_id", "kind")
    ):
        by_user.setdefault(subscription.user_id, []).append(subscription)
    for subscriptions in by_user.values():
        user = subscriptions[0].user
        language = max(subscriptions, key=lambda s: s.updated_at).language
        with translation.override(language):
            sections = _new_items(user, subscriptions, today)
            if not sections:
                continue
            if not user.email:
                outcome.without_address += 1
                continue
            if not dry_run:
                sections = _claim(user, sections, run)
                if not sections:
                    continue
            alerts = UserAlerts(user, language, sections)
            if not dry_run:
                try:
                    _message(alerts).send()
                except Exception as error:  # noqa: BLE001 (a mail server's refusal: give the items back)
                    SentAlert.objects.filter(user=user, run=run).delete()
                    outcome.failed.append(f"{user.email}: {error}")
                    continue
        outcome.emails += 1  # sent, or (dry) to send
        outcome.planned.append(alerts)
        for section in sections:
            outcome.items[section.kind] = outcome.items.get(section.kind, 0) + len(section.items)
    return outcome
