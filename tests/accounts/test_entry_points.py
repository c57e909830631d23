"""The permission matrix through the doors people use: each entry point (a page's form, the
review queue, the record page's buttons, the correction form, the record page's contacts, the
export with personal data, the undo page, the places to check, the back-office, the merge
services, file, API and extraction imports) is tried by every role on a record inside and outside
its scope, and must allow exactly what the one table of test_permission_matrix.py says for its action."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from coopatlas.accounts.models import RoleKind
from coopatlas.atlas.models import Organisation, Partnership, ProposedChange
from coopatlas.atlas.services import contact_create
from tests.accounts.factories import (
    HAUTS_DE_FRANCE,
    NORD,
    account,
    coordinator_of_region,
    editor_of,
    grande_synthe,
    lyon,
    pair,
)
from tests.accounts.test_permission_matrix import _table
from tests.conftest import ensure_reference_data

ROLES = ["anonymous", "signed_in", "reader", "editor", "editor_publishing", "coordinator", "administrator"]


def _user(role: str, town):
    if role == "anonymous":
        return AnonymousUser()
    return {
        "signed_in": lambda: account("habitant@example.org"),
        "reader": lambda: account("poste@example.org", {"kind": RoleKind.READER, "departement_id": NORD}),
        "editor": lambda: editor_of(town),
        "editor_publishing": lambda: editor_of(town, "editeur2@example.org", may_publish=True),
        "coordinator": lambda: coordinator_of_region(HAUTS_DE_FRANCE),
        "administrator": lambda: account("equipe@example.org", {"kind": RoleKind.ADMINISTRATOR}),
    }[role]()


def _client(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def _record(inside: bool, state: str) -> Partnership:
    return (
        pair(grande_synthe(), "Sidi Ifni", "MA", state=state)
        if inside
        else pair(lyon(), "Birmingham", "GB", state=state)
    )


# entry point → (the action it needs, the state its record starts in, how to try it: True if done)
def _submit_form(client, user, record):
    _client(client, user).post(f"/partenariats/{record.pk}/soumettre/")
    record.refresh_from_db()
    return record.publication_state == "submitted"


def _review_publish(client, user, record):
    _client(client, user).post(f"/revue/{record.pk}/decider/", {"decision": "publish"})
    record.refresh_from_db()
    return record.publication_state == "published"


def _verify_button(client, user, record):
    _client(client, user).post(f"/partenariats/{record.pk}/toujours-exact/")
    record.refresh_from_db()
    return record.last_verified_on is not None


def _correction_form(client, user, record):
    _client(client, user).post(
        f"/partenariats/{record.pk}/proposer/",
        {"title": record.title, "status": record.status, "start_year": "1989", "message": "Signé en 1989."},
    )
    return ProposedChange.objects.filter(partnership=record).exists()


def _contacts_on_the_page(client, user, record):
    contact_create(last_name="Zyxwvu", partnership=record)
    return "Zyxwvu" in _client(client, user).get(record.get_absolute_url()).content.decode()


def _merge_service(client, user, record):
    from coopatlas.atlas.services.merges import organisations_merge
    from tests.atlas.factories import foreign_town

    try:
        organisations_merge(
            survivor=foreign_town("Sidi Ifni", "MA"),
            duplicate=foreign_town("Sidi-Ifni", "MA"),
            acting_user=user,
        )
    except PermissionDenied:
        return False
    return True


def _partnership_merge_service(client, user, record):
    """The record entered a second time, then the two merged by the user."""
    from coopatlas.atlas.models import Participation
    from coopatlas.atlas.services.merges import partnerships_merge
    from tests.atlas.factories import PartnershipFactory

    twice = PartnershipFactory(title=f"{record.title} (bis)", publication_state=record.publication_state)
    for participation in record.participations.all():
        Participation.objects.create(
            partnership=twice, organisation=participation.organisation, role=participation.role
        )
    try:
        partnerships_merge(survivor=record, duplicate=twice, acting_user=user)
    except PermissionDenied:
        return False
    return True


def _personal_export(client, user, record):
    """An export of a search with personal data: it reaches beyond any scope (the table's
    column "outside" is what it needs)."""
    contact_create(last_name="Zyxwvu", partnership=record)
    answer = _client(client, user).get("/exporter/", {"format": "json", "donnees_personnelles": "1"})
    if answer.status_code != 200:
        return False
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return "Zyxwvu" in body.decode("utf-8-sig")


def _undo_page(client, user, record):
    """The undo page of a batch imported by someone else (the script): its confirmation shown."""
    from coopatlas.atlas.models import ImportBatch

    batch = ImportBatch.objects.create(source_kind="table", file_name="jumelages.csv")
    Partnership.objects.filter(pk=record.pk).update(created_by_batch=batch)
    return _client(client, user).get(f"/imports/{batch.pk}/annuler/").status_code == 200


def _places_to_check(client, user, record):
    """The page of places to check, its "Choisir" on the record's foreign partner (a staff account,
    to open the page): placed by hand exactly when the table's place_choose allows it."""
    from coopatlas.places.gazetteer import Place

    partner = record.participations.get(role="foreign_authority").organisation
    town = Place(name=partner.name, kind="city", country_iso2=partner.country_id, latitude=1.0, longitude=1.0)
    Organisation.objects.filter(pk=partner.pk).update(
        place_status="ambiguous", place_candidates=[town.as_dict(), town.as_dict()]
    )
    if user.is_authenticated:
        user.is_staff = True
        user.save()
    _client(client, user).post(f"/lieux/a-verifier/{partner.pk}/", {"candidate": "0"})
    partner.refresh_from_db()
    return partner.place_status == "manual"


