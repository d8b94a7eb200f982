"""`ceasewatch simulate`: stress-test response policies on a scenario, Monte Carlo."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import __version__
from . import app
from .common import err, fail, out

if TYPE_CHECKING:
    from ..sim.montecarlo import Experiment, Row
    from ..sim.runner import Progress as Tell
    from ..sim.scenario import Scenario
    from ..sim.sweep import Sweep


@app.command("simulate")
def simulate_command(
    scenario: Annotated[
        str | None, typer.Argument(help="A scenario file, or the name of a shipped one.")
    ] = None,
    policies: Annotated[
        list[str] | None,
        typer.Option(
            "--policy", "-p", help="A policy name or file; repeat to compare (default three-phase)."
        ),
    ] = None,
    runs: Annotated[int, typer.Option(min=1, help="Monte Carlo runs.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Seed: the same seed, the same results.")] = 0,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: one per core).")
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(help="Run on a Dask scheduler (tcp://HOST:PORT) or Ray (ray://HOST:PORT)."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for results.parquet and report.html.")
    ] = None,
    sweep: Annotated[
        str | None,
        typer.Option(help="Vary one policy parameter: PATH=V1,V2,... (see docs/simulation.md)."),
    ] = None,
    save_run: Annotated[
        int | None,
        typer.Option(
            min=0, help="Instead of simulating, write run N's files (reports, truth) to --out."
        ),
    ] = None,
    show_progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    list_shipped: Annotated[
        bool, typer.Option("--list", help="Name the shipped scenarios and stop.")
    ] = False,
) -> None:
    """Run SCENARIO many times under each policy and report how the policies fare."""
    from ..sim.runner import ClusterError, run_experiment

    if list_shipped:
        _list_scenarios()
        return
    if scenario is None:
        fail("give a SCENARIO (a file or a shipped name; --list names them)")
    if out_dir is None:
        fail("give --out DIR: where to write the results")
    chosen = _scenario(scenario)
    if save_run is not None:
        _save_run(chosen, seed, save_run, out_dir)
        return
    names = policies or ["three-phase"]
    swept = _sweep(sweep)
    experiment = _experiment(chosen, names, swept, seed, runs)
    with _progress(runs, show_progress) as tell:
        try:
            rows = run_experiment(
                experiment, workers=workers or os.cpu_count() or 1, cluster=cluster, progress=tell
            )
        except ClusterError as exc:
            fail(str(exc))
    command = _command(scenario, names, runs, seed, sweep)
    _write(out_dir, rows, experiment, command, sweep)
    _print_summary(rows)
    err.print(f"wrote {out_dir / 'results.parquet'} and {out_dir / 'report.html'}", markup=False)


def _list_scenarios() -> None:
    from rich.table import Table

    from ..sim.catalogue import load_scenario, shipped_scenarios

    table = Table("scenario", "title", box=None)
    for name in shipped_scenarios():
        table.add_row(name, load_scenario(name).title)
    out.print(table)


def _scenario(name_or_path: str) -> Scenario:
    from ..sim.catalogue import ScenarioNotFound, load_scenario
    from ..sim.scenario import ScenarioInvalid

    try:
        return load_scenario(name_or_path)
    except (ScenarioNotFound, ScenarioInvalid) as exc:
        fail(str(exc))


def _sweep(text: str | None) -> Sweep | None:
    if text is None:
        return None
    from ..sim.sweep import SweepError, parse_sweep

    try:
        return parse_sweep(text)
    except SweepError as exc:
        fail(str(exc))


def _experiment(
    scenario: Scenario, names: list[str], sweep: Sweep | None, seed: int, runs: int
) -> Experiment:
    from ..config import ConfigError, load_policy
    from ..sim.montecarlo import Experiment, policy_variants
    from ..sim.sweep import SweepError

    try:
        variants = policy_variants([(name, load_policy(name)) for name in names], sweep)
        return Experiment(scenario, variants, seed, runs)
    except (ConfigError, SweepError, ValueError) as exc:
        fail(str(exc))


@contextmanager
def _progress(runs: int, shown: bool) -> Iterator[Tell]:
    if not shown:
        yield lambda _: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("runs", total=runs)
        yield lambda done: bar.advance(task, done)


def _command(scenario: str, policies: list[str], runs: int, seed: int, sweep: str | None) -> str:
    words = ["ceasewatch", "simulate", scenario]
    for policy in policies:
        words += ["--policy", policy]
    words += ["--runs", str(runs), "--seed", str(seed)]
    if sweep is not None:
        words += ["--sweep", sweep]
    return shlex.join(words) + " --out DIR"


def _write(
    folder: Path, rows: list[Row], experiment: Experiment, command: str, sweep: str | None
) -> None:
    from ..sim.results import experiment_metadata, write_results
    from ..sim.results_page import ReportContext, render_report

    folder.mkdir(parents=True, exist_ok=True)
    scenario = experiment.scenario
    metadata = experiment_metadata(experiment, command, sweep, __version__)
    write_results(rows, folder / "results.parquet", metadata)
    context = ReportContext(
        scenario=scenario.name,
        title=scenario.title,
        description=scenario.description,
        seed=experiment.seed,
        runs=experiment.runs,
        policies=[f"{p['label']} ({p['name']} v{p['version']})" for p in metadata["policies"]],
        command=command,
        sweep=sweep,
    )
    (folder / "report.html").write_text(render_report(rows, context), encoding="utf-8")


def _print_summary(rows: list[Row]) -> None:
    from rich import box
    from rich.table import Table

    from ..sim.summary import summarise

    summaries = summarise(rows)
    swept = summaries[0].sweep_param
    title = (
        "Runs reaching phases 1, 2, 3; median hours from the first breach to phases 1, 2 on "
        "true evidence; false escalations per run; share of breaches missed"
    )
    if swept is not None:
        title += f". Sweep of {swept}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("policy", no_wrap=True)
    if swept is not None:
        table.add_column("value", no_wrap=True)
    for header in ("1", "2", "3", "h to 1", "h to 2", "false/run", "missed"):
        table.add_column(header, justify="right", no_wrap=True)
    for s in summaries:
        spreads = s.hours_to_phase
        names = [s.policy] if swept is None else [s.base_policy, s.sweep_value or ""]
        table.add_row(
            *names,
            *(f"{share:.0%}" for share in s.reached),
            *("-" if x is None else f"{x.median:.1f}" for x in spreads[:2]),
            f"{s.false_escalations_per_run:.2f}",
            "-" if s.missed_share is None else f"{s.missed_share:.0%}",
        )
    out.print(table)


def _save_run(scenario: Scenario, seed: int, run: int, folder: Path) -> None:
    """One run's files, to replay with `ceasewatch replay` or inspect: no simulation."""
    from ..sim.generate import generate_run
    from ..sim.runfiles import write_run

    paths = write_run(scenario, generate_run(scenario, seed, run), folder)
    names = ", ".join(p.name for p in paths)
    err.print(
        f"wrote run {run} (seed {seed}) of {scenario.name} to {folder}: {names}", markup=False
    )
