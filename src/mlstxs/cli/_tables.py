"""Human-readable tables for the command layer."""

from __future__ import annotations

import itertools
import math

from rich.console import Console
from rich.table import Table


def _edge(e: float) -> str:
    return "∞" if math.isinf(e) else f"{e:g}"


def print_xsec_table(sample, table) -> None:
    """Print σ [fb] ± MC error per weight term, total and per pT(Z) bin."""
    edges = table.edges_GeV
    t = Table(title=f"{sample!r}\nσ in fb ± MC error, total and per pT(Z) bin in GeV")
    t.add_column("term")
    t.add_column("total", justify="right")
    for lo, hi in itertools.pairwise(edges):
        label = f"≥ {_edge(lo)}" if math.isinf(hi) else f"{_edge(lo)}–{_edge(hi)}"
        t.add_column(label, justify="right")
    for name, (tot, err, vals, errs) in table.terms.items():
        cells = [f"{1e3 * v:.4g} ± {1e3 * e:.2g}" for v, e in zip(vals, errs, strict=True)]
        t.add_row(name, f"{1e3 * tot:.5g} ± {1e3 * err:.2g}", *cells)
    Console().print(t)


def print_study_summary(study: dict) -> None:
    """Mean Z(test) per method and slice for each ε, and the gain over STXS."""
    import numpy as np

    console = Console()
    for eps in study["epsilons"]:
        t = Table(title=f"Asimov significance (test sets, mean over splits), ε = {eps}")
        t.add_column("method")
        for s in study["slices"]:
            t.add_column(s["label"], justify="right")
        for method in study["methods"]:
            cells = []
            for s in study["slices"]:
                z = [
                    r["z_test"]
                    for r in study["records"]
                    if r["method"] == method
                    and r["slice"] == s["label"]
                    and r["epsilon"] == eps
                    and r["evaluable"]
                ]
                cells.append(f"{np.mean(z):.3f}" if z else "n/a")
            t.add_row(method, *cells)
        console.print(t)
