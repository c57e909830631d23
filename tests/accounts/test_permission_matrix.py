"""The permission matrix: every role × every action × a record inside and outside its scope.

One table below says what each role may do; the test builds the roles and the two records and
asks accounts.permissions, the one place every service and interface asks. An action added to
ACTIONS without its row here fails `test_every_action_has_a_row`."""

import pytest
from django.contrib.auth.models import AnonymousUser

from coopatlas.accounts.models import RoleKind
from coopatlas.accounts.permissions import ACTIONS, may
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

ROLES = [
    "anonymous",
    "signed_in",
    "reader",
    "editor",
    "editor_publishing",
    "coordinator",
    "administrator",
    "system",
]

# One row per action; per role, two letters: inside its scope, outside it (Y allowed, N refused).
# Inside: the partnership of Grande-Synthe (Nord, Hauts-de-France); outside: Lyon's.
#                        anon sign read edit ed+P coord admin system
MATRIX = """
partnership_create        NN   NN   NN   YN   YN   YN    YY    YY
partnership_edit          NN   NN   NN   YN   YN   YN    YY    YY
partnership_submit        NN   NN   NN   YN   YN   YN    YY    YY
partnership_publish       NN   NN   NN   NN   YN   YN    YY    YY
partnership_archive       NN   NN   NN   NN   NN   YN    YY    YY
partnership_verify        NN   NN   NN   YN   YN   YN    YY    YY
partnership_see_draft     NN   NN   NN   YN   YN   YN    YY    YY
partnership_propose       NN   YY   YY   YY   YY   YY    YY    YY
proposal_decide           NN   NN   NN   YN   YN   YN    YY    YY
personal_data_see         NN   NN   YN   YN   YN   YN    YY    YY
personal_data_export      NN   NN   YN   NN   NN   YN    YY    YY
import_run                NN   NN   NN   YY   YY   YY    YY    YY
import_publish            NN   NN   NN   NN   NN   NN    YY    YY
extraction_accept         NN   NN   NN   YY   YY   YY    YY    YY
organisation_create       NN   NN   NN   YY   YY   YY    YY    YY
organisation_merge        NN   NN   NN   NN   NN   NN    YY    YY
place_choose              NN   NN   NN   YN   YN   YN    YY    YY
partnership_merge         NN   NN   NN   NN   NN   NN    YY    YY
record_delete             NN   NN   NN   NN   NN   NN    YY    YY
batch_undo                NN   NN   NN   NN   NN   NN    YY    YY
role_grant                NN   NN   NN   NN   NN   YN    YY    YY
board_post                NN   NN   NN   YN   YN   YN    YY    YY
board_answer              NN   YY   YY   YY   YY   YY    YY    YY
"""

# Actions on no record: asked with None for both columns.
WITHOUT_RECORD = {
    "organisation_create",
    "import_run",
    "import_publish",
    "extraction_accept",
    "organisation_merge",
    "partnership_merge",
    "record_delete",
}


def _table() -> dict[str, dict[str, tuple[bool, bool]]]:
    table = {}
    for line in MATRIX.strip().splitlines():
        action, *cells = line.split()
        assert len(cells) == len(ROLES), f"row {action}: {len(cells)} cells for {len(ROLES)} roles"
        table[action] = {
            role: (cell[0] == "Y", cell[1] == "Y") for role, cell in zip(ROLES, cells, strict=True)
        }
    return table


def test_every_action_has_a_row():
    """The matrix and the actions the code defines are the same set."""
    assert set(_table()) == set(ACTIONS)


@pytest.fixture
def world(db):
    inside_org = grande_synthe()
    inside = pair(inside_org, "Sidi Ifni", "MA")
    outside = pair(lyon(), "Birmingham", "GB")
    users = {
        "anonymous": AnonymousUser(),
        "signed_in": account("habitant@example.org"),
        "reader": account("poste@example.org", {"kind": RoleKind.READER, "departement_id": NORD}),
        "editor": editor_of(inside_org),
        "editor_publishing": editor_of(inside_org, "editeur2@example.org", may_publish=True),
        "coordinator": coordinator_of_region(HAUTS_DE_FRANCE),
        "administrator": account("equipe@example.org", {"kind": RoleKind.ADMINISTRATOR}),
        "system": None,
    }
    return users, inside, outside


def test_permission_matrix(world):
    """Every role may do exactly what its row says, inside and outside its scope."""
    users, inside, outside = world
    wrong = []
    for action, row in _table().items():
        for role, expected in row.items():
            records = (None, None) if action in WITHOUT_RECORD else (inside, outside)
            got = tuple(may(users[role], action, record) for record in records)
            if got != expected:
                wrong.append(f"{action} × {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_has_perm_answers_the_same(world):
    """Django's user.has_perm asks the same rules (the `rules` backend)."""
    users, inside, outside = world
    coordinator = users["coordinator"]
    assert coordinator.has_perm("coopatlas.partnership_publish", inside)
    assert not coordinator.has_perm("coopatlas.partnership_publish", outside)


def test_a_departement_coordinator_reaches_its_departement_only(db):
    """A coordinator of the Nord reaches Grande-Synthe, not Lyon."""
    coordinator = account("nord@example.org", {"kind": RoleKind.COORDINATOR, "departement_id": NORD})
    assert may(coordinator, "partnership_publish", pair(grande_synthe(), "Sidi Ifni", "MA"))
    assert not may(coordinator, "partnership_publish", pair(lyon(), "Birmingham", "GB"))


def test_an_inactive_administrator_may_nothing(db):
    user = account("parti@example.org", {"kind": RoleKind.ADMINISTRATOR})
    user.is_active = False
    user.save()
    assert not may(user, "organisation_merge")
