"""``mlstxs limits``: SMEFT intervals from every observable, side by side."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import click

from ._errors import reports_errors


def write_limits(
    sample_path: Path,
    out: Path,
    config,
    design: Path | None,
    overwrite: bool,
    reuse_finished: bool = False,
) -> dict:
    """The limits run with its tables, figures, pyhf workspace and page, written as one staged
    output (``mlstxs._output``). ``limits.json`` is the checkpoint of the computation: an
    interrupted run resumes from it and redraws the figures; the marker comes last, so the
    previous output stays intact until the new one is complete."""
    from .._output import file_digest, staged_output
    from ..io import EventSample
    from ..report._limits import (
        plot_contours,
        plot_scans,
        write_limit_tables,
        write_limits_html,
    )
    from ..study._limits import lines_from_study, run_limits

    sample_path, out = Path(sample_path), Path(out)
    study_file = Path(design) / "study.json" if design is not None else None
    if study_file is not None and not study_file.is_file():
        raise FileNotFoundError(f"{design}: no study.json (not an `mlstxs design` directory)")
    lines = None
    if study_file is not None:
        lines = lines_from_study(json.loads(study_file.read_text()))
    identity = {  # the design enters only through its lines
        "settings": config.model_dump(mode="json"),
        "sample": file_digest(sample_path / "metadata.json"),
        "design_lines": [dataclasses.astuple(line) for line in lines] if lines else None,
    }
    with staged_output(
        out,
        kind="limits",
        identity=identity,
        overwrite=overwrite,
        inputs=[sample_path, design],
        reuse_finished=reuse_finished,
    ) as stage:
        if stage.complete:
            return json.loads((out / "limits.json").read_text())
        work = stage.work
        sample = EventSample.load(sample_path)
        checkpoint = work / "limits.json"
        if not checkpoint.is_file():
            limits = run_limits(sample, config, lines)
            limits["sample"]["path"] = os.path.relpath(sample_path.resolve(), out.resolve())
            tmp = checkpoint.with_name("limits.json.tmp")
            tmp.write_text(json.dumps(limits, indent=1))
            tmp.replace(checkpoint)
        limits = json.loads(checkpoint.read_text())  # the same input whether resumed or not
        tables = write_limit_tables(limits, work / "tables")
        figures = plot_scans(limits, work / "figures") + plot_contours(limits, work / "figures")
        figures += _corner(limits, work / "figures")
        _export_pyhf(sample, config, work)
        write_limits_html(limits, work, tables, figures)
    click.echo((out / "tables" / "limits.md").read_text())
    click.echo(
        f"limits: {out / 'limits.html'} ({len(tables)} table files, {len(figures)} figure files)"
    )
    return limits


def _corner(limits: dict, out: Path) -> list[Path]:
    """Corner plot of the 2-D posterior, if one was sampled."""
    post = (limits.get("bayes") or {}).get("two_dimensional")
    if not post:
        return []
    import numpy as np

    from ..stats import Posterior, corner_plot

    p = Posterior(
        operators=tuple(post["operators"]),
        samples=np.asarray(post["samples"]),
        logz=post["logz"],
        logz_error=post["logz_error"],
        bounds={k: tuple(v) for k, v in post["bounds"].items()},
        n_calls=post["n_calls"],
        n_invalid=post["n_invalid"],
        ess=post["ess"],
        max_likelihood_point=np.asarray(post["max_likelihood_point"]),
    )
    path = out / f"posterior_{'_'.join(post['operators'])}.png"
    corner_plot(p, path)
    return [path]


def _export_pyhf(sample, config, out: Path) -> None:
    """The STXS binned model (background normalisation per bin of width ε when ε > 0) with
    the signal at c = 1 of the first operator, as a pyhf workspace (``stats`` extra)."""
    try:
        import pyhf  # noqa: F401
    except ImportError:
        click.echo("pyhf is not installed (pip install 'mlstxs[stats]'): no workspace written")
        return
    import numpy as np

    from ..observables import compute_observables
    from ..physics import weight_term_names
    from ..stats import asimov_data, binned_model, to_pyhf_workspace
    from ..study._observables import stxs_binning

    ops = config.operators or sample.operators
    ops = tuple(op for op in sample.operators if op in ops)
    obs = compute_observables(sample.columns)
    b = stxs_binning(obs["pt_Z"], obs["m_ZH"])
    terms = np.array([sample.columns[n] for n in weight_term_names(ops)])
    model = binned_model(b.index, b.n_bins, terms, ops, config.luminosity_fb, config.epsilon)
    ws = to_pyhf_workspace(model, asimov_data(model), {ops[0]: 1.0})
    (out / "pyhf_workspace_STXS.json").write_text(json.dumps(ws, indent=1))


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
    from ..study._limits import LimitsConfig
    from ._main import _csv

    settings = {"learner": None if learner == "none" else learner}
    if operators:
        settings["operators"] = tuple(_csv(operators))
    if lumi is not None:
        settings["luminosity_fb"] = lumi
    if epsilon is not None:
        settings["epsilon"] = epsilon
    write_limits(
        Path(sample),
        Path(out),
        LimitsConfig(**settings),
        Path(design) if design else None,
        overwrite,
    )
