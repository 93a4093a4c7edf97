"""Profile-likelihood scans and intervals: one-bin closed forms (Wilks thresholds on Asimov
data), disjoint intervals, profiling against an independent minimiser, 2-D contours, pulls."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import chi2

from mlstxs.physics import UnknownOperatorError
from mlstxs.stats._binned import binned_model
from mlstxs.stats._intervals import (
    asimov_data,
    fit,
    interval,
    profile_scan_1d,
    profile_scan_2d,
    pseudo_data,
)

pytest.importorskip("iminuit")


def one_bin(b, lin, quad, eps=0.0):
    """One bin, one operator: ν(c) = b + lin c + quad c² [events] (L = 1 fb⁻¹)."""
    return binned_model(
        np.array([0]), 1, np.array([[b], [lin], [quad]]) / 1000.0, ("cHW",), 1.0, eps
    )


def nu_roots(n, beta, t):
    """Fitted yields ν̂ where Δ(−2 ln L) = t for one bin with Asimov count n, independently
    of the closed form (4): parametrised by ν̂, stationarity gives θ̂ = −β(1 − n/ν̂) and
    a = ν̂ − βθ̂, so Δ(ν̂) = 2[ν̂ − n + n ln(n/ν̂)] + θ̂²; β = 0 is the plain χ² of a Poisson bin."""

    def delta(nu):
        return 2 * (nu - n + n * np.log(n / nu)) + (beta * (1 - n / nu)) ** 2 - t

    lo, hi = brentq(delta, 1e-9 * n, n), brentq(delta, n, 100 * n)
    return [v + beta**2 * (1 - n / v) for v in (lo, hi)]  # the nominal yields a(ν̂)


def c_roots(b, lin, quad, a):
    """Real c with b + lin c + quad c² = a, sorted."""
    r = np.roots([quad, lin, b - a])
    return np.sort(r[np.isreal(r)].real)


@pytest.mark.parametrize("eps", [0.0, 0.05])
@pytest.mark.parametrize("cl", [0.68, 0.95])
def test_one_bin_asimov_interval_matches_closed_form(cl, eps):
    b, lin, quad = 1000.0, 50.0, 2.0
    m = one_bin(b, lin, quad, eps)
    scan = profile_scan_1d(m, asimov_data(m), "cHW", np.linspace(-4.0, 4.0, 401))
    a_lo, a_hi = nu_roots(b, eps * b, chi2.ppf(cl, 1))
    expected = (c_roots(b, lin, quad, a_lo)[-1], c_roots(b, lin, quad, a_hi)[-1])
    iv = interval(scan, cl)
    assert len(iv.pieces) == 1 and iv.within_grid and iv.best == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose((iv.low, iv.high), expected, rtol=1e-6)
    np.testing.assert_allclose(
        (interval(scan, cl, "linear").low, interval(scan, cl, "linear").high), expected, rtol=1e-3
    )
    assert iv.threshold == pytest.approx({0.68: 0.98895, 0.95: 3.84146}[cl], rel=1e-5)


def test_disjoint_intervals_of_a_quadratic_dominated_model():
    b, lin, quad = 1000.0, 10.0, 100.0  # ν(c) = ν(−0.1 − c): two minima for data at c = 1
    m = one_bin(b, lin, quad)
    data = asimov_data(m, {"cHW": 1.0})
    scan = profile_scan_1d(m, data, "cHW", np.linspace(-2.0, 2.0, 801))
    for cl in (0.68, 0.95):
        iv = interval(scan, cl)
        a_lo, a_hi = nu_roots(data.counts[0], 0.0, chi2.ppf(cl, 1))
        outer, inner = c_roots(b, lin, quad, a_hi), c_roots(b, lin, quad, a_lo)
        expected = [(outer[0], inner[0]), (inner[1], outer[1])]
        assert len(iv.pieces) == 2
        np.testing.assert_allclose(iv.pieces, expected, rtol=1e-6)
        np.testing.assert_allclose(iv.pieces[0], -0.1 - np.array(iv.pieces[1][::-1]), rtol=1e-6)
    assert min(abs(scan.best["cHW"] - 1.0), abs(scan.best["cHW"] + 1.1)) < 1e-4
    assert "∪" in repr(iv)
    json.dumps(iv.to_dict())


def two_op_model(eps=0.02, quad=True, third=False):
    """Three bins, cHW and cHWB (and cHB, entering only through its square, if ``third``)."""
    ops = ("cHW", "cHWB", "cHB") if third else ("cHW", "cHWB")
    sm, l1, l2 = [2000.0, 1500.0, 800.0], [150.0, -40.0, 90.0], [60.0, 110.0, -30.0]
    q = [[20.0, 5.0, 30.0], [-8.0, 12.0, 4.0], [15.0, 25.0, 10.0]] if quad else [[0.0] * 3] * 3
    rows = [sm, l1, l2, q[0], q[1], q[2]]
    if third:  # pairs: sm, 3 linear, (1,1) (1,2) (1,3) (2,2) (2,3) (3,3)
        z = [0.0] * 3
        rows = [sm, l1, l2, z, q[0], q[1], z, q[2], z, [40.0, 40.0, 40.0]]
    return binned_model(np.arange(3), 3, np.array(rows) / 1000.0, ops, 1.0, eps)


def profile_over_last(m, data, fixed, bounds):
    """min over the last coefficient of −ln L: a dense vectorised grid (no local minimum
    is missed), then bounded Brent between the grid neighbours of its best point."""
    z = np.linspace(*bounds, 4001)
    pts = np.column_stack([np.broadcast_to(fixed, (z.size, len(fixed))), z])
    k = int(np.argmin(m.nll(pts, data)))
    res = minimize_scalar(
        lambda v: m.nll([*fixed, v], data)[0],
        bounds=(z[max(k - 1, 0)], z[min(k + 1, z.size - 1)]),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return res.fun


def test_profiled_scan_matches_an_independent_minimiser():
    m = two_op_model()
    data = pseudo_data(m, {"cHW": 0.3, "cHWB": -0.2}, random_state=7)
    grid = np.linspace(-1.5, 1.5, 13)
    scan = profile_scan_1d(m, data, "cHW", grid)
    ref = [profile_over_last(m, data, [x], (-5.0, 5.0)) for x in grid]
    np.testing.assert_allclose(scan.delta / 2 + scan.nll_min, ref, rtol=0, atol=1e-8)
    best = fit(m, data)
    assert scan.nll_min == pytest.approx(best.nll, abs=1e-8)
    assert scan.best["cHW"] == pytest.approx(best.values["cHW"], abs=1e-3)
    fixed = profile_scan_1d(m, data, "cHW", grid, profile_others=False)
    assert np.all(fixed.points[:, 1] == 0.0) and fixed.best["cHWB"] == 0.0
    np.testing.assert_allclose(fixed.delta / 2 + fixed.nll_min, m.nll(fixed.points, data))
    json.dumps(scan.to_dict())
    json.dumps(best.to_dict())


def test_2d_scan_of_a_symmetric_toy():
    """ν_k = b_k + q_k (c₁² + c₂²): Δ is symmetric under c₁ ↔ c₂ and sign flips, 0 at the SM,
    and the 2-dof regions are the discs Δ(r) ≤ F⁻¹_{χ²(2)}(cl)."""
    b, q = np.array([900.0, 400.0]), np.array([30.0, 50.0])
    terms = np.array([b, [0.0, 0.0], [0.0, 0.0], q, [0.0, 0.0], q]) / 1000.0
    m = binned_model(np.arange(2), 2, terms, ("cHW", "cHWB"), 1.0, 0.0)
    g = np.linspace(-3.0, 3.0, 61)
    scan = profile_scan_2d(m, asimov_data(m), ("cHW", "cHWB"), g, g)
    d = scan.delta
    np.testing.assert_allclose(d, d.T, atol=1e-9)
    np.testing.assert_allclose(d, d[::-1, :], atol=1e-9)
    assert d[30, 30] == 0.0 and d.min() == 0.0 and scan.best == {"cHW": 0.0, "cHWB": 0.0}
    assert scan.levels == {
        0.68: pytest.approx(2.2788, abs=1e-4),
        0.95: pytest.approx(5.9915, abs=1e-4),
    }

    def delta_r(r):
        nu = b + q * r**2
        return np.sum(2 * (nu - b + b * np.log(b / nu)))

    r95 = brentq(lambda r: delta_r(r) - chi2.ppf(0.95, 2), 0.0, 10.0)
    radius = np.hypot(*np.meshgrid(g, g, indexing="ij"))
    assert np.array_equal(scan.inside(0.95), radius <= r95 + 1e-12)
    prof = profile_scan_1d(m, asimov_data(m), "cHW", g)
    np.testing.assert_allclose(d.min(axis=1), prof.delta, atol=1e-9)
    json.dumps(scan.to_dict())


def test_2d_scan_profiles_the_remaining_operator():
    """With three operators the third is profiled by MIGRAD: compare with a bounded scalar
    minimisation over it at every grid point."""
    m = two_op_model(third=True)
    data = pseudo_data(m, {"cHW": 0.2}, random_state=3)
    g = np.linspace(-1.0, 1.0, 4)
    scan = profile_scan_2d(m, data, ("cHW", "cHWB"), g, g)
    ref = np.array([[profile_over_last(m, data, [x, y], (-3.0, 3.0)) for y in g] for x in g])
    np.testing.assert_allclose(scan.delta / 2 + scan.nll_min, ref, rtol=0, atol=1e-8)
    assert scan.delta.min() >= 0.0


@pytest.mark.parametrize("eps", [0.0, 0.01])
def test_pulls_have_mean_zero_and_unit_width(eps):
    """300 seeded toys at cHW = 0.3 (large yields: the Gaussian regime), ĉ and HESSE σ̂;
    with ε > 0 the toys also draw the global observables θ⁰ ~ N(0, 1)."""
    sm, lin, quad = np.array([[20.0, 15.0, 8.0], [1.5, -0.4, 0.9], [0.2, -0.08, 0.15]])
    m = binned_model(np.arange(3), 3, np.stack([sm, lin, quad]), ("cHW",), 1000.0, eps)
    rng = np.random.default_rng(2024)
    pulls = []
    for _ in range(300):
        f = fit(m, pseudo_data(m, {"cHW": 0.3}, rng))
        assert f.valid
        pulls.append((f.values["cHW"] - 0.3) / f.errors["cHW"])
    assert abs(np.mean(pulls)) < 0.15
    assert 0.85 < np.std(pulls, ddof=1) < 1.15


def test_toys_without_aux_fluctuations_under_cover():
    """Holding θ⁰ = 0 in the toys makes ĉ scatter less than its error (σ̂ includes σ_b)."""
    sm, lin, quad = np.array([[20.0, 15.0, 8.0], [1.5, -0.4, 0.9], [0.2, -0.08, 0.15]])
    m = binned_model(np.arange(3), 3, np.stack([sm, lin, quad]), ("cHW",), 1000.0, 0.01)
    rng = np.random.default_rng(7)
    pulls = [
        (f.values["cHW"] - 0.3) / f.errors["cHW"]
        for f in (
            fit(m, pseudo_data(m, {"cHW": 0.3}, rng, fluctuate_aux=False)) for _ in range(100)
        )
    ]
    assert np.std(pulls, ddof=1) < 0.85


def test_negative_yields_in_a_scan_are_inf_and_the_interval_stops_there():
    m = one_bin(100.0, 20.0, 0.0)  # ν < 0 for c < −5
    scan = profile_scan_1d(m, pseudo_data(m, {"cHW": -3.0}, 1), "cHW", np.linspace(-6, 0, 61))
    assert np.isinf(scan.delta[:10]).all() and np.isfinite(scan.delta[11:]).all()
    assert scan.to_dict()["delta"][0] is None
    iv = interval(scan, 0.95)
    assert iv.method == "linear" and iv.low >= -5.0


def test_pseudo_data_is_seeded_and_asimov_is_the_expectation():
    m = two_op_model()
    a = pseudo_data(m, {"cHW": 0.3}, 5)
    assert np.array_equal(a.counts, pseudo_data(m, {"cHW": 0.3}, 5).counts)
    assert a.kind == "observed" and a.seed == 5 and a.c == {"cHW": 0.3, "cHWB": 0.0}
    asimov = asimov_data(m, [0.3, 0.0])
    np.testing.assert_array_equal(asimov.counts, m.expected([0.3, 0.0])[0])
    with pytest.raises(ValueError, match="negative expected yield"):
        asimov_data(one_bin(100.0, 20.0, 0.0), {"cHW": -6.0})


def test_malformed_scan_inputs():
    m = two_op_model()
    data = asimov_data(m)
    with pytest.raises(UnknownOperatorError, match="'cHq3'; this model has cHW, cHWB"):
        profile_scan_1d(m, data, "cHq3", [0.0, 1.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        profile_scan_1d(m, data, "cHW", [1.0, 0.0])
    with pytest.raises(ValueError, match="two different operators"):
        profile_scan_2d(m, data, ("cHW", "cHW"), [0.0, 1.0], [0.0, 1.0])
    scan = profile_scan_1d(m, data, "cHW", np.linspace(-1, 1, 5), profile_others=False)
    with pytest.raises(ValueError, match=r"cl = 1\.5"):
        interval(scan, 1.5)
    with pytest.raises(ValueError, match="method"):
        interval(scan, 0.68, "quadratic")
    far = profile_scan_1d(m, data, "cHW", [5.0, 6.0], profile_others=False)
    with pytest.raises(ValueError, match="refine the grid"):
        interval(far, 0.68)
