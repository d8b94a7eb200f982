"""Ukraine's admin-1 areas (oblasts, Kyiv, Sevastopol, Crimea): names, codes, boundaries.

The boundaries ship in `geodata/` (geoBoundaries, CC BY: see NOTICE). Two questions are
answered here, for importers, exports and the daily report:

- **which area is this point in** (`Areas.locate`): point in polygon, through an STRtree;
  a point whose uncertainty (its precision radius) is wider than the circle that covers
  the area it falls in is placed in no single area (`None`: "several oblasts"), so a
  country-wide air-attack wave placed at Ukraine's centroid is not counted in Cherkasy;
- **where is this named area** (`Areas.named`, `Areas.covering`): its centroid (or a
  point inside, for an area whose centroid falls outside it) and the radius from there
  that covers it, in metres.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import shapely
import yaml
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .domain.geo import EARTH_RADIUS_KM

BOUNDARIES = "geoBoundaries-UKR-ADM1_simplified.geojson"
SLACK_M = 1000.0
"""A precision radius this much over an area's covering radius still places a point in it."""

_SUFFIXES = ("", " oblast", " region", " province", " oblast region")
_CITY_SUFFIXES = ("", " city")


@dataclass(frozen=True, eq=False)
class Area:
    iso: str
    """ISO 3166-2 code, e.g. UA-63."""
    name: str
    """The name ceasewatch shows, e.g. Kharkiv Oblast."""
    aliases: tuple[str, ...]
    geometry: BaseGeometry
    lat: float
    lon: float
    """The centroid, or a point inside the area where the centroid falls outside it."""
    radius_m: float
    """From (lat, lon), the distance that covers the whole area."""
    _coords: NDArray[np.float64]

    def reach_m(self, lat: float, lon: float) -> float:
        """The radius around (lat, lon) that covers the whole area."""
        return float(_distances_m(lat, lon, self._coords).max())

    def __repr__(self) -> str:
        return f"Area({self.iso} {self.name})"


def normalise(name: str) -> str:
    """Case, accents, apostrophes and hyphens do not tell names apart."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['`\u2019\u02bc]", "", text.lower())
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class UnknownArea(LookupError):
    """A name that is no admin-1 area of Ukraine under any known spelling."""


class Areas:
    """The admin-1 areas, indexed by name and by space."""

    def __init__(self, areas: Sequence[Area]) -> None:
        self.areas = list(areas)
        self.by_iso = {a.iso: a for a in self.areas}
        self._names: dict[str, Area] = {}
        for area in self.areas:
            suffixes = _CITY_SUFFIXES if area.iso in ("UA-30", "UA-40") else _SUFFIXES
            self._names[normalise(area.name)] = area
            self._names[normalise(area.iso)] = area
            for alias in area.aliases:
                for suffix in suffixes:
                    self._names.setdefault(normalise(alias + suffix), area)
        self._tree = shapely.STRtree([a.geometry for a in self.areas])
        west, south, east, north = shapely.total_bounds([a.geometry for a in self.areas])
        self.bounds = (float(west), float(south), float(east), float(north))
        self._covering: dict[frozenset[str], tuple[float, float, float]] = {}

    def named(self, name: str) -> Area:
        """The area a name means, in any known spelling ("Kharkov", "Zaporizhia Oblast")."""
        area = self._names.get(normalise(name))
        if area is None:
            raise UnknownArea(name)
        return area

    def find(self, name: str) -> Area | None:
        return self._names.get(normalise(name))

    def locate(self, lat: float, lon: float, precision_m: float | None = None) -> Area | None:
        return self.locate_many([lat], [lon], [precision_m])[0]

    def locate_many(
        self,
        lats: Sequence[float],
        lons: Sequence[float],
        precisions_m: Sequence[float | None] | None = None,
    ) -> list[Area | None]:
        """The area of each point; None outside them all, or where the point's precision
        radius is wider than covering its area from it would need."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        found: list[Area | None] = [None] * len(lats)
        hits = self._tree.query(points, predicate="intersects")
        for point_index, area_index in zip(hits[0], hits[1], strict=True):
            if found[point_index] is None:
                found[point_index] = self.areas[area_index]
        if precisions_m is not None:
            for i, area in enumerate(found):
                radius = precisions_m[i]
                if area is not None and radius is not None and radius > area.radius_m + SLACK_M:
                    found[i] = None
        return found

    def covering(self, areas: Iterable[Area]) -> tuple[float, float, float]:
        """A point for several areas together, and the radius from it that covers them."""
        chosen = list(dict.fromkeys(areas))
        if len(chosen) == 1:
            only = chosen[0]
            return only.lat, only.lon, only.radius_m
        key = frozenset(a.iso for a in chosen)
        if key not in self._covering:
            union = shapely.union_all([a.geometry for a in chosen])
            lat, lon = _inside_point(union)
            coords = np.concatenate([a._coords for a in chosen])
            radius = float(np.ceil(_distances_m(lat, lon, coords).max()))
            self._covering[key] = (lat, lon, radius)
        return self._covering[key]


@cache
def areas() -> Areas:
    """The shipped boundaries and names, read once per process."""
    folder = resources.files("ceasewatch") / "geodata"
    collection = json.loads((folder / BOUNDARIES).read_text(encoding="utf-8"))
    names = yaml.safe_load((folder / "oblasts.yaml").read_text(encoding="utf-8"))
    built = []
    for feature in collection["features"]:
        props = feature["properties"]
        iso = props["shapeISO"]
        entry = names[iso]
        geometry = shape(feature["geometry"])
        shapely.prepare(geometry)
        lat, lon = _inside_point(geometry)
        coords = _exterior_coords(geometry)
        distances = _distances_m(lat, lon, coords)
        built.append(
            Area(
                iso=iso,
                name=entry["name"],
                aliases=(props["shapeName"], *entry.get("aliases", ())),
                geometry=geometry,
                lat=lat,
                lon=lon,
                radius_m=float(np.ceil(distances.max())),
                _coords=coords,
            )
        )
    return Areas(sorted(built, key=lambda a: a.iso))


def _inside_point(geometry: BaseGeometry) -> tuple[float, float]:
    point = geometry.centroid
    if not geometry.covers(point):
        point = geometry.representative_point()
    return point.y, point.x


def _exterior_coords(geometry: BaseGeometry) -> NDArray[np.float64]:
    """(lat, lon) of every vertex of the outer rings: the farthest point lies on one."""
    rings = shapely.get_exterior_ring(shapely.get_parts(geometry))
    xy = shapely.get_coordinates(rings)
    return np.column_stack([xy[:, 1], xy[:, 0]])


def _distances_m(lat: float, lon: float, coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """Haversine distances in metres from (lat, lon) to each (lat, lon) row of `coords`."""
    p1, p2 = np.radians(lat), np.radians(coords[:, 0])
    dp, dl = p2 - p1, np.radians(coords[:, 1] - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distances: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * 1000 * np.arcsin(np.sqrt(a).clip(max=1))
    return distances
