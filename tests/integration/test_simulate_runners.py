"""Where runs execute changes nothing: in process, on worker processes, or on Dask."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from functools import cache

import pytest
from distributed import LocalCluster

from ceasewatch.sim.catalogue import load_scenario
from ceasewatch.sim.montecarlo import Experiment, Row
from ceasewatch.sim.runner import ClusterError, batches, run_experiment
from sim_builders import EXAMPLES, experiment

RUNS = 12


@cache
def spoiler_experiment() -> Experiment:
    """The shipped spoiler scenario under two policies: something happens in every run."""
    policies = ("three-phase", str(EXAMPLES / "policy-cautious.yaml"))
    return experiment(load_scenario("spoiler"), RUNS, seed=5, policies=policies)


@cache
def in_process() -> tuple[Row, ...]:
    return tuple(run_experiment(spoiler_experiment(), workers=1))


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """A small Dask cluster on loopback: one worker with two threads, in this process."""
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def test_rows_come_one_per_run_and_policy_sorted_by_run():
    rows = in_process()
    assert [(r["run"], r["policy"]) for r in rows] == [
        (run, policy) for run in range(RUNS) for policy in ("three-phase", "cautious")
    ]


def test_the_same_seed_gives_the_same_results_again():
    assert tuple(run_experiment(spoiler_experiment(), workers=1)) == in_process()


def test_two_worker_processes_give_the_same_results_as_one_process():
    progress: list[int] = []
    rows = run_experiment(spoiler_experiment(), workers=2, progress=progress.append)
    assert tuple(rows) == in_process()
    assert sum(progress) == RUNS


def test_a_dask_cluster_gives_the_same_results_as_local_processes(dask_scheduler: str):
    progress: list[int] = []
    rows = run_experiment(spoiler_experiment(), cluster=dask_scheduler, progress=progress.append)
    assert tuple(rows) == in_process()
    assert sum(progress) == RUNS


def test_another_seed_gives_other_results():
    other = experiment(load_scenario("spoiler"), RUNS, seed=6)
    mine = [r["reports"] for r in in_process() if r["policy"] == "three-phase"]
    assert [r["reports"] for r in run_experiment(other, workers=1)] != mine


def test_runs_are_cut_into_batches_that_cover_each_run_once():
    for runs, workers in [(1, 4), (7, 2), (100, 2), (1000, 16)]:
        cut = batches(runs, workers)
        assert [run for batch in cut for run in batch] == list(range(runs))


@pytest.mark.skipif(importlib.util.find_spec("ray") is not None, reason="Ray is installed")
def test_a_ray_cluster_without_ray_installed_says_how_to_install_it():
    with pytest.raises(ClusterError, match=r"pip install 'ceasewatch\[ray\]'"):
        run_experiment(spoiler_experiment(), cluster="ray://127.0.0.1:10001")


def test_a_cluster_address_of_another_kind_is_refused():
    with pytest.raises(ClusterError, match="tcp://HOST:PORT"):
        run_experiment(spoiler_experiment(), cluster="http://127.0.0.1:8786")
