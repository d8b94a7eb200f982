"""The map's offline base layers, as GeoJSON served by the app itself.

- `oblasts`: Ukraine's admin-1 boundaries shipped in `geodata/` (geoBoundaries, CC BY 4.0),
  simplified further for the screen (about 1 km) when first asked for;
- `neighbours`: the countries around Ukraine (Natural Earth 1:50m via the `world-atlas`
  npm package, public domain; made by `scripts/vendor_web.py`, Ukraine cut out);
- `contact`: an approximate line of contact drawn by hand for ceasewatch from general
  knowledge (a few dozen points): for orientation only, not a source of truth;
- `places`: the gazetteer the map labels places from, zoomed in: Natural Earth 1:10m
  populated places in the same region (public domain; made by `scripts/vendor_places.py`),
  each with its name, population and the zoom from which Natural Earth labels it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from ..oblasts import BOUNDARIES

LAYERS = {"oblasts", "neighbours", "contact", "places"}
FILES = {
    "neighbours": "neighbours.geojson",
    "contact": "line-of-contact.geojson",
    "places": "places.geojson",
}
TOLERANCE_DEG = 0.01


def _read(name: str) -> dict[str, Any]:
    text = (resources.files("ceasewatch") / "geodata" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def layer(name: str) -> bytes:
    """The layer's GeoJSON, compact."""
    if name == "oblasts":
        features = []
        for feature in _read(BOUNDARIES)["features"]:
            geometry = shape(feature["geometry"]).simplify(TOLERANCE_DEG, preserve_topology=True)
            geometry = shapely.set_precision(geometry, 0.0001)
            props = feature["properties"]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": props["shapeName"], "iso": props["shapeISO"]},
                    "geometry": mapping(geometry),
                }
            )
        data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    else:
        data = _read(FILES[name])
    return json.dumps(data, separators=(",", ":")).encode()
