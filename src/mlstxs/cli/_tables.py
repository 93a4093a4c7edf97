"""Human-readable tables for the command layer."""

from __future__ import annotations

import itertools
import math

from rich.console import Console
from rich.table import Table


def _edge(e: float) -> str:
    return "∞" if math.isinf(e) else f"{e:g}"


def _bin_table(title: str, edges) -> Table:
    t = Table(title=title)
    t.add_column("term")
    t.add_column("total", justify="right")
    for lo, hi in itertools.pairwise(edges):
        label = f"≥ {_edge(lo)}" if math.isinf(hi) else f"{_edge(lo)}–{_edge(hi)}"
        t.add_column(label, justify="right")
    return t


def _ratio_cell(value: float, error: float) -> str:
    return f"{value:.4g} ± {error:.2g}" if math.isfinite(value) else "n/a"


def print_xsec_table(sample, table) -> None:
    """Print σ [fb] ± MC error per weight term, total and per pT(Z) bin, then the ratios
    σ_t/σ_SM ± their correlated MC error (:func:`mlstxs.io.mc_ratio`)."""
    edges = table.edges_GeV
    t = _bin_table(f"{sample!r}\nσ in fb ± MC error, total and per pT(Z) bin in GeV", edges)
    for name, (tot, err, vals, errs) in table.terms.items():
        cells = [f"{1e3 * v:.4g} ± {1e3 * e:.2g}" for v, e in zip(vals, errs, strict=True)]
        t.add_row(name, f"{1e3 * tot:.5g} ± {1e3 * err:.2g}", *cells)
    console = Console()
    console.print(t)
    if not table.ratios:
        return
    r = _bin_table("σ_t/σ_SM ± MC error (event-by-event correlated), per pT(Z) bin", edges)
    for name, ratio in table.ratios.items():
        ratio_cells = map(_ratio_cell, ratio.bins_value, ratio.bins_error)
        r.add_row(name, _ratio_cell(ratio.value, ratio.error), *ratio_cells)
    console.print(r)


def print_significance_tables(study) -> None:
    """Mean Z(test) per method and slice for each ε (a :class:`mlstxs.study.StudyResult`)."""
    console = Console()
    ix = study.index
    for eps in ix.epsilons:
        t = Table(title=f"Asimov significance (test sets, mean over splits), ε = {eps}")
        t.add_column("method")
        for label in ix.slice_labels:
            t.add_column(label, justify="right")
        for method in ix.methods:
            means = [ix.summary(method, label, eps, "z_test").mean for label in ix.slice_labels]
            t.add_row(method, *(f"{z:.3f}" if z is not None else "n/a" for z in means))
        console.print(t)
