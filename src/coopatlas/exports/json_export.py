"""Export to our JSON schema: re-importable with `coopatlas import --source json` (exact round
trip). The file is written as a stream: memory stays flat on the whole atlas."""

import json
from collections.abc import Iterator
from typing import TextIO

from django.db.models import QuerySet

from coopatlas.atlas.models import Partnership
from coopatlas.exports.records import (
    SCHEMA,
    VERSION,
    organisation_record,
    organisation_rows,
    partnership_record,
    record_relations,
)
from coopatlas.exports.rows import Tally, iter_rows


def _dump(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None, separators=(", ", ": "))


def iter_json(
    partnerships: QuerySet[Partnership], *, personal_data: bool = False, tally: Tally | None = None
) -> Iterator[str]:
    """Yield the document in pieces: the organisations the partnerships name, then the partnerships."""
    yield "{\n"
    yield f'"schema": "{SCHEMA}",\n"version": {VERSION},\n'
    yield f'"personal_data": {"true" if personal_data else "false"},\n'
    yield '"organisations": [\n'
    # Sorted by reference, which the database cannot sort the same way: one short dict each.
    organisations = sorted(
        (organisation_record(o) for o in organisation_rows(partnerships)), key=lambda record: record["ref"]
    )
    yield ",\n".join(_dump(record) for record in organisations)
    del organisations
    yield '\n],\n"partnerships": [\n'
    first = True
    for row in iter_rows(partnerships, record_relations(personal_data), tally):
        yield ("" if first else ",\n") + _dump(partnership_record(row, personal_data=personal_data))
        first = False
    yield "\n]\n}\n"


def write_json(partnerships: QuerySet[Partnership], out: TextIO, *, personal_data: bool = False) -> int:
    """Write the partnerships and the organisations they name; return the number of partnerships."""
    tally = Tally()
    for piece in iter_json(partnerships, personal_data=personal_data, tally=tally):
        out.write(piece)
    return tally.rows
