"""Spreadsheets (CSV or XLSX) in our template's columns, or in any columns with a mapping.

One row is one partnership between a French authority and a foreign one; consecutive rows with
the same `reference` add partners or funding lines to the same partnership.

A mapping says which of the file's columns holds each of our fields, as text
("collectivite_francaise=Ville;partenaire=Ville jumelle", the same one per line, or a JSON
object). `champ==valeur` gives a constant ("forme==jumelage"). The reader never opens a mapping
file: only the command line does, and hands its text over.
"""

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.utils.translation import gettext_noop

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole
from coopatlas.core.text import normalise
from coopatlas.ingest import parsing
from coopatlas.ingest.errors import FileRejected, Problem, excerpt
from coopatlas.ingest.files import csv_rows, open_text, xlsx_rows

# Our template's columns: field → (French description, English aliases accepted as headers).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reference": (
        gettext_noop("identifiant stable de la ligne dans votre fichier"),
        ("ref", "id", "identifiant"),
    ),
    "titre": (gettext_noop("titre du partenariat (sinon construit : « Jumelage A – B »)"), ("title",)),
    "forme": (
        gettext_noop("jumelage, convention de coopération, pacte d'amitié, protocole, projet…"),
        ("form", "type"),
    ),
    "etat": (
        gettext_noop("en cours, terminé, en veille, en projet ; vide : non renseigné"),
        ("status", "état"),
    ),
    "publication": (gettext_noop("brouillon ou publié"), ("publication_state",)),
    "annee_signature": (
        gettext_noop("année de signature (1990, « vers 1990 »)"),
        ("signature_year", "année de signature"),
    ),
    "annee_debut": (
        gettext_noop("année de début (1990, « vers 1990 », 1990-1995)"),
        ("start_year", "année de début", "depuis"),
    ),
    "date_fin": (gettext_noop("date de fin jj/mm/aaaa"), ("end_date", "date de fin")),
    "collectivite_francaise": (
        gettext_noop("nom de la collectivité française"),
        ("french_authority", "collectivité française"),
    ),
    "code_insee": (
        gettext_noop("code INSEE de la collectivité française"),
        ("insee", "insee_code", "code insee"),
    ),
    "type_collectivite": (
        gettext_noop("commune, epci, métropole, département, région"),
        ("french_authority_kind",),
    ),
    "partenaire": (
        gettext_noop("nom de la collectivité étrangère"),
        ("foreign_authority", "partner", "ville jumelle"),
    ),
    "pays_partenaire": (
        gettext_noop("pays de la collectivité étrangère"),
        ("country", "pays", "partner_country"),
    ),
    "region_partenaire": (
        gettext_noop("région, État ou province du partenaire"),
        ("partner_region", "admin_area"),
    ),
    "themes": (
        gettext_noop("thèmes (codes ou intitulés) séparés par ;"),
        ("themes", "thèmes", "thematiques"),
    ),
    "odd": (gettext_noop("numéros d'ODD séparés par ;"), ("sdgs", "sdg")),
    "resume": (gettext_noop("résumé"), ("summary", "résumé")),
    "description": (gettext_noop("description détaillée"), ()),
    "contexte": (gettext_noop("contexte"), ("context",)),
    "historique": (gettext_noop("historique"), ("history",)),
    "financeur": (gettext_noop("financeur d'une ligne de financement"), ("funder",)),
    "montant": (gettext_noop("montant en euros (1 255,50 €)"), ("amount",)),
    "montant_1pc_eau": (gettext_noop("dont « 1 % eau » en euros"), ("water_amount", "1% eau")),
    "annee_financement": (gettext_noop("année du financement"), ("funding_year",)),
    "source_url": (gettext_noop("adresse de la page source"), ("url", "source")),
    "source_titre": (gettext_noop("titre de la source"), ("source_title",)),
    "note": (gettext_noop("note éditoriale"), ()),
}
REQUIRED = ("partenaire", "pays_partenaire")
FRENCH_KINDS = {
    "commune": OrganisationKind.COMMUNE,
    "ville": OrganisationKind.COMMUNE,
    "epci": OrganisationKind.EPCI,
    "intercommunalite": OrganisationKind.EPCI,
    "communaute": OrganisationKind.EPCI,
    "metropole": OrganisationKind.METROPOLE,
    "departement": OrganisationKind.DEPARTEMENT,
    "region": OrganisationKind.REGION,
}


