"""`/map`: incidents over the offline base map; the aggregated data; one incident's details."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from ...domain.text import NO_NUL
from ...httpkit.params import BBOX, Since, Until, bbox_of, since_until
from ...services.reads import directory, incidents
from ...services.reads.models import IncidentWithRecords
from .. import geo
from ..access import EVERYONE, WebError, require, system_of
from ..mapindex import DEFAULT_STATUSES, MAX_ZOOM, SEVERITIES, STATUSES, TYPES, MapIndex, View
from ..templating import render

router = APIRouter()
Choice = Annotated[list[str] | None, Query(max_length=40)]


def index_of(request: Request) -> MapIndex:
    found: MapIndex = request.app.state.map_index
    return found


@router.get("/map")
def map_page(request: Request) -> Response:
    who = require(request, *EVERYONE)
    parties = directory.ceasefire_parties(system_of(request))
    return render(
        request,
        "map.html",
        who,
        types=TYPES,
        statuses=[s for s in STATUSES if s != "merged"],
        default_statuses=DEFAULT_STATUSES,
        severities=SEVERITIES,
        parties=parties,
    )


def _choices(values: list[str] | None, allowed: tuple[str, ...], name: str) -> frozenset[str]:
    chosen = frozenset(v for v in values or [] if v)
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise WebError(422, f"unknown {name}: {', '.join(unknown)}")
    return chosen


@router.get("/map/data")
def map_data(
    request: Request,
    bbox: Annotated[str, Query(pattern=BBOX, description="W,S,E,N")],
    zoom: Annotated[float, Query(ge=0, le=MAX_ZOOM)],
    since: Since = None,
    until: Until = None,
    type: Choice = None,
    party: Choice = None,
    status: Choice = None,
    severity: Choice = None,
    case: Annotated[str | None, Query(max_length=300, pattern=NO_NUL)] = None,
) -> Response:
    """The incidents in view, as clusters and single incidents (see `mapindex`)."""
    require(request, *EVERYONE, data=True)
    since_until(since, until)
    box = bbox_of(bbox)
    assert box is not None
    view = View(
        *box,
        zoom=zoom,
        since=since,
        until=until,
        types=_choices(type, TYPES, "type") or None,
        parties=frozenset(p[:40] for p in party or [] if p and "\x00" not in p) or None,
        statuses=_choices(status, STATUSES, "status") or DEFAULT_STATUSES,
        severities=_choices(severity, SEVERITIES, "severity") or None,
        case=case,
    )
    snapshot = index_of(request).current(system_of(request))
    return JSONResponse(snapshot.aggregate(view), headers={"Cache-Control": "no-store"})


@router.get("/map/incidents/{key:path}")
def incident_panel(request: Request, key: str) -> Response:
    """One incident's details and its reports: the panel the map opens on a click."""
    who = require(request, *EVERYONE)
    incident = _incident(request, key)
    fragment = request.headers.get("x-fragment") == "1"
    name = "_incident_body.html" if fragment else "incident.html"
    return render(request, name, who, incident=incident)


def _incident(request: Request, key: str) -> IncidentWithRecords:
    try:
        return incidents.by_key(system_of(request), key)
    except incidents.NoIncident:
        raise WebError(404, f"No incident {key}.") from None


@router.get("/geo/{name}.geojson")
def base_layer(request: Request, name: str) -> Response:
    require(request, *EVERYONE)
    if name not in geo.LAYERS:
        raise WebError(404, f"No layer {name}.")
    return Response(
        geo.layer(name),
        media_type="application/geo+json",
        headers={"Cache-Control": "private, max-age=86400"},
    )
