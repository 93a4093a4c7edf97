"""The Dask client: connecting to a scheduler fails fast and in one line; the local cluster
leaves the process's signal handlers and logging as it found them."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from mlstxs._dask import CONNECT_TIMEOUT_ENV, _signals_held, dask_client, run_tasks
from mlstxs.cli import cli


@pytest.fixture
def silent_port():
    """A port on 127.0.0.1 that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])  # held open, never answered
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _square(x):
    return x * x


@pytest.mark.parametrize("port_fixture", ["silent_port", "closed_port"])
def test_no_scheduler_fails_within_timeout(port_fixture, request):
    port = request.getfixturevalue(port_fixture)
    start = time.monotonic()
    with pytest.raises(ConnectionError) as err:
        with dask_client(f"tcp://127.0.0.1:{port}", connect_timeout=1):
            pass
    assert time.monotonic() - start < 4
    assert str(err.value) == f"no Dask scheduler answered at tcp://127.0.0.1:{port} within 1 s"


def test_timeout_from_environment(closed_port, monkeypatch):
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "0.5")
    with pytest.raises(ConnectionError, match=r"within 0\.5 s"):
        with dask_client(f"127.0.0.1:{closed_port}"):
            pass
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "soon")
    with pytest.raises(ValueError, match=CONNECT_TIMEOUT_ENV):
        with dask_client(f"127.0.0.1:{closed_port}"):
            pass


@pytest.mark.parametrize("address", ["silent", "closed", "notanaddress"])
def test_cli_bad_scheduler_is_one_line(address, silent_port, closed_port, tmp_path):
    port = {"silent": silent_port, "closed": closed_port}.get(address)
    scheduler = f"tcp://127.0.0.1:{port}" if port else address
    args = ["generate", "--events", "1000", "--level", "parton", "--no-progress"]
    args += ["--out", str(tmp_path / "s"), "--scheduler", scheduler]
    res = CliRunner().invoke(cli, args, obj={}, env={CONNECT_TIMEOUT_ENV: "1"})
    assert res.exit_code == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    if port:
        assert lines[0] == f"Error: no Dask scheduler answered at {scheduler} within 1 s"


def test_scheduler_address_runs_tasks():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        results = run_tasks(_square, [(i,) for i in range(4)], cluster.scheduler_address, "sq")
        assert sorted(results) == [0, 1, 4, 9]


def test_local_cluster_restores_signal_handler_and_logging():
    handler = signal.getsignal(signal.SIGINT)
    disabled = logging.root.manager.disable
    assert sorted(run_tasks(_square, [(2,), (3,)], None, "sq")) == [4, 9]
    with pytest.raises(RuntimeError, match="boom"):
        with dask_client(None):
            assert signal.getsignal(signal.SIGINT) is handler
            raise RuntimeError("boom")  # the teardown after an error is silenced ...
    assert logging.root.manager.disable == disabled  # ... and logging restored after
    assert signal.getsignal(signal.SIGINT) is handler


def test_sigterm_while_workers_start_is_delivered_after():
    seen = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with _signals_held():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            assert seen == []
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
