"""Closure of the ratio learners on toys with analytically known r_t(x) = E[w_t|x]/E[w_sm|x].

Two toys, features x = (x₁, x₂, x₃), x₁, x₂ ~ U(−1, 1), x₃ ~ N(0, 1) irrelevant, density-like
SM weight ∝ exp(x₂):

- ``observed_toy``: w_a = w_sm (x₁ + 0.5 x₂), w_aa = 0.8 w_sm x₁² — per-event targets are
  exact, r_a = x₁ + 0.5 x₂, r_aa = 0.8 x₁².
- ``hidden_toy``: a hidden z = ±1 (not in X) with w_sm = e^{x₂} (1 + 0.5 z x₁),
  w_a = w_sm (x₁ + z x₂), w_aa = w_sm (x₁ + 0.5 z)². Integrating z out,
  r_a = x₁ (1 + 0.5 x₂) and r_aa = 1.5 x₁² + 0.25, while the unweighted mean of the per-event
  ratios would give x₁ and x₁² + 0.25: only the w_sm weighting recovers the truth.

Tolerance: the w_sm-weighted RMS error on an independent test sample, divided by the weighted
standard deviation of the truth, must stay below 5 % (observed) and 10 % (hidden).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from mlstxs.ml import (
    RatioNetworkPerTerm,
    RatioNetworkPolynomial,
    RatioTreeRegressor,
    term_coefficients,
)

pytest.importorskip("lightgbm")

NN_FAST = {
    "hidden_layers": (32, 32),
    "batch_size": 1024,
    "learning_rate": 1e-3,
    "patience": 5,
    "max_epochs": 40,
}
TREES = {"n_estimators": 150, "learning_rate": 0.05, "num_leaves": 8, "min_child_samples": 200}


def _features(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.uniform(-1, 1, size=(n, 2))
    return np.column_stack([x, rng.normal(size=n)])


def observed_toy(n: int, seed: int):
    """X (n, 3), W (n, 3) = (w_sm, w_a, w_aa), truth (n, 2)."""
    rng = np.random.default_rng(seed)
    X = _features(rng, n)
    x1, x2 = X[:, 0], X[:, 1]
    truth = np.column_stack([x1 + 0.5 * x2, 0.8 * x1**2])
    w_sm = np.exp(x2) * rng.uniform(0.5, 1.5, n) * 1e-7  # pb-like units
    return X, w_sm[:, None] * np.column_stack([np.ones(n), truth]), truth


def hidden_toy(n: int, seed: int):
    """X (n, 3), W (n, 3), truth (n, 2) = E[w_t|x]/E[w_sm|x] with z = ±1 integrated out."""
    rng = np.random.default_rng(seed)
    X = _features(rng, n)
    x1, x2 = X[:, 0], X[:, 1]
    z = rng.choice([-1.0, 1.0], n)
    w_sm = np.exp(x2) * (1 + 0.5 * z * x1)
    W = w_sm[:, None] * np.column_stack([np.ones(n), x1 + z * x2, (x1 + 0.5 * z) ** 2])
    truth = np.column_stack([x1 * (1 + 0.5 * x2), 1.5 * x1**2 + 0.25])
    return X, W, truth


def relative_rms(pred: np.ndarray, truth: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted RMS error / weighted standard deviation of the truth, per column."""
    err = np.sqrt(np.average((pred - truth) ** 2, axis=0, weights=w))
    spread = np.sqrt(
        np.average((truth - np.average(truth, axis=0, weights=w)) ** 2, axis=0, weights=w)
    )
    return err / spread


LEARNERS = {
    "trees": (RatioTreeRegressor, TREES),
    "per_term_mse": (RatioNetworkPerTerm, NN_FAST),
    "per_term_bce": (RatioNetworkPerTerm, {**NN_FAST, "loss": "bce"}),
    "polynomial": (RatioNetworkPolynomial, NN_FAST),
}
# noise-free targets: a larger step size reaches the sub-per-cent level within 40 epochs
NN_SHARP = {"learning_rate": 3e-3, "batch_size": 512}


def make(name: str, **override):
    cls, params = LEARNERS[name]
    params = {**params, **override} if cls is not RatioTreeRegressor else params
    return cls(random_state=0, **params)


@pytest.fixture(scope="module")
def hidden_test():
    return hidden_toy(20_000, seed=101)


@pytest.mark.parametrize("name", ["trees", "per_term_mse", "polynomial"])
def test_closure_observed(name):
    X, W, _ = observed_toy(30_000, seed=1)
    Xt, Wt, truth = observed_toy(10_000, seed=2)
    model = make(name, **NN_SHARP).fit(X, W)
    rel = relative_rms(model.predict_coefficients(Xt), truth, Wt[:, 0])
    print(f"{name}: relative RMS error {rel}")
    assert (rel < 0.05).all(), rel


@pytest.mark.parametrize("name", list(LEARNERS))
def test_closure_hidden_variable(name, hidden_test):
    X, W, _ = hidden_toy(60_000, seed=3)
    Xt, Wt, truth = hidden_test
    model = make(name).fit(X, W)
    pred = model.predict_coefficients(Xt)
    rel = relative_rms(pred, truth, Wt[:, 0])
    print(f"{name}: relative RMS error {rel}")
    assert (rel < 0.10).all(), rel
    # the unweighted mean of the per-event ratios misses the truth by much more
    naive = np.column_stack([Xt[:, 0], Xt[:, 0] ** 2 + 0.25])
    assert (relative_rms(naive, truth, Wt[:, 0]) > 0.25).all()


