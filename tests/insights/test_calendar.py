"""The calendar's selection: round anniversaries, agreements ending, planned events, in a window
that starts on a given day (never the real clock), over the records a reader may see."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from coopatlas.atlas import services
from coopatlas.atlas.choices import EventKind, ParticipationRole, PartnershipStatus
from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.atlas.services import ParticipantSpec
from coopatlas.insights import calendar as agenda
from coopatlas.insights.dashboard import scope_from
from tests.atlas.factories import commune, foreign_town

pytestmark = pytest.mark.django_db

FRENCH, FOREIGN = ParticipationRole.FRENCH_AUTHORITY, ParticipationRole.FOREIGN_AUTHORITY


def happenings(params: str = "", *, start: datetime.date, months: int = 12, base=None, limit=agenda.LIMIT):
    """Return the calendar of the scope in `params` from `start`."""
    query, _kept = scope_from(QueryDict(params))
    assert query.errors == []
    base = base if base is not None else Partnership.objects.all()
    return agenda.build(query, base, agenda.Window(start, months), limit=limit)


def agreement(french, foreign, title: str, **fields) -> Partnership:
    fields.setdefault("form", "twinning")
    fields.setdefault("publication_state", "published")
    return services.partnership_create(
        title=title,
        participants=[ParticipantSpec(french, FRENCH), ParticipantSpec(foreign, FOREIGN)],
        **fields,
    )


def find(calendar, kind: str, partnership: Partnership):
    return [h for h in calendar.happenings if h.kind == kind and h.partnership_id == partnership.pk]


def test_calendar_round_anniversaries_are_tens_and_quarter_centuries():
    """10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90 and 100 years are celebrated, no other up to 100."""
    # when
    chosen = [n for n in range(1, 101) if agenda.is_round(n)]
    # then
    assert chosen == [10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100]


def test_calendar_boulogne_pancevo_fiftieth_anniversary_shows_in_its_year(demo_atlas):
    """The demo's Boulogne-Billancourt – Pančevo twinning (1972, year only) has its 50th
    anniversary in 2022, known to the year: shown in a window anywhere in 2022, not in 2023."""
    # given
    pancevo = Partnership.objects.get(title="Jumelage Boulogne-Billancourt – Pančevo")
    assert pancevo.start_year == 1972 and pancevo.signature_date is None
    # when
    january = happenings(start=datetime.date(2022, 1, 1))
    autumn = happenings(start=datetime.date(2022, 10, 15), months=3)
    later = happenings(start=datetime.date(2023, 1, 1))
    # then
    (fiftieth,) = find(january, agenda.ANNIVERSARY, pancevo)
    assert (fiftieth.years, fiftieth.precision, fiftieth.day) == (50, agenda.YEAR, datetime.date(2022, 1, 1))
    assert "date exacte inconnue" in fiftieth.summary and fiftieth.summary.startswith("50 ans")
    assert len(find(autumn, agenda.ANNIVERSARY, pancevo)) == 1
    assert find(later, agenda.ANNIVERSARY, pancevo) == []
    groups = {(m.year, m.month): m for m in january.months()}
    assert fiftieth in groups[(2022, 0)].happenings  # the year's group, before its months


def test_calendar_other_demo_twinnings_have_their_own_round_years(demo_atlas):
    """In 2025 the 1955 twinnings are 70 and Boulogne-Billancourt – Pančevo (53) has none."""
    # given
    pancevo = Partnership.objects.get(title="Jumelage Boulogne-Billancourt – Pančevo")
    of_1955 = Partnership.objects.filter(title__startswith="Jumelage Boulogne-Billancourt", start_year=1955)
    # when
    calendar = happenings(start=datetime.date(2025, 1, 1))
    # then
    seventy = {
        h.partnership_id for h in calendar.happenings if h.kind == agenda.ANNIVERSARY and h.years == 70
    }
    assert set(of_1955.values_list("pk", flat=True)) <= seventy and of_1955.count() == 4
    assert find(calendar, agenda.ANNIVERSARY, pancevo) == []


def test_calendar_exact_signature_date_gives_the_day_and_a_leap_day_falls_on_28_february():
    """A twinning signed on a known day has its anniversary on that day; one signed on
    29 February has it on 28 February in a common year."""
    # given
    lyon, sousse = commune("Lyon", "69123"), foreign_town("Sousse", "TN")
    signed = agreement(lyon, sousse, "Jumelage Lyon – Sousse", signature_date=datetime.date(1975, 6, 14))
    leap = agreement(
        commune("Dunkerque", "59183"),
        foreign_town("Krefeld", "DE"),
        "Jumelage Dunkerque – Krefeld",
        signature_date=datetime.date(1976, 2, 29),
    )
    # when
    calendar = happenings(start=datetime.date(2025, 1, 1), months=14)
    after = happenings(start=datetime.date(2025, 6, 15))
    # then
    (fiftieth,) = find(calendar, agenda.ANNIVERSARY, signed)
    assert (fiftieth.day, fiftieth.precision, fiftieth.years) == (datetime.date(2025, 6, 14), agenda.DAY, 50)
    assert "date exacte inconnue" not in fiftieth.summary
    (leap_day,) = find(calendar, agenda.ANNIVERSARY, leap)
    assert leap_day.day == datetime.date(2026, 2, 28) and leap_day.years == 50
    assert find(after, agenda.ANNIVERSARY, signed) == []


def test_calendar_signature_on_the_timeline_gives_the_month():
    """A twinning known by its year, whose timeline dates its signature to a month of that year,
    has its anniversary in that month (the day still unknown)."""
    # given
    twinning = agreement(
        commune("Roubaix", "59512"),
        foreign_town("Skopje", "MK"),
        "Jumelage Roubaix – Skopje",
        start_year=2015,
    )
    services.event_add(partnership=twinning, year=2015, month=11, title="Signature", kind=EventKind.SIGNATURE)
    # when
    calendar = happenings(start=datetime.date(2025, 1, 1))
    # then
    (tenth,) = find(calendar, agenda.ANNIVERSARY, twinning)
    assert (tenth.day, tenth.precision, tenth.since) == (datetime.date(2025, 11, 1), agenda.MONTH, "11/2015")
    assert tenth.last_day == datetime.date(2025, 11, 30)


def test_calendar_ended_twinning_and_projects_have_no_anniversary():
    """A twinning marked ended, or whose end date comes before the anniversary, and a project
    (no signed agreement) are not celebrated."""
    # given
    nantes = commune("Nantes", "44109")
    ended = agreement(nantes, foreign_town("Recife", "BR"), "Jumelage ended", start_year=1975, status="ended")
    over = agreement(
        nantes,
        foreign_town("Puebla", "MX"),
        "Jumelage over",
        start_year=1975,
        end_date=datetime.date(2024, 12, 31),
        status=PartnershipStatus.DORMANT,
    )
    project = agreement(nantes, foreign_town("Saint-Louis", "SN"), "Projet", start_year=1975, form="project")
    # when
    calendar = happenings(start=datetime.date(2025, 1, 1))
    # then
    for partnership in (ended, over, project):
        assert find(calendar, agenda.ANNIVERSARY, partnership) == [], partnership.title


def test_calendar_agreement_ending_in_the_window_appears_and_one_outside_does_not():
    """End dates inside the window are listed, those after it are not, nor a record already ended."""
    # given
    lyon = commune("Lyon", "69123")
    inside = agreement(
        lyon, foreign_town("Birmingham", "GB"), "Convention Lyon – Birmingham",
        form="cooperation_agreement", start_year=2022, end_date=datetime.date(2025, 9, 30),
    )  # fmt: skip
    outside = agreement(
        lyon, foreign_town("Puebla", "MX"), "Convention Lyon – Puebla",
        form="cooperation_agreement", start_year=2022, end_date=datetime.date(2026, 3, 1),
    )  # fmt: skip
    closed = agreement(
        lyon, foreign_town("Recife", "BR"), "Convention Lyon – Recife", form="cooperation_agreement",
        start_year=2022, end_date=datetime.date(2025, 9, 30), status="ended",
    )  # fmt: skip
    # when
    calendar = happenings(start=datetime.date(2025, 3, 1), months=12)
    # then
    (ending,) = find(calendar, agenda.ENDING, inside)
    assert ending.day == datetime.date(2025, 9, 30) and ending.precision == agenda.DAY
    assert find(calendar, agenda.ENDING, outside) == []
    assert find(calendar, agenda.ENDING, closed) == []


def test_calendar_planned_visit_appears_with_its_day_and_a_later_one_does_not():
    """A delegation visit dated in the window is listed on its day; one after the window is not."""
    # given
    twinning = agreement(
        commune("Dunkerque", "59183"), foreign_town("Krefeld", "DE"), "Jumelage Dunkerque – Krefeld"
    )
    visit = services.event_add(
        partnership=twinning,
        year=2025,
        month=4,
        day=10,
        title="Visite du maire",
        kind=EventKind.DELEGATION_VISIT,
    )
    later = services.event_add(
        partnership=twinning, year=2026, month=6, title="Rencontre", kind=EventKind.MEETING
    )
    # when
    calendar = happenings(start=datetime.date(2025, 1, 1))
    # then
    events = find(calendar, agenda.EVENT, twinning)
    assert [(h.record_id, h.day, h.precision) for h in events] == [
        (visit.pk, datetime.date(2025, 4, 10), agenda.DAY)
    ]
    assert events[0].summary == "Visite de délégation · Visite du maire"
    assert later.pk not in {h.record_id for h in calendar.happenings if h.kind == agenda.EVENT}


def test_calendar_draft_is_left_out_for_an_anonymous_reader():
    """A draft's ending and events are listed for who may see drafts, never for an anonymous reader."""
    # given
    draft = agreement(
        commune("Lyon", "69123"),
        foreign_town("Sousse", "TN"),
        "Convention brouillon",
        form="cooperation_agreement",
        start_year=2020,
        end_date=datetime.date(2025, 5, 1),
        publication_state="draft",
    )
    services.event_add(
        partnership=draft, year=2025, month=6, day=2, title="Visite", kind=EventKind.DELEGATION_VISIT
    )
    start = datetime.date(2025, 1, 1)
    # when
    public = happenings(start=start, base=Partnership.objects.visible_to(AnonymousUser()))
    everything = happenings(start=start)
    # then
    assert [h for h in public.happenings if h.partnership_id == draft.pk] == []
    mine = [h for h in everything.happenings if h.partnership_id == draft.pk]
    assert {h.kind for h in mine} == {agenda.ENDING, agenda.EVENT} and not any(h.published for h in mine)


