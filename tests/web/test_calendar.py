"""The calendar page and its iCal feed: same happenings, stable identifiers, scope and window
from the URL (a fixed start, never the real clock), drafts for their editors only."""

import datetime
import re

import icalendar
import pytest
from django.test import Client

from coopatlas.atlas import services
from coopatlas.atlas.choices import EventKind, ParticipationRole
from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.atlas.services import ParticipantSpec

pytestmark = pytest.mark.django_db

PANCEVO = "Jumelage Boulogne-Billancourt – Pančevo"
IN_2022 = {"depuis": "2022-01-01"}


def page_uids(response) -> list[str]:
    return re.findall(r'data-uid="([^"]+)"', response.content.decode())


def feed(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar: icalendar.Calendar) -> list:
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def visit(demo_atlas):
    """A delegation visit planned on the Pančevo twinning's timeline, 14 March 2022."""
    pancevo = Partnership.objects.get(title=PANCEVO)
    return services.event_add(
        partnership=pancevo,
        year=2022,
        month=3,
        day=14,
        title="Délégation de Pančevo à Boulogne-Billancourt",
        kind=EventKind.DELEGATION_VISIT,
    )


def test_calendar_page_shows_the_fiftieth_anniversary_in_its_year_linking_to_the_record(client, visit):
    """The page of 2022 has Pančevo's 50th anniversary in the year's group « date exacte inconnue »
    and the visit in March, each linking to the partnership page."""
    # given
    pancevo = Partnership.objects.get(title=PANCEVO)
    # when
    response = client.get("/calendrier/", IN_2022)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    year_group = html[html.index("2022 · date exacte inconnue") : html.index("Mars 2022")]
    assert "50 ans · " + PANCEVO in year_group
    assert f'href="{pancevo.get_absolute_url()}"' in year_group
    march = html[html.index("Mars 2022") :]
    assert '<time datetime="2022-03-14">14 mars</time>' in march
    assert "Délégation de Pančevo à Boulogne-Billancourt" in march
    assert f"anniversaire-{pancevo.pk}-20220101" in page_uids(response)


def test_calendar_feed_parses_back_with_the_page_s_events(client, visit):
    """The feed is a VCALENDAR (PRODID, X-WR-CALNAME) whose all-day VEVENTs are the page's
    happenings, UID by UID, in French, each with the record's address."""
    # given
    page = client.get("/calendrier/", IN_2022)
    # when
    response = client.get("/calendrier.ics", IN_2022)
    # then
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="calendrier-coopatlas.ics"' in response["Content-Disposition"]
    calendar = feed(response)
    assert "coopatlas" in str(calendar["PRODID"]) and "Calendrier" in str(calendar["X-WR-CALNAME"])
    events = vevents(calendar)
    assert [str(e["UID"]) for e in events] == [f"{uid}@testserver" for uid in page_uids(page)]
    assert {str(e["UID"]).split("-")[0] for e in events} == {"anniversaire", "evenement"}
    pancevo = Partnership.objects.get(title=PANCEVO)
    (fiftieth,) = [e for e in events if str(e["UID"]).startswith(f"anniversaire-{pancevo.pk}-")]
    assert fiftieth.decoded("DTSTART") == datetime.date(2022, 1, 1)
    assert fiftieth.decoded("DTEND") == datetime.date(2022, 1, 2)
    assert str(fiftieth["SUMMARY"]) == f"50 ans · {PANCEVO} (date exacte inconnue)"
    assert "Seule l'année est connue" in str(fiftieth["DESCRIPTION"])
    assert str(fiftieth["URL"]) == f"http://testserver{pancevo.get_absolute_url()}"
    for event in events:
        assert type(event.decoded("DTSTART")) is datetime.date  # all-day
        assert "DTSTAMP" in event


def test_calendar_feed_uids_are_stable_between_two_requests(client, visit):
    """Two requests give the same identifiers, so that an agenda updates its events in place."""
    # when
    first = vevents(feed(client.get("/calendrier.ics", IN_2022)))
    second = vevents(feed(client.get("/calendrier.ics", IN_2022)))
    # then
    assert first and [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]


def test_calendar_feed_stays_in_french_for_an_english_interface(client, visit):
    """The feed's words are French whatever the interface's language; the page follows it."""
    # given
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # when
    events = vevents(feed(client.get("/calendrier.ics", IN_2022)))
    page = client.get("/calendrier/", IN_2022).content.decode()
    # then
    assert any(str(e["SUMMARY"]).startswith("Visite de délégation · ") for e in events)
    assert "exact date unknown" in page and "Delegation visit" in page
    assert "<h1>Calendar</h1>" in page


