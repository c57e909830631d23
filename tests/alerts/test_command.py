"""`coopatlas send-alerts`: counts printed, --dry-run sends nothing, --today sets the day."""

import datetime

import pytest
from django.utils import timezone

from coopatlas.alerts.models import SentAlert
from coopatlas.atlas.models import Partnership
from coopatlas.cli import main
from tests.accounts.factories import pair
from tests.alerts.factories import AlertKind, cast, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def ending_soon():
    people = cast()
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(
        end_date=timezone.localdate() + datetime.timedelta(days=120)
    )
    subscribe(people.editor, AlertKind.ENDING, months=3)
    return agreement


def test_send_alerts_dry_run_lists_and_sends_nothing(ending_soon, mailoutbox, capsys):
    """A dry run a month ahead names the user and the agreement, sends and records nothing."""
    later = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert main(["send-alerts", "--dry-run", "--today", later]) == 0
    out = capsys.readouterr().out
    assert "editrice.gs@example.org" in out and ending_soon.title in out
    assert "1 e-mail(s) à envoyer" in out
    assert not mailoutbox and not SentAlert.objects.exists()


def test_send_alerts_sends_then_finds_nothing_new(ending_soon, mailoutbox, capsys):
    """Today the agreement is beyond 3 months: nothing; 60 days on, one e-mail; again, none."""
    assert main(["send-alerts"]) == 0
    assert "0 e-mail(s) envoyé(s)" in capsys.readouterr().out
    later = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert main(["send-alerts", "--today", later]) == 0
    assert "1 e-mail(s) envoyé(s)" in capsys.readouterr().out and len(mailoutbox) == 1
    assert main(["send-alerts", "--today", later]) == 0
    assert "0 e-mail(s) envoyé(s)" in capsys.readouterr().out and len(mailoutbox) == 1


def test_send_alerts_refuses_an_unreadable_day(capsys):
    assert main(["send-alerts", "--today", "15/01/2026"]) == 2
    assert "AAAA-MM-JJ" in capsys.readouterr().err
