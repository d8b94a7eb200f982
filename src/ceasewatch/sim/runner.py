"""Where the runs execute: in this process, on local worker processes, or on a cluster.

Every back-end runs the same `simulate_batch` on batches of run indices and the rows
are put back in run order, so the results depend only on the experiment (its scenario,
policies, seed and number of runs), never on the workers, the cluster or the order in
which batches finish.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from math import ceil
from multiprocessing import get_context
from typing import Any

from .montecarlo import Experiment, Row, in_run_order, simulate_batch

Progress = Callable[[int], None]
"""Told how many more runs have finished."""

BATCHES_PER_WORKER = 4
MAX_BATCH = 25


class ClusterError(RuntimeError):
    """A cluster that cannot be used: a bad address, an unreachable scheduler, no Ray."""


def batches(runs: int, parallelism: int) -> list[range]:
    """Runs cut into batches: a few per worker, to balance load, none too large."""
    size = max(1, min(MAX_BATCH, ceil(runs / (max(1, parallelism) * BATCHES_PER_WORKER))))
    return [range(start, min(start + size, runs)) for start in range(0, runs, size)]


def run_experiment(
    experiment: Experiment,
    *,
    workers: int = 1,
    cluster: str | None = None,
    progress: Progress | None = None,
) -> list[Row]:
    """All runs of the experiment; `cluster` is `tcp://...` (Dask) or `ray://...` (Ray)."""
    tell = progress or (lambda _: None)
    if cluster is None:
        rows = run_local(experiment, workers, tell)
    elif cluster.startswith("ray://"):
        rows = run_on_ray(experiment, cluster, tell)
    elif cluster.startswith(("tcp://", "tls://", "inproc://")):
        rows = run_on_dask(experiment, cluster, tell)
    else:
        raise ClusterError(
            f"--cluster {cluster!r}: give a Dask scheduler (tcp://HOST:PORT) "
            "or a Ray cluster (ray://HOST:PORT)"
        )
    return in_run_order(rows, experiment)


def run_local(experiment: Experiment, workers: int, progress: Progress) -> list[Row]:
    """In this process with one worker; otherwise on that many fresh worker processes."""
    rows: list[Row] = []
    work = batches(experiment.runs, workers)
    if workers <= 1 or len(work) == 1:
        for batch in work:
            rows.extend(simulate_batch(experiment, batch))
            progress(len(batch))
        return rows
    # spawn, not fork: a forked child would inherit the progress bar's thread and locks
    with ProcessPoolExecutor(min(workers, len(work)), mp_context=get_context("spawn")) as pool:
        sizes = {pool.submit(simulate_batch, experiment, batch): len(batch) for batch in work}
        for future in as_completed(sizes):
            rows.extend(future.result())
            progress(sizes[future])
    return rows


def run_on_dask(experiment: Experiment, address: str, progress: Progress) -> list[Row]:
    """On a Dask cluster: its workers must have ceasewatch installed."""
    from distributed import as_completed as dask_completed

    rows: list[Row] = []
    with _dask_client(address) as client:
        threads = sum(client.nthreads().values())
        [shared] = client.scatter([experiment], broadcast=True)
        sizes = {
            client.submit(simulate_batch, shared, batch, pure=False): len(batch)
            for batch in batches(experiment.runs, threads)
        }
        for future in dask_completed(list(sizes)):
            rows.extend(future.result())
            progress(sizes[future])
    return rows


@contextmanager
def _dask_client(address: str) -> Iterator[Any]:
    from distributed import Client

    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"--cluster {address}: cannot reach the Dask scheduler ({exc})"
        ) from None
    try:
        yield client
    finally:
        client.close()


def run_on_ray(experiment: Experiment, address: str, progress: Progress) -> list[Row]:
    """On a Ray cluster, through Ray Client: `pip install 'ceasewatch[ray]'` first."""
    try:
        ray = importlib.import_module("ray")
    except ImportError:
        raise ClusterError(
            f"--cluster {address}: Ray is not installed; install it with "
            "pip install 'ceasewatch[ray]' (or use a Dask scheduler, tcp://...)"
        ) from None
    ray.init(address=address)
    try:
        task = ray.remote(simulate_batch)
        shared = ray.put(experiment)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        pending = {
            task.remote(shared, batch): len(batch) for batch in batches(experiment.runs, cpus)
        }
        rows: list[Row] = []
        while pending:
            [done], _ = ray.wait(list(pending), num_returns=1)
            rows.extend(ray.get(done))
            progress(pending.pop(done))
        return rows
    finally:
        ray.shutdown()
