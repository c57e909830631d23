"""The places to check (/lieux/a-verifier/): a place a person picks for a name is learned, for the
organisations waiting under that name and for every later import of it in that country."""

import re

import pytest

from coopatlas.atlas.localisation import organisation_locate
from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.ingest.service import ImportRequest, import_file
from coopatlas.places.models import LearnedPlace
from tests.accounts.factories import HAUTS_DE_FRANCE, account, coordinator_of_region, grande_synthe, lyon
from tests.accounts.factories import villeneuve_d_ascq as villeneuve
from tests.atlas.factories import OrganisationFactory, twinning

# "Saint Charles" names five towns of the United States; the one a person means is in Missouri.
SAINT_CHARLES_MISSOURI = 4406831
LEARNED_REASON = re.compile(
    r"^lieu choisi par une personne le (1er|\d{1,2}) [a-zéû]+ \d{4} \(lieux à vérifier\)"
)


def _waiting(french: Organisation, name: str, iso2: str, resolver) -> Organisation:
    """A partner of `french` whose name the resolver could not settle, located as an import would.
    Each is a record of its own (a source's reference), whatever its name."""
    partner = OrganisationFactory(
        name=name, country_id=iso2, foreign=True, external_ref=f"{french.name}:{name}"
    )
    twinning(french, partner)
    organisation_locate(partner, resolver=resolver)
    partner.refresh_from_db()
    assert partner.place_status in ("ambiguous", "unresolved"), partner.place_reason
    return partner


def _staff(user):
    user.is_staff = True  # the page is the back-office team's
    user.save()
    return user


def _missouri(organisation: Organisation) -> int:
    return next(
        i for i, c in enumerate(organisation.place_candidates) if c["geonames_id"] == SAINT_CHARLES_MISSOURI
    )


def test_a_place_picked_for_a_name_is_learned_for_waiting_organisations_and_later_imports(
    client, db, resolver, tmp_path
):
    """The coordinator of Hauts-de-France picks Saint Charles (Missouri) for Grande-Synthe's partner:
    Villeneuve-d'Ascq's partner of that name gets it at once, Lyon's (outside its scope) waits,
    a Canadian Saint Charles is untouched, and a later import of "St. Charles" in the United States
    is read as Missouri without asking."""
    # given
    picked = _waiting(grande_synthe(), "Saint Charles", "US", resolver)
    same_in_scope = _waiting(villeneuve(), "Saint-Charles", "US", resolver)
    same_outside = _waiting(lyon(), "SAINT CHARLES", "US", resolver)
    canadian = Organisation.objects.create(
        name="Saint Charles", kind="foreign_authority", country_id="CA", place_status="unresolved"
    )
    client.force_login(_staff(coordinator_of_region(HAUTS_DE_FRANCE)))
    assert "Saint Charles" in client.get("/lieux/a-verifier/").content.decode()
    # when
    response = client.post(f"/lieux/a-verifier/{picked.pk}/", {"candidate": _missouri(picked)}, follow=True)
    # then: the page says what happened, and how many others got the place
    html = response.content.decode()
    assert "les imports suivants placeront ce nom au même endroit" in html
    assert "1 autre organisation en attente du même nom a reçu ce lieu" in html
    assert "1 autre, hors de votre périmètre, attend ses responsables" in html
    for organisation in (picked, same_in_scope, same_outside, canadian):
        organisation.refresh_from_db()
    assert (picked.place_status, picked.geonames_id) == ("manual", SAINT_CHARLES_MISSOURI)
    assert (same_in_scope.place_status, same_in_scope.geonames_id) == ("resolved", SAINT_CHARLES_MISSOURI)
    assert LEARNED_REASON.match(same_in_scope.place_reason)
    assert same_in_scope.history.latest().history_user.email == "coordination@example.org"
    assert (same_outside.place_status, same_outside.geonames_id) == ("ambiguous", None)
    assert (canadian.place_status, canadian.geonames_id) == ("unresolved", None)
    learned = LearnedPlace.objects.get()
    assert (learned.name_key, learned.country_id, learned.geonames_id) == (
        "saintcharles",
        "US",
        SAINT_CHARLES_MISSOURI,
    )
    assert learned.chosen_by.email == "coordination@example.org"

    # when: a later import names it another way, in the United States and in Canada
    report = _import(tmp_path, "Lille;59350;St. Charles;US;2001", "Lille;59350;St. Charles;CA;2002")
    # then: the American one is read as Missouri (the organisation placed there, under one more
    # spelling), not listed for review; the Canadian one is read as before
    assert report.counts["created"] == 2, report.errors
    assert not [line for line in report.to_review if "(US)" in line], report.to_review
    american = _partner_of("Lille", "US")
    assert american.geonames_id == SAINT_CHARLES_MISSOURI
    assert "choisi par une personne" not in _partner_of("Lille", "CA").place_reason


