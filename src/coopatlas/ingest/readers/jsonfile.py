"""Our own JSON export read back (exact round trip): organisations first, then partnerships
naming them by reference.

A file in the layout `coopatlas export --format json` writes (one record per line) is read as a
stream; any other valid JSON of the same schema is read whole, up to MAX_WHOLE bytes.
"""

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from coopatlas.ingest.errors import FileRejected, Problem, excerpt
from coopatlas.ingest.files import TextSource, open_text
from coopatlas.ingest.parsing import overseas_as_france

MAX_WHOLE = 200 * 1024 * 1024
SCHEMA = "coopatlas"
SUPPORTED_VERSIONS = {1}
# Our schema nests 7 levels (file, partnerships, partnership, participants, participant,
# organisation, a field); deeper is not ours, and past Python's recursion limit it cannot be read.
MAX_DEPTH = 20
# A year, an amount or a coordinate fits in 40 characters; a longer literal is not a value of
# ours (and Python refuses to convert an integer of over 4,300 digits).
MAX_NUMBER_CHARS = 40


class _NumberRefused(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _NumberRefused(literal)
    return int(literal)


def _float(literal: str) -> float:
    value = float(literal) if len(literal) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):  # 1e999 is read as infinity
        raise _NumberRefused(literal)
    return value


def _constant(literal: str) -> object:
    raise _NumberRefused(literal)  # NaN and Infinity are not JSON, though Python reads them


