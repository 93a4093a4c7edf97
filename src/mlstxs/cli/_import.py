"""``mlstxs import-lhe``: a MadGraph LHE file (with reweighting) as an mlstxs event sample."""

from __future__ import annotations

import click

from ._errors import reports_errors


@click.command("import-lhe")
@click.argument("lhe_file", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Sample directory.")
@click.option(
    "--operators",
    default=None,
    help="Operators of the polynomial (default: those of the reweighting ids).",
)
@click.option("--max-events", type=int, default=None)
@click.option("--overwrite", is_flag=True)
@click.pass_context
@reports_errors
def import_lhe(ctx, lhe_file, out, operators, max_events, overwrite):
    """Read a MadGraph LHE file (.lhe or .lhe.gz): momenta, nominal and <rwgt> weights; the
    per-event polynomial is solved from the reweighting points (ids like cHW_m1p0) and the
    closure of held-out points (ids containing 'check') is reported."""
    from .._output import check_output
    from ..io import read_lhe
    from ._options import csv_list

    check_output(out, kind="sample", overwrite=overwrite, inputs=[lhe_file])
    result = read_lhe(
        lhe_file, operators=tuple(csv_list(operators)) if operators else None, max_events=max_events
    )
    result.sample.save(out, overwrite=overwrite, inputs=[lhe_file])
    click.echo(repr(result))