def test_calendar_scope_keeps_its_country_and_territory_only(demo_atlas):
    """`pays=RS` keeps Pančevo's anniversary and drops the German ones; a territory keeps its own."""
    # given
    start = datetime.date(2025, 1, 1)
    boulogne = Organisation.objects.get(name="Boulogne-Billancourt")
    # when
    serbia = happenings("pays=RS", start=datetime.date(2022, 1, 1))
    germany = happenings("pays=DE", start=start)
    territory = happenings(f"territoire={boulogne.pk}", start=start)
    # then
    titles = {h.partnership_title for h in serbia.happenings}
    assert titles == {"Jumelage Boulogne-Billancourt – Pančevo"}
    assert {h.partnership_title for h in germany.happenings} == {"Jumelage Boulogne-Billancourt – Neukölln"}
    assert territory.happenings and all(
        "Boulogne-Billancourt" in h.partnership_title for h in territory.happenings
    )


def test_calendar_is_cut_at_its_limit_in_date_order_and_says_how_many_there_were(demo_atlas):
    """With a limit of 2 the first two happenings in date order are kept and the count is whole."""
    # given
    start = datetime.date(2025, 1, 1)
    whole = happenings(start=start)
    # when
    cut = happenings(start=start, limit=2)
    # then
    assert whole.count > 2 and cut.count == whole.count and cut.truncated
    assert cut.happenings == whole.happenings[:2]
    assert [h.day for h in whole.happenings] == sorted(h.day for h in whole.happenings)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ("depuis=2025-02-30", "2025-02-30"),
        ("depuis=%3Cscript%3E", "<script>"),
        ("depuis=0999-01-01", "0999-01-01"),
        ("mois=99", "99"),
        ("mois=%C2%B2", "²"),
        ("mois=-3", "-3"),
    ],
)
def test_calendar_window_refuses_bad_values_with_a_message_naming_them(params, words):
    """A bad start or number of months falls back to the default with a French message naming it."""
    # given
    today = datetime.date(2025, 3, 1)
    errors: list[str] = []
    # when
    window = agenda.read_window(QueryDict(params), today, errors)
    # then
    assert window == agenda.Window(today, agenda.DEFAULT_MONTHS)
    assert len(errors) == 1 and f"« {words} »" in errors[0]


def test_calendar_window_reads_its_start_and_months():
    """`depuis` and `mois` give the window; its end is excluded."""
    # given
    errors: list[str] = []
    # when
    window = agenda.read_window(QueryDict("depuis=2024-02-29&mois=24"), datetime.date(2025, 3, 1), errors)
    # then
    assert errors == [] and window == agenda.Window(datetime.date(2024, 2, 29), 24)
    assert window.end == datetime.date(2026, 2, 28)
