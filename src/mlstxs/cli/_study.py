"""``mlstxs design`` and ``mlstxs reproduce``: the region study and the end-to-end run."""

from __future__ import annotations

import json
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


def _design(sample: Path, out: Path, config, scheduler, overwrite: bool, progress: bool) -> dict:
    from ..report import write_report
    from ..study import run_study

    with progress_bar("ensemble splits", enabled=progress) as update:
        study = run_study(
            sample, config, out, scheduler=scheduler, overwrite=overwrite, on_progress=update
        )
    report = write_report(study, out)
    _print_summary(study, report)
    return study


def _print_summary(study: dict, report) -> None:
    from ._tables import print_study_summary

    print_study_summary(study)
    click.echo(
        f"report: {report.html}  ({len(report.tables)} table files, "
        f"{len(report.figures)} figure files, {len(report.cards)} region cards)"
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
    import shutil

    from ..generate import GeneratorConfig, generate_to_directory
    from ..study import EVENTS_FOR_PRESET

    preset = preset or "default"
    config = _study_config(config_file, preset, _overrides(splits, epsilons, benchmark, lumi, seed))
    out = Path(out)
    if out.exists() and overwrite:
        shutil.rmtree(out)
    gen = GeneratorConfig(
        operators=tuple(sorted(set(config.benchmark) | set(INFERENCE_OPERATORS))),
        n_events=events or EVENTS_FOR_PRESET[preset],
        seed=1,
        level="detector",
    )
    sample_dir = out / "sample"
    if not _finished_sample(sample_dir, gen):
        with progress_bar("generating", enabled=progress) as update:
            generate_to_directory(gen, sample_dir, scheduler=scheduler, on_progress=update)
    _design(sample_dir, out / "design", config, scheduler, False, progress)
    from ..study._limits import LimitsConfig
    from ._limits import write_limits

    limits_dir = out / "limits"
    if not (limits_dir / "limits.json").is_file():
        quick = {"grid_points": 61, "grid_points_2d": 21} if preset == "quick" else {}
        write_limits(sample_dir, limits_dir, LimitsConfig(**quick), out / "design", True)


INFERENCE_OPERATORS = ("cHW", "cHWB", "cHq3")
"""Operators of the embedded default sample: the benchmark cHW plus the pairs of the fits."""


def _finished_sample(path: Path, gen) -> bool:
    meta = path / "metadata.json"
    if not meta.is_file():
        return False
    if json.loads(meta.read_text()).get("generator") != gen.model_dump(mode="json"):
        raise FileExistsError(f"{path} holds a sample of other settings; pass --overwrite")
    return True
