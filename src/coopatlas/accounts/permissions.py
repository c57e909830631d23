"""Who may do what, on which record: every permission of coopatlas, defined once.

Each action is a `rules` permission named "coopatlas.<action>", built from the predicates below,
and listed in ACTIONS with its label. Services check them (`require`) before they write; views,
the admin, the API, imports, exports and the CLI ask them (`may`) to show or hide a button. The
object of an action is anything with a `footprint()` (a partnership, an organisation) or a
Footprint itself (the participants of a partnership not created yet); actions on no record
(import, merge) take None.

The roles (accounts.models.Role):
- administrator (the atlas team): everything. Superusers, and the accounts that held Django's
  global "atlas.change_partnership" before roles existed, are administrators;
- coordinator of a région or a département: edits, reviews, publishes and archives the records
  of its territory's authorities; grants roles there;
- editor of an organisation: creates and edits the records its organisation is part of, submits
  them; publishes them directly only if its coordinator allowed it (may_publish);
- contributor (any signed-in account): proposes a change to a published record;
- reader: sees the personal data (contacts) of the records of its organisation or territory.

`acting_user=None` in a service is the system itself (the CLI run by the server's operator,
the demo loader): it acts as an administrator. A visitor who is not signed in is a user, and
may do none of these.
"""

from collections.abc import Iterable
from typing import Any

import rules
from django.core.exceptions import PermissionDenied

from coopatlas.accounts.models import Role, RoleKind
from coopatlas.accounts.scope import Footprint, Scope

# The accounts of the atlas team made before roles: Django's global permission kept its meaning.
LEGACY_ADMIN_PERMISSION = "atlas.change_partnership"
LEGACY_IMPORT_PERMISSION = "atlas.add_partnership"
LEGACY_CONTACTS_PERMISSION = "atlas.view_contact"


def _roles(user) -> list[Role]:
    """Return the user's roles, read once per user object (a request reuses them)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_coopatlas_roles", None)
    if cached is None:
        cached = list(Role.objects.filter(user=user).select_related("departement"))
        user._coopatlas_roles = cached
    return cached


def footprint_of(obj: Any) -> Footprint:
    """Return the footprint of a record (its `footprint()`), or the Footprint given."""
    if obj is None:
        return Footprint()
    if isinstance(obj, Footprint):
        return obj
    return obj.footprint()


def scope_of(user, kinds: Iterable[str]) -> Scope:
    """Return what the user's roles of these kinds reach (administrators: everything)."""
    if user is None:
        return Scope(national=True)
    if is_administrator(user):
        return Scope(national=True)
    kinds = set(kinds)
    organisations: set[int] = set()
    regions: set[str] = set()
    departements: set[str] = set()
    for role in _roles(user):
        if role.kind not in kinds:
            continue
        if role.organisation_id is not None:
            organisations.add(role.organisation_id)
        if role.region_id is not None:
            regions.add(role.region_id)
        if role.departement_id is not None:
            departements.add(role.departement_id)
    return Scope(False, frozenset(organisations), frozenset(regions), frozenset(departements))


# The scopes each permission reads: which role kinds reach a record for it.
EDITING_KINDS = (RoleKind.COORDINATOR, RoleKind.EDITOR)
REVIEWING_KINDS = (RoleKind.COORDINATOR,)
READING_KINDS = (RoleKind.COORDINATOR, RoleKind.EDITOR, RoleKind.READER)


@rules.predicate
def is_system(user) -> bool:
    return user is None


@rules.predicate
def is_administrator(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or any(role.kind == RoleKind.ADMINISTRATOR for role in _roles(user))
        or user.has_perm(LEGACY_ADMIN_PERMISSION)
    )


@rules.predicate
def is_signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


@rules.predicate
def coordinates(user, obj) -> bool:
    """The user coordinates a territory where the record has an authority."""
    return obj is not None and _reaches(user, REVIEWING_KINDS, obj)


@rules.predicate
def edits(user, obj) -> bool:
    """The user edits for an organisation the record belongs to."""
    return obj is not None and _reaches(user, (RoleKind.EDITOR,), obj)


@rules.predicate
def publishes_directly(user, obj) -> bool:
    """The user edits for one of the record's organisations, allowed to publish without review."""
    if obj is None:
        return False
    footprint = footprint_of(obj)
    return any(
        role.kind == RoleKind.EDITOR
        and role.may_publish
        and role.organisation_id in footprint.organisation_ids
        for role in _roles(user)
    )


@rules.predicate
def reads_personal_data(user, obj) -> bool:
    return obj is not None and _reaches(user, (RoleKind.READER,), obj)


@rules.predicate
def imported_before_roles(user) -> bool:
    """The user held Django's global "atlas.add_partnership", the right to import and extract
    before roles existed (kept: those accounts keep working)."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(LEGACY_IMPORT_PERMISSION)
    )


@rules.predicate
def read_personal_data_before_roles(user) -> bool:
    """The user held Django's global "atlas.view_contact" before roles existed: it reads (and
    exports) personal data everywhere, as then."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(LEGACY_CONTACTS_PERMISSION)
    )


