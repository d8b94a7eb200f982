"""`/api/v1/clock`: the stored clock, the wall clock, and how far the one lags the other."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from ...services.lag import ClockLag, clock_lag
from ...services.tokens import Principal
from ..auth import EVERYONE, allow, system_of
from ..schemas import ClockOut

router = APIRouter(prefix="/clock", tags=["clock"])


def lag_of(request: Request) -> ClockLag:
    return clock_lag(system_of(request), request.app.state.clock)


def clock_out(lag: ClockLag) -> dict[str, object]:
    return {"clock": lag.clock, "wall": lag.wall, "lag_s": lag.lag_s}


@router.get("", response_model=ClockOut)
def read_clock(request: Request, _who: Annotated[Principal, Depends(allow(*EVERYONE))]) -> ClockOut:
    """Deadlines are counted against `clock`, the time the protocol has reached. It moves
    with reports and ticks; with a live ticker (`ceasewatch run`) it keeps within a second
    or two of `wall`, and a `lag_s` over 60 means none is running."""
    return ClockOut.model_validate(clock_out(lag_of(request)))
