"""The ensemble of splits as Dask tasks, each checkpointed, and the assembled study record."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .._dask import run_tasks
from ..regions import pt_slices
from ._config import StudyConfig
from ._data import load_sample_cached, study_data
from ._methods import METHODS
from ._split import run_split

FORMAT = "mlstxs.study"
FORMAT_VERSION = 1
SPLITS_DIR = "splits"


class StudyExistsError(FileExistsError):
    """The output directory holds a finished study, or an unfinished one of other settings."""


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


def _identity(sample_path: Path, config: StudyConfig) -> str:
    meta = (sample_path / "metadata.json").read_bytes()
    return json.dumps(
        {"settings": config.model_dump(mode="json"), "sample": hashlib.sha256(meta).hexdigest()},
        sort_keys=True,
    )


def _prepare(out: Path, identity: str, overwrite: bool) -> set[int]:
    marker = out / SPLITS_DIR / "identity.json"
    if out.exists():
        if overwrite:
            shutil.rmtree(out)
        elif (out / "study.json").exists() or not marker.is_file():
            raise StudyExistsError(
                f"{out} already exists; choose another --out or pass --overwrite"
            )
        elif marker.read_text() != identity:
            raise StudyExistsError(
                f"{out} holds an unfinished study of other settings or another sample; "
                "rerun with the same ones to resume, or pass --overwrite"
            )
    (out / SPLITS_DIR).mkdir(parents=True, exist_ok=True)
    marker.write_text(identity)
    return {int(p.stem.split("-")[1]) for p in (out / SPLITS_DIR).glob("split-*.json")}


def run_study(
    sample_path: str | Path,
    config: StudyConfig,
    out: str | Path,
    *,
    scheduler: str | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Run the region study on a sample directory; returns the study record (also written to
    ``out/study.json``). Finished splits are kept, so an interrupted study resumes."""
    sample_path, out = Path(sample_path), Path(out)
    sample = load_sample_cached(sample_path)
    study_data(sample, config)  # fail early: missing operators, negative weights
    done = _prepare(out, _identity(sample_path, config), overwrite)
    seeds = split_seeds(config)
    todo = [
        (str(sample_path), config, i, seeds[i], out)
        for i in range(config.n_splits)
        if i not in done
    ]
    if on_progress:
        on_progress(len(done), config.n_splits)
    tag = hashlib.sha1(_identity(sample_path, config).encode()).hexdigest()[:10]
    for index in run_tasks(run_split_to_disk, todo, scheduler, f"mlstxs-split-{tag}"):
        done.add(index)
        if on_progress:
            on_progress(len(done), config.n_splits)
    study = assemble(sample_path, sample, config, out)
    tmp = out / "study.json.tmp"
    tmp.write_text(json.dumps(study, indent=1))
    tmp.replace(out / "study.json")
    return study


def assemble(sample_path: Path, sample, config: StudyConfig, out: Path) -> dict:
    """The study record from the split checkpoints (``docs/study_format.md``)."""
    splits = [
        json.loads((out / SPLITS_DIR / f"split-{i:04d}.json").read_text())
        for i in range(config.n_splits)
    ]
    meta = sample.metadata
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "settings": config.model_dump(mode="json"),
        "sample": {
            "path": str(sample_path),
            "level": meta.level,
            "n_events": meta.n_events,
            "operators": list(meta.operators),
            "lambda_TeV": meta.lambda_TeV,
            "sqrt_s_GeV": meta.sqrt_s_GeV,
            "generator": meta.generator,
            "xsec_sm_pb": meta.xsec["w_sm"].xsec_pb,
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
