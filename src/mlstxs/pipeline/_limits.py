"""The SMEFT limits of every observable of a sample with their page, as one staged output."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from .._output import file_digest, staged_output
from ..io import EventSample
from ..report import (
    plot_contours,
    plot_posterior,
    plot_scans,
    write_limit_tables,
    write_limits_html,
)
from ..study import LimitsConfig, LimitsResult, StudyResult, lines_from_study, run_limits
from ..study import stxs_pyhf_workspace as _workspace

WORKSPACE_FILE = "pyhf_workspace_STXS.json"


def set_limits(
    sample: str | Path,
    out: str | Path,
    config: LimitsConfig,
    *,
    design: str | Path | None = None,
    overwrite: bool = False,
    reuse_finished: bool = False,
) -> LimitsResult:
    """Expected and observed SMEFT intervals, contours, Fisher fractions and posteriors of
    every observable of ``sample`` (:func:`mlstxs.study.run_limits`), written into ``out``
    with their tables, figures, the pyhf workspace of the STXS model and ``limits.html``.

    ``limits.json`` is the checkpoint of the computation: an interrupted run resumes from it
    and redraws the figures; the output is complete or absent (:mod:`mlstxs._output`).

    Parameters
    ----------
    design : path, optional
        A region study (``design_regions`` output): its SVM+scan lines become an observable.
    overwrite, reuse_finished : bool
        As for :func:`mlstxs._output.staged_output`.
    """
    sample, out = Path(sample), Path(out)
    lines = None
    if design is not None:
        lines = lines_from_study(StudyResult.load(Path(design) / "study.json"))
    identity = {  # the design enters only through its lines
        "settings": config.model_dump(mode="json"),
        "sample": file_digest(sample / "metadata.json"),
        "design_lines": [dataclasses.astuple(line) for line in lines] if lines else None,
    }
    with staged_output(
        out,
        kind="limits",
        identity=identity,
        overwrite=overwrite,
        inputs=[sample, design],
        reuse_finished=reuse_finished,
    ) as stage:
        if stage.complete:
            return LimitsResult.load(out)
        events = EventSample.load(sample)
        checkpoint = stage.work / "limits.json"
        if not checkpoint.is_file():
            result = run_limits(events, config, lines)
            result.with_sample_path(os.path.relpath(sample.resolve(), out.resolve())).save(
                checkpoint
            )
        limits = LimitsResult.load(checkpoint)  # the same input whether resumed or not
        _write_products(limits, events, config, stage.work)
    return limits


def _write_products(
    limits: LimitsResult, sample: EventSample, config: LimitsConfig, out: Path
) -> None:
    figures_dir = out / "figures"
    tables = write_limit_tables(limits, out / "tables")
    figures = plot_scans(limits, figures_dir) + plot_contours(limits, figures_dir)
    figures += plot_posterior(limits, figures_dir)
    workspace = _workspace(sample, config.operators, config.luminosity_fb, config.epsilon)
    if workspace is not None:
        (out / WORKSPACE_FILE).write_text(json.dumps(workspace, indent=1))
    write_limits_html(limits, out, tables, figures)
