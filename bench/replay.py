"""Replay throughput: reports per second for generated report files of growing size.

    python bench/replay.py --sizes 10000,100000,1000000 --mode trusted,untrusted --repeat 3

For each size the script writes a JSONL file of DESIGN's report records (seeded, so the
same arguments give the same files), then measures, each (size, mode) in a fresh
process so that its peak RSS is its own:

- end-to-end: `read_reports(file)` + `replay(...)`, as `ceasewatch replay` runs it;
- parse only: `read_reports(file)` into a list;
- engine only: `Engine.feed_all` + `run_out` over reports already parsed, de-duplicated
  and sorted by arrival.

Times are the best of `--repeat` runs. The generated stream keeps a constant density
(events per day along a 1000 km front), so a good engine costs the same per report at
any size: the "growth" columns divide each size's cost per report by the first size's.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import heapq
import itertools
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any

START = datetime(2026, 3, 1, tzinfo=UTC)
KYIV = timezone(timedelta(hours=3))
PARTIES = ("RU", "UA")

# The front line, south-west to north-east: Kherson, Zaporizhzhia, Donetsk, Bakhmut,
# Kupiansk, Vovchansk. About 1000 km along the polyline.
FRONT = [
    (46.64, 32.62),
    (46.75, 33.40),
    (47.12, 34.20),
    (47.45, 35.30),
    (47.60, 36.40),
    (47.78, 37.10),
    (48.00, 37.70),
    (48.28, 37.95),
    (48.60, 38.05),
    (49.00, 38.10),
    (49.35, 37.90),
    (49.72, 37.62),
    (50.05, 37.35),
    (50.30, 36.95),
]

EVENT_TYPES = {  # how often each kind of real event happens
    "artillery": 25,
    "mortar": 15,
    "small_arms": 14,
    "drone_strike": 15,
    "rocket": 5,
    "ground_assault": 7,
    "armour_movement": 3,
    "missile_strike": 2,
    "air_strike": 3,
    "heavy_weapons_in_zone": 4,
    "mine": 3,
    "other": 4,
}
FAMILIES = [
    ["artillery", "mortar", "rocket"],
    ["missile_strike", "air_strike", "drone_strike"],
    ["ground_assault", "small_arms", "armour_movement"],
]
TARGETS = ["military", "civilian", "infrastructure", "energy", "unknown"]


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    side: str | None
    """For defending forces and party statements: the party the source speaks for."""
    reliability: str
    credibility: tuple[int, int]
    delay_min: tuple[float, float]
    """Reporting delay in minutes: median and spread (lognormal sigma)."""
    precision_m: tuple[int, int] | None
    """Radius of uncertainty range; None: the source gives none."""
    weight: float
    """How likely the source is to report an event it could see."""


def make_sources(rng: random.Random) -> list[Source]:
    sources = []

    def add(prefix: str, count: int, kind: str, **kw: Any) -> None:
        for i in range(count):
            sources.append(Source(f"{prefix}-{i + 1}", kind, **kw))

    add(
        "omm",
        8,
        "monitor",
        side=None,
        reliability="A",
        credibility=(1, 3),
        delay_min=(240, 0.8),
        precision_m=(100, 2000),
        weight=1.2,
    )
    add(
        "sensor",
        4,
        "sensor",
        side=None,
        reliability="B",
        credibility=(1, 2),
        delay_min=(5, 0.6),
        precision_m=(50, 300),
        weight=0.8,
    )
    add(
        "sat",
        2,
        "satellite",
        side=None,
        reliability="B",
        credibility=(2, 3),
        delay_min=(600, 0.5),
        precision_m=(10, 60),
        weight=0.2,
    )
    for side in PARTIES:
        add(
            f"{side.lower()}-forces",
            3,
            "defending_forces",
            side=side,
            reliability="C",
            credibility=(2, 4),
            delay_min=(45, 0.7),
            precision_m=(300, 3000),
            weight=1.5,
        )
        add(
            f"{side.lower()}-mod",
            1,
            "party_statement",
            side=side,
            reliability="E",
            credibility=(3, 5),
            delay_min=(480, 0.6),
            precision_m=(5000, 25000),
            weight=1.0,
        )
    for i in range(15):
        add(
            f"osint{i + 1}",
            1,
            "osint",
            side=None,
            reliability=rng.choice("BCCDE"),
            credibility=(2, 4),
            delay_min=(90, 0.9),
            precision_m=(100, 5000),
            weight=0.4,
        )
    for i in range(20):
        add(
            f"media{i + 1}",
            1,
            "media",
            side=None,
            reliability=rng.choice("BCCDEF"),
            credibility=(2, 6),
            delay_min=(300, 0.8),
            precision_m=(1000, 20000),
            weight=0.25,
        )
    return sources


class Front:
    """Positions along the front line, by distance from its south-western end."""

    def __init__(self) -> None:
        self.starts = [0.0]
        for (a, b), (c, d) in itertools.pairwise(FRONT):
            self.starts.append(self.starts[-1] + _km(a, b, c, d))
        self.length_km = self.starts[-1]

    def point(self, along_km: float, across_km: float) -> tuple[float, float]:
        i = min(bisect.bisect_right(self.starts, along_km), len(FRONT) - 1)
        (a, b), (c, d) = FRONT[i - 1], FRONT[i]
        f = (along_km - self.starts[i - 1]) / (self.starts[i] - self.starts[i - 1])
        lat, lon = a + f * (c - a), b + f * (d - b)
        # across: perpendicular to the segment, in kilometres
        dy, dx = (c - a) * 110.5, (d - b) * 111.32 * math.cos(math.radians(lat))
        norm = math.hypot(dx, dy)
        lat += across_km * (dx / norm) / 110.5
        lon += -across_km * (dy / norm) / (111.32 * math.cos(math.radians(lat)))
        return lat, lon


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def event_times(rng: random.Random, per_day: float) -> Iterator[float]:
    """One violator's events, in hours since START: active spells and quiet gaps.

    Spells last 1-10 days; gaps 0-8 days, so some cases close (72 h quiet) and reopen.
    The rate inside spells is set so that the long-run average is `per_day`.
    """
    mean_spell, mean_gap = 5.0, 3.0
    rate = per_day * (mean_spell + mean_gap) / mean_spell / 24.0  # events per hour
    t = rng.uniform(0, 12)
    while True:
        end = t + rng.uniform(1, 9) * 24
        while True:
            t += rng.expovariate(rate)
            if t >= end:
                break
            yield t
        t = end + rng.uniform(0, 6) * 24


def _time(hours: float, rng: random.Random) -> str:
    at = START + timedelta(seconds=round(hours * 3600))
    if rng.random() < 0.1:  # some sources write Kyiv local time
        return at.astimezone(KYIV).isoformat()
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(path: Path, size: int, seed: int, events_per_day: float) -> dict[str, float]:
    """Write `size` report records (about 1% of them re-sent) to `path`, by arrival."""
    rng = random.Random(seed)
    sources = make_sources(rng)
    front = Front()
    types, type_weights = list(EVENT_TYPES), list(EVENT_TYPES.values())
    family = {t: f for f in FAMILIES for t in f}
    counters = dict.fromkeys((s.id for s in sources), 0)
    streams = [
        ((t, party) for t in event_times(random.Random(seed * 7 + i), events_per_day / 2))
        for i, party in enumerate(PARTIES)
    ]
    lines: list[tuple[float, str]] = []
    resent: list[tuple[float, str]] = []
    real_events = 0
    last_hours = 0.0
    for hours, perpetrator in heapq.merge(*streams):
        if len(lines) + len(resent) >= size:
            break
        real_events += 1
        last_hours = hours
        along = rng.uniform(0, front.length_km)
        lat, lon = front.point(along, rng.gauss(0, 6))
        event_type = rng.choices(types, type_weights)[0]
        target = rng.choices(TARGETS, [50, 20, 12, 6, 12])[0]
        killed = 0 if rng.random() < 0.85 else int(rng.paretovariate(1.6))
        injured = 0 if rng.random() < 0.75 else int(rng.paretovariate(1.3))
        # who saw it: each source reports it with a chance; at least one does
        seen = [s for s in sources if rng.random() < 0.08 * s.weight and s.side != perpetrator]
        if not seen:
            seen = [rng.choices(sources, [s.weight for s in sources])[0]]
        for source in seen:
            blamed = perpetrator
            if source.kind == "party_statement" and rng.random() < 0.1:
                blamed = _other(perpetrator)  # a counter-accusation
            record = _report(
                rng,
                source,
                counters,
                hours,
                lat,
                lon,
                event_type,
                family,
                blamed,
                target,
                killed,
                injured,
            )
            arrival_h = record.pop("_arrival_h")
            line = json.dumps(record, separators=(", ", ": "))
            lines.append((arrival_h + rng.uniform(0, 0.5), line))  # feeds interleave
            if rng.random() < 0.01:
                resent.append((arrival_h + rng.uniform(1, 48), line))
        # a counter-accusation without a matching event of the other side
        if rng.random() < 0.03:
            statement = next(
                s for s in sources if s.kind == "party_statement" and s.side == perpetrator
            )
            record = _report(
                rng,
                statement,
                counters,
                hours + rng.uniform(-3, 3),
                lat,
                lon,
                event_type,
                family,
                _other(perpetrator),
                target,
                0,
                0,
            )
            arrival_h = record.pop("_arrival_h")
            lines.append((arrival_h, json.dumps(record, separators=(", ", ": "))))
    records = sorted(lines + resent)[:size]
    with open(path, "w", encoding="utf-8") as out:
        for _, line in records:
            out.write(line + "\n")
    return {"records": len(records), "events": real_events, "days": last_hours / 24}


ISSUE_TYPES = {  # issue 15's shape: weights of the event types
    "small_arms": 30,
    "artillery": 25,
    "drone_strike": 15,
    "mortar": 10,
    "rocket": 10,
    "ground_assault": 8,
    "missile_strike": 2,
}


def generate_issue(path: Path, size: int, seed: int) -> dict[str, float]:
    """Write `size` trusted-style records of issue 15's shape to `path`, by arrival.

    Arrival times uniform over 60 days from 2026-03-01; positions uniform over lat
    46.5-49.5, lon 35.0-39.5; the event types weighted as `ISSUE_TYPES`; perpetrator RU
    or UA 4:1; 40 sources; killed 0/1/3 (90/8/2%), injured 0/1/5 (85/12/3%).
    """
    rng = random.Random(seed)
    types, weights = list(ISSUE_TYPES), list(ISSUE_TYPES.values())
    span = 60 * 86400
    seconds = sorted(rng.uniform(0, span) for _ in range(size))
    with open(path, "w", encoding="utf-8") as out:
        for n, second in enumerate(seconds, start=1):
            record = {
                "id": f"r{n:07d}",
                "source": f"src-{rng.randrange(40):02d}",
                "occurred_at": (START + timedelta(seconds=round(second))).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
                "lat": round(rng.uniform(46.5, 49.5), 5),
                "lon": round(rng.uniform(35.0, 39.5), 5),
                "event_type": rng.choices(types, weights)[0],
                "perpetrator": "RU" if rng.random() < 0.8 else "UA",
                "killed": rng.choices((0, 1, 3), (90, 8, 2))[0],
                "injured": rng.choices((0, 1, 5), (85, 12, 3))[0],
            }
            out.write(json.dumps(record) + "\n")
    return {"records": size, "events": size, "days": span / 86400}


def _other(party: str) -> str:
    return PARTIES[1 - PARTIES.index(party)]


def _report(
    rng: random.Random,
    source: Source,
    counters: dict[str, int],
    hours: float,
    lat: float,
    lon: float,
    event_type: str,
    family: dict[str, list[str]],
    perpetrator: str,
    target: str,
    killed: int,
    injured: int,
) -> dict[str, Any]:
    counters[source.id] += 1
    occurred = max(0.0, hours + rng.gauss(0, 0.2))
    median, sigma = source.delay_min
    delay = median * math.exp(rng.gauss(0, sigma)) / 60
    record: dict[str, Any] = {
        "id": f"{source.id}-{counters[source.id]:07d}",
        "source": source.id,
        "source_kind": source.kind,
        "reliability": source.reliability,
        "credibility": rng.randint(*source.credibility),
        "occurred_at": _time(occurred, rng),
    }
    arrival = occurred
    if rng.random() < 0.95:
        arrival = occurred + delay
        record["reported_at"] = _time(arrival, rng)
    # position error of up to about the source's precision
    precision = rng.randint(*source.precision_m) if source.precision_m else 500
    err_km = rng.uniform(0, precision / 1000)
    bearing = rng.uniform(0, 2 * math.pi)
    record["lat"] = round(lat + err_km * math.cos(bearing) / 110.5, 5)
    record["lon"] = round(
        lon + err_km * math.sin(bearing) / (111.32 * math.cos(math.radians(lat))), 5
    )
    if source.precision_m is not None and rng.random() < 0.9:
        record["location_precision_m"] = precision
    roll = rng.random()
    if roll < 0.1 and event_type in family:
        event_type = rng.choice(family[event_type])  # a near miss within the family
    elif roll < 0.13:
        event_type = "other"
    record["event_type"] = event_type
    record["perpetrator"] = perpetrator
    if rng.random() < 0.7:
        record["target"] = target
    if killed and rng.random() < 0.8:
        record["killed"] = max(0, killed + rng.randint(-1, 1))
    if injured and rng.random() < 0.8:
        record["injured"] = max(0, injured + rng.randint(-2, 2))
    if rng.random() < 0.4:
        record["text"] = f"{event_type.replace('_', ' ')} reported by {source.id}"
    if source.kind in ("osint", "satellite", "media") and rng.random() < 0.5:
        uri = f"https://evidence.example/{record['id']}"
        record["evidence"] = [{"uri": uri, "sha256": hashlib.sha256(uri.encode()).hexdigest()}]
    record["_arrival_h"] = arrival
    return record


# -- measuring -------------------------------------------------------------------------


def measure(path: str, trusted: bool, repeat: int) -> dict[str, Any]:
    """Run in a fresh process: end-to-end, parse-only and engine-only timings."""
    from ceasewatch.config import load_policy
    from ceasewatch.domain.ceasefire import Ceasefire
    from ceasewatch.domain.engine import Engine
    from ceasewatch.domain.reports import Report, arrival_order
    from ceasewatch.importers.records import read_reports
    from ceasewatch.services.replay import paused_gc, replay

    policy = load_policy()
    ceasefire = Ceasefire(
        id="cf-bench", name="Benchmark ceasefire", parties=list(PARTIES), effective_from=START
    )
    e2e, events = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        result = replay(ceasefire, policy, read_reports(path), trust_input=trusted)
        e2e.append(time.perf_counter() - began)
        events, unique, rejected = len(result.events), result.reports, len(result.rejected)
        del result
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    parse = []
    reports: list[Any] = []
    for _ in range(repeat):
        reports = []
        with paused_gc():  # as in replay
            began = time.perf_counter()
            reports = list(read_reports(path))
            parse.append(time.perf_counter() - began)
    records = len(reports)
    firsts: dict[tuple[str, str], Report] = {}
    for r in reports:
        if isinstance(r, Report):
            firsts.setdefault(r.key, r)
    ordered = sorted(firsts.values(), key=arrival_order)
    del reports, firsts

    engine = []
    for _ in range(repeat):
        with paused_gc():
            began = time.perf_counter()
            machine = Engine(ceasefire, policy, trust_input=trusted)
            machine.feed_all(ordered)
            machine.run_out()
            engine.append(time.perf_counter() - began)
        del machine
    return {
        "records": records,
        "unique": unique,
        "rejected": rejected,
        "events": events,
        "e2e_s": min(e2e),
        "parse_s": min(parse),
        "engine_s": min(engine),
        "peak_rss_mib": round(peak_mib, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="report counts, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--mode",
        default="trusted,untrusted",
        help="trusted (--trust-input), untrusted (corroboration), or both",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best counts")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated reports")
    parser.add_argument(
        "--events-per-day",
        type=float,
        default=150.0,
        help="real events per day along the front (default: %(default)s)",
    )
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--keep", metavar="DIR", help="write the report files here and keep them")
    parser.add_argument(
        "--shape",
        choices=("front", "issue"),
        default="front",
        help="front: events along the front line (default); issue: issue 15's dense shape",
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="measure `ceasewatch replay --json` (start-up included) against json.loads instead",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = [m for m in args.mode.split(",") if m]
    if any(m not in ("trusted", "untrusted") for m in modes) or not sizes:
        parser.error("--mode takes trusted and/or untrusted; --sizes at least one count")

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ceasewatch-bench-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        spawn = get_context("spawn")
        for size in sizes:
            path = folder / f"reports-{args.shape}-{size}-seed{args.seed}.jsonl"
            began = time.perf_counter()
            if args.shape == "issue":
                shape = generate_issue(path, size, args.seed)
            else:
                shape = generate(path, size, args.seed, args.events_per_day)
            if args.cli:
                rows.extend(against_loads(path, size, modes, args.repeat, folder))
                continue
            print(
                f"generated {path.name}: {shape['events']} real events over "
                f"{shape['days']:.0f} days in {time.perf_counter() - began:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            for mode in modes:
                with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                    figures = pool.submit(
                        measure, str(path), mode == "trusted", args.repeat
                    ).result()
                rows.append(
                    {"size": size, "mode": mode, "days": round(shape["days"], 1), **figures}
                )
                print(f"  {mode}: done", file=sys.stderr, flush=True)

    if args.cli:
        print(cli_table(rows))
        return 0
    add_rates(rows)
    print(table(rows))
    print(
        f"\nCPython {platform.python_version()} on {platform.machine()}, one process "
        f"at a time; best of {args.repeat}; rates per record of the file."
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "seed": args.seed,
                    "repeat": args.repeat,
                    "events_per_day": args.events_per_day,
                    "rows": rows,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


def loads_seconds(path: str) -> float:
    """The ceiling: `json.loads` of each line of the file, in a fresh process."""
    began = time.perf_counter()
    with open(path, "rb") as stream:
        for line in stream:
            json.loads(line)
    return time.perf_counter() - began


def against_loads(
    path: Path, size: int, modes: list[str], repeat: int, folder: Path
) -> list[dict[str, Any]]:
    """`ceasewatch replay --json` in a fresh process (start-up included), and
    `json.loads` of the same file, back to back `repeat` times; the best of each."""
    ceasefire = folder / "ceasefire.yaml"
    ceasefire.write_text(
        "id: cf-bench\nname: Benchmark ceasefire\nparties: [RU, UA]\n"
        "effective_from: 2026-03-01T00:00:00Z\n"
    )
    spawn = get_context("spawn")
    rows = []
    for mode in modes:
        trust = "--trust-input" if mode == "trusted" else "--no-trust-input"
        command = [sys.executable, "-m", "ceasewatch", "replay", str(path), "-c", str(ceasefire)]
        loads, cli, loads_cpu, cli_cpu, peak = [], [], [], [], 0.0
        for _ in range(repeat):
            cpu = _children_cpu()
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                loads.append(pool.submit(loads_seconds, str(path)).result())
            loads_cpu.append(_children_cpu() - cpu)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            cpu = _children_cpu()
            began = time.perf_counter()
            with open(os.devnull, "wb") as sink:
                subprocess.run([*command, "--json", trust], check=True, stdout=sink)
            cli.append(time.perf_counter() - began)
            cli_cpu.append(_children_cpu() - cpu)
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
        rows.append(
            {
                "size": size,
                "mode": mode,
                "loads_s": min(loads),
                "cli_s": min(cli),
                "ratio": min(cli) / min(loads),
                "loads_cpu_s": min(loads_cpu),
                "cli_cpu_s": min(cli_cpu),
                "cpu_ratio": min(cli_cpu) / min(loads_cpu),
                "peak_rss_mib": round(peak / 1024),
            }
        )
        print(f"  {mode}: done", file=sys.stderr, flush=True)
    return rows


def _children_cpu() -> float:
    """CPU seconds (user and system) of the children waited for so far: on a shared
    machine a steadier figure than the wall clock, which counts other processes' turns."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def cli_table(rows: list[dict[str, Any]]) -> str:
    """The figures of `--cli`; growth divides each size's replay seconds a report by the
    smallest size's (of the same mode)."""
    lines = [
        "     size | mode      | json.loads s | replay --json s | ratio | CPU s (loads, replay)"
        " | CPU ratio | growth | peak RSS MiB",
        "----------+-----------+--------------+-----------------+-------+----------------------"
        "-+-----------+--------+-------------",
    ]
    first: dict[str, float] = {}
    for r in sorted(rows, key=lambda r: (r["mode"], r["size"])):
        cpu = f"{r['loads_cpu_s']:.2f}, {r['cli_cpu_s']:.2f}"
        per_report = r["cli_s"] / r["size"]
        growth = per_report / first.setdefault(r["mode"], per_report)
        lines.append(
            f"{r['size']:>9,} | {r['mode']:9} | {r['loads_s']:12.2f} | {r['cli_s']:15.2f} | "
            f"{r['ratio']:5.2f} | {cpu:>21} | {r['cpu_ratio']:9.2f} | {growth:6.2f} | "
            f"{r['peak_rss_mib']:>12,}"
        )
    return "\n".join(lines)


