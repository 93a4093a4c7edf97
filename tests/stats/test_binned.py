"""Binned SMEFT likelihood: yields, closed-form profiling against MIGRAD and a root finder,
the domain (negative yields), dropped bins and input validation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import brentq

from mlstxs.physics import UnknownOperatorError, weight_term_pairs
from mlstxs.stats._binned import BinnedData, binned_model, profile_theta

OPS = ("cHW", "cHWB")


def synthetic(n_events=4000, n_bins=4, ops=OPS, seed=1, quad=True):
    """Events with random bins (some outside, −1) and weight terms [pb]: positive SM weights,
    linear terms of both signs, quadratic terms (zero if ``quad`` is False)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(-1, n_bins, n_events)
    pairs = weight_term_pairs(ops)
    w_sm = rng.exponential(1e-5, n_events)
    terms = np.stack([w_sm * rng.normal(0.3 if i == 0 else 0.05, 0.2, n_events) for i, _ in pairs])
    terms[0] = w_sm
    if not quad:
        terms[[t for t, (i, _) in enumerate(pairs) if i > 0]] = 0.0
    return idx, terms


@pytest.fixture(scope="module")
def model():
    idx, terms = synthetic()
    return binned_model(idx, 4, terms, OPS, luminosity_fb=20.0, epsilon=[0.1, 0.3, 0.0, 1.0])


def test_yields_are_the_binned_weight_polynomial(model):
    idx, terms = synthetic()
    c = np.array([[0.0, 0.0], [0.7, -1.3], [-2.0, 0.5]])
    for p, (c1, c2) in enumerate(c):
        vec = (1.0, c1, c2)
        w = sum(vec[i] * vec[j] * terms[t] for t, (i, j) in enumerate(weight_term_pairs(OPS)))
        ref = [20.0 * 1000.0 * w[idx == k].sum() for k in range(4)]
        np.testing.assert_allclose(model.expected(c)[p], ref, rtol=1e-12)
    np.testing.assert_allclose(model.background, model.expected([0.0, 0.0])[0])


def test_closed_form_profile_matches_migrad(model):
    iminuit = pytest.importorskip("iminuit")
    n = np.array([900.0, 1200.0, 700.0, 1500.0])
    c = np.array([[0.0, 0.0], [0.5, -0.5], [2.0, 1.0], [-1.5, 3.0], [40.0, 20.0]])
    ev = model.evaluate(c, n)
    assert np.all(np.isfinite(ev.nll))
    assert np.isclose(ev.theta[-1, 3], -1.0)  # the last point is clipped at εθ = −1
    for p in range(len(c)):

        def cost(th, point=c[p]):
            return model.nll_at(point, n, th)[0]

        m = iminuit.Minuit(cost, np.zeros(4), name=[f"theta{k}" for k in range(4)])
        m.errordef = iminuit.Minuit.LIKELIHOOD
        m.limits = [(-1 / e if e > 0 else None, None) for e in model.epsilon]
        m.strategy, m.tol = 2, 1e-10
        m.migrad()
        assert m.valid
        assert ev.nll[p] == pytest.approx(m.fval, rel=1e-8, abs=1e-8)
        assert ev.nll[p] <= m.fval + 1e-10  # the closed form is the minimum
        np.testing.assert_allclose(ev.theta[p], np.array(m.values), atol=1e-4)


def test_closed_form_root_matches_a_root_finder():
    """θ̂ to 1e-10 against brentq on ∂(−ln L)/∂θ = β(1 − n/ν) + θ, over a wide range."""
    rng = np.random.default_rng(3)
    a = rng.uniform(0.01, 5e4, 200) * rng.choice([1e-3, 1, 1e3], 200)
    beta = a * rng.uniform(1e-4, 0.5, 200)
    n = np.round(a * rng.uniform(0.0, 2.0, 200))
    theta = profile_theta(a[None], beta, n, np.full(200, 1e-9))[0]
    for k in range(200):
        lo = -a[k] / beta[k] * (1 - 1e-15) if n[k] > 0 else -1e9

        def grad(t, k=k):
            return beta[k] * (1 - n[k] / (a[k] + beta[k] * t)) + t

        ref = brentq(grad, lo, 1e6, xtol=1e-14, rtol=1e-15)
        assert theta[k] == pytest.approx(ref, rel=1e-11, abs=1e-13)


def test_no_nuisance_is_the_poisson_likelihood(model):
    n = np.array([900.0, 1200.0, 700.0, 1500.0])
    c = np.array([[0.3, -0.2]])
    nu = model.expected(c)[0]
    ref = np.sum(nu - n * np.log(nu) + [np.sum(np.log(np.arange(1, m + 1))) for m in n])
    assert model.nll(c, n, profile=False)[0] == pytest.approx(ref, rel=1e-12)
    assert model.nll_at(c, n, np.zeros(4))[0] == pytest.approx(ref, rel=1e-12)
    idx, terms = synthetic()
    eps0 = binned_model(idx, 4, terms, OPS, 20.0, 0.0)
    assert eps0.nll(c, n)[0] == pytest.approx(ref, rel=1e-12)


