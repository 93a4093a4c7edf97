"""``reproduce``: the embedded default sample, its region study and its limits, end to end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._output import staged_output
from ..generate import GeneratorConfig, generate_to_directory
from ..study import EVENTS_FOR_PRESET, LimitsConfig, LimitsResult, StudyConfig, StudyResult
from ._design import design_regions
from ._limits import set_limits
from ._progress import Progress, no_progress

INFERENCE_OPERATORS = ("cHW", "cHWB", "cHq3")
"""Operators of the embedded default sample: the benchmark cHW plus the pairs of the fits."""

QUICK_LIMITS = {"grid_points": 61, "grid_points_2d": 21}
"""Coarser likelihood scans of the ``quick`` preset."""


def reproduce_settings(
    study: StudyConfig, preset: str = "default", events: int | None = None
) -> tuple[GeneratorConfig, LimitsConfig]:
    """The generator and limits settings of a ``reproduce`` run: detector-level events with
    the benchmark's and :data:`INFERENCE_OPERATORS`' weights, seed 1, as many events as the
    preset draws (:data:`mlstxs.study.EVENTS_FOR_PRESET`) unless ``events`` is given."""
    generator = GeneratorConfig(
        operators=tuple(sorted(set(study.benchmark) | set(INFERENCE_OPERATORS))),
        n_events=EVENTS_FOR_PRESET[preset] if events is None else events,
        seed=1,
        level="detector",
    )
    return generator, LimitsConfig(**(QUICK_LIMITS if preset == "quick" else {}))


@dataclass(frozen=True)
class ReproduceResult:
    """What :func:`reproduce` left in ``out``: ``sample/``, ``design/`` and ``limits/``.

    ``already_complete`` is true when ``out`` held a finished run of the same settings, which
    was kept as it is; ``resumed`` when an interrupted run was continued.
    """

    out: Path
    study: StudyResult
    limits: LimitsResult
    already_complete: bool
    resumed: bool


def reproduce(
    out: str | Path,
    study_config: StudyConfig,
    *,
    preset: str = "default",
    events: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: Progress = no_progress,
    notify: Callable[[str], None] = lambda message: None,
) -> ReproduceResult:
    """Generate the embedded default sample, design its regions (with the report) and set
    its SMEFT limits, as one staged output with a stage each inside.

    A finished run of the same settings is a no-op; an interrupted one resumes in whichever
    stage it stopped (each stage is itself a staged output); ``overwrite`` replaces a finished
    run of other settings only once the new one is complete.

    Parameters
    ----------
    notify : callable
        Told, in a sentence, when an earlier run is resumed.
    """
    out = Path(out)
    generator, limits_config = reproduce_settings(study_config, preset, events)
    identity = {
        "generator": generator.model_dump(mode="json"),
        "study": study_config.model_dump(mode="json"),
        "limits": limits_config.model_dump(mode="json"),
    }
    with staged_output(
        out, kind="reproduce", identity=identity, overwrite=overwrite, reuse_finished=True
    ) as stage:
        if stage.complete:
            return ReproduceResult(
                out,
                StudyResult.load(out / "design"),
                LimitsResult.load(out / "limits"),
                already_complete=True,
                resumed=False,
            )
        if stage.resumed:
            notify(f"resuming the unfinished run in {stage.work}")
        work = stage.work
        with progress("generating") as update:
            generate_to_directory(
                generator,
                work / "sample",
                scheduler=scheduler,
                on_progress=update,
                reuse_finished=True,
            )
        study = design_regions(
            work / "sample",
            work / "design",
            study_config,
            scheduler=scheduler,
            reuse_finished=True,
            progress=progress,
        )
        limits = set_limits(
            work / "sample",
            work / "limits",
            limits_config,
            design=work / "design",
            reuse_finished=True,
        )
    return ReproduceResult(out, study, limits, already_complete=False, resumed=stage.resumed)
