"""--sweep PATH=V1,V2,...: one policy parameter varied, each variant a valid policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ceasewatch.domain.policy import Policy
from ceasewatch.sim.montecarlo import policy_variants
from ceasewatch.sim.sweep import SweepError, parse_sweep, with_parameter


def test_a_sweep_names_a_parameter_and_its_values():
    sweep = parse_sweep("corroboration.radius_km=2,5,10")
    assert (sweep.param, sweep.values) == ("corroboration.radius_km", ("2", "5", "10"))


def test_commas_inside_brackets_do_not_split_values():
    sweep = parse_sweep("corroboration.single_source.reliability=[A, B],[A]")
    assert sweep.values == ("[A, B]", "[A]")


@pytest.mark.parametrize("text", ["radius_km", "=1,2", "corroboration.radius_km=", "a.b=1,,2"])
def test_a_malformed_sweep_says_how_to_write_one(text: str):
    with pytest.raises(SweepError, match="--sweep"):
        parse_sweep(text)


def test_a_value_is_set_and_the_policy_validated(policy: Policy):
    varied = with_parameter(policy, "corroboration.radius_km", "2")
    assert varied.corroboration.radius_km == 2
    assert varied.corroboration.window == policy.corroboration.window
    assert policy.corroboration.radius_km == 5  # the original is untouched


def test_a_number_in_the_path_picks_a_list_item_counted_from_zero(policy: Policy):
    varied = with_parameter(policy, "phases.1.trigger.violation_after_open", "48h")
    assert varied.phase2_after == timedelta(hours=48)


def test_a_list_value_is_read_as_yaml(policy: Policy):
    varied = with_parameter(policy, "corroboration.single_source.reliability", "[A]")
    assert varied.corroboration.single_source.reliability == ["A"]


def test_a_path_that_does_not_exist_lists_what_does(policy: Policy):
    with pytest.raises(SweepError, match=r"corroboration has no 'radius'.*radius_km"):
        with_parameter(policy, "corroboration.radius", "2")


def test_a_list_index_out_of_range_is_refused(policy: Policy):
    with pytest.raises(SweepError, match=r"phases is a list of 3: pick an item by 0\.\.2"):
        with_parameter(policy, "phases.3.title", "x")


def test_a_value_the_policy_refuses_is_reported_with_the_field(policy: Policy):
    with pytest.raises(SweepError, match=r"radius_km=-1: corroboration.radius_km: .*0"):
        with_parameter(policy, "corroboration.radius_km", "-1")
    with pytest.raises(SweepError, match="invalid duration 'soon'"):
        with_parameter(policy, "close.quiet", "soon")


def test_each_policy_is_labelled_by_its_name_or_also_by_how_it_was_asked_for(policy: Policy):
    other = with_parameter(policy, "corroboration.radius_km", "1")
    [alone] = policy_variants([("three-phase", policy)])
    twins = policy_variants([("three-phase", policy), ("mine.yaml", other)])
    assert (alone.label, alone.base) == ("three-phase", "three-phase")
    assert [v.label for v in twins] == ["three-phase (three-phase)", "three-phase (mine.yaml)"]


def test_a_sweep_makes_one_variant_per_value_of_each_policy(policy: Policy):
    variants = policy_variants([("three-phase", policy)], parse_sweep("close.quiet=48h,96h"))
    assert [(v.label, v.base, v.sweep_value) for v in variants] == [
        ("three-phase[close.quiet=48h]", "three-phase", "48h"),
        ("three-phase[close.quiet=96h]", "three-phase", "96h"),
    ]
    assert [v.policy.close.quiet for v in variants] == [timedelta(hours=48), timedelta(hours=96)]
