"""A record sheet of the national atlas of decentralised cooperation, as text or HTML.

The sheet is a run of labelled fields ("Titre", "Année de signature de la convention",
"Thématique d'intervention"…), tables written as `cell | cell |` rows (or HTML tables), and
the embassy contact blocks. It becomes one complete partnership with all its lines. The sheet
repeats whole runs of paragraphs; each is stored once.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole
from coopatlas.core.text import normalise
from coopatlas.ingest import parsing
from coopatlas.ingest.errors import FileRejected, Problem
from coopatlas.ingest.files import open_text

MAX_SHEET_BYTES = 5 * 1024 * 1024

# Labels of the sheet → our section names. Matched on the whole line, accents and case folded.
LABELS = {
    "titre": "title",
    "annee de signature de la convention": "signature_year",
    "thematique d'intervention": "theme1",
    "sous-thematique d'intervention": "theme2",
    "sous-sous-thematique d'intervention": "theme3",
    "autres thematiques mises en oeuvre pour le partenariat": "other_themes",
    "annee de debut du partenariat": "start_year",
    "le partenariat est :": "status",
    "le partenariat est": "status",
    "date de fin du partenariat": "end_date",
    "contexte": "context",
    "historique": "history",
    "objectif du partenariat": "objectives",
    "objectifs du partenariat": "objectives",
    "description detaillee du partenariat": "description",
    "votre partenariat prend la forme d'un(e)": "form",
    "partenaires etrangers du partenariat": "partners",
    "contacts dans les partenaires etrangers du partenariat": "contacts",
    "collectivites territoriales partenaires du partenariat": "french",
    "financement du partenariat": "funding",
}
LABELS = {normalise(label): section for label, section in LABELS.items()}
VOLUNTEERS_PREFIX = "volontaires impliques dans le partenariat"
EMBASSY = re.compile(r'^Contacts dans le poste diplomatique\s+"(?P<name>[^"]+)"', re.IGNORECASE)
NOISE = re.compile(r"^(<<|>>|<|>|\d+|< ?pagination\..*|pagination\..*>)$")
TRIENNIAL = {
    normalise("le partenariat n'est pas triennal"): False,
    normalise("le partenariat est triennal"): True,
}
FORMS = {
    "projet de cooperation decentralisee": "project",
    "jumelage": "twinning",
    "jumelage-cooperation": "twinning",
    "convention de cooperation": "cooperation_agreement",
    "accord de cooperation": "cooperation_agreement",
    "protocole d'accord": "protocol",
    "pacte d'amitie": "friendship_pact",
}
FORMS = {normalise(label): form for label, form in FORMS.items()}


class _HtmlText(HTMLParser):
    """Reduce an atlas page's HTML to the sheet's text lines; tables become `a | b |` rows.
    Scripts and styles are dropped; nothing is ever executed."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "li", "dt", "dd", "section", "br", "label", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.cells: list[str] | None = None
        self.header_row = False
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        elif tag == "tr":
            self._flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.current = []
            self.header_row = self.header_row or tag == "th"
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = []
        elif tag == "tr" and self.cells is not None:
            self.lines.append(" | ".join(self.cells) + " |")
            if self.header_row:
                self.lines.append("---|" * len(self.cells))
            self.cells, self.header_row = None, False
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)

    def _flush(self) -> None:
        if self.cells is None:
            text = " ".join("".join(self.current).split())
            if text:
                self.lines.append(text)
            self.current = []

    def text(self) -> list[str]:
        self._flush()
        return self.lines


def sheet_lines(raw: str) -> list[str]:
    """Return the sheet's non-empty lines, from text or HTML."""
    if re.search(r"<(html|body|div|table|p)\b", raw[:5000], re.IGNORECASE):
        parser = _HtmlText()
        parser.feed(raw)
        parser.close()
        return parser.text()
    return [line.strip() for line in raw.splitlines() if line.strip()]


def drop_repeats(lines: list[str], min_chars: int = 40) -> list[str]:
    """Remove a run of lines repeated right after itself (the sheet's doubled paragraphs),
    longest runs first; short runs (a repeated "-" bullet) are kept."""
    lines = list(lines)
    changed = True
    while changed:
        changed = False
        for size in range(len(lines) // 2, 0, -1):
            for start in range(0, len(lines) - 2 * size + 1):
                run = lines[start : start + size]
                if run == lines[start + size : start + 2 * size] and sum(map(len, run)) >= min_chars:
                    del lines[start + size : start + 2 * size]
                    changed = True
                    break
            if changed:
                break
    return lines


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().rstrip("|").split("|")]


def _table(lines: list[str]) -> list[list[str]]:
    """Return the data rows of a `a | b |` table (header and `---|` rule dropped)."""
    rows = [line for line in lines if "|" in line]
    body = []
    for index, line in enumerate(rows):
        if re.fullmatch(r"[-|\s]+", line):
            continue
        if index == 0 and len(rows) > 1 and re.fullmatch(r"[-|\s]+", rows[1]):
            continue  # header
        body.append(_cells(line))
    return body


