"""A ceasefire: who is bound, from when, where, and what counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .instants import Instant
from .reports import EventType, Target
from .text import Code, Key, Name

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

PartyCode = Code


class Scope(BaseModel):
    """A partial ceasefire: only incidents matching every given list count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    targets: list[Target] | None = None
    event_types: list[EventType] | None = None

    def covers(self, types: Iterable[EventType], targets: Iterable[Target | None]) -> bool:
        types_ok = self.event_types is None or any(t in self.event_types for t in types)
        targets_ok = self.targets is None or any(t in self.targets for t in targets)
        return types_ok and targets_ok


class Ceasefire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    id: Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    name: Name
    parties: Annotated[list[PartyCode], Field(min_length=2)]
    effective_from: Instant
    effective_until: Instant | None = None
    zone: dict[str, Any] | None = None
    """A GeoJSON geometry, Feature or FeatureCollection, already loaded."""
    policy: Key = "three-phase"
    scope: Scope | None = None

    @field_validator("zone", mode="before")
    @classmethod
    def _zone_is_not_a_path(cls, value: Any) -> Any:
        """A file's path is read by `load_ceasefire`, beside the ceasefire file it names;
        given here (as the API would), it is refused, never read."""
        if isinstance(value, str):
            raise ValueError(
                "zone must be GeoJSON; a path to a .geojson file is read only from a "
                "ceasefire file (ceasewatch ceasefire add, replay)"
            )
        return value

    @field_validator("zone")
    @classmethod
    def _zone_is_an_area(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            import shapely

            geometry = _geometry(value)
            if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError("zone must be a GeoJSON Polygon or MultiPolygon")
            if not geometry.is_valid:
                raise ValueError(
                    f"zone is not a valid polygon: {shapely.is_valid_reason(geometry)}"
                )
        return value

    @model_validator(mode="after")
    def _period_and_parties(self) -> Ceasefire:
        if self.effective_until is not None and self.effective_until <= self.effective_from:
            raise ValueError("effective_until must be after effective_from")
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("parties must be distinct")
        return self

    @cached_property
    def _zone_geometry(self) -> BaseGeometry | None:
        if self.zone is None:
            return None
        import shapely

        geometry = _geometry(self.zone)
        shapely.prepare(geometry)
        return geometry

    def in_period(self, at: datetime) -> bool:
        """The period is half-open: from <= t < until."""
        if at < self.effective_from:
            return False
        return self.effective_until is None or at < self.effective_until

    def in_zone(self, lat: float, lon: float) -> bool:
        zone = self._zone_geometry
        if zone is None:
            return True
        import shapely

        return bool(zone.covers(shapely.Point(lon, lat)))


def _geometry(geojson: dict[str, Any]) -> BaseGeometry:
    """The zone's shape. Shapely (and NumPy under it) is imported only for a ceasefire
    that has a zone: a replay over one without starts without them."""
    import shapely
    from shapely.geometry import shape

    kind = geojson.get("type")
    try:
        if kind == "FeatureCollection":
            return shapely.union_all([shape(f["geometry"]) for f in geojson.get("features", [])])
        if kind == "Feature":
            return shape(geojson["geometry"])
        return shape(geojson)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise ValueError(f"zone is not valid GeoJSON: {exc}") from None
