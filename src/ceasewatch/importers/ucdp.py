"""UCDP GED events (CSV): one row per event with at least one death.

An event is dated by a period (date_start .. date_end): it occurred at the start of its
first day, and became known at the end of its last (Kyiv time by default), so a replay
sees it no earlier than UCDP could have.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from ..domain.reports import EventType, Target
from ..oblasts import areas
from .mapping import Common, count, local_time, number
from .rows import Progress, Record, Row, RowError, csv_rows, mapped

Side = Literal["none", "side_a", "side_b"]


class UcdpMapping(Common):
    event_type: EventType = EventType.OTHER
    perpetrator: dict[int, Side]
    actors: dict[str, str] = Field(default_factory=dict)
    one_sided_target: Target | None = None
    where_prec_m: dict[int, int | Literal["area"]]


MAPPING = UcdpMapping
"""The model of this format's mapping (see `formats.py`)."""


def read(path: str, mapping: UcdpMapping, on_progress: Progress | None = None) -> Iterator[Record]:
    return mapped(csv_rows(path, on_progress), _ident, _maker(mapping))


def _ident(row: Row) -> str:
    return row.need("id")


def _maker(mapping: UcdpMapping) -> Any:
    tz = mapping.zone
    source = mapping.source_fields()

    def make(row: Row, rid: str) -> dict[str, Any]:
        violence = count(row.need("type_of_violence"), "type_of_violence")
        side = mapping.perpetrator.get(violence or 0)
        if side is None:
            raise RowError("type_of_violence", f"{violence} has no perpetrator rule in the mapping")
        start = row.get("date_start_iso") or row.need("date_start")
        end = row.get("date_end_iso") or row.get("date_end") or start
        record: dict[str, Any] = {
            "id": rid,
            **source,
            "occurred_at": local_time(start, tz, "date_start"),
            "reported_at": local_time(end, tz, "date_end", end=True),
            "lat": number(row.need("latitude"), "latitude"),
            "lon": number(row.need("longitude"), "longitude"),
            "location_precision_m": _radius(mapping, row),
            "event_type": mapping.event_type.value,
            "text": _text(row),
        }
        if side != "none" and (party := mapping.actors.get(row.get(side))):
            record["perpetrator"] = party
        if violence == 3 and mapping.one_sided_target is not None:
            record["target"] = mapping.one_sided_target.value
        killed = count(row.get("best"), "best")
        if killed is not None:
            record["killed"] = killed
        return record

    return make


def _radius(mapping: UcdpMapping, row: Row) -> int:
    precision = count(row.get("where_prec") or "1", "where_prec")
    radius = mapping.where_prec_m.get(precision or 1)
    if radius is None:
        raise RowError("where_prec", f"{precision} has no radius in the mapping")
    if radius != "area":
        return radius
    known = areas()
    area = known.find(row.get("adm_1")) if row.get("adm_1") else None
    if area is None:
        return round(known.covering(known.areas)[2])
    lat = number(row.need("latitude"), "latitude")
    lon = number(row.need("longitude"), "longitude")
    assert lat is not None and lon is not None
    return round(area.reach_m(lat, lon))


def _text(row: Row) -> str:
    deaths = f"deaths {row.get('best')} (low {row.get('low')}, high {row.get('high')})"
    place = "; ".join(p for p in (row.get("where_description"), row.get("adm_1")) if p)
    parts = [row.get("dyad_name") or row.get("conflict_name"), place, deaths]
    if row.get("date_start") != row.get("date_end"):
        parts.append(
            f"{row.get('date_start_iso') or row.get('date_start')} .. "
            f"{row.get('date_end_iso') or row.get('date_end')}"
        )
    if articles := row.get("source_article"):
        parts.append(f"sources: {articles}")
    return " | ".join(p for p in parts if p)
