"""Errors as JSON a client can act on: what went wrong, and for bad input, where."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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


def _json(status: int, body: ErrorBody, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status, ErrorBody(error=exc.message, errors=exc.errors), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            FieldProblem(
                record=str(err["loc"][0]) if err["loc"] else "request",
                field=".".join(str(p) for p in err["loc"][1:]) or "(request)",
                message=err["msg"],
            )
            for err in exc.errors()
        ]
        return _json(422, ErrorBody(error="the request is not valid", errors=problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json(exc.status_code, ErrorBody(error=str(exc.detail)), exc.headers)


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413, declared or streamed."""

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
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            if refused:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = ErrorBody(error=f"the request body is over {self.limit} bytes").model_dump_json()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


class _TooLarge(Exception):
    pass


def problems_of(errors: Sequence[Any]) -> list[FieldProblem]:
    """Record errors of the services, as the API reports them."""
    return [
        FieldProblem(
            record=f"record {e.index}" + (f" (id {e.id})" if e.id else ""),
            field=e.field,
            message=e.message,
        )
        for e in errors
    ]
