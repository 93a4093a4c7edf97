"""An interrupted run, resumed, ends with exactly the output of an uninterrupted one: at every
stage (generation chunks, study splits, the report, the limits figures) and for ``reproduce``
killed with SIGKILL at any of its stages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import mlstxs.pipeline._limits
import mlstxs.report
from mlstxs._output import sibling
from mlstxs.cli import cli
from mlstxs.generate import GeneratorConfig, generate
from mlstxs.study import _ensemble


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("resume") / "sample"
    generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=40_000, seed=7, level="detector")
    ).save(path)
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], obj={})


TIMINGS = ("seconds_per_epoch", "timing")
"""Measured run times: the only content allowed to differ between two runs."""


def _without_timings(data):
    if isinstance(data, dict):
        return {k: _without_timings(v) for k, v in data.items() if k not in TIMINGS}
    if isinstance(data, list):
        return [_without_timings(v) for v in data]
    return data


def tree(path):
    """Every file's content, JSON without its timings."""
    out = {}
    for p in sorted(path.rglob("*")):
        if p.is_file():
            raw = p.read_bytes()
            out[str(p.relative_to(path))] = (
                _without_timings(json.loads(raw)) if p.suffix == ".json" else raw
            )
    return out


def assert_same_tree(a, b):
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    assert [k for k in ta if ta[k] != tb[k]] == []


DESIGN = ["--quick", "--splits", "3", "--scheduler", "synchronous", "--no-progress"]


def design(sample, out):
    return invoke("design", sample, "--out", out, *DESIGN)


@pytest.fixture(scope="module")
def reference_design(sample_dir):
    out = sample_dir.parent / "reference" / "study"
    res = design(sample_dir, out)
    assert res.exit_code == 0, res.output
    return out


def interrupt_after(monkeypatch, module, name, when=lambda *a: True):
    """Make ``module.name`` raise KeyboardInterrupt (after running) when ``when(*args)``."""
    real = getattr(module, name)

    def interrupted(*args, **kwargs):
        out = real(*args, **kwargs)
        if when(*args):
            raise KeyboardInterrupt
        return out

    monkeypatch.setattr(module, name, interrupted)


@pytest.mark.parametrize("stage", ["split 0", "split 1", "report"])
def test_design_interrupted_at_each_stage_resumes_to_the_same_output(
    sample_dir, reference_design, monkeypatch, stage
):
    out = sample_dir.parent / stage.replace(" ", "") / "study"
    if stage.startswith("split"):
        n = int(stage[-1])
        interrupt_after(monkeypatch, _ensemble, "run_split_to_disk", lambda *a: a[2] == n)
    else:
        interrupt_after(monkeypatch, mlstxs.report, "make_figures")
    assert design(sample_dir, out).exit_code != 0
    assert not out.exists() and sibling(out, "partial").is_dir()
    monkeypatch.undo()
    res = design(sample_dir, out)
    assert res.exit_code == 0, res.output
    assert not sibling(out, "partial").exists()
    assert_same_tree(out, reference_design)


def test_limits_interrupted_in_its_figures_resumes_to_the_same_output(
    sample_dir, reference_design, monkeypatch
):
    args = ["--design", reference_design, "--learner", "none", "--operators", "cHW,cHWB"]
    ref = sample_dir.parent / "reference" / "limits"
    assert invoke("limits", sample_dir, "--out", ref, *args).exit_code == 0
    out = sample_dir.parent / "interrupted" / "limits"
    interrupt_after(monkeypatch, mlstxs.pipeline._limits, "plot_contours")
    assert invoke("limits", sample_dir, "--out", out, *args).exit_code != 0
    assert (sibling(out, "partial") / "limits.json").is_file() and not out.exists()
    monkeypatch.undo()
    assert invoke("limits", sample_dir, "--out", out, *args).exit_code == 0
    assert_same_tree(out, ref)


# -- reproduce, killed ------------------------------------------------------------------------
REPRODUCE = [
    sys.executable, "-m", "mlstxs.cli", "reproduce", "--quick", "--events", "40000",
    "--scheduler", "synchronous", "--no-progress", "--out", "run",
]  # fmt: skip


def _run(cwd):
    return subprocess.run(REPRODUCE, cwd=cwd, capture_output=True, text=True, timeout=600)


def _kill_when(cwd, ready, timeout=300):
    """Start reproduce in ``cwd`` and SIGKILL it as soon as ``ready(partial)`` holds."""
    proc = subprocess.Popen(REPRODUCE, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    partial = sibling(cwd / "run", "partial")
    deadline = time.monotonic() + timeout
    while not ready(partial):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _any(pattern):
    return lambda partial: any(partial.glob(pattern))


MOMENTS = {
    "generating": _any(".sample.mlstxs-partial"),
    "designing": _any(".design.mlstxs-partial/splits/split-*.json"),
    "in the limits": _any(".limits.mlstxs-partial"),
}


@pytest.mark.slow
def test_reproduce_killed_at_any_stage_resumes_to_the_same_output(tmp_path):
    (tmp_path / "reference").mkdir()
    ref = _run(tmp_path / "reference")
    assert ref.returncode == 0, ref.stderr
    for name, ready in MOMENTS.items():
        cwd = tmp_path / name.replace(" ", "_")
        cwd.mkdir()
        _kill_when(cwd, ready)
        assert not (cwd / "run").exists(), name
        res = _run(cwd)
        assert res.returncode == 0, (name, res.stderr)
        assert "resuming the unfinished run" in res.stdout
        assert_same_tree(cwd / "run", tmp_path / "reference" / "run")
        assert sorted(p.name for p in cwd.iterdir()) == ["run"], name
    again = _run(tmp_path / "reference")
    assert again.returncode == 0 and "already complete for these settings" in again.stdout
