"""The calendar of a scope: what falls in a window of dates (docs/calendar.md).

Three kinds of happenings, each tied to a partnership of the scope:
- the round anniversaries of agreements (twinnings, friendship pacts, agreements, protocols):
  every ten years, and at 25, 75, 125… years (`is_round`), counted from the signature date when
  it is known, else from the first year (start year, else signature year), made more precise by
  a signature event of that year on the timeline that gives its month or day;
- agreements ending: the end date of a partnership not already marked ended;
- the events of the partnerships' timelines that fall in the window (planned visits, meetings…).

A happening whose day is unknown (an anniversary of a twinning known by its year only, an event
of a month) keeps its precision: it belongs to its month or year, not to a made-up day.

The selection is bounded: a window of at most `MAX_MONTHS` months, and the first `LIMIT`
happenings in date order (the count says how many there were). The page, the iCal feed and the
`coopatlas calendar` command all read `build`.
"""

import calendar as month_calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import EventKind, PartnershipForm, PartnershipStatus, PublicationState
from coopatlas.atlas.models import Event, Partnership
from coopatlas.core.years import MIN_YEAR, max_year
from coopatlas.insights.watch import add_months
from coopatlas.search.query import SearchQuery

DEFAULT_MONTHS = 12
MAX_MONTHS = 24
# At most this many happenings in a page or a feed: the first in date order.
LIMIT = 1000
# Forms that rest on a signed agreement: the ones whose anniversaries are celebrated.
ANNIVERSARY_FORMS = (
    PartnershipForm.TWINNING,
    PartnershipForm.FRIENDSHIP_PACT,
    PartnershipForm.COOPERATION_AGREEMENT,
    PartnershipForm.PROTOCOL,
)

ANNIVERSARY = "anniversaire"
ENDING = "fin"
EVENT = "evenement"

DAY, MONTH, YEAR = "day", "month", "year"


def is_round(years: int) -> bool:
    """Say whether an anniversary is celebrated: 10, 20, 25, 30, 40, 50, 60, 70, 75, 80… years."""
    return years >= 10 and (years % 10 == 0 or years % 25 == 0)


@dataclass(frozen=True)
class Window:
    """The dates looked at: from `start` (included) for `months` months (`end` excluded)."""

    start: datetime.date
    months: int = DEFAULT_MONTHS

    @property
    def end(self) -> datetime.date:
        return add_months(self.start, self.months)

    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


@dataclass(frozen=True)
class Happening:
    """One dated thing: its kind, the record it comes from, the first day of the period it is
    known to (the day itself when `precision` is DAY), and what the page and the feed say."""

    kind: str
    record_id: int  # the partnership's id; the event's for an event
    day: datetime.date
    precision: str
    partnership_id: int
    partnership_title: str
    state: str  # the partnership's publication state
    years: int = 0  # an anniversary's number of years
    since: str = ""  # an anniversary's origin, as written (22/11/1972, 11/1972, 1972)
    event_kind: str = ""
    event_title: str = ""

    @property
    def last_day(self) -> datetime.date:
        """The last day of the period the date is known to."""
        if self.precision == YEAR:
            return datetime.date(self.day.year, 12, 31)
        if self.precision == MONTH:
            return self.day.replace(day=month_calendar.monthrange(self.day.year, self.day.month)[1])
        return self.day

    @property
    def uid_key(self) -> str:
        """What names it for ever: kind, record and date (the host is added by the feed)."""
        return f"{self.kind}-{self.record_id}-{self.day:%Y%m%d}"

    @property
    def url(self) -> str:
        return reverse("web:partnership", args=[self.partnership_id])

    @property
    def published(self) -> bool:
        return self.state == PublicationState.PUBLISHED

    @property
    def state_label(self) -> str:
        """The publication state in words (« Brouillon », « Soumis à la revue »…)."""
        return (
            str(PublicationState(self.state).label) if self.state in PublicationState.values else self.state
        )

    @property
    def exact(self) -> bool:
        return self.precision == DAY

    @property
    def summary(self) -> str:
        """The headline, in the active language."""
        if self.kind == ANNIVERSARY:
            text = _("%(n)s ans · %(title)s") % {"n": self.years, "title": self.partnership_title}
        elif self.kind == ENDING:
            text = _("Fin prévue · %(title)s") % {"title": self.partnership_title}
        else:
            text = f"{EventKind(self.event_kind).label} · {self.event_title}"
        if not self.exact:
            text += " " + _("(date exacte inconnue)")
        return text

    @property
    def description(self) -> str:
        """What it is, in a sentence or two, in the active language."""
        if self.kind == ANNIVERSARY:
            text = _("%(n)s ans depuis le début du partenariat (%(since)s).") % {
                "n": self.years,
                "since": self.since,
            }
        elif self.kind == ENDING:
            text = _("Date de fin de « %(title)s » : renouveler, prolonger ou clore.") % {
                "title": self.partnership_title
            }
        else:
            text = _("Prévu dans la chronologie de « %(title)s ».") % {"title": self.partnership_title}
        if self.precision == YEAR:
            text += " " + _("Seule l'année est connue : la date exacte reste à trouver.")
        elif self.precision == MONTH:
            text += " " + _("Seuls le mois et l'année sont connus.")
        return text


