"""``mlstxs design`` and ``mlstxs reproduce``: the region study and the end-to-end run."""

from __future__ import annotations

from pathlib import Path

import click

from ._errors import reports_errors
from ._progress import progress_bar


def _study_config(config_file, preset, overrides: dict):
    from ..study import PRESETS, StudyConfig

    settings = dict(PRESETS[preset])
    if config_file:
        from ._main import _read_config_file

        settings.update(_read_config_file(config_file))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return StudyConfig(**settings)


def _overrides(splits, epsilons, benchmark, lumi, seed) -> dict:
    from ._main import _floats, _parse_point

    return {
        "n_splits": splits,
        "epsilons": _floats(epsilons) if epsilons else None,
        "benchmark": _parse_point(benchmark) if benchmark else None,
        "luminosity_fb": lumi,
        "seed": seed,
    }


def _design(
    sample: Path,
    out: Path,
    config,
    scheduler,
    overwrite: bool,
    progress: bool,
    reuse_finished: bool = False,
) -> dict:
    """The study and its report, written together: the report is part of the staged output."""
    from .._output import check_output
    from ..report import write_report
    from ..study import run_study

    if not reuse_finished:
        check_output(out, kind="study", overwrite=overwrite, inputs=[sample])

    with progress_bar("ensemble splits", enabled=progress) as update:
        study = run_study(
            sample,
            config,
            out,
            scheduler=scheduler,
            overwrite=overwrite,
            on_progress=update,
            products=write_report,
            reuse_finished=reuse_finished,
        )
    _print_summary(study, out)
    return study


def _print_summary(study: dict, out: Path) -> None:
    from ._tables import print_study_summary

    print_study_summary(study)
    counts = {d: len(list((out / d).glob("*"))) for d in ("tables", "figures", "cards")}
    click.echo(
        f"report: {out / 'report.html'}  ({counts['tables']} table files, "
        f"{counts['figures']} figure files, {counts['cards']} region cards)"
    )


def study_options(func):
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(exists=True, dir_okay=False),
            help="YAML/JSON file of study settings (StudyConfig).",
        ),
        click.option(
            "--quick",
            "preset",
            flag_value="quick",
            help="A small, fast run (2 splits, few DNN epochs).",
        ),
        click.option("--paper", "preset", flag_value="paper", help="The paper's ensemble size."),
        click.option("--splits", type=int, default=None, help="Number of ensemble splits."),
        click.option(
            "--epsilons", default=None, help="Background uncertainties, e.g. 0.3,0.5,1.0."
        ),
        click.option("--benchmark", default=None, help="Benchmark point, e.g. 'cHW=1'."),
        click.option("--lumi", type=float, default=None, help="Luminosity in fb^-1 (default 300)."),
        click.option("--seed", type=int, default=None, help="Seed of the ensemble."),
        click.option(
            "--scheduler",
            default=None,
            help="Dask scheduler address; default: a local cluster; 'synchronous': in-process.",
        ),
        click.option("--overwrite", is_flag=True, help="Replace an existing output directory."),
        click.option("--progress/--no-progress", default=True, show_default=True),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


@click.command()
@click.argument("sample", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@study_options
@click.pass_context
@reports_errors
def design(
    ctx,
    sample,
    out,
    config_file,
    preset,
    splits,
    epsilons,
    benchmark,
    lumi,
    seed,
    scheduler,
    overwrite,
    progress,
):
    """Design linear regions per STXS slice on SAMPLE; write tables, figures, cards, report."""
    config = _study_config(
        config_file, preset or "default", _overrides(splits, epsilons, benchmark, lumi, seed)
    )
    _design(Path(sample), Path(out), config, scheduler, overwrite, progress)


@click.command()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option(
    "--events",
    type=int,
    default=None,
    help="Events to draw (default by preset: quick 1.5e5, default 1e6, paper 6e6).",
)
@study_options
@click.pass_context
@reports_errors
def reproduce(
    ctx,
    out,
    events,
    config_file,
    preset,
    splits,
    epsilons,
    benchmark,
    lumi,
    seed,
    scheduler,
    overwrite,
    progress,
):
    """Generate the embedded default sample (cHW, cHWB, cHq3 weights), run the region study
    and its report, then the SMEFT limits of every observable."""
    from .._output import staged_output
    from ..generate import GeneratorConfig, generate_to_directory
    from ..study import EVENTS_FOR_PRESET
    from ..study._limits import LimitsConfig
    from ._limits import write_limits

    preset = preset or "default"
    out = Path(out)
    config = _study_config(config_file, preset, _overrides(splits, epsilons, benchmark, lumi, seed))
    gen = GeneratorConfig(
        operators=tuple(sorted(set(config.benchmark) | set(INFERENCE_OPERATORS))),
        n_events=events or EVENTS_FOR_PRESET[preset],
        seed=1,
        level="detector",
    )
    limits_config = LimitsConfig(
        **({"grid_points": 61, "grid_points_2d": 21} if preset == "quick" else {})
    )
    identity = {
        "generator": gen.model_dump(mode="json"),
        "study": config.model_dump(mode="json"),
        "limits": limits_config.model_dump(mode="json"),
    }
    with staged_output(
        out, kind="reproduce", identity=identity, overwrite=overwrite, reuse_finished=True
    ) as stage:
        if stage.complete:
            click.echo(
                f"{out} is already complete for these settings: nothing to do "
                "(pass --overwrite to run it again)"
            )
            return
        if stage.resumed:
            click.echo(f"resuming the unfinished run in {stage.work}")
        work = stage.work
        with progress_bar("generating", enabled=progress) as update:
            generate_to_directory(
                gen, work / "sample", scheduler=scheduler, on_progress=update, reuse_finished=True
            )
        _design(work / "sample", work / "design", config, scheduler, False, progress, True)
        write_limits(work / "sample", work / "limits", limits_config, work / "design", False, True)
    click.echo(f"reproduce: finished; outputs in {out}")


INFERENCE_OPERATORS = ("cHW", "cHWB", "cHq3")
"""Operators of the embedded default sample: the benchmark cHW plus the pairs of the fits."""
