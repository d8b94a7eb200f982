"""report.html: one self-contained page of tables and plots (PNG inlined, no requests)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..reports.style import stylesheet
from .montecarlo import Row
from .outcomes import PHASES
from .summary import (
    PairedDifference,
    PolicySummary,
    Spread,
    labels_in_order,
    paired_differences,
    summarise,
)

PHASE_NAMES = {1: "phase 1 (case opened)", 2: "phase 2", 3: "phase 3"}


@dataclass(frozen=True)
class ReportContext:
    """What the page says about the experiment besides its rows."""

    scenario: str
    title: str
    description: str
    seed: int
    runs: int
    policies: list[str]
    """Each policy as its label and its name and version, e.g. `strict (strict v2)`."""
    command: str
    sweep: str | None = None
    notes: list[str] = field(default_factory=list)


def render_report(rows: Sequence[Row], context: ReportContext) -> str:
    summaries = summarise(rows)
    paired = paired_differences(rows)
    parts = [
        _head(context, rows),
        "<h2>Outcomes per policy</h2>",
        _summary_table(summaries),
    ]
    if paired:
        baseline = escape(paired[0].baseline)
        parts += [f"<h2>Run by run against {baseline}</h2>", _paired_table(paired)]
    parts += [
        "<h2>Time to response</h2>",
        "<p>Share of runs in which each phase was reached on true evidence, by the hours "
        "since the first real breach (a curve that stops short of 100% never got there in "
        "the other runs).</p>",
        _img(plot_time_to_phase(rows), "Time from the first breach to each phase"),
        "<h2>Escalations, false escalations and missed breaches</h2>",
        _img(plot_outcomes(summaries), "Phases reached, false escalations and missed breaches"),
    ]
    if context.sweep is not None:
        parts += [
            f"<h2>Sweep of {escape(context.sweep)}</h2>",
            "<p>Each point is one value of the parameter: the median hours from the first "
            "breach to the phase (on true evidence) against the false escalations per run. "
            "Down and to the left is better.</p>",
            _img(plot_sweep(summaries), f"Trade-off as {context.sweep} varies"),
        ]
    parts.append(DEFINITIONS)
    title = escape(f"ceasewatch simulate · {context.scenario}")
    return PAGE.format(title=title, style=stylesheet(), body="\n".join(parts))


# -- tables -------------------------------------------------------------------------------


def _head(context: ReportContext, rows: Sequence[Row]) -> str:
    facts = [
        ("scenario", f"{context.scenario}: {context.title}" if context.title else context.scenario),
        ("runs", f"{context.runs} (seed {context.seed})"),
        ("per run", _generated(rows)),
        ("policies", ", ".join(context.policies)),
    ]
    if context.sweep:
        facts.append(("sweep", context.sweep))
    facts.append(("reproduce", context.command))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    notes = "".join(f"<p class=warning>{escape(n)}</p>" for n in context.notes)
    return (
        f"<h1>Simulation of {escape(context.scenario)}</h1>"
        f"<p class=meta>{escape(context.description)}</p><dl class=facts>{items}</dl>{notes}"
    )


def _generated(rows: Sequence[Row]) -> str:
    """What the scenario made, on average: the same for every policy, as the runs are paired."""
    first = [r for r in rows if r["policy"] == rows[0]["policy"]]

    def average(key: str) -> float:
        return float(sum(r[key] for r in first)) / len(first)

    return (
        f"{average('breaches'):.1f} breaches on average; {average('reports'):.0f} reports, of "
        f"which {average('fabricated_reports'):.0f} fabricated and "
        f"{average('misattributed_reports'):.0f} misattributed (every policy sees the same)"
    )


def _summary_table(summaries: list[PolicySummary]) -> str:
    head = (
        "<tr><th rowspan=2>policy</th><th colspan=3>runs reaching</th>"
        "<th colspan=3>hours from first breach to (median, 10&ndash;90%)</th>"
        "<th colspan=3>false escalations per run</th><th rowspan=2>runs with a false "
        "escalation</th><th rowspan=2>missed breaches</th><th rowspan=2>breaches per run"
        "</th><th rowspan=2>cases per run</th><th rowspan=2>overdue actions per run</th></tr>"
        "<tr>"
        + "<th class=num>phase 1</th><th class=num>phase 2</th><th class=num>phase 3</th>" * 3
        + "</tr>"
    )
    body = []
    for s in summaries:
        cells = [f"<th>{escape(s.policy)}</th>"]
        cells += [f"<td class=num>{_percent(x)}</td>" for x in s.reached]
        cells += [f"<td class=num>{_spread(x)}</td>" for x in s.hours_to_phase]
        cells += [f"<td class=num>{x:.2f}</td>" for x in s.false_per_run]
        cells += [
            f"<td class=num>{_percent(s.runs_with_false)}</td>",
            f"<td class=num>{_percent(s.missed_share) if s.missed_share is not None else '&ndash;'}"
            "</td>",
            f"<td class=num>{s.breaches_per_run:.1f}</td>",
            f"<td class=num>{s.cases_per_run:.2f}</td>",
            f"<td class=num>{s.overdue_per_run:.1f}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _paired_table(paired: list[PairedDifference]) -> str:
    head = (
        "<tr><th>policy</th>"
        + "".join(f"<th class=num>hours later to {PHASE_NAMES[k]}</th>" for k in PHASES)
        + "<th class=num>more false escalations per run</th>"
        + "<th class=num>more missed breaches per run</th></tr>"
    )
    body = []
    for p in paired:
        cells = [f"<th>{escape(p.policy)}</th>"]
        for hours, n in zip(p.hours_later, p.paired_runs, strict=True):
            text = "&ndash;" if hours is None else f"{hours:+.1f} <small>({n} runs)</small>"
            cells.append(f"<td class=num>{text}</td>")
        cells += [
            f"<td class=num>{p.false_more_per_run:+.2f}</td>",
            f"<td class=num>{p.missed_more_per_run:+.2f}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _spread(spread: Spread | None) -> str:
    if spread is None:
        return "&ndash;"
    return f"{spread.median:.1f} <small>({spread.p10:.1f}&ndash;{spread.p90:.1f})</small>"


# -- plots ---------------------------------------------------------------------------------


def plot_time_to_phase(rows: Sequence[Row]) -> bytes:
    figure = Figure(figsize=(11, 4.2), layout="constrained")
    axes = figure.subplots(1, 3, sharey=True)
    labels = labels_in_order(rows)
    for phase, ax in zip(PHASES, axes, strict=True):
        curves = {label: _ecdf(rows, label, phase) for label in labels}
        end = max((hours[-1] for hours, _ in curves.values()), default=0.0) or 1.0
        for label, (hours, shares) in curves.items():
            ax.step([*hours, end], [*shares, shares[-1]], where="post", label=label)
        if end == 1.0 and not any(len(hours) > 1 for hours, _ in curves.values()):
            ax.text(
                0.5, 0.5, "never reached\non true evidence", ha="center", transform=ax.transAxes
            )
        ax.set_xlim(left=0)
        ax.set_title(PHASE_NAMES[phase])
        ax.set_xlabel("hours after the first breach")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of runs")
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(handles, names, loc="outside lower center", ncols=_legend_columns(names))
    return _png(figure)


def _ecdf(rows: Sequence[Row], label: str, phase: int) -> tuple[list[float], list[float]]:
    """Hours to the phase, and the share of all the policy's runs that got there by then."""
    mine = [r for r in rows if r["policy"] == label]
    hours = sorted(h for r in mine if (h := r[f"hours_to_phase{phase}"]) is not None)
    return [0.0, *hours], [0.0, *((i + 1) / len(mine) for i in range(len(hours)))]