@dataclass
class Month:
    """A group of the page: a month, or a year for what is known to the year only."""

    year: int
    month: int  # 0: the year's happenings of unknown month
    happenings: list[Happening] = field(default_factory=list)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, 1)


@dataclass
class Calendar:
    window: Window
    happenings: list[Happening]
    count: int  # how many the window holds (more than `happenings` when cut at LIMIT)

    @property
    def truncated(self) -> bool:
        return self.count > len(self.happenings)

    def months(self) -> list[Month]:
        """Return the happenings grouped by month; those known to the year only come first in
        their year, in a group of their own."""
        groups: dict[tuple[int, int], Month] = {}
        for happening in self.happenings:
            month = 0 if happening.precision == YEAR else happening.day.month
            key = (happening.day.year, month)
            groups.setdefault(key, Month(*key)).happenings.append(happening)
        return [groups[key] for key in sorted(groups)]


# --- reading the window --------------------------------------------------------------------------


def read_window(params: Mapping[str, str], today: datetime.date, errors: list[str]) -> Window:
    """Return the window of `depuis` (a date, default today) and `mois` (1 to MAX_MONTHS, default
    12); a bad value is left for the default with a message appended to `errors`."""
    start = today
    raw = (params.get("depuis") or "").strip()
    if raw:
        try:
            start = datetime.date.fromisoformat(raw)
            if not datetime.date(MIN_YEAR, 1, 1) <= start <= datetime.date(max_year(), 12, 31):
                raise ValueError(raw)
        except ValueError:
            start = today
            errors.append(
                _(
                    "Début de la période : date attendue entre %(min)s et %(max)s (AAAA-MM-JJ), "
                    "pas « %(value)s » (aujourd'hui à la place)."
                )
                % {"min": f"{MIN_YEAR}-01-01", "max": f"{max_year()}-12-31", "value": raw[:40]}
            )
    months = DEFAULT_MONTHS
    raw = (params.get("mois") or "").strip()
    if raw:
        if raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= MAX_MONTHS:
            months = int(raw)
        else:
            errors.append(
                _("Nombre de mois : entier de 1 à %(max)s attendu, pas « %(value)s » (%(default)s mois).")
                % {"max": MAX_MONTHS, "value": raw[:40], "default": DEFAULT_MONTHS}
            )
    return Window(start, months)


# --- the selection ---------------------------------------------------------------------------------


def build(query: SearchQuery, base: QuerySet[Partnership], window: Window, *, limit: int = LIMIT) -> Calendar:
    """Return the happenings of the scope `query` over `base` (the partnerships the reader may
    see) that fall in `window`, in date order, the first `limit` of them."""
    scope = query.filtered(base, text=False)
    found = [*_anniversaries(scope, window), *_endings(scope, window), *_events(scope, window)]
    found.sort(key=lambda h: (h.day, h.precision != YEAR, h.kind, h.partnership_title, h.record_id))
    return Calendar(window, found[:limit], len(found))


def _overlaps(first: datetime.date, last: datetime.date, window: Window) -> bool:
    return first < window.end and last >= window.start