MAX_MAPPING_CHARS = 10_000  # 27 fields with long column names fit many times over


def parse_mapping(text: str | None, fields: dict | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Return (field → column, field → constant) from a mapping's TEXT — never a file name: a
    mapping from the web or the API is what the person typed; only the command line reads a
    mapping file, and passes its content here.

    The text is a JSON object ({"collectivite_francaise": "Ville", "forme": "=jumelage"}), or
    items `champ=Colonne` / `champ==valeur`: one per line (lines starting with # are comments),
    or separated by ; on a single line. Error messages show back at most a short excerpt of the
    item at fault."""
    if not text or not text.strip():
        return {}, {}
    text = text.strip().lstrip("\ufeff")
    if len(text) > MAX_MAPPING_CHARS:
        raise FileRejected(
            f"Correspondance trop longue ({len(text):,} caractères ; {MAX_MAPPING_CHARS:,} au plus).".replace(
                ",", " "
            ),
            f"Mapping too long ({len(text):,} characters; {MAX_MAPPING_CHARS:,} at most).",
        )
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f"{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else "?"
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nesting"
            raise FileRejected(
                f"Correspondance : JSON invalide (ligne:colonne {where}, {reason}).",
                f"Mapping: invalid JSON (line:column {where}, {reason}).",
            ) from None
        if not isinstance(data, dict):
            raise FileRejected(
                'Correspondance : un objet JSON est attendu ({"champ": "Colonne"}).',
                'Mapping: a JSON object is expected ({"field": "Column"}).',
            )
        items = []
        for key, value in data.items():
            if not isinstance(value, str):
                raise FileRejected(
                    f"Correspondance : la valeur de « {excerpt(str(key))} » doit être un texte.",
                    f"Mapping: the value of '{excerpt(str(key))}' must be a text.",
                )
            items.append(f"{key}={value}")
    elif "\n" in text:
        items = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    else:
        items = [item for item in text.split(";") if item.strip()]
    columns, constants = {}, {}
    for item in items:
        if "=" not in item:
            raise FileRejected(
                f"Correspondance illisible : « {excerpt(item)} » (attendu champ=Colonne ou champ==valeur).",
                f"Unreadable mapping: '{excerpt(item)}' (expected field=Column or field==value).",
            )
        name, _, value = item.partition("=")
        name = name.strip()
        known = fields if fields is not None else FIELDS
        if name not in known:
            raise FileRejected(
                f"Correspondance : champ inconnu « {excerpt(name)} » (champs : {', '.join(known)}).",
                f"Mapping: unknown field '{excerpt(name)}' (fields: {', '.join(known)}).",
            )
        if value.startswith("="):
            constants[name] = value[1:].strip()
        else:
            columns[name] = value.strip()
    return columns, constants


# Our field → synonyms that only prefill the column picker (never applied without the person's
# choice: they are too loose to map a file on their own).
PICKER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "collectivite_francaise": ("ville", "commune", "city", "collectivite", "city1", "french city"),
    "partenaire": (
        "jumelle",
        "jumelee avec",
        "ville partenaire",
        "partenaire etranger",
        "twin town",
        "sister city",
        "partner name",
        "partner city",
        "city2",  # the twin-town lists' pair columns (city1, country1, city2, country2)
    ),
    "pays_partenaire": ("pays", "country", "pays du partenaire", "partner country", "country2"),
    "annee_debut": ("annee", "year", "date de debut"),
    "themes": ("theme", "thematique", "domaine"),
}
GUESS_CUTOFF = 85  # rapidfuzz ratio of two normalised names that counts as a likely match


def guess_columns(header: list[str]) -> dict[str, str]:
    """Return our field → the file's column that most likely holds it: the column named like the
    field, one of its aliases or synonyms (normalised), or spelt close to one (rapidfuzz). Each
    column goes to one field, the closest matches first. What the column picker is prefilled with."""
    from rapidfuzz.fuzz import ratio

    keys = {normalise(h): h for h in header if h and normalise(h)}
    scored = []
    for name, (_description, aliases) in FIELDS.items():
        names = {
            normalise(n) for n in (name, name.replace("_", " "), *aliases, *PICKER_SYNONYMS.get(name, ()))
        }
        for key, column in keys.items():
            score = max(ratio(key, n) for n in names)
            if score >= GUESS_CUTOFF:
                scored.append((score, name, column))
    guesses: dict[str, str] = {}
    for _score, name, column in sorted(scored, key=lambda item: -item[0]):
        if name not in guesses and column not in guesses.values():
            guesses[name] = column
    return guesses


class ColumnsUnknown(FileRejected):
    """A table whose required columns are not found: with the file's columns, our guesses for each
    field and the fields missing, so that a person can pick the columns (the web's picker)."""

    def __init__(self, fr: str, en: str, *, header: list[str], guesses: dict[str, str], missing: list[str]):
        super().__init__(fr, en)
        self.header, self.guesses, self.missing = header, guesses, missing


def _columns(header: list[str], empty: str = "(vide)", limit: int = 40) -> str:
    """The file's columns for a message: each shortened, the first `limit` of them."""
    shown = ", ".join(excerpt(h, 40) if h else empty for h in header[:limit])
    return shown + (f", … (+{len(header) - limit})" if len(header) > limit else "")


class TableReader:
    fields = FIELDS  # our columns, with their aliases
    required: tuple[str, ...] = REQUIRED

    def __init__(
        self,
        path: Path,
        *,
        mapping: str | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
        name: str | None = None,
    ) -> None:
        self.path = path
        self.name = name or path.name
        self.source = None
        self.close_workbook = None
        self._rows: Iterator[tuple[int, Sequence[object]]]
        columns, self.constants = parse_mapping(mapping, self.fields)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header, self._rows, self.notes, self.close_workbook = xlsx_rows(path, sheet, self.name)
            self.prefix = self.notes[-1].replace("feuille : ", "feuille ") + ", "
        else:
            self.source = open_text(path, encoding, self.name)
            try:
                header, self._rows = csv_rows(self.source, delimiter)
            except FileRejected:
                self.source.close()
                raise
            self.notes = self.source.notes
            self.prefix = ""
        self.header = header
        try:
            self.positions = self._positions(header, columns)
        except FileRejected:
            self.close()
            raise

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        if self.close_workbook is not None:
            self.close_workbook()

    def _positions(self, header: list[str], columns: dict[str, str]) -> dict[str, int]:
        keys = [normalise(h) for h in header]
        seen: dict[str, int] = {}
        for index, key in enumerate(keys):
            if key and key in seen:
                raise FileRejected(
                    f"{self.name} : la colonne « {excerpt(header[index])} » apparaît deux fois "
                    f"(colonnes {seen[key] + 1} et {index + 1}) ; renommez l'une d'elles.",
                    f"{self.name}: column '{excerpt(header[index])}' appears twice "
                    f"(columns {seen[key] + 1} and {index + 1}); rename one.",
                )
            seen[key] = index
        positions: dict[str, int] = {}
        for name, column in columns.items():
            if normalise(column) not in seen:
                raise FileRejected(
                    f"{self.name} : la colonne « {excerpt(column)} » donnée pour {name} n'existe pas "
                    f"(colonnes : {_columns(header)}).",
                    f"{self.name}: column '{excerpt(column)}' given for {name} does not exist "
                    f"(columns: {_columns(header)}).",
                )
            positions[name] = seen[normalise(column)]
        for name, (_description, aliases) in self.fields.items():
            if name in positions or name in self.constants:
                continue
            for candidate in (name, name.replace("_", " "), *aliases):
                if normalise(candidate) in seen:
                    positions[name] = seen[normalise(candidate)]
                    break
        missing = [n for n in self.required if n not in positions and n not in self.constants]
        if (
            self.fields is FIELDS
            and "collectivite_francaise" not in positions
            and "code_insee" not in positions
            and ("collectivite_francaise" not in self.constants)
        ):
            missing.insert(0, "collectivite_francaise (ou code_insee)")
        if missing:
            raise ColumnsUnknown(
                f"{self.name} : colonne(s) obligatoire(s) introuvable(s) : {', '.join(missing)}. "
                f"Colonnes du fichier : {_columns(header)}. Donnez la correspondance des colonnes "
                "(--mapping en ligne de commande, champ mapping de l'API ; "
                "ex. collectivite_francaise=Ville;partenaire=Jumelle).",
                f"{self.name}: required column(s) not found: {', '.join(missing)}. "
                f"File columns: {_columns(header, '(empty)')}. Give the columns' mapping "
                "(--mapping on the command line, the mapping field in the API).",
                header=header,
                guesses={**guess_columns(header), **{n: header[i] for n, i in positions.items()}},
                missing=missing,
            )
        used = set(positions.values())
        ignored = [h for i, h in enumerate(header) if i not in used and h]
        if ignored:
            self.notes.append(f"colonnes ignorées : {', '.join(ignored)}")
        return positions

    def _get(self, cells: Sequence[object], name: str) -> object:
        if name in self.constants:
            return self.constants[name]
        index = self.positions.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def records(self) -> Iterator[tuple[str, dict]]:
        current: dict | None = None
        current_where = ""
        try:
            for number, cells in self._rows:
                where = f"{self.prefix}ligne {number}"
                if len(cells) > len(self.header) and any(
                    str(c).strip() for c in cells[len(self.header) :] if c
                ):
                    yield (
                        where,
                        {
                            "_problem": Problem(
                                "ligne",
                                str(cells[len(self.header)])[:80],
                                f"{len(cells)} cellules pour {len(self.header)} colonnes (ligne décalée ?)",
                                f"{len(cells)} cells for {len(self.header)} columns (shifted row?)",
                            )
                        },
                    )
                    continue
                try:
                    ref = parsing.text(self._get(cells, "reference"))
                    if current is not None and ref and ref == current.get("ref"):
                        self._add_lines(current, cells)
                        continue
                    if current is not None:
                        yield current_where, current
                        current = None
                    current, current_where = self._record(cells), where
                except Problem as problem:
                    if current is not None:
                        yield current_where, current
                    current = None
                    yield where, {"_problem": problem}
            if current is not None:
                yield current_where, current
        finally:
            self.close()

    @staticmethod
    def _head(get, default_form: str) -> dict:
        """A record's reference, title, form (`default_form` when the row gives none) and status."""
        record: dict = {"ref": parsing.text(get("reference")) or None}
        if title := parsing.text(get("titre")):
            record["title"] = title
        record["form"] = parsing.form(get("forme"), "forme", default=default_form)
        record["status"] = parsing.status(get("etat"), "etat")
        return record

    def _record(self, cells: Sequence[object]) -> dict:
        get = lambda name: self._get(cells, name)  # noqa: E731
        record = self._head(get, "twinning")
        if parsing.text(get("publication")):
            record["publication_state"] = parsing.publication(get("publication"), "publication")
        record["signature_year"] = parsing.year(get("annee_signature"), "annee_signature")
        start, until, approximate = parsing.year_span(get("annee_debut"), "annee_debut")
        record["start_year"] = start
        end = parsing.date(get("date_fin"), "date_fin")
        if until and not end:
            end = parsing.date(f"31/12/{until}", "annee_debut")
        record["end_date"] = end.isoformat() if end else None
        notes = [parsing.text(get("note"))]
        if approximate:
            notes.append(
                f"Année de début approximative dans la source : « {parsing.text(get('annee_debut'))} »."
            )
        record["note"] = " ".join(n for n in notes if n)
        for field, key in (
            ("resume", "summary"),
            ("description", "description"),
            ("contexte", "context"),
            ("historique", "history"),
        ):
            if value := parsing.text(get(field)):
                record[key] = value
        record["themes"] = [t.strip() for t in parsing.text(get("themes")).split(";") if t.strip()]
        record["sdgs"] = []
        for item in parsing.text(get("odd")).replace(",", ";").split(";"):
            if item.strip():
                if not item.strip().isdigit():
                    raise Problem(
                        "odd", item, "numéro d'ODD attendu (1 à 17)", "SDG number expected (1 to 17)"
                    )
                record["sdgs"].append(int(item))
        record["participants"] = [
            {"organisation": self._french(get), "role": ParticipationRole.FRENCH_AUTHORITY},
        ]
        record["funding"] = []
        record["sources"] = []
        if url := parsing.text(get("source_url")):
            record["sources"].append({"url": url, "title": parsing.text(get("source_titre"))})
        self._add_lines(record, cells)
        return record

    def _french(self, get) -> dict:
        name = parsing.text(get("collectivite_francaise"))
        insee = parsing.text(get("code_insee")).upper()
        if not name and not insee:
            raise Problem(
                "collectivite_francaise", "", "collectivité française manquante", "French authority missing"
            )
        if insee and not insee.replace("A", "").replace("B", "").isdigit():
            raise Problem("code_insee", insee, "code INSEE invalide", "invalid INSEE code")
        kind_text = normalise(parsing.text(get("type_collectivite")))
        if kind_text and kind_text not in FRENCH_KINDS:
            raise Problem(
                "type_collectivite",
                parsing.text(get("type_collectivite")),
                f"type inconnu (admis : {', '.join(FRENCH_KINDS)})",
                f"unknown kind (allowed: {', '.join(FRENCH_KINDS)})",
            )
        kind = FRENCH_KINDS.get(kind_text, OrganisationKind.COMMUNE)
        organisation = {"name": name or insee, "kind": kind, "country": "FR"}
        if insee:
            organisation["insee_code"] = insee.zfill(5) if kind == OrganisationKind.COMMUNE else insee
        return organisation

    def _add_lines(self, record: dict, cells: Sequence[object]) -> None:
        get = lambda name: self._get(cells, name)  # noqa: E731
        partner = parsing.text(get("partenaire"))
        if partner:
            organisation, role = parsing.local_authority(partner, get("pays_partenaire"), "pays_partenaire")
            if region := parsing.text(get("region_partenaire")):
                organisation["admin_area"] = region
            if not any(p["organisation"] == organisation for p in record["participants"]):
                record["participants"].append({"organisation": organisation, "role": role})
        elif not record.get("funding") and len(record["participants"]) < 2:
            raise Problem("partenaire", "", "collectivité partenaire manquante", "partner authority missing")
        amount = parsing.amount(get("montant"), "montant")
        if amount is not None:
            year = parsing.year(get("annee_financement"), "annee_financement") or record.get("start_year")
            if year is None:
                raise Problem(
                    "annee_financement", "", "année du financement manquante", "funding year missing"
                )
            water = parsing.amount(get("montant_1pc_eau"), "montant_1pc_eau")
            funder = parsing.text(get("financeur"))
            record["funding"].append(
                {
                    "funder_label": funder or "Non précisé",
                    "amount": str(amount),
                    "water_one_percent_amount": str(water) if water is not None else None,
                    "year": year,
                }
            )


def template_columns() -> list[tuple[str, str]]:
    """Our template's columns with their meaning, for the downloadable template."""
    return [(name, description) for name, (description, _aliases) in FIELDS.items()]