ENTRY_POINTS = {
    "submit form": ("partnership_submit", "draft", _submit_form),
    "review queue, publish": ("partnership_publish", "submitted", _review_publish),
    "Toujours exact button": ("partnership_verify", "published", _verify_button),
    "correction form": ("partnership_propose", "published", _correction_form),
    "contacts on the record page": ("personal_data_see", "published", _contacts_on_the_page),
    "merge service": ("organisation_merge", "published", _merge_service),
    "partnership merge service": ("partnership_merge", "published", _partnership_merge_service),
    "export with personal data": ("personal_data_export", "published", _personal_export),
    "undo page": ("batch_undo", "published", _undo_page),
    "places to check, choose": ("place_choose", "published", _places_to_check),
}
# Entry points on no single record: asked once, against the table's column "outside".
WITHOUT_RECORD = {"merge service", "partnership merge service", "export with personal data", "undo page"}
CASES = [
    (entry, role, inside)
    for entry in ENTRY_POINTS
    for role in ROLES
    for inside in (True, False)
    if not (entry in WITHOUT_RECORD and inside)
]


@pytest.mark.parametrize(("entry", "role", "inside"), CASES)
def test_entry_point_allows_what_the_table_says(client, db, entry, role, inside):
    action, state, attempt = ENTRY_POINTS[entry]
    expected = _table()[action][role][0 if inside else 1]
    record = _record(inside, state)
    user = _user(role, grande_synthe())
    assert attempt(client, user, record) is expected, f"{entry} by {role} {'inside' if inside else 'outside'}"


def test_an_import_by_an_editor_keeps_its_rows_and_refuses_the_others(db, tmp_path):
    """The import entry point: the editor of Grande-Synthe's file lands its own row (a draft) and
    is refused Lyon's, as the table's partnership_create row says."""
    from coopatlas.ingest.service import ImportRequest, import_file

    path = tmp_path / "jumelages.csv"
    path.write_text(
        "collectivite_francaise;code_insee;partenaire;pays_partenaire;annee_debut\n"
        "Grande-Synthe;59271;Sidi Ifni;MA;2003\nLyon;69123;Birmingham;GB;1951\n",
        encoding="utf-8",
    )
    table = _table()["partnership_create"]["editor"]
    report, _ = import_file(
        ImportRequest(path=path, source="table", skip_invalid=True, acting_user=editor_of(grande_synthe()))
    )
    assert (report.counts["created"], report.counts["rejected"]) == (int(table[0]), int(not table[1]))


