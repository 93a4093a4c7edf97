"""The ``mlstxs`` command group."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import __version__
from ..generate import GeneratorConfig
from ._errors import reports_errors
from ._options import csv_list, floats, parse_point, read_config_file

_DEFAULT = {name: field.default for name, field in GeneratorConfig.model_fields.items()}
"""Defaults of the command-line options: those of GeneratorConfig (one source of truth)."""


def _joined(values) -> str:
    return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlstxs")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """mlstxs: SMEFT-sensitive STXS-like regions for p p → Z H → ℓℓ b b̄."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.option(
    "--operators",
    default="cHW",
    show_default=True,
    help="Comma-separated Wilson coefficients, or 'all' for all 13.",
)
@click.option(
    "--events",
    "n_events",
    type=int,
    default=_DEFAULT["n_events"],
    show_default=True,
    help="Number of phase-space points to draw.",
)
@click.option("--seed", type=int, default=_DEFAULT["seed"], show_default=True)
@click.option(
    "--lambda-tev", type=float, default=_DEFAULT["lambda_TeV"], show_default=True, help="Λ in TeV."
)
@click.option(
    "--sqrt-s",
    "sqrt_s_GeV",
    type=float,
    default=_DEFAULT["sqrt_s_GeV"],
    show_default=True,
    help="Collision energy in GeV.",
)
@click.option(
    "--pdf", default=_DEFAULT["pdf"], show_default=True, help="PDF set (see 'mlstxs pdfs')."
)
@click.option(
    "--scale",
    default=_DEFAULT["scale"],
    show_default=True,
    help="Factorisation scale: 'mzh' (event by event) or a fixed value in GeV.",
)
@click.option(
    "--flavours",
    type=click.Choice(["4", "5"]),
    default=str(_DEFAULT["flavours"]),
    show_default=True,
    help="Quark flavours in the proton.",
)
@click.option(
    "--leptons",
    default=_joined(_DEFAULT["lepton_flavours"]),
    show_default=True,
    help="Z decay flavours: e, mu.",
)
@click.option(
    "--mll-window",
    default=_joined(_DEFAULT["mll_window_GeV"]),
    show_default=True,
    help="m_ll range in GeV.",
)
@click.option(
    "--ptz-min",
    type=float,
    default=_DEFAULT["ptz_min_GeV"],
    show_default=True,
    help="Generation cut on pT(Z) in GeV.",
)
@click.option(
    "--mzh-exponents",
    default=_joined(_DEFAULT["mzh_exponents"]),
    show_default=True,
    help="Exponents of the m_ZH sampling density (mixture of m^-a), e.g. '4,2'.",
)
@click.option(
    "--scheme",
    type=click.Choice(["mw", "alpha"]),
    default=_DEFAULT["scheme"],
    show_default=True,
    help="Electroweak input scheme.",
)
@click.option(
    "--level", type=click.Choice(["parton", "detector"]), default="detector", show_default=True
)
@click.option(
    "--detector-config",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML/JSON file of detector settings overriding the defaults.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML/JSON file of generator settings (command-line options override it).",
)
@click.option("--chunk-size", type=int, default=_DEFAULT["chunk_size"], show_default=True)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address; default: a local cluster; 'synchronous': in-process.",
)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output directory.")
@click.option("--progress/--no-progress", default=True, show_default=True)
@click.pass_context
@reports_errors
def generate(ctx, detector_config, config_file, scheduler, out, overwrite, progress, **opts):
    """Generate weighted p p → Z(ℓℓ) H(bb̄) events with SMEFT weight polynomials."""
    from ..generate import GeneratorConfig, generate_to_directory
    from ..physics import load_pdf
    from ._progress import progress_bar

    settings = read_config_file(config_file)
    for option, value in opts.items():
        explicit = ctx.get_parameter_source(option) != click.core.ParameterSource.DEFAULT
        name, convert = _SETTINGS[option]
        if explicit or name not in settings:
            settings[name] = convert(value)
    if detector_config:
        settings["detector"] = read_config_file(detector_config)
    config = GeneratorConfig(**settings)
    load_pdf(config.pdf)  # fail early, before anything is written
    with progress_bar("generating", enabled=progress) as update:
        path = generate_to_directory(
            config, out, scheduler=scheduler, overwrite=overwrite, on_progress=update
        )
    _print_summary(path)


def _operators(value: str) -> list[str]:
    from ..physics import OPERATORS

    return list(OPERATORS) if value.strip().lower() == "all" else csv_list(value)


def _identity(value):
    return value


def _fixed_scale(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"--scale must be 'mzh' or a number in GeV, got {value!r}") from None


