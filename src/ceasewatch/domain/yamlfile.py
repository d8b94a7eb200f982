"""Validating a YAML document into a model, with every problem at its line.

Policies and simulation scenarios are written by people; an error names the key's path
and the line it is on, e.g. `my-policy.yaml:56: phases.1.trigger.violation_after_open:
invalid duration '1 day'` (each a `Problem`, see `problems.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo

from .admission import STORED, admitted
from .problems import Loc, Problem, problems_in

__all__ = ["DocumentInvalid", "Loc", "NoBoolean", "Problem", "line_of", "load_yaml", "parse_yaml"]


def _no_boolean(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, bool) and admitted(info):
        raise ValueError("a number, not yes, no, on, off, true or false")
    return value


NoBoolean = BeforeValidator(_no_boolean)
"""For a number in a YAML document: YAML reads `yes`, `on` and `true` as true, which
pydantic would take for 1."""

M = TypeVar("M", bound=BaseModel)


class DocumentInvalid(ValueError):
    """A document that does not validate; `problems` lists each, with its line."""

    what = "document"

    def __init__(self, origin: str, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.render(origin, self.what) for p in problems))
        self.origin = origin
        self.problems = problems


def parse_yaml(
    model: type[M],
    text: str,
    origin: str,
    invalid: type[DocumentInvalid],
    path_of: Callable[[Loc], Loc] = lambda loc: loc,
    *,
    stored: bool = False,
) -> M:
    """Validate YAML text as `model`; raise `invalid` naming each problem's path and line.

    `path_of` maps a validation error's location to its path in the document (where the
    model adds steps the document does not have, such as a union's tag). `stored`: the
    text is read back from the store (`STORED`).
    """
    data, root = load_yaml(text, origin, invalid)
    if not isinstance(data, dict):
        raise invalid(origin, [Problem(path="", line=1, message="not a mapping")])
    try:
        return model.model_validate(data, context=STORED if stored else None)
    except ValidationError as exc:
        raise invalid(origin, problems_in(exc, lambda path: line_of(root, path), path_of)) from None


def load_yaml(text: str, origin: str, invalid: type[DocumentInvalid]) -> tuple[Any, Any]:
    """The document's data and its node tree (for `line_of`); `invalid` if it is not YAML."""
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        message = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        raise invalid(origin, [Problem(path="", line=line, message=message)]) from None


def line_of(node: Any, loc: Loc) -> int | None:
    """The YAML line of the deepest node along `loc` that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