def test_hidden_variable_cross_section_mean(hidden_test):
    """Σ w_sm r_t / Σ w_sm reproduces σ_t/σ_sm = Σ w_t / Σ w_sm of the test sample."""
    X, W, _ = hidden_toy(60_000, seed=3)
    Xt, Wt, _ = hidden_test
    pred = make("trees").fit(X, W).predict_coefficients(Xt)
    mean = np.average(pred, axis=0, weights=Wt[:, 0])
    ratio = Wt[:, 1:].sum(axis=0) / Wt[:, 0].sum()
    np.testing.assert_allclose(mean, ratio, rtol=0.03, atol=0.01)


def two_operator_toy(n: int, seed: int):
    """Operators (cHW, cHB): r = (x₁, x₂, x₁², x₁x₂, 0.5 + 0.2 x₂) for the pairs (0,1), (0,2),
    (1,1), (1,2), (2,2) — exact per-event targets."""
    rng = np.random.default_rng(seed)
    X = _features(rng, n)
    x1, x2 = X[:, 0], X[:, 1]
    r = np.column_stack([x1, x2, x1**2, x1 * x2, 0.5 + 0.2 * x2])
    w_sm = np.exp(x2)
    return X, w_sm[:, None] * np.column_stack([np.ones(n), r]), r


def test_pair_convention_and_ratio_consistency():
    ops = ("cHW", "cHB")
    X, W, _ = two_operator_toy(20_000, seed=4)
    Xt, _, r = two_operator_toy(2_000, seed=5)
    model = RatioTreeRegressor(operators=ops, random_state=0, **TREES).fit(X, W)
    assert model.terms_ == [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    c = np.array([[0.0, 0.0], [0.5, -1.0], [-2.0, 0.3]])
    ratio = model.predict_ratio(Xt, c)
    assert ratio.shape == (2_000, 3)
    coef = model.predict_coefficients(Xt)
    k = term_coefficients(c, model.terms_[1:], 2)
    np.testing.assert_allclose(ratio, 1 + coef @ k.T, rtol=1e-12)
    np.testing.assert_array_equal(ratio[:, 0], 1.0)
    for p, (a, b) in enumerate(c):
        truth = 1 + a * r[:, 0] + b * r[:, 1] + a * a * r[:, 2] + a * b * r[:, 3] + b * b * r[:, 4]
        assert np.sqrt(np.mean((ratio[:, p] - truth) ** 2)) < 0.05 * (1 + np.std(truth))


def test_terms_by_name_in_any_column_order():
    ops = ("cHW", "cHB")
    X, W, _ = two_operator_toy(5_000, seed=6)
    names = ["w_sm", "w_cHW_cHB", "w_cHW", "w_cHB_cHB", "w_cHB", "w_cHW_cHW"]
    order = [0, 4, 1, 5, 2, 3]
    base = RatioTreeRegressor(operators=ops, random_state=0, n_estimators=20)
    ref = clone(base).fit(X, W)
    perm = clone(base).fit(X, W[:, order], terms=names)
    assert perm.terms_ == [(0, 0), (1, 2), (0, 1), (2, 2), (0, 2), (1, 1)]
    c = np.array([[0.7, -0.4]])
    np.testing.assert_allclose(perm.predict_ratio(X[:50], c), ref.predict_ratio(X[:50], c))
    linear = clone(base).fit(X, W[:, :3], terms=[(0, 0), (0, 1), (0, 2)])
    assert linear.predict_coefficients(X[:5]).shape == (5, 2)


@pytest.mark.parametrize("name", list(LEARNERS))
def test_deterministic_for_a_seed(name):
    X, W, _ = hidden_toy(4_000, seed=7)
    a = make(name).fit(X, W).predict_coefficients(X[:100])
    b = make(name).fit(X, W).predict_coefficients(X[:100])
    np.testing.assert_array_equal(a, b)


def test_network_seed_matters():
    X, W, _ = hidden_toy(4_000, seed=7)
    a = RatioNetworkPolynomial(random_state=0, **NN_FAST).fit(X, W).predict_coefficients(X)
    b = RatioNetworkPolynomial(random_state=1, **NN_FAST).fit(X, W).predict_coefficients(X)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("name", list(LEARNERS))
def test_clone_and_params(name):
    model = make(name)
    params = model.get_params()
    twin = clone(model)
    assert twin.get_params() == params
    X, W, _ = hidden_toy(3_000, seed=8)
    model.fit(X, W)
    assert not hasattr(clone(model), "terms_")
    assert model.get_params() == params  # fit does not touch hyperparameters
    assert model.n_features_in_ == 3 and model.n_dropped_ == 0


def test_units_do_not_matter():
    X, W, _ = observed_toy(5_000, seed=9)
    a = RatioTreeRegressor(random_state=0, n_estimators=30).fit(X, W).predict_coefficients(X)
    b = RatioTreeRegressor(random_state=0, n_estimators=30).fit(X, W * 1e9).predict_coefficients(X)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_zero_sm_weight_events_are_dropped_and_counted():
    X, W, _ = observed_toy(5_000, seed=10)
    W[:37, 0] = 0.0
    model = RatioNetworkPerTerm(
        random_state=0, max_epochs=2, **{k: v for k, v in NN_FAST.items() if k != "max_epochs"}
    )
    assert model.fit(X, W).n_dropped_ == 37
    assert RatioTreeRegressor(n_estimators=5).fit(X, W).n_dropped_ == 37
    assert np.isfinite(model.predict_coefficients(X[:37])).all()
