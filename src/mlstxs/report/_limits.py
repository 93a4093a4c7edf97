"""Figures and tables of the SMEFT fits (``mlstxs limits``)."""

from __future__ import annotations

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


def write_limit_tables(limits: dict, out_dir: Path) -> list[Path]:
    """The 95 % CL interval table (Markdown and CSV) and the Fisher-information fractions."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ops = list(limits["intervals"])
    observables = list(next(iter(limits["intervals"].values())))
    md = [
        "| observable | "
        + " | ".join(f"{op} 95 % CL" for op in ops)
        + " | Fisher fraction ("
        + limits["fisher_operator"]
        + ") |",
        "|---" * (len(ops) + 2) + "|",
    ]
    csv = [
        "observable,"
        + ",".join(f"{op}_low95,{op}_high95,{op}_width95" for op in ops)
        + ",fisher_fraction"
    ]
    for obs in observables:
        cells, ccells = [], []
        for op in ops:
            iv = limits["intervals"][op][obs].get("0.95")
            cells.append(_fmt_interval(iv))
            pieces = iv["pieces"] if iv and iv.get("pieces") else [[math.nan, math.nan]]
            lo, hi = pieces[0][0], pieces[-1][1]
            width = sum(b - a for a, b in pieces)
            ccells += [f"{lo:.6g}", f"{hi:.6g}", f"{width:.6g}"]
        frac = limits["fisher_fraction"].get(obs)
        fcell = f"{frac:.3f}" if frac is not None else "n/a"
        md.append(f"| {obs} | " + " | ".join(cells) + f" | {fcell} |")
        csv.append(f"{obs}," + ",".join(ccells) + f",{'' if frac is None else f'{frac:.6g}'}")
    paths = [out_dir / "limits.md", out_dir / "limits.csv"]
    paths[0].write_text("\n".join(md) + "\n")
    paths[1].write_text("\n".join(csv) + "\n")
    return paths
