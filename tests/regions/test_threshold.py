"""Score thresholds and the oracle: an analytic optimum, Neyman–Pearson, ties."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from mlstxs.regions._scan import scan_lines
from mlstxs.regions._threshold import ThresholdResult, best_threshold, oracle_region
from mlstxs.stats import NotEvaluable, asimov_z


def z_textbook(s, b, eps):
    """Eqs. (7)–(8) as printed (arXiv:1007.1727), independent of mlstxs."""
    if eps == 0:
        return np.sqrt(2 * ((s + b) * np.log(1 + s / b) - s))
    v = (eps * b) ** 2
    return np.sqrt(
        2
        * (
            (s + b) * np.log((s + b) * (b + v) / (b * b + (s + b) * v))
            - b * b / v * np.log(1 + v * s / (b * (b + v)))
        )
    )


# 1-D toy on x ∈ (0, 1): background density B, signal density S (k+1) x^k. The region
# x > x* has s = S(1 − x*^{k+1}), b = B(1 − x*); the likelihood ratio is monotonic in x.
S_TOT, B_TOT, K, N_BINS, LUMI_FB = 60.0, 1000.0, 3, 20_000, 140.0


def analytic_optimum(eps):
    def minus_z(x):
        return -z_textbook(S_TOT * (1 - x ** (K + 1)), B_TOT * (1 - x), eps)

    opt = minimize_scalar(
        minus_z, bounds=(0.0, 1.0 - 1e-6), method="bounded", options={"xatol": 1e-12}
    )
    return opt.x, -opt.fun


def binned_toy():
    """Exact bin integrals on a fine grid as weighted events: cumulative yields are exact."""
    edges = np.linspace(0.0, 1.0, N_BINS + 1)
    s = S_TOT * np.diff(edges ** (K + 1))
    b = np.full(N_BINS, B_TOT / N_BINS)
    return s, b


@pytest.mark.parametrize("eps", [0.0, 0.05, 0.2])
def test_oracle_finds_the_analytic_optimum(eps):
    x_star, z_star = analytic_optimum(eps)
    assert 0.05 < x_star < 0.99
    s, b = binned_toy()
    scale = LUMI_FB * 1000.0  # pb → events
    res = oracle_region(b / scale, (s + b) / scale, LUMI_FB, eps)
    assert res.z == pytest.approx(z_star, rel=1e-6)
    assert res.z <= z_star * (1 + 1e-12)
    x_cut = 1.0 - res.b / B_TOT  # the region holds the bins above x_cut
    assert abs(x_cut - x_star) <= 1.0 / N_BINS
    # the threshold on the ratio w_c/w_sm = 1 + S(k+1)x^k/B maps back onto x*
    x_from_threshold = ((res.threshold - 1.0) * B_TOT / (S_TOT * (K + 1))) ** (1.0 / K)
    assert abs(x_from_threshold - x_star) <= 1.0 / N_BINS
    assert res.s == pytest.approx(S_TOT * (1 - x_cut ** (K + 1)), rel=1e-9)


def toy_2d(n, seed):
    rng = np.random.default_rng(seed)
    pt = rng.uniform(400.0, 900.0, n)
    mzh = 1.2 * pt + 250.0 + rng.exponential(350.0, n)
    b = rng.exponential(0.5, n)
    s = b * 0.2 * ((pt / 600.0) ** 2 * (mzh / 1200.0) ** 3 + 0.3 * np.sin(pt / 40.0) ** 2)
    return pt, mzh, s, b


@pytest.mark.parametrize("eps", [0.0, 0.3, 1.0])
def test_oracle_beats_every_line(eps):
    pt, mzh, s, b = toy_2d(2000, 8)
    oracle = best_threshold(s / b, s, b, eps)
    lines = scan_lines(pt, mzh, s, b, np.linspace(-15.0, 5.0, 81), eps)
    assert np.all(oracle.z >= lines.best_z - 1e-12 * np.abs(lines.best_z))
    if eps == 0:  # strictly, on this toy with a non-linear s/b (for large ε both find a
        assert oracle.z > lines.z  # tiny, very pure corner made of the same events)


def test_curve_and_best_region_reproduce_by_mask():
    rng = np.random.default_rng(9)
    score = np.round(rng.random(400), 2)  # ~100 distinct values: many ties
    b = rng.uniform(0.0, 1.0, 400)
    s = (score - 0.3) * rng.uniform(0.0, 1.0, 400)  # negative below 0.3
    res = best_threshold(score, s, b, 0.5)
    assert len(res.thresholds) == len(np.unique(score))
    assert np.all(np.diff(res.thresholds) < 0)
    for t, zs, ys, yb in zip(res.thresholds, res.z_curve, res.s_curve, res.b_curve, strict=True):
        inside = score > t
        assert s[inside].sum() == pytest.approx(ys, rel=1e-12, abs=1e-12)
        assert b[inside].sum() == pytest.approx(yb, rel=1e-12)
        assert zs == pytest.approx(asimov_z(ys, yb, 0.5), rel=1e-14, nan_ok=True)
    inside = score > res.threshold
    assert asimov_z(s[inside].sum(), b[inside].sum(), 0.5) == pytest.approx(res.z, rel=1e-12)
    assert res.z == np.nanmax(res.z_curve)


def test_ties_are_never_split():
    score = np.array([3.0, 2.0, 2.0, 1.0])
    s = np.array([1.0, 5.0, -4.0, 0.5])
    b = np.array([1.0, 0.01, 5.0, 1.0])
    res = best_threshold(score, s, b, 0.0)
    assert len(res.z_curve) == 3
    np.testing.assert_allclose(res.s_curve, [1.0, 2.0, 2.5])
    np.testing.assert_allclose(res.b_curve, [1.0, 6.01, 7.01])


def test_oracle_handles_zero_sm_weights():
    w_sm = np.array([0.0, 0.0, 0.0, 1e-3, 2e-3, 1e-3])
    w_c = np.array([1e-4, 0.0, -1e-4, 1.5e-3, 2e-3, 0.5e-3])
    res = oracle_region(w_sm, w_c, 10.0, 0.1)
    # the +∞ event alone: the cut is the next ratio (the midpoint with +∞ is not finite)
    assert res.thresholds[0] == 1.5
    assert res.s_curve[0] == pytest.approx(1e-4 * 1e4)
    np.testing.assert_array_equal(res.thresholds, [1.5, 1.25, 0.75, -0.5])
    assert res.s == pytest.approx((1e-4 + 0.5e-3) * 1e4)
    assert res.b == pytest.approx(1e-3 * 1e4)
    # the −∞ event cannot be inside any region `score > t`, so the last region excludes it
    assert res.s_curve[-1] == pytest.approx((1e-4 + 0.5e-3 + 0.0 - 0.5e-3) * 1e4)


def test_min_background():
    _, _, s, b = toy_2d(500, 10)
    res = best_threshold(s / b, s, b, 0.0, min_background=20.0)
    assert res.b > 20.0
    assert np.isnan(res.z_curve[res.b_curve <= 20.0]).all()


def test_zero_background_is_not_evaluable():
    with pytest.raises(NotEvaluable, match="zero expected background"):
        best_threshold([0.1, 0.5, 0.9], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], 0.3)
    with pytest.raises(NotEvaluable):
        oracle_region(np.zeros(3), np.ones(3), 1.0, 0.0)


def test_result_object():
    _, _, s, b = toy_2d(100, 11)
    res = best_threshold(s / b, s, b, 0.3)
    assert isinstance(res, ThresholdResult)
    assert set(json.loads(json.dumps(res.to_dict()))) == {"threshold", "z", "s", "b", "epsilon"}
    curve = json.loads(json.dumps(res.to_dict(curve=True)))["curve"]
    assert len(curve["z"]) == len(res.thresholds)
    assert "score >" in repr(res)
    with pytest.raises(AttributeError):
        res.z = 1.0  # type: ignore[misc]


def test_bad_inputs():
    with pytest.raises(ValueError, match="NaN"):
        best_threshold([np.nan, 1.0], [1.0, 1.0], [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="shape"):
        best_threshold([1.0, 2.0, 3.0], [1.0, 1.0], [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="negative SM weights"):
        oracle_region([-1.0, 1.0], [1.0, 1.0], 1.0, 0.0)
    with pytest.raises(ValueError, match="luminosity"):
        oracle_region([1.0, 1.0], [1.0, 1.0], 0.0, 0.0)
