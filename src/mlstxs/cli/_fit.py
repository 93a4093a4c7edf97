"""``mlstxs fit``: fit the Wilson coefficients to pseudo-data at a chosen point."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ._errors import reports_errors


@click.command()
@click.argument("sample", type=click.Path())
@click.option("--point", default="", help="Point of the pseudo-data, e.g. 'cHW=0.3' (default SM).")
@click.option(
    "--observable",
    default="STXS",
    show_default=True,
    help="Binned observable: STXS, 'fine pT(Z)' or '2-D (pT, m_ZH)'.",
)
@click.option("--operators", default=None, help="Operators to fit (default: all in SAMPLE).")
@click.option("--lumi", type=float, default=300.0, show_default=True, help="fb^-1.")
@click.option("--epsilon", type=float, default=0.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the result as JSON here.")
@click.pass_context
@reports_errors
def fit(ctx, sample, point, observable, operators, lumi, epsilon, seed, out):
    """Fit the Wilson coefficients to one Poisson pseudo-experiment generated at --point."""
    from .._files import write_new_file
    from ..io import EventSample
    from ..study import fit_pseudo_data
    from ._options import csv_list, parse_point

    if out and Path(out).exists():
        raise FileExistsError(f"{out} already exists; choose another --out")
    result = fit_pseudo_data(
        EventSample.load(sample),
        parse_point(point),
        observable=observable,
        operators=tuple(csv_list(operators)) if operators else None,
        luminosity_fb=lumi,
        epsilon=epsilon,
        random_state=seed,
    )
    text = json.dumps(result, indent=2)
    if out:
        write_new_file(Path(out), text + "\n")
    click.echo(text)
