"""The layering rules of docs/architecture.md, checked on the import graph.

Every `import` and `from ... import` in the package counts, those inside functions too
(the CLI imports lazily), so a rule cannot be dodged by moving an import into a body.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "ceasewatch"
LONGEST = 500
LONG_BY_NATURE = ("ceasewatch.migrations", "ceasewatch.store.migrations", "ceasewatch.scenarios")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every ceasewatch module (or name in one) that `path` imports, absolute."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _edges() -> set[tuple[str, str]]:
    edges = set()
    for path in PACKAGE.rglob("*.py"):
        source = _module_name(path)
        for target in _imports(path):
            if target.startswith("ceasewatch.") and target != source:
                edges.add((source, target))
    return edges


EDGES = _edges()


def _crossing(importer: set[str], imported: set[str]) -> list[str]:
    return sorted(
        f"{source} -> {target}"
        for source, target in EDGES
        if _layer(source) in importer and _layer(target) in imported
    )


def test_the_domain_imports_only_the_domain() -> None:
    outside = sorted(
        f"{source} -> {target}"
        for source, target in EDGES
        if _layer(source) == "domain" and _layer(target) != "domain"
    )
    assert outside == []


def test_adapters_read_and_write_through_services_never_the_store() -> None:
    assert _crossing({"api", "web", "cli", "reports"}, {"store"}) == []


def test_services_import_no_adapter() -> None:
    assert _crossing({"services"}, {"api", "web", "cli"}) == []


@pytest.mark.parametrize(("one", "other"), [("api", "web"), ("web", "api")])
def test_api_and_web_stand_side_by_side(one: str, other: str) -> None:
    assert _crossing({one}, {other}) == []


def test_no_module_is_over_500_lines() -> None:
    long = sorted(
        f"{_module_name(path)}: {lines} lines"
        for path in PACKAGE.rglob("*.py")
        if not _module_name(path).startswith(LONG_BY_NATURE)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    )
    assert long == []


def test_the_graph_is_read_whole() -> None:
    """Guards the rules above against passing on an empty or half-read graph."""
    assert ("ceasewatch.services.ingest", "ceasewatch.domain.reports") in EDGES
    assert ("ceasewatch.cli", "ceasewatch.cli.common") in EDGES