def _same_day(year: int, day: datetime.date) -> datetime.date:
    """Return the day's anniversary in `year` (28 February for a 29 February in another year)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _anniversaries(scope: QuerySet[Partnership], window: Window) -> list[Happening]:
    origins = [y - n for y in window.years() for n in range(10, y - MIN_YEAR + 1) if is_round(n)]
    candidates = (
        scope.filter(form__in=ANNIVERSARY_FORMS)
        .exclude(status__in=(PartnershipStatus.ENDED, PartnershipStatus.PLANNED))
        .filter(
            Q(signature_date__year__in=origins)
            | Q(signature_date__isnull=True, start_year__in=origins)
            | Q(signature_date__isnull=True, start_year__isnull=True, signature_year__in=origins)
        )
        .values_list(
            "pk", "title", "publication_state", "signature_date", "start_year", "signature_year", "end_date"
        )
    )
    rows = list(candidates.iterator(chunk_size=2000))
    # A signature on the timeline, in the year the partnership began, tells its month or day.
    signed: dict[int, dict[int, tuple[int, int | None]]] = {}
    undated = [pk for pk, _t, _s, date, *_rest in rows if date is None]
    for start in range(0, len(undated), 2000):
        events = Event.objects.filter(
            partnership_id__in=undated[start : start + 2000], kind=EventKind.SIGNATURE, month__isnull=False
        ).order_by("year", "month", "day", "pk")
        for pk, year, month, day in events.values_list("partnership_id", "year", "month", "day"):
            signed.setdefault(pk, {}).setdefault(year, (month, day))
    found = []
    for pk, title, state, date, start_year, signature_year, end_date in rows:
        if date is not None:
            origin, precision, since = date, DAY, f"{date:%d/%m/%Y}"
        else:
            first = start_year or signature_year
            month, day = signed.get(pk, {}).get(first, (None, None))
            if month and day:
                try:
                    origin, precision = datetime.date(first, month, day), DAY
                except ValueError:  # a day the month has not: the month is still known
                    origin, precision = datetime.date(first, month, 1), MONTH
            elif month:
                origin, precision = datetime.date(first, month, 1), MONTH
            else:
                origin, precision = datetime.date(first, 1, 1), YEAR
            since = {DAY: f"{origin:%d/%m/%Y}", MONTH: f"{origin:%m/%Y}", YEAR: str(first)}[precision]
        for year in window.years():
            years = year - origin.year
            if not is_round(years):
                continue
            day = _same_day(year, origin)
            happening = Happening(
                ANNIVERSARY,
                pk,
                day,
                precision,
                pk,
                title,
                state,
                years=years,
                since=since,
            )
            over = end_date is not None and end_date < day
            if not over and _overlaps(day, happening.last_day, window):
                found.append(happening)
    return found


def _endings(scope: QuerySet[Partnership], window: Window) -> list[Happening]:
    rows = (
        scope.filter(end_date__gte=window.start, end_date__lt=window.end)
        .exclude(status=PartnershipStatus.ENDED)
        .values_list("pk", "title", "publication_state", "end_date")
    )
    return [
        Happening(ENDING, pk, end, DAY, pk, title, state)
        for pk, title, state, end in rows.iterator(chunk_size=2000)
    ]


def _events(scope: QuerySet[Partnership], window: Window) -> list[Happening]:
    rows = Event.objects.filter(
        partnership_id__in=scope.values("pk"), year__gte=window.start.year, year__lte=window.end.year
    ).values_list(
        "pk",
        "kind",
        "title",
        "year",
        "month",
        "day",
        "partnership_id",
        "partnership__title",
        "partnership__publication_state",
    )
    found = []
    for pk, kind, title, year, month, day, partnership_id, partnership_title, state in rows.iterator(
        chunk_size=2000
    ):
        if month and day:
            try:
                first, precision = datetime.date(year, month, day), DAY
            except ValueError:
                first, precision = datetime.date(year, month, 1), MONTH
        elif month:
            first, precision = datetime.date(year, month, 1), MONTH
        else:
            first, precision = datetime.date(year, 1, 1), YEAR
        happening = Happening(
            EVENT,
            pk,
            first,
            precision,
            partnership_id,
            partnership_title,
            state,
            event_kind=kind if kind in EventKind.values else EventKind.OTHER,
            event_title=title,
        )
        if _overlaps(first, happening.last_day, window):
            found.append(happening)
    return found


# --- the iCal feed ---------------------------------------------------------------------------------


def as_ical(chosen: Calendar, *, name: str, host: str, base_url: str, stamp: datetime.datetime) -> bytes:
    """Return the calendar as an iCalendar file (RFC 5545): one all-day event per happening,
    in French; a happening known to its month or year only is one all-day event on the first
    day of that period, its summary saying that the exact date is unknown. `base_url` (scheme and
    host) makes the records' addresses absolute; `stamp` is every event's DTSTAMP."""
    import icalendar  # noqa: PLC0415 (only the feed needs it)

    feed = icalendar.Calendar()
    feed.add("prodid", "-//coopatlas//Calendrier des partenariats//FR")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "Europe/Paris")
    with translation.override("fr"):
        for happening in chosen.happenings:
            event = icalendar.Event()
            event.add("uid", f"{happening.uid_key}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", happening.day)
            event.add("dtend", happening.day + datetime.timedelta(days=1))
            # A draft (in the feed of someone who may see drafts) says so in its summary.
            mark = "" if happening.published else f"[{happening.state_label}] "
            event.add("summary", mark + happening.summary)
            event.add("description", f"{happening.description}\n{base_url}{happening.url}")
            event.add("url", f"{base_url}{happening.url}")
            event.add("transp", "TRANSPARENT")
            event.add("categories", [str(_kind_label(happening.kind))])
            feed.add_component(event)
    return feed.to_ical()


def _kind_label(kind: str) -> str:
    return {ANNIVERSARY: _("Anniversaire"), ENDING: _("Fin prévue"), EVENT: _("Événement")}[kind]
