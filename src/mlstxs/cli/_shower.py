"""``mlstxs shower``: Pythia 8 shower, hadronisation and FastJet jets for a generated sample."""

from __future__ import annotations

from pathlib import Path

import click

from ._errors import reports_errors


@click.command()
@click.argument("sample", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output sample.")
@click.option("--events", type=int, default=None, help="Events to shower (default: all).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--mpi/--no-mpi", default=False, show_default=True, help="Multiparton interactions.")
@click.option(
    "--figure",
    type=click.Path(dir_okay=False),
    help="Also draw the shower vs fast-simulation comparison here (PNG and PDF).",
)
@click.option("--overwrite", is_flag=True)
@click.pass_context
@reports_errors
def shower(ctx, sample, out, events, seed, mpi, figure, overwrite):
    """Shower a parton-level SAMPLE with Pythia 8, cluster anti-kt R = 0.4 jets (FastJet), b-tag
    them by B-hadron association and write a detector-level sample (``shower`` extra)."""
    from .._output import check_output
    from ..detector import shower_sample
    from ..io import EventSample

    check_output(out, kind="sample", overwrite=overwrite, inputs=[sample])
    source = EventSample.load(sample)
    if source.metadata.level != "parton":
        raise ValueError(
            f"{sample} is a {source.metadata.level}-level sample; shower a parton-level one"
        )
    result = shower_sample(source, n_events=events, random_state=seed, mpi=mpi)
    result.sample.save(out, overwrite=overwrite, inputs=[sample])
    click.echo(repr(result))
    if figure:
        from ..report import shower_vs_fastsim

        summary = shower_vs_fastsim(result.sample, Path(figure), random_state=seed)
        fast, show = summary["fast"], summary["shower"]
        click.echo(
            "m_bb median ± half width [GeV]: "
            f"fast simulation {fast['m_bb_median_GeV']:.1f} ± {fast['m_bb_half_width_GeV']:.1f}, "
            f"shower {show['m_bb_median_GeV']:.1f} ± {show['m_bb_half_width_GeV']:.1f}"
        )
