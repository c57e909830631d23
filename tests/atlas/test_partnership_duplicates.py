"""Partnerships entered twice: found by their authorities and form, merged with everything they
hold (conflicting values kept for review), and undone."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from coopatlas.atlas import services
from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.duplicates import find_partnership_duplicates
from coopatlas.atlas.models import (
    Contact,
    Event,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipMerge,
    PartnershipTheme,
    ProposedChange,
    Source,
    Theme,
    Volunteer,
)
from coopatlas.atlas.services import FundingSpec
from coopatlas.atlas.services.merges import (
    organisations_merge,
    partnerships_merge,
    partnerships_merge_undo,
)
from coopatlas.atlas.services.workflow import change_accept
from coopatlas.search.index import reindex
from coopatlas.search.query import SearchQuery
from tests.accounts.factories import account, editor_of
from tests.atlas.factories import PartnershipFactory, commune, foreign_town, twinning

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    from coopatlas.accounts.models import RoleKind

    return account("equipe@example.org", {"kind": RoleKind.ADMINISTRATOR})


def _themes(count: int) -> list[Theme]:
    return list(Theme.objects.filter(level=1).order_by("position", "pk")[:count])


def _furnished(partnership: Partnership, label: str) -> None:
    """Give a partnership a source, an event, a funding line, a contact, a volunteer."""
    services.source_add(partnership=partnership, url=f"https://www.lyon.fr/{label}", title=label)
    services.event_add(partnership=partnership, title=f"Visite {label}", year=2015, kind="delegation_visit")
    services.funding_line_add(
        partnership=partnership, spec=FundingSpec(amount=Decimal("5000"), year=2016, funder_label="Ville")
    )
    services.contact_create(last_name=f"Contact {label}", partnership=partnership)
    Volunteer.objects.create(partnership=partnership, last_name=f"Volontaire {label}", scheme="vsi")


@pytest.fixture
def lyon_birmingham():
    """Lyon – Birmingham twinning entered twice, each record with its lines; the second has one
    source more (it is the one kept), the first a start year, its own theme, SDG and country."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    first = twinning(lyon, birmingham, year=1951)
    second = twinning(lyon, birmingham, year=None, summary="Échanges universitaires et culturels.")
    Partnership.objects.filter(pk=second.pk).update(title="Lyon et Birmingham, villes jumelles")
    second.refresh_from_db()
    _furnished(first, "un")
    _furnished(second, "deux")
    services.source_add(partnership=second, url="https://www.birmingham.gov.uk/twinning", title="Twinning")
    culture, education, third = _themes(3)
    for partnership, themes in ((first, (culture, third)), (second, (culture, education))):
        for priority, theme in enumerate(themes):
            PartnershipTheme.objects.create(partnership=partnership, theme=theme, priority=priority)
    first.sdgs.set([6, 11])
    second.sdgs.set([4, 11])
    first.extra_countries.set(["IE"])
    university = Organisation.objects.create(
        name="Université de Birmingham", kind="university", country_id="GB"
    )
    Participation.objects.create(
        partnership=first, organisation=university, role=ParticipationRole.ASSOCIATED
    )
    return first, second


LINES = (Source, Event, FundingLine, Contact, Volunteer, PartnershipTheme, Participation)


def _lines(partnership: Partnership) -> dict:
    return {
        model.__name__: set(model.objects.filter(partnership=partnership).values_list("pk", flat=True))
        for model in LINES
    }


def test_partnership_duplicates_twice_the_same_twinning_are_found(lyon_birmingham):
    """Two twinnings of Lyon and Birmingham are one pair; the one with more lines is kept."""
    first, second = lyon_birmingham
    pairs = find_partnership_duplicates()
    assert [(p.survivor.pk, p.duplicate.pk) for p in pairs] == [(second.pk, first.pk)]
    assert pairs[0].partners == "Lyon – Birmingham"
    assert pairs[0].reason == "mêmes collectivités, même forme (Jumelage)"