def _legend_columns(names: list[str]) -> int:
    """As many columns as fit across the figure: fewer for long labels (sweeps)."""
    longest = max((len(n) for n in names), default=1)
    return max(1, min(len(names), 120 // (longest + 8)))


def plot_outcomes(summaries: list[PolicySummary]) -> bytes:
    figure = Figure(figsize=(11, 3.8), layout="constrained")
    reached, false, missed = figure.subplots(1, 3)
    _grouped_bars(reached, summaries, [s.reached for s in summaries], "share of runs")
    reached.set_title("phases reached")
    reached.set_ylim(0, 1.05)
    _grouped_bars(false, summaries, [s.false_per_run for s in summaries], "per run")
    false.set_title("false escalations")
    handles, labels = reached.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper center", ncols=_legend_columns(labels))
    names = [s.policy for s in summaries]
    shares = [s.missed_share or 0.0 for s in summaries]
    missed.bar(range(len(names)), shares, color=[f"C{i}" for i in range(len(names))])
    missed.set_xticks([])  # the bars take the policies' colours, named in the legend
    missed.set_title("missed breaches")
    missed.set_ylabel("share of breaches")
    missed.grid(axis="y", alpha=0.3)
    return _png(figure)


def _grouped_bars(
    ax: Axes, summaries: list[PolicySummary], values: list[tuple[float, ...]], ylabel: str
) -> None:
    width = 0.8 / max(1, len(summaries))
    for i, (summary, series) in enumerate(zip(summaries, values, strict=True)):
        offsets = [k - 1 - 0.4 + width * (i + 0.5) for k in PHASES]
        ax.bar(offsets, series, width, label=summary.policy, color=f"C{i}")
    ax.set_xticks(range(len(PHASES)), [f"phase {k}" for k in PHASES])
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


def plot_sweep(summaries: list[PolicySummary]) -> bytes:
    figure = Figure(figsize=(11, 4.2), layout="constrained")
    axes = figure.subplots(1, 2)
    bases = list(dict.fromkeys(s.base_policy for s in summaries))
    for phase, ax in zip((1, 2), axes, strict=True):
        for i, base in enumerate(bases):
            points = [
                (spread.median, s.false_escalations_per_run, s.sweep_value or s.policy)
                for s in summaries
                if s.base_policy == base and (spread := s.hours_to_phase[phase - 1]) is not None
            ]
            if not points:
                continue
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            ax.plot(xs, ys, "o-", color=f"C{i}", label=base)
            for x, y, name in points:
                ax.annotate(name, (x, y), xytext=(5, 5), textcoords="offset points", size="small")
        ax.set_xlabel(f"median hours to {PHASE_NAMES[phase]}")
        ax.set_ylabel("false escalations per run")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return _png(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


DEFINITIONS = """
<h2>What the numbers mean</h2>
<ul>
<li><b>Breach</b>: a real event by a party, inside the ceasefire's period, zone and scope.</li>
<li><b>Reached</b>: the phase was reached in the run, on any evidence.</li>
<li><b>Hours to a phase</b>: from the run's first breach to the first time the phase was
reached on true evidence, that is on an incident holding a report of a real event by the
case's violator.</li>
<li><b>False escalation</b>: a case opened (phase 1) or a phase recommended on an incident
whose every report was fabricated, or blamed the violator for someone else's act.</li>
<li><b>Missed breach</b>: a breach that no verified violation of its party holds a report
of.</li>
<li><b>Overdue actions</b>: the simulation, like <code>replay</code>, marks no action done, so
every deadline of a case still open at its deadline becomes overdue: the load of deadlines
the policy sets.</li>
</ul>
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
{style}
</style></head>
<body class=wide>
{body}
</body></html>
"""
