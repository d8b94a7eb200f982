"""The policy file: DESIGN's numbers as data, and a check that points at the bad line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from builders import default_policy_text
from ceasewatch.config import ConfigError, load_policy
from ceasewatch.domain.policy import PolicyInvalid, parse_policy


def line_of(text: str, fragment: str) -> int:
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


def key_line(text: str, key: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(f"{key}:"))


def problems(text: str) -> list[tuple[str, int | None]]:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(text, "edited.yaml")
    return [(p.path, p.line) for p in caught.value.problems]


def without_phase_3(text: str) -> str:
    return text[: text.index("  - phase: 3")] + text[text.index("close:") :]


def test_the_default_policy_holds_designs_numbers(policy):
    hours = timedelta(hours=1)
    corroboration = policy.corroboration
    assert (corroboration.radius_km, corroboration.window) == (5, 2 * hours)
    assert corroboration.independent_groups == 2
    assert policy.severity.broad_attack.min_casualties == 10
    assert policy.severity.broad_attack.repeat.count == 10
    assert policy.severity.broad_attack.repeat.within == 24 * hours
    assert policy.severity.major.min_casualties == 1
    assert policy.phase2_after == 24 * hours
    trigger = policy.phase3_trigger
    assert (trigger.after_open, trigger.severity, trigger.recent_violation) == (
        72 * hours,
        "broad_attack",
        24 * hours,
    )
    assert policy.close.quiet == 72 * hours
    assert not policy.repeat_offence.enabled
    assert policy.repeat_offence.within == timedelta(days=30)
    assert {a.deadline for a in policy.phase(1).actions} == {24 * hours}


def test_the_default_policy_survives_a_round_trip_through_yaml(policy):
    assert parse_policy(policy.to_yaml()) == policy


def test_a_bad_duration_is_reported_at_its_line():
    text = default_policy_text().replace("window: 2h", "window: 2 hours")

    assert problems(text) == [("corroboration.window", line_of(text, "window: 2 hours"))]


def test_a_duration_without_its_unit_is_reported_not_read_as_seconds():
    text = default_policy_text().replace("  quiet: 72h", "  quiet: 72")

    assert problems(text) == [("close.quiet", line_of(text, "  quiet: 72"))]


@pytest.mark.parametrize(
    ("setting", "written"),
    [("independent_groups: 2", "independent_groups: yes"), ("radius_km: 5", "radius_km: on")],
)
def test_yes_or_on_for_a_number_is_reported_not_read_as_1(setting, written):
    """YAML reads `yes` and `on` as true, which pydantic would otherwise take for 1."""
    text = default_policy_text().replace(setting, written, 1)

    [(path, line)] = problems(text)
    assert path.endswith(setting.split(":")[0])
    assert line == line_of(text, written)


def test_a_stored_policy_is_read_as_it_was_admitted():
    """A ceasefire's policy is stored as text and read again by every process: one stored
    before these rules (72 read as seconds, yes as 1) must replay as it did."""
    text = default_policy_text().replace("  quiet: 72h", "  quiet: 72")
    text = text.replace("independent_groups: 2", "independent_groups: yes", 1)

    policy = parse_policy(text, "stored", stored=True)

    assert policy.close.quiet == timedelta(seconds=72)
    assert policy.corroboration.independent_groups == 1


def test_a_bad_duration_deep_in_a_phase_is_reported_at_its_line():
    text = default_policy_text().replace("violation_after_open: 24h", "violation_after_open: 1w")

    assert problems(text) == [
        ("phases.1.trigger.violation_after_open", line_of(text, "violation_after_open: 1w"))
    ]


def test_a_missing_phase_is_reported_with_a_line():
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(without_phase_3(default_policy_text()), "edited.yaml")

    [problem] = caught.value.problems
    assert problem.line is not None
    assert "phases must be 1, 2 and 3" in problem.message
    assert str(caught.value).startswith(f"edited.yaml:{problem.line}: ")


def test_a_missing_phase_points_at_the_phases_list():
    text = without_phase_3(default_policy_text())

    [(path, line)] = problems(text)
    assert path == "phases"
    assert key_line(text, "phases") <= line < key_line(text, "close")


def test_a_type_in_two_families_is_reported():
    text = default_policy_text().replace("[ground_assault,", "[rocket,")

    [(path, line)] = problems(text)
    assert path == "corroboration"
    assert key_line(text, "corroboration") <= line < key_line(text, "severity")


def test_invalid_yaml_is_reported_at_its_line():
    text = default_policy_text().replace("  quiet: 72h", "  quiet: [72h")

    [(_, line)] = problems(text)
    assert line is not None and line >= line_of(text, "quiet: [72h")


def test_an_unknown_key_is_reported_at_its_line():
    text = default_policy_text().replace("  quiet: 72h", "  quiet: 72h\n  loud: 1h")

    assert problems(text) == [("close.loud", line_of(text, "loud: 1h"))]


def test_an_unknown_policy_name_is_a_config_error():
    with pytest.raises(ConfigError, match="three-phase"):
        load_policy("four-phase")