def _import(tmp_path, *rows: str):
    """Import a table of pairs (French town, INSEE code, partner, country, year) as the system."""
    path = tmp_path / "jumelages.csv"
    path.write_text(
        "collectivite_francaise;code_insee;partenaire;pays_partenaire;annee_debut\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    report, _ = import_file(ImportRequest(path=path, source="table"))
    return report


def _partner_of(french: str, iso2: str) -> Organisation:
    """The partner in `iso2` of a partnership of the French town named `french`."""
    return Organisation.objects.get(
        country_id=iso2, participations__partnership__participations__organisation__name=french
    )


def test_a_learned_name_outlives_the_organisation_it_was_chosen_for(client, db, resolver, tmp_path):
    """The organisation a place was picked for is deleted; a later import of its name in its
    country makes a new one, placed as the person chose, saying so, with nothing to review."""
    # given
    picked = _waiting(grande_synthe(), "Saint Charles", "US", resolver)
    client.force_login(_staff(account("equipe@example.org", {"kind": "administrator"})))
    client.post(f"/lieux/a-verifier/{picked.pk}/", {"candidate": _missouri(picked)})
    Partnership.objects.filter(participations__organisation=picked).delete()
    picked.delete()  # a wrong entry, removed with its partnership
    # when
    report = _import(tmp_path, "Lille;59350;Saint Charles;US;2001")
    # then
    assert report.counts["created"] == 1 and not report.to_review, (report.errors, report.to_review)
    american = _partner_of("Lille", "US")
    assert (american.name, american.place_status) == ("Saint Charles", "resolved")
    assert american.geonames_id == SAINT_CHARLES_MISSOURI
    assert LEARNED_REASON.match(american.place_reason) and "(confiance 1.00)" in american.place_reason


def test_a_later_choice_for_the_same_name_replaces_the_learned_place(client, db, resolver):
    """Picking another Saint Charles later replaces the lesson; the history keeps the first."""
    # given
    first = _waiting(grande_synthe(), "Saint Charles", "US", resolver)
    client.force_login(_staff(account("equipe@example.org", {"kind": "administrator"})))
    client.post(f"/lieux/a-verifier/{first.pk}/", {"candidate": _missouri(first)})
    second = Organisation.objects.create(
        name="SAINT-CHARLES", kind="foreign_authority", country_id="US", place_status="unresolved"
    )
    second.place_candidates = first.place_candidates
    second.save()
    other = next(
        i for i, c in enumerate(second.place_candidates) if c["geonames_id"] != SAINT_CHARLES_MISSOURI
    )
    # when
    client.post(f"/lieux/a-verifier/{second.pk}/", {"candidate": other})
    # then
    learned = LearnedPlace.objects.get()
    assert learned.geonames_id == second.place_candidates[other]["geonames_id"]
    assert [h.geonames_id for h in learned.history.order_by("history_id")] == [
        SAINT_CHARLES_MISSOURI,
        learned.geonames_id,
    ]


@pytest.mark.parametrize("who", ["anonymous", "staff without a role", "coordinator of another région"])
def test_a_choice_outside_ones_roles_is_refused_and_nothing_is_learned(client, db, resolver, who):
    """Only those whose roles reach the organisation, or a partnership it is part of, may choose."""
    # given
    partner = _waiting(lyon(), "Saint Charles", "US", resolver)
    if who == "staff without a role":
        client.force_login(_staff(account("equipe-sans-role@example.org")))
    elif who == "coordinator of another région":
        client.force_login(_staff(coordinator_of_region(HAUTS_DE_FRANCE)))
    # when
    response = client.post(f"/lieux/a-verifier/{partner.pk}/", {"candidate": _missouri(partner)})
    # then
    assert response.status_code == (302 if who == "anonymous" else 403)
    partner.refresh_from_db()
    assert partner.place_status == "ambiguous" and not LearnedPlace.objects.exists()


def test_a_negative_candidate_number_is_refused(client, db, resolver):
    """ "-1" picks no candidate: the choice is refused, not read from the end of the list."""
    partner = _waiting(grande_synthe(), "Saint Charles", "US", resolver)
    client.force_login(_staff(account("equipe@example.org", {"kind": "administrator"})))
    response = client.post(f"/lieux/a-verifier/{partner.pk}/", {"candidate": "-1"}, follow=True)
    assert "Choix invalide" in response.content.decode() and not LearnedPlace.objects.exists()
