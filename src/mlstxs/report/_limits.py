"""Figures and tables of the SMEFT fits (``mlstxs limits``)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ._style import label, new_figure, style_context

COLORS = ("black", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _save(fig: Figure, out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.pdf"]
    fig.savefig(paths[0], dpi=150, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"CreationDate": None, "Creator": None, "Producer": None})
    return paths


def plot_scans(limits: dict, out_dir: Path) -> list[Path]:
    """One figure per operator: Δ(−2 ln L) of every observable, with the 68/95 % CL lines."""
    paths = []
    for op, per_obs in limits["scans_1d"].items():
        with style_context():
            fig, axes = new_figure(size=(8, 6))
            ax = axes[0, 0]
            for color, (obs, scan) in zip(COLORS, per_obs.items(), strict=False):
                grid = np.asarray(scan["grid"], dtype=float)
                delta = np.array([np.nan if d is None else d for d in scan["delta"]], dtype=float)
                ax.plot(grid, delta, color=color, label=obs)
            for level, style in ((1.0, ":"), (3.84, "--")):
                ax.axhline(level, color="grey", ls=style, lw=1)
            ax.set_ylim(0, 6)
            ax.set_xlabel(f"{op}  (Λ = {limits['sample']['lambda_TeV']:g} TeV)")
            ax.set_ylabel(r"$-2\,\Delta\ln L$ (Asimov)")
            ax.legend(fontsize=11, loc="upper center")
            label(ax, limits)
            paths += _save(fig, out_dir, f"scan_{op}")
    return paths


def plot_contours(limits: dict, out_dir: Path) -> list[Path]:
    """One figure per operator pair: the 68 % and 95 % CL contours of every observable."""
    paths = []
    for pair, per_obs in limits["scans_2d"].items():
        op_a, op_b = pair.split(",")
        with style_context():
            fig, axes = new_figure(size=(8, 7))
            ax = axes[0, 0]
            handles = []
            for color, (obs, scan) in zip(COLORS, per_obs.items(), strict=False):
                ga, gb = np.asarray(scan["grid_a"]), np.asarray(scan["grid_b"])
                z = np.array([[np.nan if v is None else v for v in row] for row in scan["delta"]])
                cs = ax.contour(
                    ga, gb, z.T, levels=[2.30, 5.99], colors=[color], linestyles=["-", "--"]
                )
                handles.append((cs.legend_elements()[0][0], obs))
            ax.plot([0], [0], "k+", ms=12)
            ax.set_xlabel(op_a)
            ax.set_ylabel(op_b)
            ax.legend(
                [h for h, _ in handles],
                [n for _, n in handles],
                fontsize=11,
                title="68 % (solid), 95 % (dashed) CL",
            )
            label(ax, limits)
            paths += _save(fig, out_dir, f"contour_{op_a}_{op_b}")
    return paths


def _fmt_interval(iv: dict | None) -> str:
    if not iv or not iv.get("pieces"):
        return "n/a"
    parts = [
        f"[{lo:+.3g}, {hi:+.3g}]" if math.isfinite(lo) and math.isfinite(hi) else f"[{lo}, {hi}]"
        for lo, hi in iv["pieces"]
    ]
    return " ∪ ".join(parts)


def _interval_rows(intervals: dict, fisher: dict | None) -> tuple[list[str], list[list[str]]]:
    """Markdown lines and CSV rows (cells, quoted by the csv writer) of an interval table."""
    ops = list(intervals)
    observables = list(next(iter(intervals.values())))
    md, rows = [], []
    for obs in observables:
        cells, ccells = [], []
        for op in ops:
            iv = intervals[op].get(obs, {}).get("0.95")
            cells.append(_fmt_interval(iv))
            pieces = iv["pieces"] if iv and iv.get("pieces") else [[math.nan, math.nan]]
            width = sum(b - a for a, b in pieces)
            ccells += [f"{pieces[0][0]:.6g}", f"{pieces[-1][1]:.6g}", f"{width:.6g}"]
        frac = None if fisher is None else fisher.get(obs)
        fcell = "n/a" if frac is None else f"{frac:.3f}"
        md.append(f"| {obs} | " + " | ".join(cells) + (f" | {fcell} |" if fisher else " |"))
        rows.append([obs, *ccells, *([("" if frac is None else f"{frac:.6g}")] if fisher else [])])
    return md, rows


def write_limit_tables(limits: dict, out_dir: Path) -> list[Path]:
    """95 % CL intervals per operator and observable, expected (Asimov, with the Fisher
    fractions) and observed (one pseudo-experiment), as Markdown and CSV."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ops = list(limits["intervals"])
    paths = []
    tables = [("limits", limits["intervals"], limits["fisher_fraction"])]
    if limits.get("observed"):
        tables.append(("limits_observed", limits["observed"]["intervals"], None))
    for name, intervals, fisher in tables:
        head = "| observable | " + " | ".join(f"{op} 95 % CL" for op in ops)
        head += f" | Fisher fraction ({limits['fisher_operator']}) |" if fisher else " |"
        md, rows = _interval_rows(intervals, fisher)
        sep = "|---" * (len(ops) + 1 + (1 if fisher else 0)) + "|"
        csv_head = ["observable"]
        csv_head += [f"{op}_{q}95" for op in ops for q in ("low", "high", "width")]
        csv_head += ["fisher_fraction"] if fisher else []
        (out_dir / f"{name}.md").write_text("\n".join([head, sep, *md]) + "\n")
        with (out_dir / f"{name}.csv").open("w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([csv_head, *rows])
        paths += [out_dir / f"{name}.md", out_dir / f"{name}.csv"]
    return paths


def write_limits_html(limits: dict, out_dir: Path, tables: list[Path], figures: list[Path]) -> Path:
    """``limits.html``: the SMEFT-fit section of the report, one self-contained file."""
    from html import escape

    from ._html import _CSS, _csv_table, _figures_section, _kv_table

    notes = [escape(n) for n in limits.get("notes", [])]
    for op, per in limits["intervals"].items():
        notes += [
            f"{escape(op)}, {escape(obs)}: {escape(iv['note'])}"
            for obs, iv in per.items()
            if iv.get("note")
        ]
    settings = [(k, v) for k, v in limits["settings"].items()]
    body = [
        "<h1>mlstxs SMEFT limits: p p → Z(ℓℓ) H(b b̄)</h1>",
        f"<p>{len(limits['observables'])} observables of one sample "
        f"({limits['sample']['n_events']} events, {limits['sample']['level']} level) at "
        f"{limits['settings']['luminosity_fb']:g} fb⁻¹; "
        f"Λ = {limits['sample']['lambda_TeV']:g} TeV. "
        "Expected intervals from Asimov data at c = 0, observed from one pseudo-experiment; "
        "each operator with the others fixed at 0. The Fisher fraction is the information on "
        f"{escape(limits['fisher_operator'])} kept relative to the unbinned likelihood with the "
        "true per-event ratio.</p>",
        "<h2>Intervals</h2>",
        *(_csv_table(p) for p in tables if p.suffix == ".csv"),
    ]
    bayes = (limits.get("bayes") or {}).get("one_dimensional") or {}
    if bayes:
        rows = [
            (f"{op} 95 % credible (highest density)", str(v["0.95"]["highest_density"]))
            for op, v in bayes.items()
        ]
        body += [
            "<h2>Nested sampling (true-ratio unbinned likelihood, uniform priors)</h2>",
            _kv_table(rows, "bayes"),
        ]
    body.append(_figures_section(figures))
    if notes:
        body += ["<h2>Notes</h2><ul>", *(f"<li>{n}</li>" for n in notes), "</ul>"]
    body += ["<h2>Settings</h2>", _kv_table(settings, "settings")]
    html = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'/>"
        f"<title>mlstxs SMEFT limits</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
    path = out_dir / "limits.html"
    path.write_text(html)
    return path
