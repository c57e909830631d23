"""send-alerts: each kind tells the right user once, one e-mail per user gathering its kinds,
nothing again on a second run, only the new item on a later one; never a draft or personal data
to who may not see it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from coopatlas.alerts.models import SentAlert
from coopatlas.alerts.services import _claim, _new_items, send_alerts
from coopatlas.atlas.models import Contact, Partnership, PartnershipTheme, Theme
from coopatlas.atlas.services.board import board_answer_add, board_post_create
from coopatlas.atlas.services.workflow import partnership_publish, partnership_submit
from coopatlas.places.models import Country
from tests.accounts.factories import pair
from tests.alerts.factories import AlertKind, body, cast, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


def _today() -> datetime.date:
    return timezone.localdate()


def _mails_to(outbox, user) -> list:
    return [m for m in outbox if m.to == [user.email]]


def test_ending_agreements_reach_the_editor_of_their_scope_once(people, mailoutbox):
    """An agreement of Grande-Synthe ending in two months is told to its editor (3 months ahead),
    not to Lyon's editor; one ending in ten months is beyond the editor's horizon."""
    soon = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    later = pair(people.grande_synthe, "Gaza", "PS", state="published")
    lyons = pair(people.lyon, "Birmingham", "GB", state="published")
    Partnership.objects.filter(pk__in=[soon.pk, lyons.pk]).update(
        end_date=_today() + datetime.timedelta(days=60)
    )
    Partnership.objects.filter(pk=later.pk).update(end_date=_today() + datetime.timedelta(days=300))
    subscribe(people.editor, AlertKind.ENDING, months=3)
    subscribe(people.lyon_editor, AlertKind.ENDING, months=3)

    outcome = send_alerts()

    assert outcome.emails == 2 and outcome.items == {AlertKind.ENDING: 2}
    [mine] = _mails_to(mailoutbox, people.editor)
    assert soon.title in body(mine) and f"/partenariats/{soon.pk}/" in body(mine)
    assert later.title not in body(mine) and lyons.title not in body(mine)
    [theirs] = _mails_to(mailoutbox, people.lyon_editor)
    assert lyons.title in body(theirs) and soon.title not in body(theirs)


def test_a_second_run_sends_nothing_and_a_later_item_alone_is_sent(people, mailoutbox):
    """Run twice, the same items are not sent again; a new agreement ending soon is sent alone."""
    first = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=first.pk).update(end_date=_today() + datetime.timedelta(days=30))
    subscribe(people.editor, AlertKind.ENDING, months=6)
    send_alerts()
    assert len(mailoutbox) == 1

    again = send_alerts()
    assert again.emails == 0 and len(mailoutbox) == 1

    second = pair(people.grande_synthe, "Nablus", "PS", state="published")
    Partnership.objects.filter(pk=second.pk).update(end_date=_today() + datetime.timedelta(days=90))
    later = send_alerts()
    assert later.emails == 1 and later.items == {AlertKind.ENDING: 1}
    text = body(mailoutbox[1])
    assert second.title in text and first.title not in text


def test_a_new_end_date_is_a_new_item(people, mailoutbox):
    """An agreement extended to a date still within the horizon is told again (its new date)."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=20))
    subscribe(people.editor, AlertKind.ENDING, months=12)
    send_alerts()
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=200))
    assert send_alerts().emails == 1
    assert agreement.title in body(mailoutbox[1])


def test_records_to_verify_follow_the_rule_of_my_partnerships(people, mailoutbox):
    """A published record of the scope neither verified nor changed for two years is told; one
    verified last month is not, nor one of Lyon's."""
    stale = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    fresh = pair(people.grande_synthe, "Nablus", "PS", state="published")
    lyons = pair(people.lyon, "Birmingham", "GB", state="published")
    long_ago = timezone.now() - datetime.timedelta(days=800)
    Partnership.objects.filter(pk__in=[stale.pk, fresh.pk, lyons.pk]).update(updated_at=long_ago)
    Partnership.objects.filter(pk=fresh.pk).update(last_verified_on=_today() - datetime.timedelta(days=30))
    subscribe(people.editor, AlertKind.TO_VERIFY)

    assert send_alerts().items == {AlertKind.TO_VERIFY: 1}
    text = body(mailoutbox[0])
    assert stale.title in text and fresh.title not in text and lyons.title not in text
    assert Partnership.objects.to_verify(_today()).filter(pk=stale.pk).exists()  # the page's rule too