@rules.predicate
def has_a_scope(user) -> bool:
    """The user may edit somewhere (an editor or a coordinator): it may start an import, whose
    rows are then checked one by one against its scope."""
    return any(role.kind in EDITING_KINDS for role in _roles(user))


@rules.predicate
def is_batch_author(user, batch) -> bool:
    """The user imported this batch (an import's author may undo it while no one else changed
    what it wrote: atlas.services.undo.can_undo checks that part)."""
    return (
        batch is not None
        and user is not None
        and user.is_authenticated
        and getattr(batch, "created_by_id", None) == user.pk
    )


def _reaches(user, kinds, obj) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return scope_of(user, kinds).reaches(footprint_of(obj))


_staff = is_system | is_administrator
_keepers = _staff | coordinates | edits

# action → (label, rule). The permission matrix test (tests/accounts/test_permission_matrix.py)
# holds a row for each; an action added here without its row fails it.
ACTIONS: dict[str, tuple[str, Any]] = {
    "partnership_create": ("créer un partenariat", _keepers),
    "partnership_edit": ("modifier un partenariat", _keepers),
    "partnership_submit": ("soumettre un partenariat à la revue", _keepers),
    "partnership_publish": ("publier un partenariat", _staff | coordinates | publishes_directly),
    "partnership_archive": ("archiver un partenariat", _staff | coordinates),
    "partnership_verify": ("confirmer un partenariat « toujours exact »", _keepers),
    "partnership_see_draft": ("voir un brouillon", _keepers),
    "partnership_propose": ("proposer une correction", _staff | is_signed_in),
    "proposal_decide": ("accepter ou refuser une correction", _staff | coordinates | edits),
    "personal_data_see": (
        "voir les données personnelles",
        _keepers | reads_personal_data | read_personal_data_before_roles,
    ),
    # On no record (an export of a search), only who reads them everywhere.
    "personal_data_export": (
        "exporter les données personnelles",
        _staff | coordinates | reads_personal_data | read_personal_data_before_roles,
    ),
    "import_run": ("importer un fichier", _staff | has_a_scope | imported_before_roles),
    "import_publish": ("publier directement ce qu'un import crée", _staff),
    "extraction_accept": ("accepter une extraction", _staff | has_a_scope | imported_before_roles),
    "organisation_create": ("créer une organisation partenaire", _staff | has_a_scope),
    "organisation_merge": ("fusionner des organisations", _staff),
    # On an organisation's footprint with its partnerships' (atlas.localisation.place_footprint):
    # its keepers, and those of a partnership it is part of, may choose its place.
    "place_choose": ("choisir le lieu d'une organisation", _keepers),
    "partnership_merge": ("fusionner des partenariats", _staff),
    "record_delete": ("supprimer un enregistrement", _staff),
    "batch_undo": ("annuler un lot d'import", _staff | is_batch_author),
    "role_grant": ("accorder un rôle", _staff | coordinates),
    # On the authority posting (its footprint): those who keep its records.
    "board_post": ("publier une annonce de la bourse aux partenariats", _keepers),
    "board_answer": ("répondre à une annonce de la bourse aux partenariats", _staff | is_signed_in),
}

for _action, (_label, _rule) in ACTIONS.items():
    rules.add_perm(f"coopatlas.{_action}", _rule)


def may(user, action: str, obj: Any = None) -> bool:
    """Say whether `user` (None: the system) may do `action` on `obj`."""
    if action not in ACTIONS:
        raise KeyError(f"Unknown action {action!r}: add it to accounts.permissions.ACTIONS.")
    return bool(ACTIONS[action][1].test(user, obj))


def require(user, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied, saying what and on which record, unless `user` may do `action`."""
    if may(user, action, obj):
        return
    label = ACTIONS[action][0]
    what = f" « {obj} »" if obj is not None and not isinstance(obj, Footprint) else ""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(f"Connectez-vous pour {label}{what}.")
    raise PermissionDenied(
        f"Votre compte ne peut pas {label}{what} : ce n'est pas dans le périmètre de vos rôles "
        f"({describe_roles(user)})."
    )


def edits_need_review(user, obj) -> bool:
    """Whether an edit of this published record by `user` sends it back to review: the user only
    edits it (it neither coordinates it nor publishes directly), and a coordinator of one of its
    territories asked for its editors' changes to be reviewed (the territory's setting)."""
    if user is None or is_administrator(user) or coordinates(user, obj) or publishes_directly(user, obj):
        return False
    footprint = footprint_of(obj)
    asked = Role.objects.filter(kind=RoleKind.COORDINATOR, review_published_edits=True)
    return (
        asked.filter(region_id__in=footprint.region_codes).exists()
        or asked.filter(departement_id__in=footprint.departement_codes).exists()
    )


def describe_roles(user) -> str:
    """Return the user's roles in one line of French, or say it has none."""
    roles = _roles(user)
    if is_administrator(user):
        return "administrateur"
    return "; ".join(str(role) for role in roles) or "aucun rôle"