def test_partnership_merge_moves_every_line_and_keeps_the_history(lyon_birmingham, admin_user):
    """Sources, events, funding, contacts, volunteers, themes (union), SDGs, countries and an
    associated partner move to the survivor; the removed record's deletion is in its history."""
    # given
    first, second = lyon_birmingham
    first_pk = first.pk
    # when
    record = partnerships_merge(survivor=second, duplicate=first, reason="test", acting_user=admin_user)
    # then
    assert not Partnership.objects.filter(pk=first_pk).exists()
    counts = {name: len(ids) for name, ids in _lines(second).items()}
    assert counts == {
        "Source": 3,
        "Event": 2,
        "FundingLine": 2,
        "Contact": 2,
        "Volunteer": 2,
        "PartnershipTheme": 3,  # the shared theme once
        "Participation": 3,  # Lyon, Birmingham, and the university of the first record
    }
    assert list(second.theme_links.values_list("priority", flat=True)) == [0, 1, 2]
    assert sorted(second.sdgs.values_list("pk", flat=True)) == [4, 6, 11]
    assert list(second.extra_countries.values_list("pk", flat=True)) == ["IE"]
    second.refresh_from_db()
    assert second.start_year == 1951  # filled: the survivor had none
    assert second.title == "Lyon et Birmingham, villes jumelles"
    deleted = Partnership.history.get(id=first_pk, history_type="-")
    assert deleted.history_user == admin_user
    assert f"fusion {record.pk}" in deleted.history_change_reason
    assert "A absorbé" in second.history.first().history_change_reason
    assert record.merged_by == admin_user and record.removed_id == first_pk
    assert find_partnership_duplicates() == []


def test_partnership_merge_moved_lines_name_the_merge_in_their_history(lyon_birmingham, admin_user):
    """A line moved to the survivor has a history row naming who merged and which merge."""
    first, second = lyon_birmingham
    line = FundingLine.objects.get(partnership=first)
    record = partnerships_merge(survivor=second, duplicate=first, acting_user=admin_user)
    moved = FundingLine.history.filter(id=line.pk).first()
    assert moved.partnership_id == second.pk and moved.history_user == admin_user
    assert f"fusion {record.pk}" in moved.history_change_reason


def test_partnership_duplicates_twinning_and_cooperation_agreement_stay_two(admin_user):
    """A twinning and a cooperation agreement between the same towns are two partnerships."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    twin = twinning(lyon, birmingham)
    agreement = twinning(lyon, birmingham, form="cooperation_agreement")
    assert find_partnership_duplicates() == []
    with pytest.raises(ValueError, match="formes compatibles"):
        partnerships_merge(survivor=twin, duplicate=agreement, acting_user=admin_user)


def test_partnership_duplicates_an_unsaid_form_joins_one_precise_form_only(admin_user):
    """A record of form "other" merges with a twinning, and then is a twinning: a cooperation
    agreement of the same towns stays apart."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    vague = twinning(lyon, birmingham, year=1950, form="other")
    twin = twinning(lyon, birmingham, year=1951)
    agreement = twinning(lyon, birmingham, year=1952, form="cooperation_agreement")
    pairs = find_partnership_duplicates()
    assert len(pairs) == 1 and {pairs[0].survivor.pk, pairs[0].duplicate.pk} in (
        {vague.pk, twin.pk},
        {vague.pk, agreement.pk},
    )
    partnerships_merge(survivor=pairs[0].survivor, duplicate=pairs[0].duplicate, acting_user=admin_user)
    assert find_partnership_duplicates() == []
    assert Partnership.objects.count() == 2
    assert set(Partnership.objects.values_list("form", flat=True)) == {"twinning", "cooperation_agreement"}


def test_partnership_duplicates_need_the_same_authorities_on_both_sides():
    """Another foreign town, a second French authority or no foreign authority: not duplicates."""
    lyon, lille = commune("Lyon", "69123"), commune("Lille", "59350")
    birmingham, leeds = foreign_town("Birmingham", "GB"), foreign_town("Leeds", "GB")
    twinning(lyon, birmingham)
    twinning(lyon, leeds)
    both = twinning(lyon, birmingham)
    Participation.objects.create(
        partnership=both, organisation=lille, role=ParticipationRole.FRENCH_AUTHORITY
    )
    for _ in range(2):  # two French-only initiatives of Lyon
        alone = PartnershipFactory(form="initiative")
        Participation.objects.create(
            partnership=alone, organisation=lyon, role=ParticipationRole.FRENCH_AUTHORITY
        )
    assert find_partnership_duplicates() == []