def add_rates(rows: list[dict[str, Any]]) -> None:
    """Reports/s and µs per report; growth against the smallest size of the same mode."""
    base: dict[str, dict[str, float]] = {}
    for row in sorted(rows, key=lambda r: r["size"]):
        n = row["records"]
        for part in ("e2e", "parse", "engine"):
            row[f"{part}_per_s"] = round(n / row[f"{part}_s"])
            row[f"{part}_us"] = round(row[f"{part}_s"] / n * 1e6, 2)
        first = base.setdefault(row["mode"], {p: row[f"{p}_us"] for p in ("e2e", "engine")})
        for part in ("e2e", "engine"):
            row[f"{part}_growth"] = round(row[f"{part}_us"] / first[part], 2)


def table(rows: list[dict[str, Any]]) -> str:
    head = [
        "size",
        "mode",
        "events",
        "e2e rep/s",
        "e2e µs",
        "growth",
        "engine rep/s",
        "engine µs",
        "growth",
        "parse rep/s",
        "parse µs",
        "peak RSS MiB",
    ]
    body = [
        [
            f"{r['size']:,}",
            r["mode"],
            f"{r['events']:,}",
            f"{r['e2e_per_s']:,}",
            f"{r['e2e_us']:.2f}",
            f"{r['e2e_growth']:.2f}",
            f"{r['engine_per_s']:,}",
            f"{r['engine_us']:.2f}",
            f"{r['engine_growth']:.2f}",
            f"{r['parse_per_s']:,}",
            f"{r['parse_us']:.2f}",
            f"{r['peak_rss_mib']:,.0f}",
        ]
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = [" | ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