def test_calendar_scope_filters_page_and_feed_alike(client, demo_atlas):
    """`pays=RS` keeps the Serbian twinning only; `pays=DE` in 2025 the Neukölln 70th anniversary."""
    # when
    serbia = vevents(feed(client.get("/calendrier.ics", {**IN_2022, "pays": "RS"})))
    germany = client.get("/calendrier/", {"depuis": "2025-01-01", "pays": "DE"}).content.decode()
    # then
    assert [str(e["SUMMARY"]) for e in serbia] == [f"50 ans · {PANCEVO} (date exacte inconnue)"]
    assert "70 ans · Jumelage Boulogne-Billancourt – Neukölln" in germany
    assert PANCEVO not in germany and "Anderlecht" not in germany


def test_calendar_draft_is_hidden_from_anonymous_readers_and_shown_to_the_atlas_team(admin_client_fr):
    """A draft agreement ending in the window is in neither page nor feed for an anonymous reader;
    the atlas team sees it on the page, marked as a draft."""
    # given
    lyon = Organisation.objects.create(name="Lyon", kind="commune", country_id="FR", insee_code="69123")
    sousse = Organisation.objects.create(name="Sousse", kind="foreign_authority", country_id="TN")
    services.partnership_create(
        title="Convention Lyon – Sousse (brouillon)",
        form="cooperation_agreement",
        participants=[
            ParticipantSpec(lyon, ParticipationRole.FRENCH_AUTHORITY),
            ParticipantSpec(sousse, ParticipationRole.FOREIGN_AUTHORITY),
        ],
        start_year=2020,
        end_date=datetime.date(2025, 6, 30),
        publication_state="draft",
    )
    window = {"depuis": "2025-01-01"}
    client = Client()  # anonymous (admin_client_fr signs in pytest-django's own client)
    # when
    anonymous_page = client.get("/calendrier/", window).content.decode()
    anonymous_feed = client.get("/calendrier.ics", window).content.decode()
    team_page = admin_client_fr.get("/calendrier/", window).content.decode()
    # then
    assert "Lyon – Sousse" not in anonymous_page and "Lyon – Sousse" not in anonymous_feed
    assert "Fin prévue · Convention Lyon – Sousse (brouillon)" in team_page
    assert '<span class="badge badge-draft">Brouillon</span>' in team_page
    (draft,) = vevents(feed(admin_client_fr.get("/calendrier.ics", window)))
    assert str(draft["SUMMARY"]) == "[Brouillon] Fin prévue · Convention Lyon – Sousse (brouillon)"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"pays": "ZZ"}, "ZZ"),
        ({"territoire": "<script>alert(1)</script>"}, "&lt;script&gt;"),
        ({"zone": "mars"}, "mars"),
        ({"mois": "9999"}, "9999"),
        ({"depuis": "2025-13-01"}, "2025-13-01"),
        ({"du": "²"}, "²"),
    ],
)
def test_calendar_bad_scope_is_a_400_for_the_feed_and_a_message_on_the_page(client, params, named):
    """A feed with a bad value answers 400 naming it (a subscription must not silently widen);
    the page shows the calendar without it and says which value was ignored."""
    # when
    response = client.get("/calendrier.ics", params)
    page = client.get("/calendrier/", params)
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("Calendrier refusé") and named.replace("&lt;", "<").replace("&gt;", ">") in body
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode() and named in page.content.decode()


def test_calendar_control_character_in_the_url_is_a_400(client):
    """A NUL byte in a parameter is refused before the view (web.middleware)."""
    # when
    response = client.get("/calendrier.ics?pays=%00")
    # then
    assert response.status_code == 400


def test_calendar_is_linked_from_the_footer_the_tracking_tabs_and_a_country_page(client, demo_atlas):
    """The footer of every page, the dashboard's tabs (with the scope) and a country page link to it."""
    # when
    home = client.get("/").content.decode()
    dashboard = client.get("/tableau-de-bord/", {"pays": "RS"}).content.decode()
    country = client.get("/pays/RS/").content.decode()
    # then
    assert 'href="/calendrier/"' in home
    assert re.search(r'href="/calendrier/\?[^"]*pays=RS', dashboard)
    assert 'href="/calendrier/?pays=RS"' in country


def test_calendar_page_offers_the_feed_of_the_same_scope(client, demo_atlas):
    """The subscription address carries the scope and the months, not the start (it follows today)."""
    # when
    html = client.get("/calendrier/", {"pays": "RS", "mois": "6"}).content.decode()
    # then
    (address,) = re.findall(r'<input type="url" readonly value="([^"]+)"', html)
    assert address.startswith("http://testserver/calendrier.ics?")
    assert "pays=RS" in address and "mois=6" in address and "depuis" not in address
