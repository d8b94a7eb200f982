"""`ceasewatch policy`: check and show response policies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from . import app
from .common import HelpGroup, complain, err, fail, out

policy_app = typer.Typer(
    cls=HelpGroup, help="Check and show response policies.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")


@policy_app.command("check")
def policy_check(
    files: Annotated[list[Path], typer.Argument(help="Policy files to validate.")],
) -> None:
    """Validate policy files; print each problem with its line."""
    from ..domain.policy import PolicyInvalid, parse_policy

    bad = False
    for path in files:
        try:
            policy = parse_policy(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            complain(f"{path}: {exc.strerror or exc}")
            bad = True
        except PolicyInvalid as exc:
            for problem in exc.problems:
                err.print(problem.render(str(path)), markup=False)
            bad = True
        else:
            out.print(f"{path}: ok (policy {policy.name} v{policy.version})", markup=False)
    if bad:
        raise typer.Exit(1)


@policy_app.command("show")
def policy_show(
    name: Annotated[
        str, typer.Argument(help="A shipped policy's name, or a file.")
    ] = "three-phase",
) -> None:
    """Print a policy: the default one unless named."""
    from ..config import ConfigError, policy_text

    try:
        text, _ = policy_text(name)
    except ConfigError as exc:
        fail(str(exc))
    sys.stdout.write(text)
