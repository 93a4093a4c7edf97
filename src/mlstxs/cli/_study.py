"""``mlstxs design`` and ``mlstxs reproduce``: the region study and the end-to-end run."""

from __future__ import annotations

from pathlib import Path

import click

from ._errors import reports_errors
from ._progress import progress_factory


def _study_config(config_file, preset, overrides: dict):
    from ..study import PRESETS, StudyConfig

    settings = dict(PRESETS[preset])
    if config_file:
        from ._options import read_config_file

        settings.update(read_config_file(config_file))
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return StudyConfig(**settings)


def _overrides(splits, epsilons, benchmark, lumi, seed) -> dict:
    from ._options import floats, parse_point

    return {
        "n_splits": splits,
        "epsilons": floats(epsilons, option="--epsilons") if epsilons else None,
        "benchmark": parse_point(benchmark, option="--benchmark") if benchmark else None,
        "luminosity_fb": lumi,
        "seed": seed,
    }


def _design(sample, out, config, scheduler, overwrite: bool, progress: bool):
    from ..pipeline import design_regions

    study = design_regions(
        sample,
        out,
        config,
        scheduler=scheduler,
        overwrite=overwrite,
        progress=progress_factory(progress),
    )
    print_study_summary(study, Path(out))
    return study


def print_study_summary(study, out: Path) -> None:
    """The significance tables of the study and where its report is."""
    from ._tables import print_significance_tables

    print_significance_tables(study)
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
    from ..pipeline import reproduce as run_reproduce
    from ._limits import print_limits_summary

    preset = preset or "default"
    config = _study_config(config_file, preset, _overrides(splits, epsilons, benchmark, lumi, seed))
    result = run_reproduce(
        out,
        config,
        preset=preset,
        events=events,
        scheduler=scheduler,
        overwrite=overwrite,
        progress=progress_factory(progress),
        notify=click.echo,
    )
    if result.already_complete:
        click.echo(
            f"{out} is already complete for these settings: nothing to do "
            "(pass --overwrite to run it again)"
        )
        return
    print_study_summary(result.study, result.out / "design")
    print_limits_summary(result.limits, result.out / "limits")
    click.echo(f"reproduce: finished; outputs in {result.out}")
