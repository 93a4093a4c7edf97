"""Parton-level closure on the project's own generator: p p → Z H → ℓℓbb̄ with cHW.

At LO parton level the final-state four-momenta fix the event completely (x₁, x₂ follow from
the ZH system; the weights are summed over initial flavours and orientations, the b b̄ order
does not matter for a scalar), so the per-event truth w_t/w_sm is a deterministic function of
the full observable set and the learned r_t must reproduce it event by event. Features: all
of :data:`mlstxs.observables.FEATURES` except p_T(ZH) (zero at LO parton level up to round-off),
GeV-valued ones as log (monotone: irrelevant for trees, helps the networks with the tails).
Figures of merit on an independent 20 % of the events, w_sm-weighted: the correlation of the
learned and true r_t, and the relative error of Σ w_sm r_t / Σ w_t (= σ_t/σ_sm closure).
"""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.ml import (
    RatioNetworkPerTerm,
    RatioNetworkPolynomial,
    RatioTreeRegressor,
    term_coefficients,
)
from mlstxs.observables import UNITS, compute_observables

pytest.importorskip("lightgbm")


def physics_features(columns) -> np.ndarray:
    obs = compute_observables(columns)
    return np.column_stack(
        [np.log(v) if UNITS[k] == "GeV" else v for k, v in obs.items() if k != "pt_ZH"]
    )


@pytest.fixture(scope="module")
def chw():
    sample = generate(GeneratorConfig(operators=("cHW",), n_events=100_000, seed=3, level="parton"))
    X = physics_features(sample.columns)
    W = np.column_stack([sample.columns[n] for n in sample.weight_terms])
    train = np.arange(len(X)) < 80_000
    return sample, X[train], W[train], X[~train], W[~train]


def weighted_corr(a, b, w) -> float:
    a, b = a - np.average(a, weights=w), b - np.average(b, weights=w)
    return float(
        np.average(a * b, weights=w)
        / np.sqrt(np.average(a**2, weights=w) * np.average(b**2, weights=w))
    )


def closure(model, chw):
    _, _, _, Xt, Wt = chw
    pred = model.predict_coefficients(Xt)
    truth = Wt[:, 1:] / Wt[:, :1]
    corr = np.array([weighted_corr(pred[:, t], truth[:, t], Wt[:, 0]) for t in range(2)])
    mean = np.average(pred, axis=0, weights=Wt[:, 0]) / (Wt[:, 1:].sum(0) / Wt[:, 0].sum()) - 1
    print(f"{model!r}: weighted corr {corr.round(4)}, relative error of <r_t> {mean.round(4)}")
    return corr, mean


def test_sample_weights_follow_the_term_convention(chw):
    sample = chw[0]
    W = np.column_stack([sample.columns[n] for n in sample.weight_terms])
    c = np.array([[-2.0], [0.3], [1.5]])
    k = term_coefficients(c, [(0, 1), (1, 1)], 1)
    for p in range(3):
        expected = sample.weights({"cHW": c[p, 0]}) / W[:, 0]
        np.testing.assert_allclose(1 + (W[:, 1:] / W[:, :1]) @ k[p], expected, rtol=1e-9)


def test_trees_reproduce_the_parton_level_ratio(chw):
    _, X, W, Xt, Wt = chw
    model = RatioTreeRegressor(random_state=0).fit(X, W)
    corr, mean = closure(model, chw)
    assert corr[0] > 0.98 and corr[1] > 0.95
    assert abs(mean[0]) < 0.01 and abs(mean[1]) < 0.02
    c = np.array([[-1.0], [1.0]])
    ratio = model.predict_ratio(Xt, c)
    for p in range(2):
        truth = (Wt[:, 0] + c[p, 0] * Wt[:, 1] + c[p, 0] ** 2 * Wt[:, 2]) / Wt[:, 0]
        assert weighted_corr(ratio[:, p], truth, Wt[:, 0]) > 0.95


# (learner, tolerance on the σ_t/σ_sm closure of the quadratic term). The quadratic mean is
# dominated by the few high-m_ZH events of the tail: the shared-body network gets it only to
# ±(4–8) % depending on the seed (seeds 0, 1, 2: +8.1 %, +4.1 %, −4.7 %), one network per
# term to ≲ 1 %.
NETWORKS = {
    "per_term_mse": (lambda: RatioNetworkPerTerm(random_state=0), 0.03),
    "per_term_bce": (lambda: RatioNetworkPerTerm(random_state=0, loss="bce"), 0.03),
    "polynomial": (lambda: RatioNetworkPolynomial(random_state=0), 0.10),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(NETWORKS))
def test_networks_reproduce_the_parton_level_ratio(name, chw):
    _, X, W, _, _ = chw
    make, quadratic_tolerance = NETWORKS[name]
    corr, mean = closure(make().fit(X, W), chw)
    assert corr[0] > 0.98 and corr[1] > 0.95
    assert abs(mean[0]) < 0.02 and abs(mean[1]) < quadratic_tolerance
