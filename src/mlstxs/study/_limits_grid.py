"""Adaptive 2-D grids of the SMEFT likelihood scans (``mlstxs limits``).

One scan range for every observable cannot resolve them all: along a direction of an
operator pair that the linear terms leave (nearly) flat, the region Δ(−2 ln L) < 5.99 is
closed by the quadratic terms only, far inside a box sized from the linear (Fisher)
approximation, and a 61 × 61 grid over that box puts a handful of cells inside it. Each
observable therefore gets its own grid:

1. the ellipse Δ = q of the Fisher approximation, restricted to the pair (the other
   operators at 0): half-extents √(q Σ_aa) with Σ = (F_pair)⁻¹, times a margin;
2. scan; if the region Δ < q reaches the grid's edge, widen that side (by the box's width)
   and rescan; if it covers fewer than a fraction of the cells, shrink the box to the
   region's bounding box (the first cells outside it, times a small margin) and rescan;
3. stop when neither applies, after ``max_rescans`` rescans, or when shrinking would not
   reduce the area; the best grid seen (not touching the edge, most cells inside) is kept.

Δ = q is the χ²(2) quantile of the confidence level (eq. (1) of stats/_intervals.py with
m = 2): 2.28 for 68 %, 5.99 for 95 %.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.stats import chi2, norm

Box = tuple[float, float, float, float]
"""(a_low, a_high, b_low, b_high) of a 2-D grid, in the units of the Wilson coefficients."""

LEVELS_2D: dict[str, float] = {str(cl): float(chi2.ppf(cl, 2)) for cl in (0.68, 0.95)}
"""Δ(−2 ln L) of the 68 % and 95 % CL contours of a pair (χ²(2) quantiles)."""
Q95 = LEVELS_2D["0.95"]
Q5SIGMA = float(chi2.isf(2.0 * norm.sf(5.0), 2))
"""Δ(−2 ln L) = 28.74 of a two-sided 5σ region of a pair: bounds the posterior's prior box."""
FISHER_MARGIN = 1.5
"""Margin on the Fisher ellipse's half-extents (the quadratic terms make regions asymmetric)."""
SHRINK_MARGIN = 1.15
"""Margin on the bounding box of the scanned region when the grid is shrunk."""


def fisher_box(fisher_pair: np.ndarray, threshold: float, fallback: tuple[float, float]) -> Box:
    """Box around 0 holding the ellipse c·F c = ``threshold`` (FISHER_MARGIN times its extents).

    ``fisher_pair`` (2, 2) is the Fisher information of one observable restricted to a
    pair, the other operators fixed at 0; the half-extents are √(threshold · Σ_aa) with
    Σ = F⁻¹. ``fallback`` (half-widths) stands in where F is singular.
    """
    try:
        cov = np.linalg.inv(np.asarray(fisher_pair, dtype=float))
        half = FISHER_MARGIN * np.sqrt(threshold * np.diag(cov))
    except np.linalg.LinAlgError:
        half = np.array([math.nan, math.nan])
    ha, hb = (
        float(h) if np.isfinite(h) and h > 0 else float(f)
        for h, f in zip(half, fallback, strict=True)
    )
    return (-ha, ha, -hb, hb)


def region_box(inside: np.ndarray, ga: np.ndarray, gb: np.ndarray, margin: float) -> Box:
    """Bounding box of the cells ``inside`` (G_a, G_b) reaching to the first cells outside
    them (the region's boundary lies in between), scaled by ``margin`` about its centre."""
    ia, ib = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    a0, a1 = ga[max(ia[0] - 1, 0)], ga[min(ia[-1] + 1, ga.size - 1)]
    b0, b1 = gb[max(ib[0] - 1, 0)], gb[min(ib[-1] + 1, gb.size - 1)]
    ca, ha, cb, hb = (a0 + a1) / 2, margin * (a1 - a0) / 2, (b0 + b1) / 2, margin * (b1 - b0) / 2
    return (float(ca - ha), float(ca + ha), float(cb - hb), float(cb + hb))


def edges_touched(inside: np.ndarray) -> tuple[bool, bool, bool, bool]:
    """Whether the region reaches the (a_low, a_high, b_low, b_high) edge of the grid."""
    return (
        bool(inside[0].any()),
        bool(inside[-1].any()),
        bool(inside[:, 0].any()),
        bool(inside[:, -1].any()),
    )


def _next_box(delta: np.ndarray, threshold: float, ga, gb, box: Box, min_cells: int) -> Box | None:
    """The box of the next rescan, or None when this grid resolves the region Δ < threshold
    (a region between the grid points is sought around the grid's lowest Δ)."""
    if not np.isfinite(delta).any():
        return None
    inside = delta < threshold
    if not inside.any():
        inside = delta == np.nanmin(delta)
    touched = edges_touched(inside)
    if any(touched):
        wa, wb = box[1] - box[0], box[3] - box[2]
        return (
            box[0] - wa * touched[0],
            box[1] + wa * touched[1],
            box[2] - wb * touched[2],
            box[3] + wb * touched[3],
        )
    if inside.sum() >= min_cells:
        return None
    new = region_box(inside, ga, gb, SHRINK_MARGIN)
    area = lambda b: (b[1] - b[0]) * (b[3] - b[2])  # noqa: E731
    return new if area(new) < 0.8 * area(box) else None


def adaptive_scan_2d(
    scan: Callable[[np.ndarray, np.ndarray], dict],
    box: Box,
    n_points: int,
    *,
    threshold: float = Q95,
    min_fraction: float = 0.08,
    max_rescans: int = 6,
) -> dict:
    """Scan on ``n_points`` × ``n_points`` grids until the region Δ < ``threshold`` is resolved.

    Parameters
    ----------
    scan : callable
        ``scan(grid_a (G,), grid_b (G,)) -> dict`` with ``"delta"`` (G, G), Δ(−2 ln L)
        (None or NaN where the likelihood is invalid), as ``Scan2D.to_dict`` returns.
    box : Box
        The first grid's range (:func:`fisher_box`).
    threshold : float
        Δ(−2 ln L) bounding the region to resolve (default: the 95 % CL contour).
    min_fraction : float
        Fewer cells than this fraction inside the region: shrink and rescan.
    max_rescans : int
        At most this many rescans after the first scan.

    Returns
    -------
    dict
        The chosen scan's record plus ``n_cells``, ``n_inside`` (cells inside the 68 % and
        95 % CL contours, :data:`LEVELS_2D`), ``touches_edge`` (the region reaches the
        grid's edge: the grid does not contain it) and ``rescans`` (rescans done).
    """
    min_cells = math.ceil(min_fraction * n_points**2)
    best, best_key, rescans = None, None, -1
    while rescans < max_rescans:
        rescans += 1
        ga, gb = np.linspace(box[0], box[1], n_points), np.linspace(box[2], box[3], n_points)
        record = scan(ga, gb)
        delta = np.array(record["delta"], dtype=float)  # None -> NaN: never inside
        inside = delta < threshold
        key = (not any(edges_touched(inside)), int(inside.sum()))
        if best_key is None or key > best_key:
            best, best_key = (record, delta), key
        next_box = _next_box(delta, threshold, ga, gb, box, min_cells)
        if next_box is None:
            break
        box = next_box
    assert best is not None and best_key is not None  # the loop ran at least once
    record, delta = best
    return record | {
        "n_cells": int(delta.size),
        "n_inside": {cl: int(np.sum(delta < q)) for cl, q in LEVELS_2D.items()},
        "touches_edge": not best_key[0],
        "rescans": rescans,
    }
