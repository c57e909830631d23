"""Export to our JSON schema: re-importable with `coopatlas import --source json` (exact round
trip). The file is written as a stream: memory stays flat on the whole atlas."""

import json
from typing import TextIO

from django.db.models import QuerySet

from coopatlas.atlas.models import Partnership
from coopatlas.exports.records import (
    SCHEMA,
    VERSION,
    iter_partnerships,
    organisation_record,
    organisations_of,
    partnership_record,
)


def _dump(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None, separators=(", ", ": "))


def write_json(partnerships: QuerySet[Partnership], out: TextIO, *, personal_data: bool = False) -> int:
    """Write the partnerships and the organisations they name; return the number of partnerships."""
    out.write("{\n")
    out.write(f'"schema": "{SCHEMA}",\n"version": {VERSION},\n')
    out.write(f'"personal_data": {"true" if personal_data else "false"},\n')
    out.write('"organisations": [\n')
    organisations = sorted(
        (organisation_record(o) for o in organisations_of(partnerships).iterator(chunk_size=2000)),
        key=lambda record: record["ref"],
    )
    out.write(",\n".join(_dump(record) for record in organisations))
    out.write('\n],\n"partnerships": [\n')
    count = 0
    for partnership in iter_partnerships(partnerships, personal_data):
        if count:
            out.write(",\n")
        out.write(_dump(partnership_record(partnership, personal_data=personal_data)))
        count += 1
    out.write("\n]\n}\n")
    return count