def test_records_submitted_for_review_reach_their_territory_s_coordinator(people, mailoutbox):
    """Grande-Synthe's submitted draft reaches the coordinator of Hauts-de-France; Lyon's does
    not; the editor, who reviews nothing, cannot take this alert."""
    draft = pair(people.grande_synthe, "Bethlehem", "PS")
    partnership_submit(draft, acting_user=people.editor)
    lyons = pair(people.lyon, "Birmingham", "GB")
    partnership_submit(lyons, acting_user=people.lyon_editor)
    subscribe(people.coordinator, AlertKind.REVIEW)

    assert send_alerts().items == {AlertKind.REVIEW: 1}
    [mail] = mailoutbox
    assert mail.to == [people.coordinator.email]
    assert draft.title in body(mail) and lyons.title not in body(mail)
    with pytest.raises(ValidationError, match="Vos rôles ne donnent rien"):
        subscribe(people.editor, AlertKind.REVIEW)


def test_answers_to_a_board_post_reach_its_authority_s_editor(people, mailoutbox):
    """An answer to Grande-Synthe's post reaches its editor (named by the answering authority,
    without the message or the author's address); Lyon's editor, who answered, gets nothing."""
    post = board_post_create(
        organisation=people.grande_synthe,
        acting_user=people.editor,
        kind="request",
        title="Eau et assainissement au Bénin",
        description="Forages.",
    )
    board_answer_add(
        post,
        message="Écrivez à jean.dupont@ville-lyon.fr",
        organisation=people.lyon,
        acting_user=people.lyon_editor,
    )
    subscribe(people.editor, AlertKind.BOARD_ANSWERS)
    subscribe(people.lyon_editor, AlertKind.BOARD_ANSWERS)

    assert send_alerts().items == {AlertKind.BOARD_ANSWERS: 1}
    [mail] = mailoutbox
    assert mail.to == [people.editor.email]
    text = body(mail)
    assert post.title in text and "Lyon" in text and f"/bourse/{post.pk}/" in text
    assert "jean.dupont" not in text and people.lyon_editor.email not in text