class AtlasSheetReader:
    def __init__(self, path: Path, *, encoding: str | None = None, name: str | None = None) -> None:
        self.path = path
        self.name = name or path.name
        if path.exists() and path.stat().st_size > MAX_SHEET_BYTES:
            raise FileRejected(
                f"{self.name} : plus de 5 Mo, ce n'est pas une fiche de l'atlas.",
                f"{self.name}: over 5 MB, not an atlas record sheet.",
            )
        self.source = open_text(path, encoding, self.name)
        # The source's own list: it gets the lines with replaced bytes once they are read.
        self.notes = self.source.notes
        self.notes.append("format : fiche de l'atlas")

    def close(self) -> None:
        self.source.close()

    def records(self) -> Iterator[tuple[str, dict]]:
        try:
            raw = self.source.read_all()
        finally:
            self.source.close()
        try:
            record = self.parse(raw)
        except Problem as problem:
            yield self.name, {"_problem": problem}
            return
        yield self.name, record

    def parse(self, raw: str) -> dict:
        """Return the partnership record of a sheet's text or HTML; raise FileRejected when it is
        not a sheet, Problem when a field is wrong."""
        lines = sheet_lines(raw)
        sections, posts = self._sections(lines)
        if "title" not in sections:
            raise FileRejected(
                f"{self.name} : pas de champ « Titre » ; ce n'est pas une fiche de l'atlas.",
                f"{self.name}: no 'Titre' field; not an atlas record sheet.",
            )
        record = self._record(sections)
        record["diplomatic_posts"] = posts
        return record

    @classmethod
    def from_text(cls, raw: str, name: str) -> dict:
        """Parse a sheet given as text (a page pasted or uploaded), named `name` in its sources."""
        reader = cls.__new__(cls)
        reader.path, reader.notes = Path(name), ["format : fiche de l'atlas"]
        reader.name = reader.path.name
        return reader.parse(raw)

    def _sections(self, lines: list[str]) -> tuple[dict[str, list[str]], list[dict]]:
        sections: dict[str, list[str]] = {}
        posts: list[dict] = []
        current: list[str] | None = None
        post: dict | None = None
        pending_role: str | None = None
        for line in lines:
            key = full_key = normalise(line)
            if match := EMBASSY.match(line):
                post = {"name": match.group("name"), "correspondent": None, "counsellor": None}
                posts.append(post)
                current, pending_role = None, None
                continue
            section = LABELS.get(full_key) or LABELS.get(key)
            if section:
                current = sections.setdefault(section, [])
                post, pending_role = None, None
                continue
            if key.startswith(VOLUNTEERS_PREFIX):
                current = sections.setdefault("volunteers", [])
                post = None
                continue
            if full_key in TRIENNIAL:
                sections["triennial"] = ["oui" if TRIENNIAL[full_key] else "non"]
                current = None
                continue
            if post is not None:
                pending_role = self._post_line(post, line, key, pending_role)
                continue
            if NOISE.match(line) and current is not None and sections.get("other_themes") is current:
                continue
            if current is not None:
                current.append(line)
        return sections, posts

    @staticmethod
    def _post_line(post: dict, line: str, key: str, role: str | None) -> str | None:
        if key.startswith("pas de correspondant"):
            post["correspondent"] = "none"
            return None
        if key.startswith("pas de conseiller"):
            post["counsellor"] = "none"
            return None
        if key.startswith("correspondant cooperation"):
            return "correspondent"
        if key.startswith("conseiller de cooperation"):
            return "counsellor"
        if key.startswith("courriel") or role is None:
            return role
        person = post.get(role)
        if isinstance(person, dict) and not person.get("email") and ("@" in line or "[at]" in line):
            person["email"] = line.replace("[at]", "@").replace(" ", "")
        elif not isinstance(person, dict):
            parts = line.split()
            last = " ".join(p for p in parts if p.isupper()) or parts[-1]
            first = " ".join(p for p in parts if not p.isupper())
            post[role] = {"last_name": last.title(), "first_name": first, "email": ""}
        return role

    def _text(self, sections: dict, name: str) -> str:
        return "\n".join(drop_repeats(sections.get(name, [])))

    def _record(self, sections: dict[str, list[str]]) -> dict:
        text = lambda name: self._text(sections, name)  # noqa: E731
        first = lambda name: (sections.get(name) or [""])[0]  # noqa: E731
        record: dict = {"title": text("title")}
        record["signature_year"] = parsing.year(
            first("signature_year"), "Année de signature de la convention"
        )
        record["start_year"] = parsing.year(first("start_year"), "Année de début du partenariat")
        end = parsing.date(first("end_date"), "Date de fin du partenariat")
        record["end_date"] = end.isoformat() if end else None
        record["status"] = parsing.status(first("status"), "Le partenariat est")
        form_text = normalise(first("form"))
        record["form"] = FORMS.get(form_text) or parsing.form(
            first("form"), "Votre partenariat prend la forme", "other"
        )
        record["is_triennial"] = first("triennial") == "oui"
        record["context"] = text("context")
        record["history"] = text("history")
        local, france = self._objectives(drop_repeats(sections.get("objectives", [])))
        record["objectives_local"], record["objectives_france"] = local, france
        record["description"] = text("description")
        record["themes"] = self._themes(sections)
        partners = []  # (organisation, role): a partner in France overseas is a French commune
        for cells in _table(sections.get("partners", [])):
            if not cells or not cells[0]:
                continue
            partners.append(parsing.local_authority(cells[0], cells[1] if len(cells) > 1 else "", "Pays"))
        french = [
            {"name": cells[0], "kind": OrganisationKind.COMMUNE, "country": "FR"}
            for cells in _table(sections.get("french", []))
            if cells and cells[0]
        ]
        if not french:
            raise Problem(
                "Collectivités territoriales partenaires du partenariat",
                "",
                "aucune collectivité française dans la fiche",
                "no French authority in the sheet",
            )
        record["participants"] = [
            {"organisation": o, "role": ParticipationRole.FRENCH_AUTHORITY} for o in french
        ] + [{"organisation": o, "role": role} for o, role in partners]
        by_name = {normalise(o["name"]): o for o in french + [o for o, _role in partners]}
        record["funding"] = self._funding(sections, by_name)
        record["contacts"] = self._contacts(sections, by_name)
        record["volunteers"] = [
            {
                "last_name": c[0],
                "first_name": c[1] if len(c) > 1 else "",
                "mission": c[2] if len(c) > 2 else "",
            }
            for c in _table(sections.get("volunteers", []))
            if c and c[0]
        ]
        record["sources"] = [{"title": f"Atlas français de la coopération décentralisée : {self.name}"}]
        return record

    @staticmethod
    def _objectives(lines: list[str]) -> tuple[str, str]:
        local: list[str] = []
        france: list[str] = []
        target: list[str] | None = None
        for line in lines:
            key = normalise(line)
            if key == "objectifs locaux":
                target = local
            elif key == "objectifs en france":
                target = france
            else:
                (target if target is not None else local).append(line)
        return "\n".join(local), "\n".join(france)

    @staticmethod
    def _themes(sections: dict) -> list[dict]:
        themes = []
        main = [(sections.get(n) or [""])[0] for n in ("theme1", "theme2", "theme3")]
        main = [m for m in main if m]
        if main:
            themes.append({"theme": " > ".join(main), "priority": 0})
        for cells in _table(sections.get("other_themes", [])):
            numbers = [c for c in cells if c.isdigit()]
            names = [c for c in cells if c and not c.isdigit()]
            if names:
                themes.append(
                    {"theme": " > ".join(names), "priority": int(numbers[-1]) if numbers else len(themes)}
                )
        return themes

    @staticmethod
    def _funding(sections: dict, by_name: dict) -> list[dict]:
        lines = []
        for number, cells in enumerate(_table(sections.get("funding", [])), 1):
            if not cells or not cells[0]:
                continue
            field = f"Financement du partenariat, ligne {number}"
            values = [c for c in cells[1:] if c]
            amounts = [parsing.amount(v, field) for v in values]
            year = None
            if len(amounts) >= 2 and amounts[-1] is not None and amounts[-1] == int(amounts[-1]):
                year = parsing.year(int(amounts[-1]), field)
                amounts = amounts[:-1]
            if not amounts or year is None:
                raise Problem(field, " | ".join(cells), "montant ou année manquant", "amount or year missing")
            line = {"amount": str(amounts[0]), "year": year, "water_one_percent_amount": None}
            if len(amounts) > 1 and amounts[1] is not None:
                line["water_one_percent_amount"] = str(amounts[1])
            funder = by_name.get(normalise(cells[0]))
            if funder is not None and funder["country"] == "FR":
                line["funder"] = funder
            else:
                line["funder_label"] = cells[0]
            lines.append(line)
        return lines

    @staticmethod
    def _contacts(sections: dict, by_name: dict) -> list[dict]:
        contacts = []
        for cells in _table(sections.get("contacts", [])):
            if not cells or not cells[0]:
                continue
            cells = cells + [""] * (5 - len(cells))
            contacts.append(
                {
                    "organisation": by_name.get(normalise(cells[0])),
                    "last_name": parsing.text(cells[1]),
                    "first_name": parsing.text(cells[2]),
                    "function": parsing.text(cells[3]),
                    "email": parsing.text(cells[4]),
                }
            )
        return contacts
