"""Places along a front line, and errors in kilometres turned into degrees."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, pairwise
from math import cos, radians

from ..domain.geo import EARTH_RADIUS_KM, haversine_km

KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * radians(1)


def shift(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    """The point that many kilometres north and east of (lat, lon), kept on the globe."""
    north_km, east_km = float(north_km), float(east_km)  # plain floats: numpy's are slow
    new_lat = min(90.0, max(-90.0, lat + north_km / KM_PER_DEGREE_LAT))
    km_per_degree_lon = max(1e-6, KM_PER_DEGREE_LAT * cos(radians(lat)))
    new_lon = (lon + east_km / km_per_degree_lon + 180.0) % 360.0 - 180.0
    return new_lat, new_lon


class Front:
    """A polyline of [lat, lon] points, measured in kilometres along its length."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        self.points = points
        legs = [haversine_km(*a, *b) for a, b in pairwise(points)]
        self._starts = [0.0, *accumulate(legs)]
        self.length_km = self._starts[-1]

    def point(self, fraction: float, offset_km: float) -> tuple[float, float]:
        """The point `fraction` of the way along, `offset_km` to the left of the line."""
        along = min(max(fraction, 0.0), 1.0) * self.length_km
        leg = min(bisect_right(self._starts, along) - 1, len(self.points) - 2)
        (lat1, lon1), (lat2, lon2) = self.points[leg], self.points[leg + 1]
        span = self._starts[leg + 1] - self._starts[leg]
        share = (along - self._starts[leg]) / span if span > 0 else 0.0
        lat, lon = lat1 + share * (lat2 - lat1), lon1 + share * (lon2 - lon1)
        north_km = (lat2 - lat1) * KM_PER_DEGREE_LAT
        east_km = (lon2 - lon1) * KM_PER_DEGREE_LAT * cos(radians(lat))
        norm = (north_km**2 + east_km**2) ** 0.5 or 1.0
        return shift(lat, lon, east_km / norm * offset_km, -north_km / norm * offset_km)
