"""``mlstxs publish``: SMEFT parametrisations, HEPData submission and pyhf workspace."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._errors import reports_errors


@click.command()
@click.argument("results", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option(
    "--sample",
    type=click.Path(),
    help="The sample the study ran on (default: the path recorded in study.json).",
)
@click.option("--overwrite", is_flag=True)
@click.pass_context
@reports_errors
def publish(ctx, results, out, sample, overwrite):
    """Publish a region study (RESULTS = an `mlstxs design` directory): per-region SMEFT
    parametrisations σ(c)/σ_SM (EFT2Obs-style JSON), a validated HEPData submission with the
    region definitions and significance tables, and the pyhf workspace of the fits."""
    from ..publish import publish as run_publish

    results = Path(results)
    study_file = results / "study.json"
    if not study_file.is_file():
        raise FileNotFoundError(f"{results}: no study.json (not an `mlstxs design` directory)")
    if sample is None:  # recorded relative to the study directory (absolute in older studies)
        sample = results / json.loads(study_file.read_text())["sample"]["path"]
    result = run_publish(results, Path(sample), Path(out), overwrite=overwrite)
    click.echo(repr(result))
