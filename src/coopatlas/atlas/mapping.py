"""Places on the map: the located organisations of the published atlas, grouped per zoom into the
cells of a grid (counted in the database), and what one place's popup lists.

Every filter is a join or a subquery: no query binds a list of organisation ids, so a map of
100,000 partnerships costs one grouped scan, not a parameter per place."""

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, F, FloatField, Func, Max, Min, OuterRef, Q, QuerySet

from coopatlas.atlas.choices import PublicationState
from coopatlas.atlas.models import FRANCE, Organisation, Participation, Partnership

MAX_ZOOM = 18  # the map's deepest zoom (Leaflet's maxZoom)
CELL_PIXELS = 64  # a cluster gathers the places of a cell about this wide on screen
POINTS_ZOOM = 12  # from this zoom on, every place is its own point
MAX_CELLS = 4096  # cells a view may span: a 4K screen shows about 2,000
MAX_POINTS = 2000  # points sent at most for one view at POINTS_ZOOM and beyond
POPUP_PARTNERSHIPS = 5  # partnerships listed in a place's popup; the organisation page has the rest
DECIMALS = 5  # about a metre: enough for a marker, and a smaller answer


@dataclass(frozen=True)
class BBox:
    """A view's bounds in degrees; `west > east` when the view crosses the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    def q(self) -> Q:
        """Return the filter keeping the organisations inside the box."""
        inside = Q(latitude__gte=self.south, latitude__lte=self.north)
        if self.west <= self.east:
            return inside & Q(longitude__gte=self.west, longitude__lte=self.east)
        return inside & (Q(longitude__gte=self.west) | Q(longitude__lte=self.east))


WORLD = BBox(-180.0, -90.0, 180.0, 90.0)
CELL_KEY = 2**21  # a cell's key is column × CELL_KEY + row: below zoom 12, 8,192 cells a side at most


class _Floor(Func):
    """The floor of a value that is never negative; on SQLite a CAST, which truncates, and costs
    half as much as its FLOOR over every place of a view."""

    function = "FLOOR"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS INTEGER)", **extra_context)


def cell_degrees(zoom: int) -> float:
    """Return the side of a grid cell at `zoom`, in degrees (Web Mercator: 256 px span 360° at zoom 0)."""
    return 360.0 * CELL_PIXELS / (256 * 2**zoom)


def cells_spanned(bbox: BBox, zoom: int) -> int:
    """Return how many cells of the zoom's grid the box touches."""
    step = cell_degrees(zoom)

    def span(low: float, high: float, origin: float) -> int:
        return math.floor((high + origin) / step) - math.floor((low + origin) / step) + 1

    if bbox.west <= bbox.east:
        columns = span(bbox.west, bbox.east, 180)
    else:
        columns = span(bbox.west, 180, 180) + span(-180, bbox.east, 180)
    return columns * span(bbox.south, bbox.north, 90)


def _takes_part(leave_out: QuerySet | None = None) -> Exists:
    """Return whether the outer organisation takes part in a published partnership (looked up
    from the organisation: an index probe per place, where an IN list of every published
    participant would scan every partnership first), other than those of `leave_out` (ids)."""
    taking_part = Participation.objects.filter(
        organisation=OuterRef("pk"),
        partnership__publication_state=PublicationState.PUBLISHED,
    )
    if leave_out is not None:
        taking_part = taking_part.exclude(partnership_id__in=leave_out)
    return Exists(taking_part)


def _participants(**conditions) -> QuerySet[Participation, Any]:
    """Return the organisation ids of the published partnerships meeting `conditions`, as a
    subquery: a filter's few partnerships are found first, then their participants."""
    return Participation.objects.filter(
        partnership__publication_state=PublicationState.PUBLISHED, **conditions
    ).values("organisation_id")


def map_places(
    *, country: str = "", centre: Organisation | None = None, leave_out: QuerySet | None = None
) -> QuerySet[Organisation]:
    """Return the located organisations taking part in published partnerships; with `country`,
    that country's and the French ones working with it; with `centre`, it and its partners.

    `leave_out`: partnerships (ids) whose participants are not shown for them alone — the
    world map leaves out the domestic ones (between French authorities only)."""
    places = Organisation.objects.filter(_takes_part(leave_out), latitude__isnull=False)
    if country:
        # Two subqueries rather than one OR over two joins: each is planned on its own index.
        with_country = _participants(partnership__participations__organisation__country=country)
        naming_country = _participants(partnership__extra_countries=country)
        places = places.filter(
            Q(country_id=country)
            | (Q(country_id=FRANCE) & (Q(pk__in=with_country) | Q(pk__in=naming_country)))
        )
    if centre is not None:
        # Its partnerships' participants include it: the subquery alone drives the query.
        places = places.filter(pk__in=_participants(partnership__participations__organisation=centre))
    return places


