"""Sensitivity: one policy parameter varied over a list of values.

`--sweep PATH=V1,V2,...`: PATH is a dotted path into the policy's YAML, where a number
picks a list item by its position from 0 (`phases.1` is the second phase listed: phase 2
in the shipped policy). Each value is read as YAML (`5`, `24h`, `[A, B]`); commas inside
brackets do not split values. Each variant is validated as a whole policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from ..domain.policy import Policy
from ..domain.problems import problems_in


class SweepError(ValueError):
    """A sweep that cannot be applied, with what is wrong."""


@dataclass(frozen=True)
class Sweep:
    param: str
    values: tuple[str, ...]

    def apply(self, policy: Policy, value: str) -> Policy:
        return with_parameter(policy, self.param, value)


def parse_sweep(text: str) -> Sweep:
    param, sep, values = text.partition("=")
    param = param.strip()
    if not sep or not param or not values.strip():
        example = "corroboration.radius_km=2,5,10"
        raise SweepError(f"--sweep {text!r}: write PARAM=V1,V2,... e.g. {example}")
    parts = tuple(v.strip() for v in split_values(values))
    if any(not v for v in parts):
        raise SweepError(f"--sweep {text!r}: a value is empty")
    if len(set(parts)) != len(parts):
        raise SweepError(f"--sweep {text!r}: a value is given twice")
    return Sweep(param, parts)


def split_values(text: str) -> list[str]:
    """Split on commas outside brackets: `[A, B],[A]` is two values."""
    values: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        if char == "," and depth == 0:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def with_parameter(policy: Policy, param: str, value: str) -> Policy:
    """The policy with the parameter at `param` set to `value` (YAML), validated."""
    data = policy.model_dump(mode="json")
    *parents, last = param.split(".")
    node: Any = data
    walked: list[str] = []
    for part in parents:
        node = _child(node, part, walked)
        walked.append(part)
    _child(node, last, walked)  # the parameter must exist: no typo adds a new one
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError as exc:
        raise SweepError(f"{param}={value}: not a YAML value ({exc})") from None
    if isinstance(node, list):
        node[int(last)] = parsed
    else:
        node[last] = parsed
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(p.describe("policy") for p in problems_in(exc))
        raise SweepError(f"{param}={value}: {problems}") from None


def _child(node: Any, part: str, walked: list[str]) -> Any:
    where = ".".join(walked) or "the policy"
    if isinstance(node, dict):
        if part not in node:
            known = ", ".join(node)
            raise SweepError(f"{where} has no {part!r} (it has: {known})")
        return node[part]
    if isinstance(node, list):
        if not part.isdigit() or int(part) >= len(node):
            last = len(node) - 1
            raise SweepError(f"{where} is a list of {len(node)}: pick an item by 0..{last}")
        return node[int(part)]
    raise SweepError(f"{where} is a value ({node!r}), not a section: nothing under it")
