"""Slope–intercept scan: the sorted sweep against a brute-force mask-and-sum reference."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlstxs.regions._scan import LineScan, best_prefix, scan_lines
from mlstxs.regions._threshold import cumulative_yields, region_z
from mlstxs.stats import NotEvaluable, asimov_z


def brute_force_scan(pt, mzh, s, b, slopes, intercepts, epsilon, min_background=0.0):
    """Z of m_ZH > a·p_T + c on the grid slopes × intercepts by masking events and summing
    (matrix of masks per slope); NaN where b ≤ min_background."""
    out = np.empty((len(slopes), len(intercepts)))
    for i, a in enumerate(slopes):
        mask = (mzh - a * pt)[None, :] > np.asarray(intercepts)[:, None]
        ys, yb = mask @ s, mask @ b
        z = asimov_z(ys, yb, epsilon)
        z[yb <= min_background] = np.nan
        out[i] = z
    return out


def candidate_intercepts(u):
    """Every distinct region u > c: midpoints between distinct u, and below the lowest."""
    v = np.unique(u)
    return np.append((v[:-1] + v[1:]) / 2, v[0] - 1.0)


def toy(n, seed, negative_fraction=0.0):
    """Events in one high-p_T slice: s/b grows along the correlated hard tail."""
    rng = np.random.default_rng(seed)
    pt = rng.uniform(400.0, 900.0, n)
    mzh = 1.2 * pt + 250.0 + rng.exponential(350.0, n)
    b = rng.exponential(0.5, n)
    s = b * ((pt / 600.0) * (mzh / 1200.0)) ** 3 * 0.2
    flip = rng.random(n) < negative_fraction
    s[flip] *= -3.0
    return pt, mzh, s, b


SLOPES = np.linspace(-12.0, 3.0, 16)


@pytest.mark.parametrize("eps", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("negative_fraction", [0.0, 0.1])
def test_sweep_is_the_exact_optimum_per_slope(eps, negative_fraction):
    pt, mzh, s, b = toy(300, 1, negative_fraction)
    res = scan_lines(pt, mzh, s, b, SLOPES, eps)
    for i, a in enumerate(SLOPES):
        cand = candidate_intercepts(mzh - a * pt)
        z_brute = brute_force_scan(pt, mzh, s, b, [a], cand, eps)[0]
        assert res.best_z[i] == pytest.approx(np.nanmax(z_brute), rel=1e-12)
    fine = np.linspace(mzh.min() - 12 * pt.max(), mzh.max() + 12 * pt.max(), 2001)
    z_grid = brute_force_scan(pt, mzh, s, b, SLOPES, fine, eps)
    grid_best = np.nanmax(z_grid, axis=1)
    assert np.all(res.best_z >= grid_best - 1e-12 * np.abs(grid_best))
    assert res.z == np.nanmax(res.best_z)
    assert res.slope == SLOPES[np.nanargmax(res.best_z)]


@pytest.mark.parametrize("eps", [0.0, 0.5])
def test_the_returned_lines_reproduce_their_yields(eps):
    pt, mzh, s, b = toy(400, 2, 0.2)
    res = scan_lines(pt, mzh, s, b, SLOPES, eps)
    for a, c, ys, yb in zip(SLOPES, res.best_intercepts_GeV, res.best_s, res.best_b, strict=True):
        inside = mzh > a * pt + c  # the line in physical units, as it would be published
        assert s[inside].sum() == pytest.approx(ys, rel=1e-10, abs=1e-12)
        assert b[inside].sum() == pytest.approx(yb, rel=1e-10)
    inside = res.boundary().contains(pt, mzh)
    assert b[inside].sum() == pytest.approx(res.b, rel=1e-10)
    assert asimov_z(s[inside].sum(), b[inside].sum(), eps) == pytest.approx(res.z, rel=1e-10)


def test_landscape_equals_brute_force_grid():
    pt, mzh, s, b = toy(300, 3, 0.1)
    res = scan_lines(pt, mzh, s, b, SLOPES, 0.5, min_background=0.5)
    grid = np.linspace(-9000.0, 2500.0, 157)[::-1]  # unsorted on purpose
    land = res.landscape(grid)
    ref = brute_force_scan(pt, mzh, s, b, SLOPES, grid, 0.5, min_background=0.5)
    assert land.shape == (len(SLOPES), len(grid))
    np.testing.assert_array_equal(np.isnan(land), np.isnan(ref))
    np.testing.assert_allclose(land, ref, rtol=1e-12, atol=0)
    assert np.nanmax(land) <= res.z * (1 + 1e-12)
    at_best = res.landscape(res.best_intercepts_GeV)
    np.testing.assert_allclose(np.diag(at_best), res.best_z, rtol=1e-12)


def test_events_with_equal_u_stay_together():
    # integer p_T and m_ZH with integer slopes: many events share u = m_ZH − a p_T exactly
    rng = np.random.default_rng(4)
    pt = rng.integers(400, 410, 500).astype(float)
    mzh = rng.integers(800, 830, 500).astype(float)
    b = rng.uniform(0.1, 1.0, 500)
    s = b * (mzh - 790.0) / 40.0 * rng.uniform(0.0, 2.0, 500)
    slopes = np.array([-2.0, -1.0, 0.0, 1.0])
    res = scan_lines(pt, mzh, s, b, slopes, 0.2)
    for i, a in enumerate(slopes):
        u = mzh - a * pt
        assert len(np.unique(u)) < 100  # really tied
        inside = u > res.best_intercepts_GeV[i]
        assert s[inside].sum() == pytest.approx(res.best_s[i], rel=1e-12)
        assert b[inside].sum() == pytest.approx(res.best_b[i], rel=1e-12)
        cand = candidate_intercepts(u)
        z_brute = brute_force_scan(pt, mzh, s, b, [a], cand, 0.2)[0]
        assert res.best_z[i] == pytest.approx(np.nanmax(z_brute), rel=1e-12)


def test_a_tie_that_must_not_be_split():
    # two events at the same u: taking only the first would be best, but is not a region
    pt = np.zeros(3)
    mzh = np.array([10.0, 5.0, 5.0])
    s = np.array([1.0, 5.0, -4.0])
    b = np.array([1.0, 0.01, 5.0])
    res = scan_lines(pt, mzh, s, b, [0.0], 0.0)
    z_split = asimov_z(6.0, 1.01)  # the event set {10, first 5}: unreachable by a cut
    assert res.z < z_split
    assert res.z == pytest.approx(max(asimov_z(1.0, 1.0), asimov_z(2.0, 6.01)), rel=1e-14)


def test_min_background_excludes_small_regions():
    pt, mzh, s, b = toy(300, 5)
    res = scan_lines(pt, mzh, s, b, SLOPES, 0.0, min_background=5.0)
    assert np.all(res.best_b > 5.0)
    assert scan_lines(pt, mzh, s, b, SLOPES, 0.0).z >= res.z


def test_zero_background_is_not_evaluable():
    pt, mzh, s, _ = toy(50, 6)
    with pytest.raises(NotEvaluable, match="zero expected background"):
        scan_lines(pt, mzh, s, np.zeros(50), SLOPES, 0.3)
    res = scan_lines(pt, mzh, s, np.where(pt > 600, 0.0, 1.0), [0.0, 1000.0], 0.3)
    assert np.isfinite(res.best_z).all()


def test_result_object():
    pt, mzh, s, b = toy(200, 7)
    res = scan_lines(pt, mzh, s, b, SLOPES, 0.5)
    assert isinstance(res, LineScan)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["slope"] == res.slope and len(d["per_slope"]["z"]) == len(SLOPES)
    assert "m_ZH >" in repr(res) and "16 slopes on 200 events" in repr(res)
    with pytest.raises(AttributeError):
        res.z = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pt": np.ones(3)},
        {"s": np.array([1.0, np.nan, 1.0, 1.0])},
        {"slopes": []},
        {"slopes": [[1.0]]},
        {"epsilon": -0.1},
        {"epsilon": np.inf},
    ],
)
def test_bad_inputs(kwargs):
    args = {"pt": np.ones(4), "mzh": np.arange(4.0), "s": np.ones(4), "b": np.ones(4)}
    args |= {"slopes": [0.0], "epsilon": 0.1} | kwargs
    with pytest.raises(ValueError):
        scan_lines(**args)


@pytest.mark.parametrize("eps", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("min_background", [0.0, 30.0])
def test_branch_and_bound_finds_the_full_maximum(eps, min_background):
    # large enough for best_prefix to prune blocks; compared with evaluating every prefix
    pt, mzh, s, b = toy(40_000, 12, 0.05)
    yields = np.stack((s, b))
    for a in (-10.0, -3.0, 0.0, 2.0):
        cy = cumulative_yields(mzh - a * pt, yields)
        z_all = region_z(cy.s, cy.b, eps, min_background)
        k = best_prefix(cy.s, cy.b, eps, min_background, True)
        assert z_all[k] == np.nanmax(z_all)
        assert k == best_prefix(cy.s, cy.b, eps, min_background, False)
    res = scan_lines(pt, mzh, s, b, [-10.0, -3.0], eps, min_background=min_background)
    inside = mzh - res.slope * pt > res.intercept_GeV
    assert asimov_z(s[inside].sum(), b[inside].sum(), eps) == pytest.approx(res.z, rel=1e-10)


def test_branch_and_bound_with_negative_signal_everywhere():
    pt, mzh, s, b = toy(20_000, 13)
    res = scan_lines(pt, mzh, -s, b, [-3.0, 0.0], 0.3)  # every region has Z < 0
    cy = cumulative_yields(mzh - res.slope * pt, np.stack((-s, b)))
    assert res.z == pytest.approx(np.nanmax(region_z(cy.s, cy.b, 0.3)), rel=1e-12)
    assert res.z < 0
