"""Errors as JSON a client can act on: what went wrong, and for bad input, where."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.reports import record_named


class FieldProblem(BaseModel):
    record: str
    field: str
    message: str


class ErrorBody(BaseModel):
    error: str
    errors: list[FieldProblem] = []


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        errors: Sequence[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, list(errors)
        self.headers = dict(headers or {})


class _ErrorResponse(JSONResponse):
    """JSON that survives what the client sent: an error may quote a record's id, and one
    holding a lone surrogate (`"\\ud800"`, valid JSON) cannot be written as UTF-8."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def _json(status: int, body: ErrorBody, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return _ErrorResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def answer(exc: ApiError) -> JSONResponse:
    """The JSON an `ApiError` is answered with (also for a handler of another exception)."""
    return _json(exc.status, ErrorBody(error=exc.message, errors=exc.errors), exc.headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return answer(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            FieldProblem(
                record=str(err["loc"][0]) if err["loc"] else "request",
                field=".".join(str(p) for p in err["loc"][1:]) or "(request)",
                message=err["msg"].removeprefix("Value error, "),
            )
            for err in exc.errors()
        ]
        return _json(422, ErrorBody(error="the request is not valid", errors=problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json(exc.status_code, ErrorBody(error=str(exc.detail)), exc.headers)


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413, declared or streamed.

    A declared length over the limit is refused before anything is read. A body sent
    without one (chunked) is counted as it streams: past the limit the 413 goes out at
    once, the app is told the client has gone, and nothing more is read, so no body is
    ever held whole and nothing the app does after that reaches the client.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        refused = answered = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    if not answered:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def sent(message: Message) -> None:
            nonlocal answered
            if refused:
                return  # the 413 was the answer
            answered = True
            await send(message)

        try:
            await self.app(scope, counted, sent)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send: Send) -> None:
        body = ErrorBody(error=f"the request body is over {self.limit} bytes").model_dump_json()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def problems_of(errors: Sequence[Any]) -> list[FieldProblem]:
    """Record errors of the services, as the API reports them."""
    return [
        FieldProblem(
            record=record_named(f"record {e.index}", e.id),
            field=e.field,
            message=e.message,
        )
        for e in errors
    ]
