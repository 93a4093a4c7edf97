"""The ensemble of splits as Dask tasks, each checkpointed, and the assembled study record."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .._dask import run_tasks
from .._output import OutputError, file_digest, identity_digest, staged_output
from ..regions import pt_slices
from ._config import StudyConfig
from ._data import load_sample_cached, study_data
from ._methods import METHODS
from ._result import StudyResult
from ._sample_record import sample_record
from ._split import run_split

FORMAT = "mlstxs.study"
FORMAT_VERSION = 1
SPLITS_DIR = "splits"


StudyExistsError = OutputError
"""Raised when the study's output directory may not be written (kept under its former name)."""


def split_seeds(config: StudyConfig) -> list[int]:
    """Seed of every split: child i of ``SeedSequence(config.seed)``, as a 32-bit integer."""
    children = np.random.SeedSequence(config.seed).spawn(config.n_splits)
    return [int(c.generate_state(1)[0]) for c in children]


def run_split_to_disk(
    sample_path: str, config: StudyConfig, split: int, seed: int, out: Path
) -> int:
    """Run one split and write ``splits/split-NNNN.json`` atomically."""
    data = study_data(load_sample_cached(sample_path), config)
    result = run_split(data, config, split, seed)
    path = out / SPLITS_DIR / f"split-{split:04d}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(path)
    return split


def study_identity(sample_path: Path, config: StudyConfig) -> dict:
    """What makes two studies the same: the settings and the sample's metadata fingerprint."""
    return {
        "settings": config.model_dump(mode="json"),
        "sample": file_digest(Path(sample_path) / "metadata.json"),
    }


def _splits_done(work: Path) -> set[int]:
    (work / SPLITS_DIR).mkdir(exist_ok=True)
    return {int(p.stem.split("-")[1]) for p in (work / SPLITS_DIR).glob("split-*.json")}


def run_study(
    sample_path: str | Path,
    config: StudyConfig,
    out: str | Path,
    *,
    scheduler: str | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    products: Callable[[StudyResult, Path], object] | None = None,
    reuse_finished: bool = False,
) -> StudyResult:
    """Run the region study on a sample directory; returns the study result.

    The splits are checkpointed in the run's partial directory (``mlstxs._output``), so an
    interrupted study resumes; ``study.json`` and the ``products`` are written last and the
    finished directory then replaces ``out`` atomically.

    Parameters
    ----------
    products : callable, optional
        ``products(study, directory)`` writes what is derived from the study (the report)
        into the directory before it is moved into place, so the output is complete or absent.
    reuse_finished : bool
        A finished study of the same settings and sample in ``out`` is read and returned
        instead of being refused.
    """
    sample_path, out = Path(sample_path), Path(out)
    sample = load_sample_cached(sample_path)
    study_data(sample, config)  # fail early: missing operators, negative weights
    identity = study_identity(sample_path, config)
    with staged_output(
        out,
        kind="study",
        identity=identity,
        overwrite=overwrite,
        inputs=[sample_path],
        reuse_finished=reuse_finished,
    ) as stage:
        if stage.complete:
            return StudyResult.load(stage.path / "study.json")
        done = _splits_done(stage.work)
        seeds = split_seeds(config)
        todo = [
            (str(sample_path), config, i, seeds[i], stage.work)
            for i in range(config.n_splits)
            if i not in done
        ]
        if on_progress:
            on_progress(len(done), config.n_splits)
        tag = identity_digest(identity)[:10]
        for index in run_tasks(run_split_to_disk, todo, scheduler, f"mlstxs-split-{tag}"):
            done.add(index)
            if on_progress:
                on_progress(len(done), config.n_splits)
        study = assemble(sample_path, sample, config, stage.work, final=out)
        if products is not None:
            products(study, stage.work)
        study.save(stage.work / "study.json")
    return study


def assemble(
    sample_path: Path, sample, config: StudyConfig, out: Path, final: Path | None = None
) -> StudyResult:
    """The study result from the split checkpoints in ``out`` (``docs/study_format.md``); the
    sample's path is recorded relative to ``final``, the study's directory (default ``out``)."""
    splits = [
        json.loads((out / SPLITS_DIR / f"split-{i:04d}.json").read_text())
        for i in range(config.n_splits)
    ]
    meta = sample.metadata
    record = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "settings": config.model_dump(mode="json"),
        "sample": {
            **sample_record(sample_path, meta),
            "path": os.path.relpath(Path(sample_path).resolve(), Path(final or out).resolve()),
        },
        "methods": list(METHODS),
        "slices": [
            {
                "label": s.label,
                "low_GeV": s.low_GeV,
                "high_GeV": None if math.isinf(s.high_GeV) else s.high_GeV,
            }
            for s in pt_slices(config.edges_GeV())
        ],
        "epsilons": list(config.epsilons),
        "records": [r for s in splits for r in s["records"]],
        "diagnostics": splits[0].get("diagnostics", {}),
        "dnn": [s["dnn"] for s in splits],
    }
    return StudyResult.from_dict(record)