API_ROLES = ["anonymous", "signed_in", "reader", "editor", "coordinator", "administrator"]


@pytest.mark.django_db(databases=[a for a in ("default", "jobs") if a in settings.DATABASES])
@pytest.mark.parametrize(("role", "inside"), [(r, i) for r in API_ROLES for i in (True, False)])
def test_the_api_import_creates_what_the_table_says(client, role, inside):
    """POST /api/v1/imports with one row, of Grande-Synthe (inside) or Lyon (outside): the row is
    written exactly when the table's partnership_create allows the role there."""
    import io

    ensure_reference_data()
    town = grande_synthe()
    lyon()
    user = _user(role, town)
    row = "Grande-Synthe;59271;Sidi Ifni;MA;2003" if inside else "Lyon;69123;Birmingham;GB;1951"
    upload = io.BytesIO(
        f"collectivite_francaise;code_insee;partenaire;pays_partenaire;annee_debut\n{row}\n".encode()
    )
    upload.name = "jumelages.csv"
    _client(client, user).post(
        "/api/v1/imports", {"file": upload, "source": "table", "skip_invalid": "true", "dry_run": "false"}
    )
    expected = _table()["partnership_create"][role][0 if inside else 1]
    assert Partnership.objects.exists() is expected, (
        f"API import by {role} {'inside' if inside else 'outside'}"
    )


EXTRACTION_TEXTS = {
    True: "Villes jumelles\n\nGrande-Synthe est jumelée avec Sidi Ifni (Maroc) depuis 2003.\n",
    False: "Villes jumelles\n\nLyon est jumelée avec Birmingham (Royaume-Uni) depuis 1951.\n",
}


@pytest.mark.parametrize(("role", "inside"), [(r, i) for r in API_ROLES for i in (True, False)])
def test_extraction_accept_creates_what_the_table_says(client, db, resolver, role, inside):
    """A page pasted on /extraction/ and its pair accepted: written exactly when the table's
    partnership_create allows the role there (the paste itself needs extraction_accept)."""
    from coopatlas.extraction.models import Candidate

    town = grande_synthe()
    lyon()
    user = _user(role, town)
    _client(client, user).post("/extraction/", {"text": EXTRACTION_TEXTS[inside]})
    for candidate in Candidate.objects.all():
        client.post(f"/extraction/candidat/{candidate.pk}/", {"action": "accept", **candidate.data})
    expected = _table()["partnership_create"][role][0 if inside else 1]
    created = Partnership.objects.filter(title__contains="Sidi Ifni" if inside else "Birmingham").exists()
    assert created is expected, f"extraction accept by {role} {'inside' if inside else 'outside'}"


@pytest.mark.parametrize(("role", "inside"), [(r, i) for r in ROLES for i in (True, False)])
def test_the_back_office_publishes_what_the_table_says(client, db, role, inside):
    """The back-office's "Publier la sélection" on a draft, by each role as a staff account allowed
    to open the list: published exactly when the table's partnership_publish allows it."""
    from django.contrib.auth.models import Permission

    record = _record(inside, "draft")
    user = _user(role, grande_synthe())
    if user.is_authenticated:
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="view_partnership"))
    _client(client, user).post(
        "/admin/atlas/partnership/", {"action": "publish_selected", "_selected_action": [record.pk]}
    )
    record.refresh_from_db()
    expected = _table()["partnership_publish"][role][0 if inside else 1]
    assert (record.publication_state == "published") is expected, f"back-office by {role}"
