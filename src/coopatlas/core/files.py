"""What an uploaded file really is, read from its first bytes (its name and the browser's word are
not trusted): the kinds of document people attach to a partnership."""

import zipfile
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
ODT = FileType("application/vnd.oasis.opendocument.text", "odt", "ODT")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX")
PNG = FileType("image/png", "png", "PNG")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
WEBP = FileType("image/webp", "webp", "WebP")
ACCEPTED = (PDF, ODT, DOCX, PNG, JPEG, WEBP)
ACCEPTED_LABELS = ", ".join(t.label for t in ACCEPTED)
MAX_ENTRIES = 5000  # a word processor's document holds tens of parts, not thousands


def sniff(handle: IO[bytes]) -> FileType | None:
    """The accepted type the file's content shows, or None. The handle is rewound."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        found = _office(handle)
        handle.seek(0)
        return found
    return None


def _office(handle: IO[bytes]) -> FileType | None:
    """An OpenDocument text (its "mimetype" entry says so) or a Word document (word/document.xml)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            if len(archive.infolist()) > MAX_ENTRIES:
                return None
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 100 and archive.read("mimetype").strip() == ODT.content_type.encode():
                    return ODT
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
    except Exception:  # noqa: BLE001 — any archive zipfile cannot read (encrypted, truncated, unknown method) is no document
        return None
    return None
