"""`/api/v1/sources`: the source registry (kinds, grades, independence groups)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ...domain.sources import Source, SourceProblem, SourcesInvalid, sources_from
from ...httpkit.errors import ApiError, FieldProblem
from ...services import sources
from ...services.tokens import Principal, UserRole
from ..auth import EVERYONE, allow, system_of
from .common import json_body

router = APIRouter(prefix="/sources", tags=["sources"])
MAX_SOURCES = 10_000


@router.get("", response_model=list[Source])
def list_sources(
    request: Request, _who: Annotated[Principal, Depends(allow(*EVERYONE))]
) -> list[Source]:
    """The registry as it stands, by id."""
    return sources.registry(system_of(request))


@router.put(
    "",
    response_model=list[Source],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Source"},
                                "maxItems": MAX_SOURCES,
                            },
                            {
                                "type": "object",
                                "properties": {
                                    "sources": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Source"},
                                    }
                                },
                                "required": ["sources"],
                            },
                        ]
                    }
                }
            },
        }
    },
)
async def declare_sources(
    request: Request,
    _who: Annotated[Principal, Depends(allow(UserRole.ANALYST, UserRole.ADMIN))],
) -> list[Source]:
    """Declare or regrade the sources given (a list, as a sources file holds it under
    `sources:`); those not given stay as they are. A journaled command, audited: reports
    that arrive from now on are judged by it, those already in are not judged again.
    Answers the whole registry. A bad entry: 422, naming it and its field."""
    data = json_body(await request.body())
    if isinstance(data, list) and len(data) > MAX_SOURCES:
        raise ApiError(413, f"at most {MAX_SOURCES} sources at once, not {len(data)}")
    try:
        listed = sources_from(data)
    except SourcesInvalid as exc:
        raise ApiError(422, "the sources are not valid", _problems(exc)) from None
    system = system_of(request)
    await run_in_threadpool(sources.declare, system, listed)
    return await run_in_threadpool(sources.registry, system)


def _problems(exc: SourcesInvalid) -> list[FieldProblem]:
    return [
        FieldProblem(record=p.entry, field=p.field, message=p.message)
        if isinstance(p, SourceProblem)
        else FieldProblem(record="body", field=p.path or "(body)", message=p.message)
        for p in exc.problems
    ]
