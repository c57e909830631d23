"""Our own JSON export read back (exact round trip): organisations first, then partnerships
naming them by reference.

A file in the layout `coopatlas export --format json` writes (one record per line) is read as a
stream; any other valid JSON of the same schema is read whole, up to MAX_WHOLE bytes.
"""

import json
from collections.abc import Iterator
from pathlib import Path

from coopatlas.ingest.errors import FileRejected, Problem
from coopatlas.ingest.files import TextSource, open_text

MAX_WHOLE = 200 * 1024 * 1024
SCHEMA = "coopatlas"
SUPPORTED_VERSIONS = {1}


class JsonReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.source: TextSource = open_text(path, "utf-8-sig")
        self.notes = ["format : JSON coopatlas"]
        self.organisations: dict[str, dict] = {}

    def _reject_schema(self, found: object) -> None:
        raise FileRejected(
            f"{self.path.name} n'est pas un export JSON coopatlas (schéma « {found} »).",
            f"{self.path.name} is not a coopatlas JSON export (schema '{found}').",
        )

    def _check_header(self, data: dict) -> None:
        if data.get("schema") != SCHEMA:
            self._reject_schema(data.get("schema"))
        if data.get("version") not in SUPPORTED_VERSIONS:
            raise FileRejected(
                f"{self.path.name} : version de schéma {data.get('version')} non prise en charge.",
                f"{self.path.name}: schema version {data.get('version')} not supported.",
            )

    def _parse_whole(self) -> dict:
        if self.path.stat().st_size > MAX_WHOLE:
            raise FileRejected(
                f"{self.path.name} : JSON trop gros pour être lu d'un bloc ; exportez-le avec coopatlas.",
                f"{self.path.name}: JSON too large to read whole; export it with coopatlas.",
            )
        self.source.stream.seek(0)
        try:
            data = json.load(self.source.stream)
        except json.JSONDecodeError as exc:
            raise FileRejected(
                f"{self.path.name}, ligne {exc.lineno}, colonne {exc.colno} : JSON invalide ({exc.msg}).",
                f"{self.path.name}, line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg}).",
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
            header = json.loads("{" + "".join(h.strip() for h in head[1:4]).rstrip(",") + "}")
        except json.JSONDecodeError:
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
                    record = json.loads(text)
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
            return self.organisations.get(ref, ref) if isinstance(ref, str) else ref

        record["participants"] = [
            {**p, "organisation": organisation(p.get("organisation"))} if isinstance(p, dict) else p
            for p in record.get("participants") or []
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