def _too_deep(data: object, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `limit` levels (walked without recursion)."""
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads_bounded(text: str, name: str, first_line: int = 1) -> object:
    """Parse JSON text, refusing (FileRejected, naming the file, line and what) what nests more
    than MAX_DEPTH levels and any number longer than MAX_NUMBER_CHARS or not finite. Raise
    json.JSONDecodeError for text that is not JSON."""
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        data = None
        deep = True
    except _NumberRefused as refused:
        literal = refused.literal
        position = max(text.find(literal), 0)
        line = first_line + text.count("\n", 0, position)
        column = position - text.rfind("\n", 0, position)
        size = f"{len(literal):,}".replace(",", " ")
        raise FileRejected(
            f"{name}, ligne {line}, colonne {column} : nombre refusé « {excerpt(literal, 20)} » "
            f"({size} caractères) ; un nombre fini de {MAX_NUMBER_CHARS} caractères au plus est admis.",
            f"{name}, line {line}, column {column}: number refused '{excerpt(literal, 20)}' "
            f"({len(literal):,} characters); a finite number of at most {MAX_NUMBER_CHARS} "
            "characters is allowed.",
        ) from None
    else:
        deep = _too_deep(data)
    if deep:
        where = f"{name}, ligne {first_line}" if first_line > 1 else name
        where_en = f"{name}, line {first_line}" if first_line > 1 else name
        raise FileRejected(
            f"{where} : JSON imbriqué sur plus de {MAX_DEPTH} niveaux ; refusé.",
            f"{where_en}: JSON nested more than {MAX_DEPTH} levels deep; refused.",
        )
    return data


class JsonReader:
    def __init__(self, path: Path, *, name: str | None = None) -> None:
        self.path = path
        self.name = name or path.name
        self.source: TextSource = open_text(path, "utf-8-sig", self.name)
        # The source's own list: it gets the lines with replaced bytes once they are read.
        self.notes = self.source.notes
        self.notes.append("format : JSON coopatlas")
        self.organisations: dict[str, dict] = {}

    def _reject_schema(self, found: object) -> NoReturn:
        raise FileRejected(
            f"{self.name} n'est pas un export JSON coopatlas (schéma « {excerpt(found, 40)} »).",
            f"{self.name} is not a coopatlas JSON export (schema '{excerpt(found, 40)}').",
        )

    def _check_header(self, data: dict) -> None:
        if data.get("schema") != SCHEMA:
            self._reject_schema(data.get("schema"))
        if data.get("version") not in SUPPORTED_VERSIONS:
            version = excerpt(data.get("version"), 20)
            raise FileRejected(
                f"{self.name} : version de schéma {version} non prise en charge.",
                f"{self.name}: schema version {version} not supported.",
            )

    def _parse_whole(self) -> dict:
        if self.path.stat().st_size > MAX_WHOLE:
            raise FileRejected(
                f"{self.name} : JSON trop gros pour être lu d'un bloc ; exportez-le avec coopatlas.",
                f"{self.name}: JSON too large to read whole; export it with coopatlas.",
            )
        try:
            data = loads_bounded(self.source.read_all(), self.name)
        except json.JSONDecodeError as exc:
            raise FileRejected(
                f"{self.name}, ligne {exc.lineno}, colonne {exc.colno} : JSON invalide ({exc.msg}).",
                f"{self.name}, line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg}).",
            ) from None
        if not isinstance(data, dict):
            self._reject_schema(type(data).__name__)
        self._check_header(data)
        return data

    def close(self) -> None:
        self.source.close()

    def records(self) -> Iterator[tuple[str, dict]]:
        try:
            yield from self._records()
        finally:
            self.source.close()

    def _records(self) -> Iterator[tuple[str, dict]]:
        streamed = self._stream()
        if streamed is None:
            data = self._parse_whole()
            organisations = data.get("organisations") or []
            partnerships = enumerate(data.get("partnerships") or [], 1)
            for organisation in organisations:
                if isinstance(organisation, dict) and organisation.get("ref"):
                    self.organisations[organisation["ref"]] = organisation
            for number, record in partnerships:
                yield self._inline(f"partenariat n° {number}", record)
            return
        yield from streamed

    def _stream(self) -> Iterator[tuple[str, dict]] | None:
        """Read our own layout line by line; return None if the file is laid out otherwise."""
        lines = self.source.lines()
        head = [next(lines, "") for _ in range(5)]
        if head[0].strip() != "{" or not head[4].strip().startswith('"organisations"'):
            return None
        try:
            header = loads_bounded(
                "{" + "".join(h.strip() for h in head[1:4]).rstrip(",") + "}", self.name, 2
            )
        except json.JSONDecodeError:
            return None
        if not isinstance(header, dict):  # never (text between braces is an object): for mypy
            return None
        self._check_header(header)

        def generate() -> Iterator[tuple[str, dict]]:
            section, number = "organisations", 5
            for line in lines:
                number += 1
                text = line.strip().rstrip(",")
                if text in ("]", "", "}"):
                    continue
                if text.startswith('"partnerships"'):
                    section = "partnerships"
                    continue
                try:
                    record = loads_bounded(text, self.name, number)
                except json.JSONDecodeError as exc:
                    yield (
                        f"ligne {number}",
                        {
                            "_problem": Problem(
                                "json", text[:120], f"JSON invalide ({exc.msg})", f"invalid JSON ({exc.msg})"
                            )
                        },
                    )
                    continue
                if section == "organisations":
                    if isinstance(record, dict) and record.get("ref"):
                        self.organisations[record["ref"]] = record
                else:
                    yield self._inline(f"ligne {number}", record)

        return generate()

    def _inline(self, where: str, record: object) -> tuple[str, dict]:
        """Put each referenced organisation's record in place of its reference."""
        if not isinstance(record, dict):
            return where, {
                "_problem": Problem("partenariat", str(record)[:120], "objet attendu", "object expected")
            }
        record = dict(record)

        def organisation(ref: object) -> object:
            found = self.organisations.get(ref, ref) if isinstance(ref, str) else ref
            return overseas_as_france(found, None)[0] if isinstance(found, dict) else found

        def participant(item: dict) -> dict:
            # An older export may hold a town of France overseas as a foreign authority (RE, PF…).
            found = item.get("organisation")
            found = self.organisations.get(found, found) if isinstance(found, str) else found
            if not isinstance(found, dict):
                return {**item, "organisation": found}
            moved, role = overseas_as_france(found, item.get("role"))
            return {**item, "organisation": moved, "role": role}

        record["participants"] = [
            participant(p) if isinstance(p, dict) else p for p in record.get("participants") or []
        ]
        record["funding"] = [
            {**f, "funder": organisation(f.get("funder"))} if isinstance(f, dict) else f
            for f in record.get("funding") or []
        ]
        for key in ("contacts",):
            if key in record:
                record[key] = [
                    {**c, "organisation": organisation(c.get("organisation"))} if isinstance(c, dict) else c
                    for c in record[key] or []
                ]
        return f"{where} ({record.get('ref') or 'sans référence'})", record
