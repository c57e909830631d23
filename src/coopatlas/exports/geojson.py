"""GeoJSON export: a point per located organisation and a line from each French authority to
each foreign partner of a partnership, with properties to filter on."""

import json
from collections.abc import Iterator
from typing import TextIO

from django.db.models import QuerySet

from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Partnership
from coopatlas.exports.records import organisation_ref, partnership_ref
from coopatlas.exports.rows import Tally, iter_rows

RELATIONS = ("participations", "themes")


def iter_geojson(partnerships: QuerySet[Partnership], *, tally: Tally | None = None) -> Iterator[str]:
    """Yield a FeatureCollection in pieces: the pairs as they are read, then the places."""
    places: dict[int, dict] = {}
    yield '{"type": "FeatureCollection", "features": [\n'
    first = True

    def emit(feature: dict) -> str:
        nonlocal first
        text = ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
        return text

    for p in iter_rows(partnerships, RELATIONS, tally):
        participations = p["participations"]
        themes = [link["code"] for link in p["themes"]]
        for x in participations:
            o = x["organisation"]
            if o["latitude"] is None:
                continue
            place = places.get(o["pk"])
            if place is None:
                place = places[o["pk"]] = {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [o["longitude"], o["latitude"]]},
                    "properties": {
                        "feature": "place",
                        "organisation": organisation_ref(o),
                        "name": o["name"],
                        "kind": o["kind"],
                        "country": o["country_id"],
                        "insee_code": o["insee_code"] or None,
                        "partnerships": 0,
                    },
                }
            place["properties"]["partnerships"] += 1
        french = [
            x["organisation"] for x in participations if x["role"] == ParticipationRole.FRENCH_AUTHORITY
        ]
        foreign = [
            x["organisation"] for x in participations if x["role"] == ParticipationRole.FOREIGN_AUTHORITY
        ]
        for a in french:
            for b in foreign:
                if a["latitude"] is None or b["latitude"] is None:
                    continue
                yield emit(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[a["longitude"], a["latitude"]], [b["longitude"], b["latitude"]]],
                        },
                        "properties": {
                            "feature": "pair",
                            "partnership": partnership_ref(p),
                            "title": p["title"],
                            "form": p["form"],
                            "status": p["status"],
                            "start_year": p["start_year"] or p["signature_year"],
                            "french": a["name"],
                            "foreign": b["name"],
                            "country": b["country_id"],
                            "themes": themes,
                        },
                    }
                )
    for place in places.values():
        yield emit(place)
    yield "\n]}\n"


def write_geojson(partnerships: QuerySet[Partnership], out: TextIO) -> int:
    """Write a FeatureCollection; return the number of partnerships read."""
    tally = Tally()
    for piece in iter_geojson(partnerships, tally=tally):
        out.write(piece)
    return tally.rows