def test_partnership_duplicates_appear_after_an_organisation_merge(admin_user):
    """Pančevo entered twice: its two twinnings with Lyon become duplicates once the towns merge."""
    lyon = commune("Lyon", "69123")
    pancevo, pancevo_bis = foreign_town("Pančevo", "RS"), foreign_town("Pancevo", "RS")
    first, second = twinning(lyon, pancevo), twinning(lyon, pancevo_bis)
    assert find_partnership_duplicates() == []
    organisations_merge(survivor=pancevo, duplicate=pancevo_bis, acting_user=admin_user)
    pairs = find_partnership_duplicates()
    assert [{p.survivor.pk, p.duplicate.pk} for p in pairs] == [{first.pk, second.pk}]
    assert pairs[0].partners == "Lyon – Pančevo"


def test_partnership_duplicates_survivor_is_published_then_fuller_then_older():
    """The published record is kept over a fuller draft; between equals, the older one."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    published = twinning(lyon, birmingham)
    draft = twinning(lyon, birmingham, publication_state="draft")
    _furnished(draft, "brouillon")
    [pair] = find_partnership_duplicates()
    assert (pair.survivor.pk, pair.duplicate.pk) == (published.pk, draft.pk)

    leeds = foreign_town("Leeds", "GB")
    older, newer = twinning(lyon, leeds), twinning(lyon, leeds)
    pairs = {p.duplicate.pk: p.survivor.pk for p in find_partnership_duplicates()}
    assert pairs[newer.pk] == older.pk


def test_partnership_merge_conflicting_years_keep_the_survivors_and_propose_the_other(admin_user):
    """Start years 1951 and 1955: 1951 stays, 1955 waits as a proposed change naming the merge;
    accepting it applies it like any correction."""
    # given
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    kept = twinning(lyon, birmingham, year=1951)
    removed = twinning(lyon, birmingham, year=1955, signature_year=1955)
    # when
    record = partnerships_merge(survivor=kept, duplicate=removed, acting_user=admin_user)
    # then
    kept.refresh_from_db()
    assert (kept.start_year, kept.signature_year) == (1951, 1955)  # kept, and filled
    proposal = ProposedChange.objects.get(partnership=kept)
    assert proposal.changes == {"start_year": "1955"}
    assert proposal.batch is None and proposal.author == admin_user and proposal.state == "open"
    assert f"partenariat fusionné « {removed.title} »" in proposal.message
    assert f"fusion {record.pk}" in proposal.message and "garde 1951" in proposal.message
    change_accept(proposal, acting_user=admin_user)
    kept.refresh_from_db()
    assert kept.start_year == 1955


def test_partnership_merge_by_the_system_proposes_without_an_author():
    """The command line without --as merges as the system: its proposals name no author."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    kept = twinning(lyon, birmingham, year=1951)
    partnerships_merge(survivor=kept, duplicate=twinning(lyon, birmingham, year=1955))
    proposal = ProposedChange.objects.get(partnership=kept)
    assert proposal.author is None and proposal.changes == {"start_year": "1955"}