def test_new_partnerships_in_a_followed_country_or_theme(people, mailoutbox):
    """A partnership published after one follows Palestine is told; one published before is
    not, nor one with Italy; a theme followed brings its sub-themes' partnerships."""
    before = pair(people.grande_synthe, "Hébron", "PS", state="published")
    water = Theme.objects.filter(level=1, children__isnull=False).first()
    subscribe(
        people.nobody,
        AlertKind.NEW_PARTNERSHIPS,
        countries=[before.countries()[0]],
        themes=[water],
    )
    Partnership.objects.filter(pk=before.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    followed = pair(people.grande_synthe, "Bethlehem", "PS")
    partnership_publish(followed, acting_user=None)
    italian = pair(people.lyon, "Milan", "IT", state="published")
    by_theme = pair(people.lyon, "Turin", "IT", state="published")
    PartnershipTheme.objects.create(partnership=by_theme, theme=water.children.first())

    assert send_alerts().items == {AlertKind.NEW_PARTNERSHIPS: 2}
    text = body(mailoutbox[0])
    assert followed.title in text and by_theme.title in text
    assert before.title not in text and italian.title not in text
    assert send_alerts().emails == 0  # told once


def test_one_email_per_user_gathers_its_kinds(people, mailoutbox):
    """The editor's ending agreement and stale record come in one e-mail with both headings."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(
        end_date=_today() + datetime.timedelta(days=30),
        updated_at=timezone.now() - datetime.timedelta(days=800),
    )
    subscribe(people.editor, AlertKind.ENDING, months=3)
    subscribe(people.editor, AlertKind.TO_VERIFY)

    assert send_alerts().emails == 1
    [mail] = mailoutbox
    assert str(AlertKind.ENDING.label) in body(mail) and str(AlertKind.TO_VERIFY.label) in body(mail)
    assert mail.subject == "coopatlas : 2 nouvelles alertes"


def test_no_draft_nor_contact_reaches_who_may_not_see_them(people, mailoutbox):
    """A draft with Palestine stays out of a follower's e-mail and out of Lyon's editor's; a
    contact's address is in no e-mail, even that of the record's own editor."""
    palestine = Country.objects.get(iso2="PS")
    subscribe(people.nobody, AlertKind.NEW_PARTNERSHIPS, countries=[palestine])
    subscribe(people.editor, AlertKind.ENDING, months=3)
    subscribe(people.lyon_editor, AlertKind.NEW_PARTNERSHIPS, countries=[palestine])
    draft = pair(people.grande_synthe, "Ramallah", "PS")
    Partnership.objects.filter(pk=draft.pk).update(end_date=_today() + datetime.timedelta(days=30))
    published = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=published.pk).update(end_date=_today() + datetime.timedelta(days=30))
    for record in (draft, published):
        Contact.objects.create(
            partnership=record, last_name="Martin", first_name="Amina", email="amina.martin@grande-synthe.fr"
        )

    send_alerts()

    texts = {mail.to[0]: body(mail) for mail in mailoutbox}
    assert draft.title not in texts[people.nobody.email] and published.title in texts[people.nobody.email]
    assert draft.title not in texts[people.lyon_editor.email]
    assert draft.title in texts[people.editor.email]  # its editor may see its own draft
    assert all("amina.martin" not in text and "Martin" not in text for text in texts.values())


def test_a_run_sends_only_the_items_it_claims(people, mailoutbox):
    """Two runs at once: the one that read first but claims second sends nothing (the unique
    constraint decides, not the read)."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=30))
    subscribe(people.editor, AlertKind.ENDING, months=3)
    subscription = people.editor.alert_subscriptions.get()
    slow_read = _new_items(people.editor, [subscription], _today())  # run A reads …
    assert send_alerts().emails == 1  # … run B reads, claims and sends …
    assert _claim(people.editor, slow_read, "run-a") == []  # … A claims nothing
    assert SentAlert.objects.filter(user=people.editor).count() == 1 and len(mailoutbox) == 1


def test_a_failed_send_gives_its_items_back(people, mailoutbox, settings):
    """A mail server that refuses: nothing is recorded as sent, the next run sends it."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=30))
    subscribe(people.editor, AlertKind.ENDING, months=3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    failed = send_alerts()
    assert failed.emails == 0 and len(failed.failed) == 1
    assert not SentAlert.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_alerts().emails == 1


def test_the_email_follows_the_user_s_language_and_links_the_site(people, mailoutbox, settings):
    """Chosen in English, the e-mail is English; its links start with COOPATLAS_SITE_URL."""
    settings.COOPATLAS_SITE_URL = "https://atlas.example.org/"
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=30))
    subscribe(people.editor, AlertKind.ENDING, months=3, language="en")

    send_alerts()

    [mail] = mailoutbox
    assert mail.subject == "coopatlas: 1 new alert"
    assert "ends on" in mail.body and "Bonjour" not in mail.body
    assert f"https://atlas.example.org/partenariats/{agreement.pk}/" in mail.body


def test_dry_run_sends_and_records_nothing(people, mailoutbox):
    """--dry-run says what would go, sends nothing, records nothing."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=30))
    subscribe(people.editor, AlertKind.ENDING, months=3)
    dry = send_alerts(dry_run=True)
    assert dry.emails == 1 and dry.planned[0].sections[0].items[0].title == agreement.title
    assert not mailoutbox and not SentAlert.objects.exists()


def test_today_sets_the_horizon(people, mailoutbox):
    """With a day given, "ending within 3 months" counts from that day."""
    agreement = pair(people.grande_synthe, "Bethlehem", "PS", state="published")
    Partnership.objects.filter(pk=agreement.pk).update(end_date=_today() + datetime.timedelta(days=150))
    subscribe(people.editor, AlertKind.ENDING, months=3)
    assert send_alerts().emails == 0
    assert send_alerts(today=_today() + datetime.timedelta(days=90)).emails == 1
