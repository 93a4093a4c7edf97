"""The Dask client used by every stage that scales out (generation chunks, study splits).

Interrupts. A Ctrl-C at a terminal sends SIGINT to the whole foreground process group, worker
processes included, and each of them would print its own traceback. So the local cluster's
workers are spawned with SIGINT ignored (:func:`_signals_held`): only this process gets the
``KeyboardInterrupt``, and it closes the cluster in order. Whatever exception leaves the
client's block, the log records of the teardown (cancelled tasks, closed comms) are silenced,
here and in the workers (:func:`_silence_logging`): the caller reports the exception itself.
Turning SIGTERM into the same interrupt is the command layer's job (``mlstxs.cli._errors``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

CONNECT_TIMEOUT_ENV = "MLSTXS_SCHEDULER_TIMEOUT"
"""Environment variable overriding the time, in seconds, given a scheduler to answer."""
CONNECT_TIMEOUT_S = 10.0
"""Default time, in seconds, given a scheduler at ``--scheduler ADDRESS`` to answer."""


@contextmanager
def dask_client(scheduler: str | None, connect_timeout: float | None = None):
    """A Dask client: a local cluster (one single-threaded worker per core, at most 8) by
    default, or the scheduler at the given address. ``"synchronous"`` runs in this process
    without Dask (yields None).

    Parameters
    ----------
    scheduler : str or None
        ``None``, ``"synchronous"`` or a scheduler address (``tcp://host:8786``).
    connect_timeout : float, optional
        Seconds a scheduler at ``scheduler`` has to complete Dask's handshake, else
        ``ConnectionError``; default ``$MLSTXS_SCHEDULER_TIMEOUT`` or 10 s. (Dask's own
        ``distributed.comm.timeouts.connect`` bounds only the TCP connection: a port that
        accepts but never answers would hang forever.)

    When an exception (a ``KeyboardInterrupt`` included) leaves the block, logging is
    silenced while the client and cluster close, then restored, and the exception propagates.
    Signal handlers and logging are left as they were found.
    """
    if scheduler == "synchronous":
        yield None
        return
    from distributed import Client, LocalCluster

    client = None
    with _logging_restored(), ExitStack() as stack:
        try:
            if scheduler is None:
                n_workers = max(1, min(len(os.sched_getaffinity(0)), 8))
                with _signals_held():
                    cluster = LocalCluster(
                        n_workers=n_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                    stack.enter_context(cluster)
                client = stack.enter_context(Client(cluster))
                yield client
            else:
                timeout = _connect_timeout(connect_timeout)
                _check_scheduler(scheduler, timeout)
                yield stack.enter_context(Client(scheduler, timeout=timeout))
        except BaseException:
            _silence_logging(client)  # None for a shared scheduler: its workers are not ours
            raise


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


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ignore SIGINT and hold back SIGTERM while the block starts worker processes; restore
    both handlers after, then deliver a SIGTERM that came meanwhile.

    The workers keep the ignored SIGINT (the disposition survives fork and exec, and CPython
    leaves an ignored SIGINT ignored at start-up), so a terminal's Ctrl-C reaches only this
    process; SIGTERM, caught rather than ignored, is back to its default in them, so that the
    nanny can still terminate them. SIGTERM is held so that it is raised (by the command
    layer's handler) only once the cluster is in the caller's exit stack, never from inside
    its constructor. The price: a Ctrl-C while the cluster starts (a second or two) is lost,
    and a worker that the nanny restarts later does not ignore SIGINT. Does nothing outside
    the main thread, where signal handlers cannot be set.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda signum, frame: held.append(signum)),
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if held:
            signal.raise_signal(signal.SIGTERM)


@contextmanager
def _logging_restored() -> Iterator[None]:
    """Restore this process's ``logging.disable`` level when the block exits."""
    previous = logging.root.manager.disable
    try:
        yield
    finally:
        logging.disable(previous)


def _silence_logging(client=None) -> None:
    """Drop all log records from now on: in this process (nanny, scheduler and client live
    here) and, given a client, in its workers. Called when an interrupt or an error leaves the
    client's block, so that the teardown (cancelled tasks, closed comms) prints nothing; the
    error itself is reported by the caller."""
    logging.disable(logging.CRITICAL)
    if client is not None:
        try:
            client.run(_silence_logging)
        except Exception:  # a worker already gone: nothing left to silence there
            pass


def _connect_timeout(value: float | None) -> float:
    if value is not None:
        return float(value)
    text = os.environ.get(CONNECT_TIMEOUT_ENV, "")
    try:
        return float(text) if text else CONNECT_TIMEOUT_S
    except ValueError:
        raise ValueError(
            f"{CONNECT_TIMEOUT_ENV} must be a number of seconds, got {text!r}"
        ) from None


def _check_scheduler(address: str, timeout: float) -> None:
    """Raise ``ConnectionError`` unless a Dask scheduler at ``address`` completes the
    handshake within ``timeout`` seconds; ``ValueError`` for a malformed address."""
    from distributed.comm import connect
    from distributed.comm.addressing import normalize_address
    from distributed.utils import LoopRunner, sync

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    runner = LoopRunner(asynchronous=False)
    runner.start()
    try:
        sync(runner.loop, handshake)
    except (OSError, asyncio.TimeoutError):  # a refused port retries until the timeout
        where = normalize_address(address)
        raise ConnectionError(
            f"no Dask scheduler answered at {where} within {timeout:g} s"
        ) from None
    finally:
        runner.stop()