def test_partnership_merge_a_fill_that_contradicts_a_kept_value_is_a_conflict(admin_user):
    """A signature date in another year than the survivor's signature year is not filled in."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    kept = twinning(lyon, birmingham, signature_year=1951)
    removed = twinning(
        lyon, birmingham, signature_year=1952, signature_date=datetime.date(1952, 5, 3), status="ended"
    )
    partnerships_merge(survivor=kept, duplicate=removed, acting_user=admin_user)
    kept.refresh_from_db()
    assert (kept.signature_year, kept.signature_date, kept.status) == (1951, None, "active")
    proposals = {tuple(p.changes) or ("message",): p for p in ProposedChange.objects.filter(partnership=kept)}
    assert set(proposals) == {("signature_year",), ("status",), ("message",)}
    assert "03/05/1952" in proposals[("message",)].message  # the date, to copy by hand if right
    assert "état = Terminé" in proposals[("status",)].message


def test_partnership_merge_undo_restores_both_records_with_their_lines(lyon_birmingham, admin_user):
    """Undo gives the removed record back, with its id, fields, SDGs, countries, lines, themes and
    partners, and takes back from the survivor what it took."""
    # given
    first, second = lyon_birmingham
    first_lines, second_lines = _lines(first), _lines(second)
    first_pk, first_title, first_created = first.pk, first.title, first.created_at
    first_themes = set(first.themes.values_list("pk", flat=True))
    record = partnerships_merge(survivor=second, duplicate=first, acting_user=admin_user)
    # when
    restored = partnerships_merge_undo(record, acting_user=admin_user)
    # then
    assert restored.pk == first_pk
    restored.refresh_from_db()
    assert (restored.title, restored.start_year, restored.created_at) == (
        first_title,
        1951,
        first_created,
    )
    assert sorted(restored.sdgs.values_list("pk", flat=True)) == [6, 11]
    assert list(restored.extra_countries.values_list("pk", flat=True)) == ["IE"]
    now = _lines(restored)
    for name in ("Source", "Event", "FundingLine", "Contact", "Volunteer"):
        assert now[name] == first_lines[name], name  # the same rows, moved back
    # the shared theme and the authorities were made again; the others moved back
    assert len(now["PartnershipTheme"]) == 2 and len(now["Participation"]) == 3
    assert set(restored.themes.values_list("pk", flat=True)) == first_themes
    assert _lines(second) == second_lines
    second.refresh_from_db()
    assert second.start_year is None
    assert sorted(second.sdgs.values_list("pk", flat=True)) == [4, 11]
    assert not second.extra_countries.exists()
    assert PartnershipMerge.objects.get(pk=record.pk).undone_at is not None
    assert [{p.survivor.pk, p.duplicate.pk} for p in find_partnership_duplicates()] == [{first_pk, second.pk}]
    assert "Fusion" in Partnership.history.filter(id=first_pk).first().history_change_reason
    with pytest.raises(ValueError, match="déjà été annulée"):
        partnerships_merge_undo(PartnershipMerge.objects.get(pk=record.pk), acting_user=admin_user)


def test_partnership_merge_undo_withdraws_the_open_proposals_and_keeps_later_edits(admin_user):
    """The proposals a merge made leave with it; a filled field edited since keeps its edit."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    kept = twinning(lyon, birmingham, year=1951)
    removed = twinning(lyon, birmingham, year=1955, summary="Résumé du doublon.", signature_year=1950)
    record = partnerships_merge(survivor=kept, duplicate=removed, acting_user=admin_user)
    services.partnership_update(kept, acting_user=admin_user, summary="Résumé réécrit depuis.")
    partnerships_merge_undo(record, acting_user=admin_user)
    kept.refresh_from_db()
    assert kept.summary == "Résumé réécrit depuis." and kept.signature_year is None
    assert not ProposedChange.objects.filter(partnership=kept).exists()


def test_partnership_merge_into_a_record_merged_since_is_still_undone(admin_user):
    """Three records of one twinning: the third merged into the second, the second into the
    first; the first merge can still be undone and gives the third back its source."""
    lyon, birmingham = commune("Lyon", "69123"), foreign_town("Birmingham", "GB")
    first, second, third = (twinning(lyon, birmingham) for _ in range(3))
    third_pk = third.pk
    services.source_add(partnership=third, url="https://www.lyon.fr/trois", title="Trois")
    earlier = partnerships_merge(survivor=second, duplicate=third, acting_user=admin_user)
    partnerships_merge(survivor=first, duplicate=second, acting_user=admin_user)
    earlier.refresh_from_db()
    assert earlier.survivor == first
    restored = partnerships_merge_undo(earlier, acting_user=admin_user)
    assert restored.pk == third_pk
    assert list(Source.objects.filter(partnership=restored).values_list("title", flat=True)) == ["Trois"]
    assert Partnership.objects.count() == 2


