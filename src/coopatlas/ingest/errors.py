"""What goes wrong in an import, said in French and English, with where it happened."""

import re
from dataclasses import dataclass

_WHERE_EN = {"ligne": "line", "feuille": "sheet", "candidat": "candidate", "partenariat": "partnership"}


def excerpt(text: object, limit: int = 60) -> str:
    """The start of a piece of the person's own input, on one line and short enough to show back
    in a message (never more: a message must not become a way to read a file)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem(Exception):
    """A value that cannot be taken in: the field, the value, and why (in French and English)."""

    field: str
    value: str
    fr: str
    en: str

    def __str__(self) -> str:
        return self.fr


def where_en(where: str) -> str:
    """A row's place in its file ("feuille Partenariats, ligne 4") said in English."""
    return re.sub(r"\b(ligne|feuille|candidat|partenariat)\b", lambda m: _WHERE_EN[m.group(1)], where)


# A reader's notes ("encodage : utf-8") are French; their English, by the words they start with.
_NOTES_EN = (
    ("encodage : ", "encoding: "),
    ("délimiteur : tabulation", "delimiter: tab"),
    ("délimiteur : ", "delimiter: "),
    ("colonnes ignorées : ", "columns ignored: "),
    ("feuille : ", "sheet: "),
    ("macros présentes : ignorées, jamais exécutées", "macros present: ignored, never run"),
    ("format : fiche de l'atlas", "format: atlas record sheet"),
    ("format : JSON coopatlas", "format: coopatlas JSON"),
    ("format : ", "format: "),
)


def note_en(note: str) -> str:
    """A reader's note said in English (a note that gives its English in brackets, its English)."""
    if note.startswith("octets invalides") and "(invalid " in note:
        return note[note.index("(invalid ") + 1 : -1]
    for french, english in _NOTES_EN:
        if note.startswith(french):
            return english + note[len(french) :]
    return note


@dataclass(frozen=True)
class RowError:
    """A rejected row: where it is in the file, which field and value, and why."""

    where: str  # "ligne 12", "feuille Partenariats, ligne 4", "partenariat demo:lyon"
    field: str
    value: str
    fr: str
    en: str

    def as_row(self) -> list[str]:
        return [self.where, self.field, self.value, self.fr, self.en]

    def __str__(self) -> str:
        shown = self.value if len(self.value) <= 80 else self.value[:77] + "…"
        return f"{self.where} · {self.field} = « {shown} » : {self.fr}"


class FileRejected(Exception):
    """The whole file cannot be read (empty, binary, too large, wrong format…)."""

    def __init__(self, fr: str, en: str) -> None:
        super().__init__(fr)
        self.fr, self.en = fr, en


class WriteBusy(FileRejected):
    """Another write (an import, an undo…) holds the database: nothing was written, try again."""

    def __init__(self) -> None:
        super().__init__(
            "Une autre écriture (import, annulation…) est en cours ; réessayez dans un moment. "
            "Rien n'a été écrit.",
            "Another write (an import, an undo…) is running; try again in a moment. Nothing was written.",
        )


def is_lock_error(exc: BaseException) -> bool:
    """Whether a database error is SQLite's lock held by another writer past the busy timeout."""
    text = str(exc)
    return "database is locked" in text or "database table is locked" in text
