"""Beijing's districts as shapes (the vendored GeoJSON, static/vendor/geo/beijing-districts.json): which
district a map pin (地图定位) lies in. The same file draws the report maps in the browser and in the PDF.

Point-in-polygon is matplotlib's (`Path.contains_point`), already a dependency of the report charts,
imported only when a pin is first placed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings

BEIJING_GEOJSON = Path(settings.BASE_DIR) / "static" / "vendor" / "geo" / "beijing-districts.json"


@dataclass(frozen=True)
class DistrictShape:
    code: str  # the statistics code, which is the district unit's code (110105 朝阳区)
    name: str
    bounds: tuple[float, float, float, float]  # west, south, east, north
    rings: tuple  # matplotlib Paths, one per outer ring (the file has no holes)


@lru_cache(maxsize=1)
def geojson() -> dict:
    return json.loads(BEIJING_GEOJSON.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def district_shapes() -> tuple[DistrictShape, ...]:
    from matplotlib.path import Path as Polygon

    shapes = []
    for feature in geojson()["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [polygon[0] for polygon in polygons]
        xs = [x for ring in rings for x, _y in ring]
        ys = [y for ring in rings for _x, y in ring]
        shapes.append(
            DistrictShape(
                code=str(feature["properties"]["code"]),
                name=feature["properties"]["name"],
                bounds=(min(xs), min(ys), max(xs), max(ys)),
                rings=tuple(Polygon(ring) for ring in rings),
            )
        )
    return tuple(shapes)


def district_at(lat: Decimal | float, long: Decimal | float) -> DistrictShape | None:
    """The district a point (WGS-84 degrees as the map gives them) lies in, or None outside Beijing."""
    x, y = float(long), float(lat)
    for shape in district_shapes():
        west, south, east, north = shape.bounds
        if west <= x <= east and south <= y <= north and any(ring.contains_point((x, y)) for ring in shape.rings):
            return shape
    return None


def beijing_bounds() -> tuple[float, float, float, float]:
    """West, south, east, north of the whole city."""
    shapes = district_shapes()
    return (
        min(s.bounds[0] for s in shapes),
        min(s.bounds[1] for s in shapes),
        max(s.bounds[2] for s in shapes),
        max(s.bounds[3] for s in shapes),
    )
