"""The region study of a sample with its report, as one staged output."""

from __future__ import annotations

from pathlib import Path

from .._output import check_output
from ..io import EventSample
from ..publish import with_parametrisations
from ..report import write_report
from ..study import StudyConfig, StudyResult, build_cards, run_study
from ._progress import Progress, no_progress


def _report_with_parametrised_cards(sample: Path):
    """``products`` of the study: the report, its cards carrying σ(c)/σ_SM of their regions
    from the sample the study ran on."""

    def products(study: StudyResult, out: Path) -> None:
        cards = with_parametrisations(EventSample.load(sample), build_cards(study))
        write_report(study, out, cards)

    return products


def design_regions(
    sample: str | Path,
    out: str | Path,
    config: StudyConfig,
    *,
    scheduler: str | None = None,
    overwrite: bool = False,
    reuse_finished: bool = False,
    progress: Progress = no_progress,
) -> StudyResult:
    """Design regions in every STXS slice of ``sample`` and write the study with its report
    (tables, figures, region cards with their SMEFT parametrisation, ``report.html``) into
    ``out``.

    The study's splits are checkpointed and the report is part of the same staged output, so
    ``out`` is complete or absent and an interrupted run resumes (docs/study_format.md).

    Parameters
    ----------
    sample : path
        An event sample directory (``mlstxs.io``).
    out : path
        The study directory.
    config : StudyConfig
        Study settings.
    scheduler : str, optional
        Dask scheduler address, ``"synchronous"``, or None for a local cluster.
    overwrite, reuse_finished : bool
        Replace a finished study that mlstxs wrote / hand back a finished one of the same
        settings and sample (see :func:`mlstxs._output.staged_output`).
    progress : Progress
        Progress display of the splits.

    Returns
    -------
    StudyResult
    """
    if not reuse_finished:  # refuse at once, before the sample is read
        check_output(out, kind="study", overwrite=overwrite, inputs=[sample])
    with progress("ensemble splits") as update:
        return run_study(
            sample,
            config,
            out,
            scheduler=scheduler,
            overwrite=overwrite,
            on_progress=update,
            products=_report_with_parametrised_cards(Path(sample)),
            reuse_finished=reuse_finished,
        )
