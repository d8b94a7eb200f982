"""The daily series of Russian missile and drone attacks (Ukrainian Air Force reports).

One row per attack wave and weapon model, with no coordinates: a row names the places hit
or targeted (oblasts, towns, macro-regions such as `south`), and its report is placed at
their centroid with a radius that covers them. The wave occurred at `time_start` and was
reported at `time_end` (Kyiv time; a date alone is the whole day).

The series has no ids: a row's id is made from its times, model, target and launch place
(a digest, so re-importing a file, or a later edition of the series, finds the same ids),
numbered when one file holds several rows alike.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..domain.geo import haversine_km
from ..domain.reports import EventType
from ..oblasts import Area, areas, normalise
from .mapping import Common, count, local_time
from .rows import Progress, Record, Row, RowError, csv_rows, mapped

ALL = "all"


class Point(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: int = Field(ge=0)


Circle = tuple[float, float, float]
"""lat, lon, radius in metres."""


class AirAttacksMapping(Common):
    perpetrator: str | None = "RU"
    models: dict[str, list[str]]
    class_order: list[str]
    event_types: dict[str, EventType]
    place_columns: list[str]
    default_place: str = "Ukraine"
    regions: dict[str, list[str]] = Field(default_factory=dict)
    places: dict[str, str | Point] = Field(default_factory=dict)

    @cached_property
    def _classes(self) -> dict[str, str]:
        return {normalise(m): cls for cls, names in self.models.items() for m in names}

    def event_type(self, model: str) -> EventType:
        classes = set()
        for part in _split(model):
            cls = self._classes.get(normalise(part))
            if cls is None:
                raise RowError("model", f"{part!r} is in none of the mapping's models")
            classes.add(cls)
        if not classes:
            raise RowError("model", "is missing")
        chosen = next((c for c in self.class_order if c in classes), None)
        if chosen is None or chosen not in self.event_types:
            raise RowError("model", f"class {sorted(classes)} has no event type in the mapping")
        return self.event_types[chosen]

    @cached_property
    def _regions(self) -> dict[str, list[Area]]:
        known = areas()
        out = {}
        for region, names in self.regions.items():
            if ALL in names:
                out[normalise(region)] = list(known.areas)
            else:
                out[normalise(region)] = [known.named(n) for n in names]
        return out

    @cached_property
    def _places(self) -> dict[str, Area | Point]:
        known = areas()
        return {
            normalise(name): known.named(place) if isinstance(place, str) else place
            for name, place in self.places.items()
        }

    def locate(self, text: str) -> Circle:
        """Where a row's places are: a point and the radius that covers them."""
        names = _place_names(text) or _place_names(self.default_place)
        found: list[Area | Point] = []
        for name in names:
            hit = self._lookup(name)
            if hit is None:
                pieces = [self._lookup(p) for p in name.split(",")]
                hit = [place for piece in pieces if piece for place in piece] or None
            if hit is None:
                raise RowError("place", f"{name!r} is no area, region or place the mapping knows")
            found.extend(hit)
        if not found:
            raise RowError("place", f"{text!r} names no place")
        return _cover(found)

    def _lookup(self, name: str) -> list[Area | Point] | None:
        key = normalise(re.sub(r"\(.*?\)", "", name))
        if not key:
            return None
        if key in self._regions:
            return list(self._regions[key])
        if key in self._places:
            return [self._places[key]]
        known = areas()
        area = known.find(key) or known.find(re.sub(r"\s+raion$", "", key))
        return None if area is None else [area]


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s+and\s+", text.strip()) if p.strip()]


def _place_names(text: str) -> list[str]:
    """`['A', 'B']` (a Python list, as the series writes `affected region`) or `A and B`."""
    text = text.strip()
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise RowError("affected region", f"{text!r} is not a list of places") from None
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
    return _split(text)


def _cover(found: list[Area | Point]) -> Circle:
    area_list = [f for f in found if isinstance(f, Area)]
    circles = [(p.lat, p.lon, float(p.radius_m)) for p in found if isinstance(p, Point)]
    if area_list:
        circles.append(areas().covering(area_list))
    if len(circles) == 1:
        return circles[0]
    lat = sum(c[0] for c in circles) / len(circles)
    lon = sum(c[1] for c in circles) / len(circles)
    radius = max(haversine_km(lat, lon, c[0], c[1]) * 1000 + c[2] for c in circles)
    return lat, lon, radius


MAPPING = AirAttacksMapping
"""The model of this format's mapping (see `formats.py`)."""


def read(
    path: str, mapping: AirAttacksMapping, on_progress: Progress | None = None
) -> Iterator[Record]:
    seen: Counter[str] = Counter()

    def ident(row: Row) -> str:
        start = row.need("time_start")
        key = "|".join(
            " ".join(row.get(c).split())
            for c in ("time_start", "time_end", "model", "target", "launch_place")
        )
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        seen[digest] += 1
        number = seen[digest]
        return f"{start[:10]}-{digest}" + (f"-{number}" if number > 1 else "")

    return mapped(csv_rows(path, on_progress), ident, _maker(mapping))


def _maker(mapping: AirAttacksMapping) -> Any:
    tz = mapping.zone
    source = mapping.source_fields()

    def make(row: Row, rid: str) -> dict[str, Any]:
        event_type = mapping.event_type(row.need("model"))
        place = next((row.get(c) for c in mapping.place_columns if row.get(c)), "")
        try:
            lat, lon, radius = mapping.locate(place)
        except RowError as exc:
            column = next((c for c in mapping.place_columns if row.get(c)), "target")
            raise RowError(column, exc.message) from None
        record: dict[str, Any] = {
            "id": rid,
            **source,
            "occurred_at": local_time(row.need("time_start"), tz, "time_start"),
            "reported_at": local_time(row.need("time_end"), tz, "time_end", end=True),
            "lat": round(lat, 5),
            "lon": round(lon, 5),
            "location_precision_m": round(radius),
            "event_type": event_type.value,
            "text": _text(row),
        }
        if mapping.perpetrator:
            record["perpetrator"] = mapping.perpetrator
        return record

    return make


def _text(row: Row) -> str:
    launched = count(row.get("launched"), "launched")
    destroyed = count(row.get("destroyed"), "destroyed")
    given = ((launched, "launched"), (destroyed, "destroyed"))
    numbers = ", ".join(f"{n} {what}" for n, what in given if n is not None)
    parts = [f"{row.get('model')}: {numbers}" if numbers else row.get("model")]
    for column, label in (
        ("target", "target"),
        ("affected region", "affected"),
        ("launch_place", "launched from"),
        ("carrier", "carrier"),
    ):
        if value := row.get(column):
            parts.append(f"{label} {value}")
    parts.append(f"{row.get('time_start')} .. {row.get('time_end')} Kyiv time")
    if source := row.get("source"):
        parts.append(f"source {source}")
    return "; ".join(parts)
