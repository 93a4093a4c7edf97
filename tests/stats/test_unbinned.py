"""Unbinned extended likelihood: oracle sums, Asimov minimum and curvature, toy pulls,
Fisher information vs binning, and the negative-density guard."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mlstxs.physics import monomial_jacobian as term_jacobian
from mlstxs.physics import monomials as term_coefficients
from mlstxs.physics import weight_term_pairs
from mlstxs.stats import _unbinned
from mlstxs.stats._unbinned import (
    EventData,
    NegativeDensityError,
    binned_fisher_information,
    fisher_information,
    unbinned_model,
)

OPS2 = ("cHW", "cHWB")


def quadratic_form_ratios(n_events: int, n_ops: int, rng, scale=0.5, spread=0.2):
    """R (N, K−1) of r(x, c) = (1 + a·c)² + (b·c)² ≥ 0 with per-event Gaussian a, b: the
    per-event likelihood is known exactly and is a density for every c."""
    a = rng.normal(0.0, scale, (n_events, n_ops))
    b = rng.normal(0.0, spread, (n_events, n_ops))
    cols = [2 * a[:, k] for k in range(n_ops)]
    for i, j in weight_term_pairs(range(n_ops))[n_ops + 1 :]:
        aa, bb = a[:, i - 1] * a[:, j - 1], b[:, i - 1] * b[:, j - 1]
        cols.append(aa + bb if i == j else 2 * (aa + bb))
    return np.column_stack(cols), a, b


def make_model(n_events=3000, ops=OPS2, nu_sm=500.0, seed=1):
    rng = np.random.default_rng(seed)
    r, a, b = quadratic_form_ratios(n_events, len(ops), rng)
    w_sm = rng.uniform(0.5, 1.5, n_events)
    w_sm *= nu_sm / (1000.0 * 10.0 * w_sm.sum())
    return unbinned_model(r, w_sm, ops, 10.0), a, b


def naive_nll(model, data, points):
    """Eq. (1) minus its reference value, one point and one event at a time."""

    def raw(c):
        nu = 1e4 * model.luminosity_fb / 10 * (term_coefficients(c[None])[0] @ model.sigma_terms)
        total = nu
        for rr, n in zip(data.ratio_coefficients, data.counts, strict=True):
            total -= n * np.log(1.0 + rr @ term_coefficients(c[None])[0, 1:])
        return total

    ref = raw(data.reference)
    return np.array([raw(c) - ref for c in points])


def test_term_coefficients_and_jacobian():
    c = np.array([[0.3, -1.7]])
    coef = term_coefficients(c)[0]
    expect = [1, 0.3, -1.7, 0.09, 0.3 * -1.7, 1.7**2]  # weight_term_pairs order
    np.testing.assert_allclose(coef, expect)
    h = 1e-6
    num = [
        (term_coefficients(c + h * e) - term_coefficients(c - h * e))[0] / (2 * h)
        for e in np.eye(2)
    ]
    np.testing.assert_allclose(term_jacobian(c[0]), num, atol=1e-8)


@pytest.mark.parametrize("blocks", [(1 << 18, 1024), (64, 7)])
def test_nll_matches_naive_sum(monkeypatch, blocks):
    monkeypatch.setattr(_unbinned, "_BLOCK_ELEMENTS", blocks[0])
    monkeypatch.setattr(_unbinned, "_POINT_BLOCK", blocks[1])
    model, _, _ = make_model(n_events=203)
    points = np.random.default_rng(3).uniform(-1, 1, (37, 2))
    for data in (model.asimov_data([0.2, -0.1]), model.pseudo_data(0.0, np.random.default_rng(4))):
        np.testing.assert_allclose(
            model.nll(points, data), naive_nll(model, data, points), rtol=1e-10
        )
        np.testing.assert_allclose(
            model.nll_with_diagnostics(points, data).values, model.nll(points, data), rtol=1e-12
        )
        np.testing.assert_array_equal(model.as_nll_function(data)(points), model.nll(points, data))


@pytest.mark.parametrize("c0", [(0.0, 0.0), (0.3, -0.2)])
def test_asimov_minimum_is_zero_at_c0_with_curvature_equal_to_fisher(c0):
    model, _, _ = make_model()
    data = model.asimov_data(c0)
    f = model.as_nll_function(data)
    c0 = np.array(c0)
    assert abs(f(c0[None])[0]) < 1e-10
    grid = c0 + np.random.default_rng(5).uniform(-0.5, 0.5, (500, 2))
    assert (f(grid) > 0).all()
    fisher = fisher_information(model, c0)
    h = 1e-3 / np.sqrt(np.diag(fisher))  # 1e-3 standard deviations
    steps = np.diag(h)
    grad = [
        (f((c0 + s)[None]) - f((c0 - s)[None]))[0] / (2 * hh)
        for s, hh in zip(steps, h, strict=True)
    ]
    np.testing.assert_allclose(np.array(grad) * np.sqrt(np.diag(fisher)) ** -1, 0, atol=1e-6)
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            pts = np.array([c0 + si * steps[i] + sj * steps[j] for si in (1, -1) for sj in (1, -1)])
            v = f(pts)
            hess[i, j] = (v[0] - v[1] - v[2] + v[3]) / (4 * h[i] * h[j])
    np.testing.assert_allclose(
        hess, fisher, rtol=1e-4, atol=1e-4 * np.sqrt(np.outer(*[np.diag(fisher)] * 2)).max()
    )


def test_fisher_at_sm_is_weighted_sum_of_linear_ratios():
    model, a, _ = make_model()
    expect = 1e4 * np.einsum("i,ia,ib->ab", model.w_sm, 2 * a, 2 * a)
    np.testing.assert_allclose(fisher_information(model), expect, rtol=1e-12)


def test_wilks_curvature_matches_a_gaussian_profile_scan():
    """For a nearly Gaussian likelihood, 2 nll = 1 at c0 ± 1/√I (one operator)."""
    model, _, _ = make_model(n_events=4000, ops=("cHW",), nu_sm=5e4)
    data = model.asimov_data(0.05)
    sigma = 1 / np.sqrt(fisher_information(model, 0.05)[0, 0])
    vals = 2 * model.nll(np.array([[0.05 - sigma], [0.05 + sigma]]), data)
    np.testing.assert_allclose(vals, 1.0, atol=0.02)


def fit_1d(model, data, c0, sigma):
    grid = c0 + sigma * np.linspace(-6, 6, 1201)
    v = model.nll(grid[:, None], data)
    k = int(np.clip(np.argmin(v), 1, grid.size - 2))
    y0, y1, y2 = v[k - 1 : k + 2]
    step = grid[1] - grid[0]
    return grid[k] + 0.5 * step * (y0 - y2) / (y0 - 2 * y1 + y2), v.min()


def test_pseudo_data_fits_recover_c0_with_unit_pulls():
    model, _, _ = make_model(n_events=3000, ops=("cHW",), nu_sm=600.0, seed=7)
    c0 = 0.1
    sigma = 1 / np.sqrt(fisher_information(model, c0)[0, 0])
    rng = np.random.default_rng(2024)
    pulls, q0 = [], []
    for _ in range(400):
        data = model.pseudo_data(c0, rng)
        c_hat, nll_min = fit_1d(model, data, c0, sigma)
        pulls.append((c_hat - c0) / sigma)
        q0.append(2 * (model.nll([[c0]], data)[0] - nll_min))
    pulls = np.array(pulls)
    # 4σ bands for 400 toys: σ(mean) = 0.05, σ(width) = 0.035, σ(mean of χ²(1)) = 0.07
    assert abs(pulls.mean()) < 0.2
    assert 0.86 < pulls.std(ddof=1) < 1.14
    assert 0.72 < np.mean(q0) < 1.28  # Wilks: 2Δnll(c0) ~ χ²(1)


def test_pseudo_data_is_poisson_with_event_probabilities_from_weights():
    model, _, _ = make_model(n_events=500, nu_sm=300.0)
    c0 = np.array([0.4, 0.2])
    rng = np.random.default_rng(9)
    totals = [model.pseudo_data(c0, rng).counts.sum() for _ in range(400)]
    nu = model.expected_events(c0[None])[0]
    assert abs(np.mean(totals) - nu) < 4 * np.sqrt(nu / 400)
    assert 0.8 < np.var(totals) / nu < 1.2
    data = model.pseudo_data(c0, rng)
    assert np.all(data.counts == np.round(data.counts)) and data.reference.tolist() == c0.tolist()


def test_binned_information_never_exceeds_unbinned():
    model, a, _ = make_model(n_events=4000)
    weights = model.w_sm[:, None] * np.hstack([np.ones((4000, 1)), model.ratio_coefficients])
    edges = np.quantile(a[:, 0] + 0.3 * a[:, 1], np.linspace(0, 1, 9)[1:-1])
    bins = np.searchsorted(edges, a[:, 0] + 0.3 * a[:, 1])
    for c0 in (0.0, [0.3, -0.4]):
        unbinned = fisher_information(model, c0)
        binned = binned_fisher_information(bins, weights, OPS2, 10.0, c0=c0)
        eig = np.linalg.eigvalsh(unbinned - binned)
        assert eig.min() > -1e-9 * np.trace(unbinned) and np.trace(binned) < 0.9 * np.trace(
            unbinned
        )
        per_event = binned_fisher_information(np.arange(4000), weights, OPS2, 10.0, c0=c0)
        np.testing.assert_allclose(per_event, unbinned, rtol=1e-10)
    lost = binned_fisher_information(np.where(bins > 3, bins, -1), weights, OPS2, 10.0)
    assert np.trace(lost) < np.trace(binned_fisher_information(bins, weights, OPS2, 10.0))


def test_binned_information_equals_unbinned_when_ratios_are_constant_in_bins():
    rng = np.random.default_rng(11)
    rows, _, _ = quadratic_form_ratios(6, 2, rng)
    bins = rng.integers(0, 6, 2000)
    r = rows[bins]
    w_sm = rng.uniform(0.1, 1.0, 2000) * 1e-3
    model = unbinned_model(r, w_sm, OPS2, 30.0)
    weights = w_sm[:, None] * np.hstack([np.ones((2000, 1)), r])
    for c0 in (0.0, [0.5, 0.25]):
        np.testing.assert_allclose(
            binned_fisher_information(bins, weights, OPS2, 30.0, c0=c0),
            fisher_information(model, c0),
            rtol=1e-10,
        )


def small_linear_model():
    """r(x, c) = 1 + c r1 with r1 = −2, −1, 0.5, 1: r = 0 exactly for the first at c = 0.5."""
    r = np.array([[-2.0, 0.0], [-1.0, 0.0], [0.5, 0.0], [1.0, 0.0]])
    return unbinned_model(r, np.full(4, 1e-3), ("cHW",), 1.0)


def test_negative_density_gives_inf_and_diagnostics_never_nan():
    model = small_linear_model()
    data = model.asimov_data(0.0)
    points = np.array([[0.0], [0.25], [0.5], [1.0], [-1.0], [-2.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = model.nll_with_diagnostics(points, data)
        fast = model.nll(points, data)
    np.testing.assert_array_equal(res.n_negative, [0, 0, 1, 2, 1, 2])
    np.testing.assert_allclose(res.min_ratio, [1, 0.5, 0, -1, 0, -1.5])
    expect_valid = [True, True, False, False, False, False]
    np.testing.assert_array_equal(res.valid, expect_valid)
    assert not np.isnan(res.values).any() and not np.isnan(fast).any()
    np.testing.assert_array_equal(fast, res.values)
    assert (res.values[~res.valid] == np.inf).all()
    assert "4 with a negative density" in repr(res) and res.to_dict()["n_negative"][3] == 2


def test_strict_mode_names_the_first_bad_point():
    model = small_linear_model()
    data = model.asimov_data(0.0)
    model.nll([[0.1], [0.2]], data, strict=True)  # all valid: no error
    with pytest.raises(
        NegativeDensityError, match=r"point 1 \(cHW = 0.5\).* 1 of 4 data events"
    ) as e:
        model.nll([[0.25], [0.5], [1.0]], data, strict=True)
    assert "2 of 3 points are invalid" in str(e.value)


def test_negative_expected_yield_is_invalid():
    r = np.array([[0.1, 0.0], [0.2, 0.0]])
    model = unbinned_model(r, [1e-3, 1e-3], ("cHW",), 1.0, sigma_terms=[2e-3, -1e-2, 0.0])
    res = model.nll_with_diagnostics([[0.1], [0.3]], model.asimov_data(0.0))
    assert np.isfinite(res.values[0]) and res.values[1] == np.inf and res.n_negative[1] == 0


def test_input_validation():
    model = small_linear_model()
    data = model.asimov_data(0.0)
    with pytest.raises(ValueError, match="non-finite"):
        model.nll([[np.nan]], data)
    with pytest.raises(ValueError, match="shape"):
        model.nll([[0.1, 0.2]], data)
    with pytest.raises(ValueError, match="counts"):
        EventData(np.zeros((2, 2)), [1.0, 0.0])
    with pytest.raises(ValueError, match="n \\+ n\\(n\\+1\\)/2"):
        EventData(np.zeros((2, 3)), [1.0, 1.0])
    with pytest.raises(NegativeDensityError, match="reference"):
        EventData(model.ratio_coefficients, np.ones(4), reference=[1.0])
    with pytest.raises(ValueError, match="ratio_coefficients"):
        unbinned_model(np.zeros((3, 2)), np.ones(3), OPS2, 1.0)
    with pytest.raises(ValueError, match="≥ 0"):
        model.asimov_data(0.0, event_weights=[1.0, -1.0, 1.0, 1.0])


def test_asimov_data_with_true_weights_for_learned_ratios():
    model, _, _ = make_model(n_events=300)
    w_true = model.event_weights([0.2, 0.1])
    learned = unbinned_model(
        model.ratio_coefficients * 1.02, model.w_sm, OPS2, 10.0, sigma_terms=model.sigma_terms
    )
    data = learned.asimov_data([0.2, 0.1], event_weights=w_true)
    np.testing.assert_allclose(data.counts, 1e4 * w_true)
    assert abs(learned.nll([[0.2, 0.1]], data)[0]) < 1e-10
    assert "300 events" in repr(data) and "ν_sm" in repr(learned)


def test_two_operator_pulls_and_wilks():
    from scipy.optimize import minimize

    model, _, _ = make_model(n_events=3000, nu_sm=800.0, seed=12)
    c0 = np.array([0.1, -0.05])
    cov = np.linalg.inv(fisher_information(model, c0))
    rng = np.random.default_rng(77)
    pulls, q0 = [], []
    for _ in range(300):
        data = model.pseudo_data(c0, rng)
        f = model.as_nll_function(data)
        res = minimize(lambda c, f=f: f(c[None])[0], c0, method="BFGS", options={"gtol": 1e-8})
        pulls.append((res.x - c0) / np.sqrt(np.diag(cov)))
        q0.append(2 * (f(c0[None])[0] - res.fun))
    pulls = np.array(pulls)
    assert (np.abs(pulls.mean(axis=0)) < 0.25).all()  # σ(mean) = 0.058
    assert ((0.84 < pulls.std(axis=0, ddof=1)) & (pulls.std(axis=0, ddof=1) < 1.16)).all()
    assert 1.6 < np.mean(q0) < 2.4  # χ²(2): σ(mean) = 0.115
