"""The Dask client used by every stage that scales out (generation chunks, study splits)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def dask_client(scheduler: str | None):
    """A Dask client: a local cluster (one single-threaded worker per core, at most 8) by
    default, or the scheduler at the given address. ``"synchronous"`` runs in this process
    without Dask (yields None)."""
    if scheduler == "synchronous":
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is None:
        n_workers = max(1, min(len(os.sched_getaffinity(0)), 8))
        with (
            LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def run_tasks(
    func: Callable[..., Any],
    tasks: Iterable[tuple],
    scheduler: str | None,
    key_prefix: str,
) -> Iterator[Any]:
    """Run ``func(*args)`` for every argument tuple, in this process or as Dask tasks, and
    yield the results as they complete."""
    tasks = list(tasks)
    with dask_client(scheduler) as client:
        if client is None:
            for args in tasks:
                yield func(*args)
            return
        from distributed import as_completed

        futures = [
            client.submit(func, *args, key=f"{key_prefix}-{i}", pure=False)
            for i, args in enumerate(tasks)
        ]
        for fut in as_completed(futures):
            yield fut.result()