_SETTINGS = {
    "operators": ("operators", _operators),
    "n_events": ("n_events", _identity),
    "seed": ("seed", _identity),
    "lambda_tev": ("lambda_TeV", _identity),
    "sqrt_s_GeV": ("sqrt_s_GeV", _identity),
    "pdf": ("pdf", _identity),
    "scale": ("scale", lambda v: v if v == "mzh" else _fixed_scale(v)),
    "flavours": ("flavours", int),
    "leptons": ("lepton_flavours", csv_list),
    "mll_window": ("mll_window_GeV", lambda v: floats(v, 2, "--mll-window")),
    "ptz_min": ("ptz_min_GeV", _identity),
    "mzh_exponents": ("mzh_exponents", lambda v: floats(v, option="--mzh-exponents")),
    "scheme": ("scheme", _identity),
    "level": ("level", _identity),
    "chunk_size": ("chunk_size", _identity),
}
"""Command-line option -> (GeneratorConfig field, converter)."""


def _print_summary(path: Path) -> None:
    from ..io import SampleMetadata

    meta = SampleMetadata.read(Path(path) / "metadata.json")
    sm = meta.xsec["w_sm"]
    click.echo(
        f"wrote {meta.n_events} events ({meta.level} level, {meta.n_trials} drawn) to {path}; "
        f"σ_SM = {sm.xsec_pb * 1e3:.4f} ± {sm.error_pb * 1e3:.4f} fb"
    )


@cli.command()
@click.argument("sample", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--point",
    default=None,
    help="Wilson coefficients, e.g. 'cHW=1,cHq3=0.2': also σ at that point.",
)
@click.option(
    "--bins", default="0,75,150,250,400,inf", show_default=True, help="pT(Z) bin edges in GeV."
)
@click.pass_context
@reports_errors
def info(ctx, sample, as_json, point, bins):
    """Cross section of each weight term, in total and per pT(Z) bin [pb], and its ratio to
    the SM one with the correlated MC error."""
    from ..io import EventSample

    edges = floats(bins, option="--bins", open_last=True)
    c = parse_point(point) or None
    s = EventSample.load(sample)
    if len(s) == 0:
        click.echo(f"Warning: {sample} holds no events: all cross sections are 0", err=True)
    table = s.cross_sections(edges, c=c)
    if as_json:
        d = table.to_dict()
        d.update(
            {
                "n_events": len(s),
                "n_trials": s.metadata.n_trials,
                "level": s.metadata.level,
                "decays": s.metadata.decays,
                "operators": list(s.operators),
                "lambda_TeV": s.metadata.lambda_TeV,
            }
        )
        click.echo(json.dumps(d, indent=2))
        return
    from ._tables import print_xsec_table

    print_xsec_table(s, table)


@cli.command()
@click.argument("first", type=click.Path())
@click.argument("second", type=click.Path())
@click.option("--out", required=True, type=click.Path(file_okay=False))
@click.option("--overwrite", is_flag=True)
@click.pass_context
@reports_errors
def merge(ctx, first, second, out, overwrite):
    """Merge an inclusive and an enriched sample with multichannel weights."""
    from .._output import check_output
    from ..generate import merge_samples
    from ..io import EventSample

    check_output(out, kind="sample", overwrite=overwrite, inputs=[first, second])
    merged = merge_samples(EventSample.load(first), EventSample.load(second))
    merged.save(out, overwrite=overwrite, inputs=[first, second])
    _print_summary(Path(out))


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@reports_errors
def pdfs(ctx, as_json):
    """List the PDF sets available offline (LHAPDF grids shipped with pythia8mc)."""
    from ..physics import available_pdf_sets

    sets = available_pdf_sets()
    if as_json:
        click.echo(
            json.dumps(
                [{"name": s.name, "pythia_pset": s.pythia_pset, "path": str(s.path)} for s in sets],
                indent=2,
            )
        )
        return
    for s in sets:
        pset = f"  (Pythia PDF:pSet = {s.pythia_pset})" if s.pythia_pset else ""
        click.echo(f"{s.name}{pset}")


from ._fit import fit  # noqa: E402
from ._import import import_lhe  # noqa: E402
from ._limits import limits  # noqa: E402
from ._publish import publish  # noqa: E402
from ._shower import shower  # noqa: E402
from ._study import design, reproduce  # noqa: E402

cli.add_command(fit)
cli.add_command(import_lhe)
cli.add_command(limits)
cli.add_command(publish)
cli.add_command(shower)
cli.add_command(design)
cli.add_command(reproduce)


def main() -> None:
    """Entry point of the ``mlstxs`` script."""
    cli(obj={})
