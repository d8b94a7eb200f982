"""Simulation throughput: engine runs per second on a 30-day scenario, on 1 and 2 workers.

    python bench/simulate.py --scenario escalation --runs 200 --workers 1,2 --repeat 3

A run is what `ceasewatch simulate` does for each run index and policy: draw the run's
events and reports from (seed, run), replay them through the engine with
`services.replay.replay`, and score the outcome against the ground truth. With one
worker the runs execute in this process (as `--workers 1` does); with more they execute
on that many spawned worker processes, whose start-up is included in the time, as a
user pays it. A second table splits one process's time per run into its parts.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from statistics import mean

from ceasewatch.config import load_policy
from ceasewatch.services.replay import replay
from ceasewatch.sim.catalogue import load_scenario
from ceasewatch.sim.generate import generate_run
from ceasewatch.sim.montecarlo import Experiment, PolicyVariant
from ceasewatch.sim.outcomes import score
from ceasewatch.sim.runner import run_experiment


def experiment(scenario_name: str, policies: list[str], seed: int, runs: int) -> Experiment:
    scenario = load_scenario(scenario_name)
    variants = []
    for name in policies:
        policy = load_policy(name)
        variants.append(PolicyVariant(policy.name, policy, policy.name))
    return Experiment(scenario, tuple(variants), seed, runs)


def throughput(chosen: Experiment, workers: int, repeat: int) -> dict[str, float]:
    """Best wall time of `repeat` simulations; engine runs are runs times policies."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        rows = run_experiment(chosen, workers=workers)
        times.append(time.perf_counter() - began)
    engine_runs = len(rows)
    best = min(times)
    return {
        "workers": workers,
        "engine_runs": engine_runs,
        "seconds": best,
        "runs_per_s": engine_runs / best,
        "reports_per_run": mean(r["reports"] for r in rows),
        "events_per_run": mean(r["protocol_events"] for r in rows),
    }


def parts(chosen: Experiment, runs: int) -> dict[str, float]:
    """Milliseconds per run spent generating, replaying and scoring, in one process."""
    spent = {"generate": 0.0, "replay": 0.0, "score": 0.0}
    scenario, policy = chosen.scenario, chosen.variants[0].policy
    for run in range(runs):
        began = time.perf_counter()
        generated = generate_run(scenario, chosen.seed, run)
        generated_at = time.perf_counter()
        result = replay(scenario.ceasefire, policy, generated.plain_reports)
        replayed_at = time.perf_counter()
        score(generated, scenario.ceasefire, result)
        scored_at = time.perf_counter()
        spent["generate"] += generated_at - began
        spent["replay"] += replayed_at - generated_at
        spent["score"] += scored_at - replayed_at
    return {part: seconds / runs * 1000 for part, seconds in spent.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="escalation", help="default: %(default)s")
    parser.add_argument("--policy", action="append", help="repeat to add (default three-phase)")
    parser.add_argument("--runs", type=int, default=200, help="runs per measurement")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="measurements; the best counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    policies = args.policy or ["three-phase"]
    workers = [int(w) for w in args.workers.split(",") if w]
    chosen = experiment(args.scenario, policies, args.seed, args.runs)
    days = chosen.scenario.duration.total_seconds() / 86400

    rows = [throughput(chosen, w, args.repeat) for w in workers]
    base = rows[0]["runs_per_s"]
    print(
        f"scenario {args.scenario} ({days:.0f} days), policies {', '.join(policies)}, "
        f"{args.runs} runs, seed {args.seed}, best of {args.repeat}\n"
    )
    head = ["workers", "engine runs", "seconds", "runs/s", "speed-up", "reports/run", "events/run"]
    body = [
        [
            str(r["workers"]),
            str(r["engine_runs"]),
            f"{r['seconds']:.2f}",
            f"{r['runs_per_s']:.1f}",
            f"{r['runs_per_s'] / base:.2f}",
            f"{r['reports_per_run']:.0f}",
            f"{r['events_per_run']:.0f}",
        ]
        for r in rows
    ]
    print(table(head, body))
    split = parts(chosen, min(args.runs, 100))
    print("\nper run in one process (ms):")
    print(table(list(split), [[f"{v:.1f}" for v in split.values()]]))
    print(
        f"\nCPython {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores; workers > 1 include starting the worker processes."
    )
    return 0


def table(head: list[str], body: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = [" | ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
