"""Figures and tables of the SMEFT fits (``mlstxs limits``)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..study import LimitsResult
from ._style import label, new_figure, style_context

COLORS = ("black", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _save(fig: Figure, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.pdf"]
    fig.savefig(paths[0], dpi=150, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"CreationDate": None, "Creator": None, "Producer": None})
    return paths


def plot_scans(limits: LimitsResult, out_dir: Path) -> list[Path]:
    """One figure per operator: Δ(−2 ln L) of every observable with the 68/95 % CL lines, and
    below it each observable's Δ(−2 ln L) minus the optimum's (the true-ratio unbinned
    likelihood), where curves that lie on top of each other above are told apart."""
    paths = []
    for op, per_obs in limits.scans_1d.items():
        curves = {
            obs: (
                np.asarray(scan["grid"], dtype=float),
                np.array([np.nan if d is None else d for d in scan["delta"]], dtype=float),
            )
            for obs, scan in per_obs.items()
        }
        ref = curves.get(REFERENCE)
        with style_context():
            fig, axes = new_figure(
                2, 1, size=(8, 8), sharex=True, gridspec_kw={"height_ratios": (3, 2)}
            )
            ax, rel = axes[0, 0], axes[1, 0]
            for color, (obs, (grid, delta)) in zip(COLORS, curves.items(), strict=False):
                ax.plot(grid, delta, color=color, label=obs)
                if ref is not None and ref[0].shape == grid.shape:
                    rel.plot(grid, delta - ref[1], color=color)
            for level, style in ((1.0, ":"), (3.84, "--")):
                ax.axhline(level, color="grey", ls=style, lw=1)
            ax.set_ylim(0, 6)
            ax.set_ylabel(r"$-2\,\Delta\ln L$ (Asimov)")
            rel.axhline(0.0, color="grey", lw=1)
            rel.set_ylabel("minus the optimum's")
            rel.set_xlabel(f"{op}  (Λ = {limits.lambda_TeV:g} TeV)")
            fig.legend(loc="outside lower center", ncols=3, fontsize=11, frameon=False)
            label(ax, limits)
            paths += _save(fig, out_dir, f"scan_{op}")
    return paths


CONTOUR_LEVELS = (2.279, 5.991)
"""Δ(−2 ln L) of the 68 % and 95 % CL contours of a pair (χ²(2) quantiles)."""
REFERENCE = "unbinned (truth ratio)"
"""The optimum, drawn behind every panel of the contour figure."""


def _scan_2d(scan: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """grid_a (G_a,), grid_b (G_b,) and Δ (G_a, G_b) of a 2-D scan record (NaN: invalid)."""
    delta = np.array([[np.nan if v is None else v for v in row] for row in scan["delta"]])
    return np.asarray(scan["grid_a"], dtype=float), np.asarray(scan["grid_b"], dtype=float), delta


def _contour_limits(per_obs: dict) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges holding every observable's 95 % CL region (to the first grid points
    outside it), with 10 % padding."""
    lo, hi = np.full(2, np.inf), np.full(2, -np.inf)
    for scan in per_obs.values():
        ga, gb, z = _scan_2d(scan)
        inside = z < CONTOUR_LEVELS[1]
        for k, (grid, axis) in enumerate(((ga, 1), (gb, 0))):
            i = np.flatnonzero(inside.any(axis=axis))
            if i.size:
                lo[k] = min(lo[k], grid[max(i[0] - 1, 0)])
                hi[k] = max(hi[k], grid[min(i[-1] + 1, grid.size - 1)])
    pad = 0.1 * (hi - lo)
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def plot_contours(limits: LimitsResult, out_dir: Path) -> list[Path]:
    """One figure per operator pair, one panel per observable: its 68 % (solid) and 95 %
    (dashed) CL contours on its own adaptive grid, over the optimum's 95 % CL region
    (grey), on common axes whose ranges hold every observable's 95 % region."""
    paths = []
    for pair, per_obs in limits.scans_2d.items():
        op_a, op_b = pair.split(",")
        ncols = min(3, len(per_obs))
        nrows = math.ceil(len(per_obs) / ncols)
        xlim, ylim = _contour_limits(per_obs)
        with style_context():
            fig, axes = new_figure(
                nrows, ncols, size=(4.2 * ncols, 3.9 * nrows + 0.9), sharex=True, sharey=True
            )
            ref = per_obs.get(REFERENCE)
            for k, (color, (obs, scan)) in enumerate(zip(COLORS, per_obs.items(), strict=False)):
                ax = axes.flat[k]
                if ref is not None:
                    ga, gb, z = _scan_2d(ref)
                    ax.contourf(ga, gb, z.T, levels=[0.0, CONTOUR_LEVELS[1]], colors=["0.85"])
                ga, gb, z = _scan_2d(scan)
                ax.contour(
                    ga, gb, z.T, levels=list(CONTOUR_LEVELS), colors=[color], linestyles=["-", "--"]
                )
                ax.plot([0], [0], "k+", ms=10)
                ax.set_title(obs, fontsize="small", color=color)
                ax.set_xlim(*xlim)
                ax.set_ylim(*ylim)
                ax.minorticks_off()  # small panels; and each tick costs drawing time
                ax.label_outer()
            for ax in axes.flat[len(per_obs) :]:
                ax.set_visible(False)
            for col in range(ncols):  # the lowest panel of each column, above a hidden one
                ax = axes[(len(per_obs) - 1 - col) // ncols, col]
                ax.set_xlabel(op_a)
                ax.xaxis.set_tick_params(labelbottom=True)
            for ax in axes[:, 0]:
                ax.set_ylabel(op_b)
            _contour_legend(fig, limits, ref is not None)
            paths += _save(fig, out_dir, f"contour_{op_a}_{op_b}")
    return paths


def _contour_legend(fig: Figure, limits: LimitsResult, with_reference: bool) -> None:
    """The line-style key below the panels and the toolkit label above them."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = [
        Line2D([], [], color="k", ls="-", label="68 % CL"),
        Line2D([], [], color="k", ls="--", label="95 % CL"),
        Line2D([], [], color="k", marker="+", ls="", ms=10, label="SM"),
    ]
    if with_reference:
        handles.append(Patch(color="0.85", label=f"95 % CL of the optimum, {REFERENCE}"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=11)
    fig.suptitle(
        r"$\mathbf{mlstxs}$ $\mathit{Simulation}$"
        f"    {limits.luminosity_fb:g} fb$^{{-1}}$ ({limits.sqrt_s_TeV:g} TeV), "
        f"Λ = {limits.lambda_TeV:g} TeV; expected (Asimov), other operators at 0",
        fontsize="medium",
    )


def _fmt_interval(iv: dict | None) -> str:
    if not iv or not iv.get("pieces"):
        return "n/a"
    parts = [
        f"[{lo:+.3g}, {hi:+.3g}]" if math.isfinite(lo) and math.isfinite(hi) else f"[{lo}, {hi}]"
        for lo, hi in iv["pieces"]
    ]
    return " ∪ ".join(parts)


ABSENT = "no interval recorded for this observable (a result written before it had one)"
"""The note of a table row whose observable has no interval (its cells read "n/a")."""


def _interval_rows(
    intervals: dict, observables: list[str], fisher: dict | None
) -> tuple[list[str], list[list[str]]]:
    """Markdown lines and CSV rows (cells, quoted by the csv writer) of an interval table:
    one row per observable, "n/a" and the note :data:`ABSENT` where it has no interval."""
    ops = list(intervals)
    md, rows = [], []
    for obs in observables:
        cells, ccells = [], []
        for op in ops:
            iv = intervals[op].get(obs, {}).get("0.95")
            cells.append(_fmt_interval(iv))
            pieces = iv["pieces"] if iv and iv.get("pieces") else [[math.nan, math.nan]]
            width = sum(b - a for a, b in pieces)
            ccells += [f"{pieces[0][0]:.6g}", f"{pieces[-1][1]:.6g}", f"{width:.6g}"]
        note = ABSENT if all(obs not in intervals[op] for op in ops) else ""
        frac = None if fisher is None else fisher.get(obs)
        fcell = [] if fisher is None else ["n/a" if frac is None else f"{frac:.3f}"]
        md.append("| " + " | ".join([obs, *cells, *fcell, note]) + " |")
        fcsv = [] if fisher is None else ["" if frac is None else f"{frac:.6g}"]
        rows.append([obs, *ccells, *fcsv, note])
    return md, rows


def plot_posterior(limits: LimitsResult, out_dir: Path) -> list[Path]:
    """Corner plot of the 2-D nested-sampling posterior, if one was sampled."""
    from ..stats import Posterior, corner_plot

    post = (limits.bayes or {}).get("two_dimensional")
    if not post:
        return []
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
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"posterior_{'_'.join(post['operators'])}.png"
    corner_plot(p, path)
    return [path]


def write_limit_tables(limits: LimitsResult, out_dir: Path) -> list[Path]:
    """95 % CL intervals per operator and observable, expected (Asimov, with the Fisher
    fractions) and observed (one pseudo-experiment), as Markdown and CSV: both list every
    observable of the result, "n/a" with a note where one has no interval."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ops = list(limits.intervals)
    paths = []
    tables: list[tuple[str, dict[str, Any], dict[str, float | None] | None]] = [
        ("limits", limits.intervals, limits.fisher_fraction)
    ]
    if limits.observed:
        tables.append(("limits_observed", limits.observed["intervals"], None))
    for name, intervals, fisher in tables:
        head = ["observable", *(f"{op} 95 % CL" for op in ops)]
        head += [f"Fisher fraction ({limits.fisher_operator})"] if fisher else []
        head += ["note"]
        md, rows = _interval_rows(intervals, limits.observables, fisher)
        md = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|", *md]
        csv_head = ["observable"]
        csv_head += [f"{op}_{q}95" for op in ops for q in ("low", "high", "width")]
        csv_head += ["fisher_fraction"] if fisher else []
        csv_head += ["note"]
        (out_dir / f"{name}.md").write_text("\n".join(md) + "\n")
        with (out_dir / f"{name}.csv").open("w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([csv_head, *rows])
        paths += [out_dir / f"{name}.md", out_dir / f"{name}.csv"]
    return paths


TABLE_CAPTIONS = {
    "limits": "expected (Asimov, c = 0) 95 % CL intervals of each operator with the others at "
    "0, and the fraction of the optimal Fisher information each observable keeps",
    "limits_observed": "95 % CL intervals from one Poisson pseudo-experiment at c = 0, the same "
    "events for every observable",
}
"""Captions of the limits tables."""


def figure_captions(limits: LimitsResult) -> dict[str, str]:
    """Captions of the limits figures, by file stem."""
    caps = {
        f"scan_{op}": f"Δ(−2 ln L) of {op} (Asimov data at c = 0, the other operators at 0) for "
        "every observable; the dotted lines are the 68 % and 95 % CL thresholds 1 and 3.84."
        for op in limits.operators
    }
    for pair in limits.scans_2d:
        a, b = pair.split(",")
        caps[f"contour_{a}_{b}"] = (
            f"68 % and 95 % CL regions in ({a}, {b}), one panel per observable, on grids "
            "sized to each observable's own contour; grey: the optimum's 95 % region."
        )
    post = (limits.bayes or {}).get("two_dimensional") or {}
    if post:
        caps[f"posterior_{'_'.join(post['operators'])}"] = (
            "Nested-sampling (UltraNest) posterior of the true-ratio unbinned likelihood with "
            f"uniform priors on {', '.join(post['operators'])}."
        )
    return caps


def _interval_text(iv: dict | None) -> str:
    pieces = (iv or {}).get("pieces") or []
    return " ∪ ".join(f"[{lo:+.3g}, {hi:+.3g}]" for lo, hi in pieces) or "n/a"


def _observed_table(limits: LimitsResult) -> str:
    from html import escape

    obs_iv = (limits.observed or {}).get("intervals", {})
    rows = "".join(
        f"<tr><th>{escape(obs)}</th>"
        + "".join(
            f"<td>{_interval_text(obs_iv.get(o, {}).get(obs, {}).get('0.95'))}</td>"
            for o in limits.operators
        )
        + "</tr>"
        for obs in limits.observables
    )
    head = "".join(f"<th>{escape(o)} 95 % CL</th>" for o in limits.operators)
    n = (limits.observed or {}).get("n_observed")
    return (
        f"<table id='table-limits_observed'><caption><b>limits_observed</b>: "
        f"{TABLE_CAPTIONS['limits_observed']} ({n} events).</caption><thead><tr>"
        f"<th>Observable</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def limits_summary_html(limits: LimitsResult) -> str:
    """The opening paragraph of ``limits.html``, written from the result's numbers."""
    from html import escape

    op = limits.fisher_operator
    per = limits.intervals.get(op, {})
    width = {
        obs: sum(hi - lo for lo, hi in (per.get(obs, {}).get("0.95") or {}).get("pieces") or [])
        for obs in limits.observables
    }
    known = {o: w for o, w in width.items() if w > 0}
    frac = limits.fisher_fraction
    text = (
        f"SMEFT limits on {', '.join(escape(o) for o in limits.operators)} from "
        f"{len(limits.observables)} observables of one {escape(limits.sample.level)}-level "
        f"sample ({limits.sample.n_events:,} events) at {limits.luminosity_fb:g} fb<sup>−1</sup>, "
        f"Λ = {limits.lambda_TeV:g} TeV."
    )
    if known:
        best = min(known, key=lambda o: known[o])
        worst = max(known, key=lambda o: known[o])
        text += (
            f" The expected 95 % CL interval on {escape(op)} is narrowest with "
            f"<b>{escape(best)}</b> ({_interval_text(per[best].get('0.95'))}) and widest with "
            f"<b>{escape(worst)}</b> ({_interval_text(per[worst].get('0.95'))}), "
            f"{known[worst] / known[best]:.2f} times wider."
        )
    ranked = sorted(((f, o) for o, f in frac.items() if f is not None), reverse=True)
    if ranked:
        text += (
            f" Of the optimal Fisher information on {escape(op)} the observables keep: "
            + ", ".join(f"{escape(o)} {f:.3f}" for f, o in ranked)
            + "."
        )
    rows = "".join(
        f"<tr><th>{escape(obs)}</th>"
        + "".join(
            f"<td>{_interval_text(limits.intervals[o].get(obs, {}).get('0.95'))}</td>"
            for o in limits.operators
        )
        + f"<td>{'n/a' if frac.get(obs) is None else f'{frac[obs]:.3f}'}</td></tr>"
        for obs in limits.observables
    )
    head = "".join(f"<th>{escape(o)} 95 % CL</th>" for o in limits.operators)
    return (
        f"<section id='summary'><h2>Summary</h2><p>{text}</p>"
        "<table id='limits-headline'><caption>Expected 95 % CL intervals (Asimov data at c = 0, "
        f"one operator at a time) and the Fisher fraction on {escape(op)}.</caption><thead>"
        f"<tr><th>Observable</th>{head}<th>Fisher fraction</th></tr></thead><tbody>{rows}"
        "</tbody></table></section>"
    )


def write_limits_html(
    limits: LimitsResult, out_dir: Path, tables: list[Path], figures: list[Path]
) -> Path:
    """``limits.html``: the SMEFT-fit section of the report, one self-contained file."""
    from html import escape

    from ._html import _CSS, _figure_entries, _figures_section, _kv_table, toc_html

    notes = [escape(n) for n in limits.notes]
    for op, per in limits.intervals.items():
        notes += [
            f"{escape(op)}, {escape(obs)}: {escape(iv['note'])}"
            for obs, iv in per.items()
            if iv.get("note")
        ]
    settings = [(k, v) for k, v in limits.settings.items()]
    observed = ""
    if limits.observed:
        observed = _observed_table(limits)
    sections = [
        (
            "intervals",
            "Observed intervals",
            "<h2 id='intervals'>Observed intervals</h2>"
            + observed
            + "<p class='note'>The expected intervals are in the summary. Files: "
            + ", ".join(f"<code>tables/{escape(p.name)}</code>" for p in tables)
            + " (bounds and widths).</p>",
        ),
    ]
    bayes = (limits.bayes or {}).get("one_dimensional") or {}
    if bayes:
        rows = [
            (f"{op} 95 % credible (highest density)", str(v["0.95"]["highest_density"]))
            for op, v in bayes.items()
        ]
        sections.append(
            (
                "bayes",
                "Nested sampling",
                "<h2 id='bayes'>Nested sampling (true-ratio unbinned likelihood, uniform "
                "priors)</h2>" + _kv_table(rows, "bayes-table"),
            )
        )
    sections.append(("figures", "Figures", _figures_section(figures, figure_captions(limits))))
    if notes:
        sections.append(
            (
                "notes",
                "Notes",
                "<h2 id='notes'>Notes</h2><ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul>",
            )
        )
    sections.append(
        (
            "settings",
            "Settings",
            "<h2 id='settings'>Settings</h2>" + _kv_table(settings, "settings-table"),
        )
    )
    toc: list[tuple[str, str, list[tuple[str, str]]]] = [("summary", "Summary", [])] + [
        (a, t, _figure_entries(figures) if a == "figures" else []) for a, t, _ in sections
    ]
    body = [
        "<h1 id='top'>mlstxs SMEFT limits: p p → Z(ℓℓ) H(b b̄)</h1>",
        limits_summary_html(limits),
        toc_html(toc),
        *(html for _, _, html in sections),
    ]
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'/>"
        f"<title>mlstxs SMEFT limits</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
    path = out_dir / "limits.html"
    path.write_text(html)
    return path
