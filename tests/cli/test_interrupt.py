"""Interrupting a command: one line on stderr, exit code 128 + signal, no process left behind,
and the same command resumes. The end-to-end tests run ``mlstxs generate`` on the default local
Dask cluster in a subprocess and signal it as a terminal (Ctrl-C) or a batch system would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mlstxs.cli._errors import reports_errors

MLSTXS = str(Path(sys.executable).with_name("mlstxs"))
INTERRUPTED = "Error: interrupted; rerun the same command to resume"


def _generate(out: Path) -> list[str]:
    args = ["generate", "--operators", "cHW", "--events", "400000", "--chunk-size", "20000"]
    return [MLSTXS, *args, "--level", "parton", "--no-progress", "--out", str(out)]


def _wait_for_chunks(root: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until a chunk file appears anywhere under ``root``: the workers are running (the
    output layout, finished or staged in a hidden sibling directory, does not matter)."""
    deadline = time.monotonic() + timeout
    while not any(root.rglob("part-*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no chunk written"
        time.sleep(0.1)


def _processes_with(marker: str) -> list[int]:
    """Live (not zombie) processes whose environment holds ``marker``: the command and every
    process it started, wherever they were reparented."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, True)],
    ids=["sigint", "sigint-group", "sigterm-group"],
)
def test_interrupted_generate_is_one_line_and_resumes(signum, group, tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    token = uuid.uuid4().hex
    marker = f"MLSTXS_TEST_RUN={token}"
    env = dict(os.environ, OMP_NUM_THREADS="1", MLSTXS_TEST_RUN=token)
    proc = subprocess.Popen(
        _generate(root / "s"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        _wait_for_chunks(root, proc)
        assert len(_processes_with(marker)) > 1  # the command and its workers
        os.killpg(proc.pid, signum) if group else proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert stderr.splitlines() == [INTERRUPTED]
    assert proc.returncode == 128 + signum
    deadline = time.monotonic() + 5  # let the resource tracker see its pipe close
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []

    res = subprocess.run(
        _generate(root / "s"), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("wrote 400000 events")


@click.command()
@click.argument("signame")
@click.pass_context
@reports_errors
def _interruptible(ctx, signame):
    if signame == "SIGINT":
        raise KeyboardInterrupt
    os.kill(os.getpid(), getattr(signal, signame))
    time.sleep(10)  # the handler raises before this ends


@pytest.mark.parametrize(("signame", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_reports_errors_turns_interrupts_into_one_line(signame, code):
    handler = signal.getsignal(signal.SIGTERM)
    start = time.monotonic()
    res = CliRunner().invoke(_interruptible, [signame], obj={})
    assert time.monotonic() - start < 5
    assert res.exit_code == code
    assert res.stderr.splitlines() == [INTERRUPTED]
    assert signal.getsignal(signal.SIGTERM) is handler
