"""Loading ceasefire, policy and sources files from disk into domain objects."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .domain.ceasefire import Ceasefire
from .domain.policy import Policy, PolicyInvalid, parse_policy
from .domain.problems import problems_in
from .domain.sources import Source, SourcesInvalid, parse_sources


class ConfigError(ValueError):
    """A ceasefire or policy file that cannot be used, with what is wrong and where."""


def shipped_policies() -> list[str]:
    folder = resources.files("ceasewatch") / "policies"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def policy_text(name_or_path: str, base: Path | None = None) -> tuple[str, str]:
    """The YAML text of a shipped policy (by name) or a policy file, and its origin."""
    if name_or_path in shipped_policies():
        resource = resources.files("ceasewatch") / "policies" / f"{name_or_path}.yaml"
        return resource.read_text(encoding="utf-8"), f"{name_or_path} (shipped)"
    path = Path(name_or_path)
    if base is not None and not path.is_absolute():
        path = base / path
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        why = unreadable(name_or_path, path, exc, "policy", shipped_policies())
        raise ConfigError(why) from None


def unreadable(name: str, path: Path, exc: OSError, what: str, shipped: list[str]) -> str:
    """Why a shipped name or a file cannot be read. A name that looks like a file (a YAML
    suffix, a folder) is missing as any file is (`FILE: No such file or directory`);
    another is neither a file nor a shipped one."""
    if Path(name).suffix in (".yaml", ".yml") or "/" in name or os.sep in name:
        return f"{path}: {exc.strerror or exc}"
    return f"{what} {name!r}: no such file, nor a shipped {what} ({', '.join(shipped)})"


POLICY_DIR_ENV = "CEASEWATCH_POLICY_DIR"
"""The folder whose policy files the API may name (unset: shipped policies only)."""


def policy_dir_from_env() -> Path | None:
    folder = os.environ.get(POLICY_DIR_ENV)
    return Path(folder) if folder else None


def served_policy_text(name: str, folder: Path | None) -> tuple[str, str]:
    """The text of a policy a remote client may name: a shipped one, or a file inside
    `folder` (by its path there, `.yaml` optional). Nothing else on the server is read:
    not an absolute path, not `..` out of the folder, not a link leading out of it. The
    error says neither where the folder is nor whether such a file exists."""
    if name in shipped_policies():
        return policy_text(name)
    path = _inside(folder, name) if folder is not None else None
    if path is None:
        known = ", ".join(shipped_policies())
        where = " nor a policy file of the server's policy folder" if folder else ""
        raise ConfigError(f"not a shipped policy ({known}){where}")
    try:
        return path.read_text(encoding="utf-8"), f"{name} (policy folder)"
    except (OSError, UnicodeDecodeError):
        raise ConfigError(f"policy {name!r} cannot be read from the policy folder") from None


def _inside(folder: Path, name: str) -> Path | None:
    root = folder.resolve()
    names = [name] if name.endswith((".yaml", ".yml")) else [name, f"{name}.yaml"]
    for candidate in names:
        try:
            path = (root / candidate).resolve()  # follows links: one leading out is caught
            if path.is_relative_to(root) and path.is_file():
                return path
        except (OSError, ValueError):  # a name too long, a loop of links
            continue
    return None


def load_policy(name_or_path: str = "three-phase", base: Path | None = None) -> Policy:
    text, origin = policy_text(name_or_path, base)
    try:
        return parse_policy(text, origin)
    except PolicyInvalid as exc:
        raise ConfigError(str(exc)) from None


def load_sources(path: Path) -> list[Source]:
    """Read a sources file (the registry: `sources: [{id, kind, reliability, group}]`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    try:
        return parse_sources(text, str(path))
    except SourcesInvalid as exc:
        raise ConfigError(str(exc)) from None


def load_ceasefire(path: Path) -> Ceasefire:
    """Read a ceasefire file; a `zone` may be inline GeoJSON or a path beside the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a ceasefire file is a mapping of id, name, parties, ...")
    if isinstance(data.get("zone"), str):
        data["zone"] = _read_geojson(path.parent / data["zone"], path)
    return ceasefire_from_dict(data, str(path))


def ceasefire_from_dict(data: dict[str, Any], origin: str) -> Ceasefire:
    try:
        return Ceasefire.model_validate(data)
    except ValidationError as exc:
        problems = problems_in(exc)
        raise ConfigError("\n".join(p.render(origin, "ceasefire") for p in problems)) from None


def _read_geojson(path: Path, origin: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{origin}: zone: cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: zone: {path} is not a GeoJSON object")
    return data
