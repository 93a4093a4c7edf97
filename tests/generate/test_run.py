"""Runs to disk: Dask chunks, resume after interruption, refusing to overwrite."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.generate import (
    GeneratorConfig,
    OutputExistsError,
    _run,
    generate,
    generate_to_directory,
)
from mlstxs.io import EventSample

CFG = GeneratorConfig(n_events=12_000, seed=3, chunk_size=4_000, level="parton")


def test_disk_run_equals_in_memory_run(tmp_path):
    path = generate_to_directory(CFG, tmp_path / "s", scheduler="synchronous")
    disk, mem = EventSample.load(path), generate(CFG)
    for k in mem.columns:
        np.testing.assert_array_equal(disk.columns[k], mem.columns[k])
    assert disk.metadata.xsec["w_sm"].xsec_pb == pytest.approx(
        mem.metadata.xsec["w_sm"].xsec_pb, rel=1e-12
    )
    assert not (path / _run.PROGRESS_DIR).exists()


def test_local_dask_cluster_gives_the_same_sample(tmp_path):
    path = generate_to_directory(CFG, tmp_path / "s")
    ref = generate(CFG)
    np.testing.assert_array_equal(EventSample.load(path).columns["w_cHW"], ref.columns["w_cHW"])


def test_interrupted_run_resumes(tmp_path, monkeypatch):
    out = tmp_path / "s"
    real = _run.run_chunk_to_disk
    calls = []

    def failing(config, index, n, seed, out_dir):
        if index == 2:
            raise KeyboardInterrupt
        calls.append(index)
        return real(config, index, n, seed, out_dir)

    monkeypatch.setattr(_run, "run_chunk_to_disk", failing)
    with pytest.raises(KeyboardInterrupt):
        generate_to_directory(CFG, out, scheduler="synchronous")
    assert not (out / "metadata.json").exists()
    monkeypatch.setattr(_run, "run_chunk_to_disk", lambda *a: calls.append(a[1]) or real(*a))
    calls.clear()
    generate_to_directory(CFG, out, scheduler="synchronous")
    assert calls == [2]  # only the missing chunk ran again
    np.testing.assert_array_equal(
        EventSample.load(out).columns["w_sm"], generate(CFG).columns["w_sm"]
    )


def test_existing_output_is_refused(tmp_path):
    out = tmp_path / "s"
    generate_to_directory(CFG, out, scheduler="synchronous")
    before = sorted(p.name for p in (out / "events").iterdir())
    with pytest.raises(OutputExistsError, match="already exists"):
        generate_to_directory(CFG, out, scheduler="synchronous")
    assert sorted(p.name for p in (out / "events").iterdir()) == before
    other = tmp_path / "plain"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(OutputExistsError):
        generate_to_directory(CFG, other, scheduler="synchronous")
    assert (other / "notes.txt").read_text() == "keep me"


def test_unfinished_run_with_other_settings_is_refused(tmp_path, monkeypatch):
    out = tmp_path / "s"
    real = _run.run_chunk_to_disk

    def failing(config, index, *args):
        if index == 1:
            raise KeyboardInterrupt
        return real(config, index, *args)

    monkeypatch.setattr(_run, "run_chunk_to_disk", failing)
    with pytest.raises(KeyboardInterrupt):
        generate_to_directory(CFG, out, scheduler="synchronous")
    monkeypatch.undo()
    with pytest.raises(OutputExistsError, match="different settings"):
        generate_to_directory(CFG.model_copy(update={"seed": 4}), out, scheduler="synchronous")


def test_a_run_that_fails_before_its_first_chunk_leaves_no_stub(tmp_path, monkeypatch):
    out = tmp_path / "s"

    def broken(*args):
        raise OSError("no PDF grid")

    monkeypatch.setattr(_run, "run_chunk_to_disk", broken)
    with pytest.raises(OSError, match="no PDF grid"):
        generate_to_directory(CFG, out, scheduler="synchronous")
    assert list(tmp_path.iterdir()) == []