def test_negative_yields_give_inf_with_a_reason_never_nan():
    idx, terms = synthetic(quad=False)
    m = binned_model(idx, 4, terms, OPS, 20.0, 0.1)
    c = np.array([[0.0, 0.0], [-400.0, 0.0], [-300.0, -300.0]])
    assert np.any(m.expected(c)[1:] < 0, axis=1).all()
    ev = m.evaluate(c, np.full(4, 1000.0))
    assert np.isfinite(ev.nll[0]) and np.isinf(ev.nll[1:]).all() and not np.isnan(ev.nll).any()
    assert ev.reasons[0] == "" and "negative expected yield" in ev.reasons[1]
    assert "cHW=-400" in ev.reasons[1] and "bin" in ev.reasons[1]
    with pytest.raises(ValueError, match=r"negative expected yield .* in bin \d .*cHW=-400"):
        m.check_yields({"cHW": -400.0})
    np.testing.assert_allclose(m.check_yields({"cHW": 0.1}), m.expected([0.1, 0.0])[0])
    bad_theta = m.evaluate(c[:1], np.full(4, 1000.0)).theta.copy()
    bad_theta[0, 2] = -10.5  # ε θ < −1: negative background
    at = m._nll(c[:1], m.expected(c[:1]), bad_theta, np.full(4, 1000.0), np.zeros(4))
    assert np.isinf(at.nll[0]) and "negative background" in at.reasons[0]
    # a zero yield with observed events, and no nuisance to lift it
    sig = binned_model(
        np.array([0, 1]), 2, np.array([[1e-3, 0.0], [0.0, 1e-3], [0.0, 0.0]]), ("cHW",), 1.0
    )
    ev0 = sig.evaluate([[0.0]], [5, 3])
    assert np.isinf(ev0.nll[0]) and "3 observed events" in ev0.reasons[0]


def test_empty_bins_are_dropped_and_signal_only_bins_need_zero_epsilon():
    idx = np.array([0, 0, 2, 3, -1])
    terms = np.array([[1e-3, 2e-3, 0.0, 1e-3, 5.0], [1e-4, 0.0, 1e-4, 0.0, 5.0], [0.0] * 5])
    with pytest.raises(ValueError, match=r"bin 2 has no SM yield .* set ε = 0"):
        binned_model(idx, 4, terms, ("cHW",), 1.0, 0.1)
    m = binned_model(idx, 4, terms, ("cHW",), 1.0, [0.1, 0.5, 0.0, 0.1])
    assert m.bins == (0, 2, 3) and m.n_bins == 3 and "dropped empty bin(s) [1]" in m.notes[0]
    np.testing.assert_allclose(m.background, [3.0, 0.0, 1.0])
    full, kept = np.array([3, 0, 1, 1]), np.array([3, 1, 1])
    assert m.nll([[0.2]], full)[0] == m.nll([[0.2]], kept)[0]
    with pytest.raises(ValueError, match=r"events observed in empty bins \[1\]"):
        m.nll([[0.2]], [3, 2, 1, 1])
    assert np.isinf(m.nll([[-1.0]], kept)[0])  # the signal-only bin goes negative
    json.dumps(m.to_dict())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bin_index": np.zeros(10)}, "integer array"),
        ({"bin_index": np.full(10, 4)}, "exceed every bin_index"),
        ({"terms": np.ones((3, 10))}, r"terms must have shape \(6, 10\)"),
        ({"terms": np.full((6, 10), np.nan)}, "finite"),
        ({"epsilon": -0.1}, "epsilon must be finite, ≥ 0"),
        ({"epsilon": [0.1, 0.2]}, "length 4"),
        ({"luminosity_fb": 0.0}, "luminosity"),
        ({"operators": ("cHW", "cHW")}, "distinct"),
        ({"terms": -np.ones((6, 10))}, "negative SM yield"),
    ],
)
def test_malformed_model_inputs(kwargs, match):
    args = {
        "bin_index": np.arange(10) % 4,
        "n_bins": 4,
        "terms": np.ones((6, 10)) * 1e-3,
        "operators": OPS,
        "luminosity_fb": 1.0,
        "epsilon": 0.1,
    }
    with pytest.raises(ValueError, match=match):
        binned_model(**{**args, **kwargs})


def test_malformed_points_and_data(model):
    n = np.full(4, 10.0)
    with pytest.raises(UnknownOperatorError, match="cHq3; this model has cHW, cHWB"):
        model.point({"cHq3": 1.0})
    with pytest.raises(ValueError, match=r"shape \(P, 2\)"):
        model.nll(np.zeros((3, 3)), n)
    with pytest.raises(ValueError, match="finite"):
        model.nll([[np.nan, 0.0]], n)
    with pytest.raises(ValueError, match=r"whole numbers; for expected .*asimov_data"):
        model.nll([[0.0, 0.0]], n + 0.5)
    with pytest.raises(ValueError, match="non-negative"):
        model.nll([[0.0, 0.0]], -n)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        model.nll([[0.0, 0.0]], np.ones(3))
    with pytest.raises(ValueError, match="kind"):
        BinnedData(n, kind="expected")
    asimov = BinnedData(n + 0.5, kind="asimov")
    assert np.isfinite(model.nll([[0.0, 0.0]], asimov)[0])
    json.dumps(asimov.to_dict())
