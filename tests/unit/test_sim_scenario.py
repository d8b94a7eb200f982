"""Scenario files: validated as a whole, every problem named with its line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ceasewatch.sim.catalogue import ScenarioNotFound, load_scenario, shipped_scenarios
from ceasewatch.sim.scenario import Hawkes, ScenarioInvalid, Spoiler, parse_scenario

GOOD = """\
name: tiny
ceasefire:
  id: cf-tiny
  name: Tiny
  parties: [RU, UA]
  effective_from: 2026-03-01T00:00:00Z
duration: 10d
theatre:
  front: [[48.0, 37.0], [48.0, 38.0]]
actors:
  RU:
    processes:
      - kind: hawkes
        background: 0.5
        excitation: 0.4
        decay: 6h
sources:
  - {id: ru-mod, kind: party_statement, side: RU, delay: {median: 6h}}
"""


def problems(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ScenarioInvalid) as caught:
        parse_scenario(text, "edited.yaml")
    return [(p.path, p.line, p.message) for p in caught.value.problems]


def line_of(text: str, fragment: str) -> int:
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


def test_a_scenario_reads_durations_and_rates_as_a_planner_writes_them():
    scenario = parse_scenario(GOOD)
    [process] = scenario.actors["RU"].processes
    assert isinstance(process, Hawkes)
    assert (process.background, process.excitation, process.decay) == (0.5, 0.4, timedelta(hours=6))
    assert scenario.duration == timedelta(days=10)
    assert scenario.start == scenario.ceasefire.effective_from


@pytest.mark.parametrize("name", shipped_scenarios())
def test_every_shipped_scenario_is_valid_and_lasts_30_days(name: str):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.title and scenario.description
    assert scenario.duration == timedelta(days=30)


def test_the_shipped_scenarios_cover_every_kind_of_breach_process():
    kinds = {
        process.kind
        for name in shipped_scenarios()
        for actor in load_scenario(name).actors.values()
        for process in actor.processes
    }
    assert {"poisson", "hawkes", "offensive", "spoiler"} <= kinds


def test_a_hawkes_process_must_not_explode():
    text = GOOD.replace("excitation: 0.4", "excitation: 1.2")
    [(path, line, message)] = problems(text)
    assert path == "actors.RU.processes.0.excitation"
    assert line == line_of(text, "excitation: 1.2")
    assert "less than 1" in message


def test_a_bad_duration_is_named_with_its_line():
    text = GOOD.replace("decay: 6h", "decay: soon")
    [(path, line, message)] = problems(text)
    assert (path, line) == ("actors.RU.processes.0.decay", line_of(text, "decay: soon"))
    assert "invalid duration 'soon'" in message


def test_a_source_must_side_with_a_party():
    text = GOOD.replace("side: RU", "side: US")
    [(_, _, message)] = problems(text)
    assert message == "source ru-mod: side US is not a party"


def with_spoiler(process: str) -> str:
    """GOOD with a spoiler actor whose one process is the given flow mapping."""
    return GOOD.replace("sources:", f"  SPOILER:\n    processes:\n      - {process}\nsources:")


def test_a_spoiler_plants_only_through_sources_the_scenario_has():
    text = with_spoiler("{kind: spoiler, frames: [UA], false_reports: 1, via: [tass]}")
    [(_, _, message)] = problems(text)
    assert message == "actor SPOILER: spoiler plants through unknown source tass"


def test_a_spoiler_with_false_reports_needs_outlets():
    [(path, _, message)] = problems(with_spoiler("{kind: spoiler, frames: [UA], false_reports: 1}"))
    assert path == "actors.SPOILER.processes.0"
    assert "needs `via`" in message


def test_a_spoiler_frames_parties_only():
    text = with_spoiler("{kind: spoiler, frames: [NATO], provocations: 1}")
    [(_, _, message)] = problems(text)
    assert message == "actor SPOILER: spoiler frames NATO, which is not a party"
    [process] = parse_scenario(text.replace("NATO", "UA")).actors["SPOILER"].processes
    assert isinstance(process, Spoiler)


def test_an_unknown_process_kind_is_refused():
    text = GOOD.replace("kind: hawkes", "kind: storm")
    [(path, _, message)] = problems(text)
    assert path == "actors.RU.processes.0"
    assert "poisson" in message and "spoiler" in message


def test_an_unknown_key_is_refused_rather_than_ignored():
    text = GOOD.replace("duration: 10d", "duration: 10d\nhorizon: 20d")
    [(path, line, _)] = problems(text)
    assert (path, line) == ("horizon", line_of(text, "horizon: 20d"))


def test_not_yaml_at_all():
    [(_, line, message)] = problems("name: [unclosed\n")
    assert line is not None and message.startswith("not valid YAML")


def test_a_scenario_is_found_by_name_or_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD)
    assert load_scenario(str(path)).name == "tiny"
    with pytest.raises(ScenarioNotFound, match="escalation"):
        load_scenario("no-such-scenario")