def map_centre(pk: int, visible: QuerySet[Organisation]) -> Organisation | None:
    """Return the organisation a map is centred on if `visible` (the reader's organisations)
    holds it: one taking part in a published partnership is public, checked by one probe
    before the whole visibility rule."""
    return Organisation.objects.filter(_takes_part(), pk=pk).first() or visible.filter(pk=pk).first()


def _round(value: float) -> float:
    return round(value, DECIMALS)


def _point(*, pk: int, name: str, country: str, longitude: float, latitude: float) -> dict:
    # French: an authority, or an actor at its seat (a university, an NGO…) — drawn as France's.
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [_round(longitude), _round(latitude)]},
        "properties": {"id": pk, "name": name, "french": country == FRANCE, "count": 1},
    }


def map_features(places: QuerySet[Organisation], *, zoom: int, bbox: BBox) -> tuple[list[dict], bool]:
    """Return the view's GeoJSON features (a cluster per cell holding several places, a point per
    cell holding one, every place a point from POINTS_ZOOM on) and whether points were left out."""
    inside = places.filter(bbox.q()).order_by()
    if zoom >= POINTS_ZOOM:
        rows = list(
            inside.order_by("pk").values_list("pk", "name", "country_id", "longitude", "latitude")[
                : MAX_POINTS + 1
            ]
        )
        features = [
            _point(pk=pk, name=name, country=country, longitude=lon, latitude=lat)
            for pk, name, country, lon, lat in rows[:MAX_POINTS]
            if lon is not None and lat is not None  # `places` are located: never skips
        ]
        return features, len(rows) > MAX_POINTS
    step = cell_degrees(zoom)
    cells = (
        inside.annotate(
            # One key per cell: one column to group on, half the cost of two.
            cell=_Floor((F("longitude") + 180.0) / step) * CELL_KEY + _Floor((F("latitude") + 90.0) / step)
        )
        .values("cell")
        # For a cell of one place, MIN of each column is that place's value: one query for both.
        .annotate(
            n=Count("pk"),
            lon=Avg("longitude"),
            lat=Avg("latitude"),
            west=Min("longitude"),
            south=Min("latitude"),
            east=Max("longitude"),
            north=Max("latitude"),
            one_pk=Min("pk"),
            one_name=Min("name"),
            one_country=Min("country_id"),
        )
        .order_by("cell")
    )
    features = []
    for cell in cells:
        if cell["n"] == 1:
            features.append(
                _point(
                    pk=cell["one_pk"],
                    name=cell["one_name"],
                    country=cell["one_country"],
                    longitude=cell["west"],
                    latitude=cell["south"],
                )
            )
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [_round(cell["lon"]), _round(cell["lat"])]},
                "properties": {
                    "cluster": True,
                    "count": cell["n"],
                    "bbox": [_round(cell[k]) for k in ("west", "south", "east", "north")],
                },
            }
        )
    return features, False


def features_extent(features: list[dict]) -> list[float] | None:
    """Return [west, south, east, north] around the features of a whole-world view (each
    cluster's box, each point), or None when there is none: no second pass over the places."""
    boxes = [f["properties"].get("bbox") or f["geometry"]["coordinates"] * 2 for f in features]
    if not boxes:
        return None
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def map_extent(places: QuerySet[Organisation]) -> list[float] | None:
    """Return [west, south, east, north] around the places, or None when there is none."""
    extent = places.order_by().aggregate(
        west=Min("longitude"), south=Min("latitude"), east=Max("longitude"), north=Max("latitude")
    )
    if extent["west"] is None:
        return None
    return [_round(extent[k]) for k in ("west", "south", "east", "north")]


@dataclass(frozen=True)
class PlacePopup:
    organisation: Organisation
    partnership_count: int
    latest: list[tuple[int, str]]  # (id, title) of its latest published partnerships


def place_popup(pk: int) -> PlacePopup | None:
    """Return what a place's popup shows, or None when the organisation is not on the map."""
    organisation = map_places().select_related("country").filter(pk=pk).first()
    if organisation is None:
        return None
    partnerships = Partnership.objects.published().filter(
        pk__in=Participation.objects.filter(organisation=organisation).values("partnership_id")
    )
    latest = list(
        partnerships.order_by(F("start_year").desc(nulls_last=True), "title").values_list("pk", "title")[
            :POPUP_PARTNERSHIPS
        ]
    )
    return PlacePopup(organisation, partnerships.count(), latest)
