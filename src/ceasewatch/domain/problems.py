"""Validation errors in words: one way for the whole project.

`problems_in` turns a pydantic `ValidationError` into `Problem`s: the dotted path of each
key that is wrong, its line where the caller knows the document's lines, and pydantic's
message without its "Value error, " prefix. Policies, scenarios, sources, ceasefires,
importers' mappings, directory files, sweeps, report records and command-line values
all say what is wrong through it.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ValidationError

Loc = tuple[int | str, ...]


class Problem(BaseModel):
    """One thing wrong with a document, with where it is."""

    path: str
    line: int | None
    message: str

    def render(self, origin: str, what: str = "document") -> str:
        """`origin:line: path: message`; `(what)` stands for the path of the whole."""
        where = f"{origin}:{self.line}" if self.line else origin
        return f"{where}: {self.describe(what)}"

    def describe(self, what: str = "document") -> str:
        """`path: message`, without where the document is."""
        return f"{self.path or f'({what})'}: {self.message}"


def problems_in(
    exc: ValidationError,
    line: Callable[[Loc], int | None] = lambda loc: None,
    path_of: Callable[[Loc], Loc] = lambda loc: loc,
) -> list[Problem]:
    """Each error of a validation as a `Problem`: the dotted path of its key, its line
    (from `line`, given the path) and pydantic's message without "Value error, ".

    `path_of` maps an error's location to its path in the document (where the model adds
    steps the document does not have, such as a union's tag, or the document has a step
    the model does not)."""
    problems = []
    for err in exc.errors(include_url=False):
        path = path_of(err["loc"])
        message = _SAID_AS.get(err["type"], err["msg"]).removeprefix("Value error, ")
        dotted = ".".join(str(p) for p in path)
        problems.append(Problem(path=dotted, line=line(path), message=message))
    return problems


_SAID_AS = {"unexpected_keyword_argument": "Extra inputs are not permitted"}
"""One message for a key a document may not have, whether a model or a dataclass (a
report) refuses it."""