def test_partnership_merge_refused_to_a_user_without_the_right(lyon_birmingham, admin_user):
    """Lyon's editor may edit both records but not merge them; nor undo a merge."""
    first, second = lyon_birmingham
    kept, removed = second, first
    editor = editor_of(Organisation.objects.get(name="Lyon"))
    with pytest.raises(PermissionDenied, match="fusionner des partenariats"):
        partnerships_merge(survivor=kept, duplicate=removed, acting_user=editor)
    assert Partnership.objects.filter(pk__in=[kept.pk, removed.pk]).count() == 2
    assert not PartnershipMerge.objects.exists()
    record = partnerships_merge(survivor=kept, duplicate=removed, acting_user=admin_user)
    with pytest.raises(PermissionDenied):
        partnerships_merge_undo(record, acting_user=editor)
    assert PartnershipMerge.objects.get(pk=record.pk).undone_at is None


def test_partnership_merge_and_undo_reach_the_search_counts(
    lyon_birmingham, admin_user, django_capture_on_commit_callbacks
):
    """A search for Birmingham counts two records, one after the merge, two after the undo."""
    first, second = lyon_birmingham
    reindex()

    def count(words: str) -> int:
        return SearchQuery(QueryDict(f"q={words}")).run(Partnership.objects.all(), facets=False).count

    assert count("Birmingham") == 2
    with django_capture_on_commit_callbacks(execute=True):
        record = partnerships_merge(survivor=second, duplicate=first, acting_user=admin_user)
    assert count("Birmingham") == 1
    assert count("villes jumelles") == 1
    with django_capture_on_commit_callbacks(execute=True):
        partnerships_merge_undo(record, acting_user=admin_user)
    assert count("Birmingham") == 2


def test_partnership_merges_are_undone_from_the_back_office(lyon_birmingham, admin_client_fr):
    """The back-office lists partnership merges and undoes the chosen ones."""
    first, second = lyon_birmingham
    kept, removed = second, first
    removed_pk = removed.pk
    record = partnerships_merge(survivor=kept, duplicate=removed, reason="même jumelage")
    listing = admin_client_fr.get("/admin/atlas/partnershipmerge/")
    assert listing.status_code == 200 and "même jumelage" in listing.content.decode()
    admin_client_fr.post(
        "/admin/atlas/partnershipmerge/", {"action": "undo", "_selected_action": [record.pk]}, follow=True
    )
    assert Partnership.objects.filter(pk=removed_pk).exists()
    assert PartnershipMerge.objects.get(pk=record.pk).undone_at is not None


def test_partnership_duplicates_are_found_in_a_constant_number_of_queries():
    """Finding reads in bulk: ten times more partnerships, the same number of queries."""
    lyon = commune("Lyon", "69123")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            find_partnership_duplicates()
        return len(captured.captured_queries)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            town = foreign_town(f"Ville {i}", "DE")
            twinning(lyon, town), twinning(lyon, town)  # a pair each time

    add(3, 0)
    few = queries()
    add(27, 3)
    assert len(find_partnership_duplicates()) == 30
    assert queries() == few


def test_partnership_merge_keeps_the_duplicates_documents_and_undo_gives_them_back(
    lyon_birmingham, admin_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coopatlas.atlas.models import Document
    from coopatlas.atlas.services.documents import document_add

    settings.MEDIA_ROOT = tmp_path
    first, second = lyon_birmingham
    first_pk = first.pk
    document = document_add(
        partnership=first,
        upload=SimpleUploadedFile("convention.pdf", b"%PDF-1.4\n%%EOF\n"),
        title="Convention",
        kind="convention",
        access="scope",
        acting_user=admin_user,
    )
    record = partnerships_merge(survivor=second, duplicate=first, acting_user=admin_user)
    assert Document.objects.get(pk=document.pk).partnership == second
    partnerships_merge_undo(record, acting_user=admin_user)
    assert Document.objects.get(pk=document.pk).partnership_id == first_pk
