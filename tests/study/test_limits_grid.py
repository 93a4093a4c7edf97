"""Adaptive 2-D grids: a Gaussian Δ(−2 ln L) (closed form) from too wide, too narrow and
singular starting boxes."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.study._limits_grid import (
    LEVELS_2D,
    Q5SIGMA,
    Q95,
    adaptive_scan_2d,
    fisher_box,
    region_box,
)

COV = np.array([[0.04, -0.0836], [-0.0836, 0.25]])  # ρ = −0.836: a tilted, narrow ellipse
FISHER = np.linalg.inv(COV)


def gaussian(ga: np.ndarray, gb: np.ndarray) -> dict:
    """Δ(−2 ln L) = c·F c on the grid, as a scan record (None outside the 'domain' cb < 3)."""
    a, b = np.meshgrid(ga, gb, indexing="ij")
    delta = FISHER[0, 0] * a**2 + 2 * FISHER[0, 1] * a * b + FISHER[1, 1] * b**2
    delta = np.where(b < 3.0, delta, np.inf)
    return {
        "grid_a": ga.tolist(),
        "grid_b": gb.tolist(),
        "delta": np.where(np.isinf(delta), None, delta).tolist(),
    }


def test_fisher_box_is_the_ellipse_extent():
    box = fisher_box(FISHER, Q95, (1.0, 1.0))
    assert box[1] == pytest.approx(1.5 * np.sqrt(Q95 * COV[0, 0]))
    assert box[3] == pytest.approx(1.5 * np.sqrt(Q95 * COV[1, 1]))
    assert fisher_box(np.ones((2, 2)), Q95, (2.0, 3.0)) == (-2.0, 2.0, -3.0, 3.0)  # singular


@pytest.mark.parametrize("scale", [0.05, 1.0, 40.0])
def test_the_region_ends_resolved(scale):
    box = tuple(scale * x for x in fisher_box(FISHER, Q95, (1.0, 1.0)))
    rec = adaptive_scan_2d(gaussian, box, 61, min_fraction=0.08)
    delta = np.array(rec["delta"], dtype=float)
    inside = delta < Q95
    assert not rec["touches_edge"]
    assert not (inside[0].any() or inside[-1].any() or inside[:, 0].any() or inside[:, -1].any())
    assert rec["n_inside"]["0.95"] == inside.sum() >= 0.08 * 61**2
    assert rec["n_inside"]["0.68"] == np.sum(delta < LEVELS_2D["0.68"])
    assert rec["n_cells"] == 61 * 61 and rec["rescans"] <= 6
    # the 95 % ellipse's extent, √(q Σ_aa), lies inside the grid
    for grid, var in ((rec["grid_a"], COV[0, 0]), (rec["grid_b"], COV[1, 1])):
        assert grid[0] < -np.sqrt(Q95 * var) and np.sqrt(Q95 * var) < grid[-1]


def test_a_region_larger_than_the_rescans_allow_is_reported():
    rec = adaptive_scan_2d(gaussian, (-1e-4, 1e-4, -1e-4, 1e-4), 21, max_rescans=2)
    assert rec["touches_edge"] and rec["rescans"] == 2


def test_other_thresholds_and_the_region_box():
    rec = adaptive_scan_2d(gaussian, fisher_box(FISHER, Q5SIGMA, (1, 1)), 41, threshold=Q5SIGMA)
    ga, gb = np.asarray(rec["grid_a"]), np.asarray(rec["grid_b"])
    inside = np.array(rec["delta"], dtype=float) < Q5SIGMA
    box = region_box(inside, ga, gb, 1.0)
    assert box[1] >= np.sqrt(Q5SIGMA * COV[0, 0]) and box[0] <= -np.sqrt(Q5SIGMA * COV[0, 0])
    assert box[3] >= np.sqrt(Q5SIGMA * COV[1, 1]) and box[2] <= -np.sqrt(Q5SIGMA * COV[1, 1])
