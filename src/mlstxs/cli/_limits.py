"""``mlstxs limits``: SMEFT intervals from every observable, side by side."""

from __future__ import annotations

from pathlib import Path

import click

from ._errors import reports_errors


def print_limits_summary(limits, out: Path) -> None:
    """The expected-interval table and where the page is."""
    from ..pipeline import WORKSPACE_FILE

    click.echo((out / "tables" / "limits.md").read_text())
    n_tables = len(list((out / "tables").glob("*")))
    n_figures = len(list((out / "figures").glob("*")))
    click.echo(f"limits: {out / 'limits.html'} ({n_tables} table files, {n_figures} figure files)")
    if not (out / WORKSPACE_FILE).is_file():
        click.echo("pyhf is not installed (pip install 'mlstxs[stats]'): no workspace written")


@click.command()
@click.argument("sample", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option(
    "--design",
    type=click.Path(file_okay=False),
    help="A region study (mlstxs design output): adds its lines as an observable.",
)
@click.option("--operators", default=None, help="Operators to constrain (default: all in SAMPLE).")
@click.option("--lumi", type=float, default=None, help="Luminosity in fb^-1 (default 300).")
@click.option("--epsilon", type=float, default=None, help="Per-bin background width (default 0).")
@click.option(
    "--learner",
    type=click.Choice(["trees", "network", "none"]),
    default="trees",
    show_default=True,
    help="Ratio learner of the learned unbinned likelihood.",
)
@click.option("--overwrite", is_flag=True)
@click.pass_context
@reports_errors
def limits(ctx, sample, out, design, operators, lumi, epsilon, learner, overwrite):
    """Expected SMEFT intervals and contours from STXS bins, designed regions, fine and 2-D
    binnings and unbinned likelihoods (learned and true ratio), with Fisher fractions."""
    from ..pipeline import set_limits
    from ..study import LimitsConfig
    from ._options import csv_list

    settings = {"learner": None if learner == "none" else learner}
    if operators:
        settings["operators"] = tuple(csv_list(operators))
    if lumi is not None:
        settings["luminosity_fb"] = lumi
    if epsilon is not None:
        settings["epsilon"] = epsilon
    result = set_limits(sample, out, LimitsConfig(**settings), design=design, overwrite=overwrite)
    print_limits_summary(result, Path(out))
