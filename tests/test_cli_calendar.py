"""`coopatlas calendar`: a scope's calendar written as an iCal file."""

import datetime

import icalendar
import pytest

from coopatlas.atlas.models import Partnership
from coopatlas.cli import main

pytestmark = pytest.mark.django_db


def test_cli_calendar_writes_the_scope_s_ical_file(capsys, demo_atlas, tmp_path):
    """calendar --scope pays=RS --from 2022-01-01 writes Pančevo's 50th anniversary, its UID and
    link on the site given."""
    # given
    target = tmp_path / "serbie.ics"
    pancevo = Partnership.objects.get(title="Jumelage Boulogne-Billancourt – Pančevo")
    # when
    code = main(
        ["calendar", "--scope", "pays=RS", "--from", "2022-01-01", "--site", "https://atlas.example.org",
         "-o", str(target)]
    )  # fmt: skip
    # then
    assert code == 0 and "1 événement(s)" in capsys.readouterr().out
    (event,) = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"anniversaire-{pancevo.pk}-20220101@atlas.example.org"
    assert event.decoded("DTSTART") == datetime.date(2022, 1, 1)
    assert str(event["URL"]) == f"https://atlas.example.org/partenariats/{pancevo.pk}/"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--scope", "pays=ZZ"],
        ["--from", "2022-02-30"],
        ["--months", "40"],
        ["--site", "javascript:alert(1)"],
    ],
)
def test_cli_calendar_refuses_a_bad_scope_window_or_site(capsys, tmp_path, arguments):
    """A bad country, date, number of months or site address exits 2 naming it, writing nothing."""
    # given
    target = tmp_path / "refus.ics"
    # when
    code = main(["calendar", *arguments, "-o", str(target)])
    # then
    assert code == 2 and not target.exists()
    assert arguments[1].split("=")[-1][:10] in capsys.readouterr().err
