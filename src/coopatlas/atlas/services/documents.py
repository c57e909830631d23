"""Documents attached to partnerships: added and removed only here, by those who may edit the
partnership; opened by those the document's access level allows (may_open)."""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from coopatlas.accounts.permissions import may, require
from coopatlas.atlas.choices import DocumentAccess
from coopatlas.atlas.models import Document, Partnership
from coopatlas.atlas.services import Provenance, _save, note_change
from coopatlas.core.files import ACCEPTED_LABELS, sniff


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


def _safe_name(name: str) -> str:
    """The uploaded name without its folders nor characters a file system or a header dislikes."""
    name = re.split(r"[\\\\/]", name)[-1]
    name = re.sub(r"[^\w.\- ]+", "_", name).strip(" .") or "document"
    return name[-120:]


@transaction.atomic
def document_add(
    *,
    partnership: Partnership,
    upload: UploadedFile,
    title: str,
    kind: str,
    access: str,
    acting_user: AbstractBaseUser | None,
) -> Document:
    """Attach a file to a partnership after checking its size and its real type; return it.
    Raise ValidationError naming the field ("file", "title"…) and write nothing otherwise."""
    require(acting_user, "partnership_edit", partnership)
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": "Le fichier est vide."})
    if upload.size > limit:
        raise ValidationError(
            {"file": f"« {upload.name} » pèse {_size_text(upload.size)} : au plus {_size_text(limit)}."}
        )
    found = sniff(upload)
    if found is None:
        raise ValidationError(
            {
                "file": f"« {upload.name} » n'est pas un document accepté ({ACCEPTED_LABELS}), "
                "d'après son contenu."
            }
        )
    name = _safe_name(upload.name or "document")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    # stored and downloaded under the extension of what it is, never the one it was sent with
    upload.name = name = f"{stem}.{found.extension}"
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    document = Document(
        partnership=partnership,
        title=title.strip() or stem,
        kind=kind,
        access=access,
        file=upload,
        file_name=name,
        content_type=found.content_type,
        size=upload.size,
        uploaded_by=user,  # type: ignore[misc]  # (the project's user model is Django's User)
    )
    return _save(document, Provenance(acting_user))


@transaction.atomic
def document_remove(document: Document, *, acting_user: AbstractBaseUser | None) -> None:
    """Detach a document (its editors); the file leaves the storage, the history keeps the row."""
    require(acting_user, "partnership_edit", document.partnership)
    storage, name = document.file.storage, document.file.name
    if acting_user is not None and acting_user.is_authenticated:
        note_change(document, user=acting_user, reason="Document retiré")
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def may_open(user, document: Document) -> bool:
    """Public: whoever sees the partnership; scope: those who may edit it; private: the person who
    attached it while they may still edit the partnership, and the atlas team."""
    if document.access == DocumentAccess.PUBLIC:
        return Partnership.objects.visible_to(user).filter(pk=document.partnership_id).exists()
    if document.access == DocumentAccess.SCOPE:
        return may(user, "partnership_edit", document.partnership)
    uploader = user is not None and user.is_authenticated and document.uploaded_by_id == user.pk
    return bool(
        (uploader and may(user, "partnership_edit", document.partnership))
        or may(user, "record_delete", document.partnership)
    )
