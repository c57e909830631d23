"""GeoJSON export: a point per located organisation and a line from each French authority to
each foreign partner of a partnership, with properties to filter on."""

import json
from typing import TextIO

from django.db.models import QuerySet

from coopatlas.atlas.choices import ParticipationRole
from coopatlas.atlas.models import Partnership
from coopatlas.exports.records import iter_partnerships, organisation_ref, partnership_ref


def write_geojson(partnerships: QuerySet[Partnership], out: TextIO) -> int:
    """Write a FeatureCollection; return the number of partnerships read."""
    places: dict[int, dict] = {}
    count = 0
    out.write('{"type": "FeatureCollection", "features": [\n')
    first = True

    def emit(feature: dict) -> None:
        nonlocal first
        out.write(("" if first else ",\n") + json.dumps(feature, ensure_ascii=False))
        first = False

    for p in iter_partnerships(partnerships, personal_data=False):
        count += 1
        participations = list(p.participations.all())
        themes = [link.theme.code for link in p.theme_links.all()]
        for x in participations:
            o = x.organisation
            if o.latitude is None:
                continue
            place = places.setdefault(
                o.pk,
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [o.longitude, o.latitude]},
                    "properties": {
                        "feature": "place",
                        "organisation": organisation_ref(o),
                        "name": o.name,
                        "kind": o.kind,
                        "country": o.country_id,
                        "insee_code": o.insee_code or None,
                        "partnerships": 0,
                    },
                },
            )
            place["properties"]["partnerships"] += 1
        french = [x.organisation for x in participations if x.role == ParticipationRole.FRENCH_AUTHORITY]
        foreign = [x.organisation for x in participations if x.role == ParticipationRole.FOREIGN_AUTHORITY]
        for a in french:
            for b in foreign:
                if a.latitude is None or b.latitude is None:
                    continue
                emit(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[a.longitude, a.latitude], [b.longitude, b.latitude]],
                        },
                        "properties": {
                            "feature": "pair",
                            "partnership": partnership_ref(p),
                            "title": p.title,
                            "form": p.form,
                            "status": p.status,
                            "start_year": p.first_year,
                            "french": a.name,
                            "foreign": b.name,
                            "country": b.country_id,
                            "themes": themes,
                        },
                    }
                )
    for place in places.values():
        emit(place)
    out.write("\n]}\n")
    return count
