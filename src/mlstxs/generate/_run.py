"""Running a generation: chunks as Dask tasks, checkpointed to disk, resumable.

A run of n events is cut into chunks of ``chunk_size``; chunk i draws its random numbers from
child i of ``SeedSequence(seed)``, so the sample does not depend on how chunks are scheduled.
Each finished chunk leaves ``events/part-<i>.parquet`` and a small JSON summary in the run's
partial directory (``mlstxs._output``); the metadata record is written last and the finished
sample then replaces the output directory atomically, so the same command resumes an
interrupted run and an existing output is never half-replaced.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._dask import run_tasks
from .._output import OutputError, staged_output
from ..io import (
    EventSample,
    SampleMetadata,
    TermCrossSection,
    command_line,
    package_versions,
    write_part,
)
from ..physics import weight_term_names
from ._config import GeneratorConfig
from ._events import generate_chunk

PROGRESS_DIR = ".progress"

OutputExistsError = OutputError
"""Raised when the output may not be written (kept under its former name)."""


@dataclass(frozen=True)
class ChunkSummary:
    """Rows and per-term Σw, Σw² [pb, pb²] of one finished chunk."""

    index: int
    n_rows: int
    sum_w: list[float]
    sum_w2: list[float]


def chunk_plan(config: GeneratorConfig) -> list[tuple[int, int, np.random.SeedSequence]]:
    """(index, number of drawn events, seed) of every chunk of the run."""
    n_chunks = math.ceil(config.n_events / config.chunk_size)
    seeds = np.random.SeedSequence(config.seed).spawn(n_chunks)
    sizes = [config.chunk_size] * (n_chunks - 1)
    sizes.append(config.n_events - config.chunk_size * (n_chunks - 1))
    return list(zip(range(n_chunks), sizes, seeds, strict=False))


def _summarise(index: int, columns: dict, terms: list[str]) -> ChunkSummary:
    ws = [columns[t] for t in terms]
    n_rows = len(ws[0])
    return ChunkSummary(
        index=index,
        n_rows=n_rows,
        sum_w=[float(w.sum()) for w in ws],
        sum_w2=[float(np.dot(w, w)) for w in ws],
    )


def run_chunk_to_disk(config: GeneratorConfig, index: int, n: int, seed, out: Path) -> ChunkSummary:
    """Generate chunk ``index``, write its Parquet file and summary; return the summary."""
    cols = generate_chunk(config, n, seed)
    summary = _summarise(index, cols, weight_term_names(config.operators))
    write_part(out / "events" / f"part-{index:05d}.parquet", cols)
    tmp = out / PROGRESS_DIR / f"chunk-{index:05d}.json.tmp"
    tmp.write_text(json.dumps(summary.__dict__))
    tmp.replace(tmp.with_suffix(""))
    return summary


def build_metadata(
    config: GeneratorConfig, summaries: list[ChunkSummary], command
) -> SampleMetadata:
    """Metadata record of a finished run from its chunk summaries."""
    terms = weight_term_names(config.operators)
    s = np.sum([x.sum_w for x in summaries], axis=0)
    s2 = np.sum([x.sum_w2 for x in summaries], axis=0)
    n = config.n_events
    err = np.sqrt(np.clip(s2 - s * s / n, 0.0, None))
    det = None
    if config.level == "detector":
        from ..detector import DetectorConfig

        det = DetectorConfig.from_dict(config.detector).to_dict()
    return SampleMetadata(
        source="mlstxs generate (built-in LO generator)",
        level=config.level,
        operators=list(config.operators),
        lambda_TeV=config.lambda_TeV,
        sqrt_s_GeV=config.sqrt_s_GeV,
        weight_terms=terms,
        n_trials=n,
        n_events=int(sum(x.n_rows for x in summaries)),
        seed=config.seed,
        xsec={
            t: TermCrossSection(xsec_pb=float(a), error_pb=float(b))
            for t, a, b in zip(terms, s, err, strict=False)
        },
        generator=config.model_dump(mode="json"),
        detector=det,
        versions=package_versions(),
        command=command,
    )


def generate(config: GeneratorConfig, command: str | None = None) -> EventSample:
    """Generate a sample in memory, chunk after chunk in this process."""
    parts = [generate_chunk(config, n, seed) for _, n, seed in chunk_plan(config)]
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    summaries = [_summarise(0, columns, weight_term_names(config.operators))]
    return EventSample(columns, build_metadata(config, summaries, command))


def _chunks_done(work: Path) -> set[int]:
    """Indices of the chunks whose Parquet file and summary are both on disk."""
    (work / "events").mkdir(exist_ok=True)
    (work / PROGRESS_DIR).mkdir(exist_ok=True)
    done = set()
    for f in (work / PROGRESS_DIR).glob("chunk-*.json"):
        index = int(f.stem.split("-")[1])
        if (work / "events" / f"part-{index:05d}.parquet").is_file():
            done.add(index)
    return done


def _load_summaries(out: Path) -> list[ChunkSummary]:
    return [
        ChunkSummary(**json.loads(f.read_text()))
        for f in sorted((out / PROGRESS_DIR).glob("chunk-*.json"))
    ]


def generate_to_directory(
    config: GeneratorConfig,
    out: str | Path,
    *,
    scheduler: str | None = None,
    overwrite: bool = False,
    command: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    reuse_finished: bool = False,
) -> Path:
    """Generate a sample into directory ``out``, resuming an unfinished run of the same settings.

    Parameters
    ----------
    scheduler : str, optional
        ``None`` for a local Dask cluster, a scheduler address (``tcp://host:8786``) for an
        existing one, or ``"synchronous"`` to run in this process.
    overwrite : bool
        Replace an existing sample that mlstxs wrote, once the new one is complete.
    on_progress : callable, optional
        Called as ``on_progress(done, total)`` after each chunk.
    reuse_finished : bool
        A finished sample of the same settings in ``out`` is kept and returned as it is,
        instead of being refused.
    """
    identity = {"generator": config.model_dump(mode="json")}
    with staged_output(
        out, kind="sample", identity=identity, overwrite=overwrite, reuse_finished=reuse_finished
    ) as stage:
        if stage.complete:
            return stage.path
        done = _chunks_done(stage.work)
        todo = [c for c in chunk_plan(config) if c[0] not in done]
        total = len(todo) + len(done)
        if on_progress:
            on_progress(len(done), total)
        tag = hashlib.sha1(config.model_dump_json().encode()).hexdigest()[:10]
        tasks = [(config, i, n, s, stage.work) for i, n, s in todo]
        for summary in run_tasks(run_chunk_to_disk, tasks, scheduler, f"mlstxs-chunk-{tag}"):
            done.add(summary.index)
            if on_progress:
                on_progress(len(done), total)
        meta = build_metadata(config, _load_summaries(stage.work), command or command_line())
        meta.write(stage.work / "metadata.json")
        shutil.rmtree(stage.work / PROGRESS_DIR)
    return Path(out)
