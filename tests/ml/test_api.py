"""Term bookkeeping, the c-polynomial convention, input validation and the positivity checks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from mlstxs.ml import (
    RatioNetworkPerTerm,
    RatioNetworkPolynomial,
    RatioPositivityError,
    RatioTreeRegressor,
    negative_density_report,
    term_coefficients,
)
from mlstxs.physics import UnknownOperatorError, weight_term_pairs

from .test_closure import TREES, hidden_toy

pytest.importorskip("lightgbm")

ALL = (RatioTreeRegressor, RatioNetworkPerTerm, RatioNetworkPolynomial)


def test_term_coefficients_match_the_weight_polynomial():
    """k_(i,j)(c) = c̃_i c̃_j reproduces w(c) = w_sm + Σ c_a w_a + Σ_{a≤b} c_a c_b w_ab."""
    ops = ("cHW", "cHB", "cHWB")
    pairs = weight_term_pairs(ops)
    rng = np.random.default_rng(0)
    c = rng.normal(size=(5, 3))
    W = rng.normal(size=(7, len(pairs)))
    k = term_coefficients(c, pairs, 3)
    explicit = np.array(
        [
            [
                W[e, 0]
                + sum(c[p, a] * W[e, 1 + a] for a in range(3))
                + sum(c[p, a] * c[p, b] * W[e, pairs.index((a + 1, b + 1))] for a, b in _ab(3))
                for p in range(5)
            ]
            for e in range(7)
        ]
    )
    np.testing.assert_allclose(W @ k.T, explicit, rtol=1e-12)
    np.testing.assert_array_equal(term_coefficients([0.5, 1, 2], [(0, 1), (2, 3)], 3), [[0.5, 2]])


def _ab(n):
    return [(a, b) for a in range(n) for b in range(a, n)]


@pytest.fixture(scope="module")
def fitted():
    X, W, _ = hidden_toy(3_000, seed=1)
    return RatioTreeRegressor(random_state=0, n_estimators=20).fit(X, W), X, W


@pytest.mark.parametrize("cls", ALL)
def test_input_errors(cls):
    X, W, _ = hidden_toy(200, seed=2)
    est = cls(max_epochs=1) if cls is not RatioTreeRegressor else cls(n_estimators=2)
    bad_X = X.copy()
    bad_X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(bad_X, W)
    bad_W = W.copy()
    bad_W[5, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        est.fit(X, bad_W)
    with pytest.raises(ValueError, match="shape"):
        est.fit(X, W[:-1])
    with pytest.raises(ValueError, match="shape"):
        est.fit(X, W[:, 0])
    with pytest.raises(ValueError, match="shape"):
        est.fit(X[:, 0], W)
    neg = W.copy()
    neg[0, 0] = -1.0
    with pytest.raises(ValueError, match="negative"):
        est.fit(X, neg)
    with pytest.raises(ValueError, match="sums to zero"):
        est.fit(X, np.zeros_like(W))
    with pytest.raises(NotFittedError):
        est.predict_coefficients(X)


@pytest.mark.parametrize("cls", ALL)
def test_operators_and_terms_mismatch(cls):
    X, W, _ = hidden_toy(200, seed=3)
    with pytest.raises(ValueError, match="3 weight-term columns but 6 terms"):
        cls(operators=("cHW", "cHB")).fit(X, W)
    with pytest.raises(UnknownOperatorError):
        cls(operators=("cFOO",)).fit(X, W)
    with pytest.raises(ValueError, match="unique"):
        cls(operators=("cHW", "cHW")).fit(X, W)
    with pytest.raises(TypeError, match="sequence of names"):
        cls(operators="cHW").fit(X, W)
    with pytest.raises(ValueError, match="unknown weight term 'w_cHB'"):
        cls().fit(X, W, terms=["w_sm", "w_cHW", "w_cHB"])
    with pytest.raises(ValueError, match="not a pair"):
        cls().fit(X, W, terms=[(0, 0), (0, 1), (2, 2)])
    with pytest.raises(ValueError, match="column 0 of W must be the SM"):
        cls().fit(X, W, terms=["w_cHW", "w_sm", "w_cHW_cHW"])
    with pytest.raises(ValueError, match="unique"):
        cls().fit(X, W, terms=["w_sm", "w_cHW", "w_cHW"])


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "hinge"},
        {"bce_strength": 1.5},
        {"hidden_layers": ()},
        {"batch_size": 0},
        {"learning_rate": 0.0},
        {"validation_fraction": 1.0},
    ],
)
def test_bad_network_hyperparameters(params):
    X, W, _ = hidden_toy(200, seed=4)
    with pytest.raises(ValueError, match=next(iter(params))):
        RatioNetworkPerTerm(**params).fit(X, W)


@pytest.mark.parametrize("params", [{"n_estimators": 0}, {"num_leaves": 1}, {"learning_rate": -1}])
def test_bad_tree_hyperparameters(params):
    X, W, _ = hidden_toy(200, seed=4)
    with pytest.raises(ValueError, match=next(iter(params))):
        RatioTreeRegressor(**params).fit(X, W)


def test_prediction_shape_errors(fitted):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="2 features, the model expects 3"):
        model.predict_coefficients(X[:, :2])
    with pytest.raises(ValueError, match=r"c_points must have shape \(P, 1\)"):
        model.predict_ratio(X, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="c_points contains NaN"):
        model.predict_ratio(X, [[np.nan]])
    assert model.predict_ratio(X[:4], [0.5]).shape == (4, 1)  # one point as a 1-D array


def test_negative_density_of_a_truncated_model():
    """A linear-only model r = 1 + c r_a (deliberately bad: the true ratio of the toy is
    positive) goes negative where c r_a < −1; the report counts it like the truth does."""
    X, W, _ = hidden_toy(30_000, seed=7)
    Xt, _, truth = hidden_toy(20_000, seed=5)
    linear = RatioTreeRegressor(random_state=0, **TREES).fit(X, W[:, :2], terms=["w_sm", "w_cHW"])
    c = np.array([[0.0], [-2.0], [3.0]])
    report = negative_density_report(linear, Xt, c)
    expected = [(1 + p * truth[:, 0] <= 0).mean() for p in c[:, 0]]
    print(report)
    assert report.n_events == 20_000
    assert report.n_nonpositive[0] == 0
    assert not report.ok
    np.testing.assert_allclose(report.fraction, expected, atol=0.02)
    assert report.fraction[1] > 0.1 and report.fraction[2] > 0.1
    assert report.to_dict()["n_nonpositive"] == report.n_nonpositive.tolist()
    assert "cHW=-2" in repr(report)
    with pytest.raises(RatioPositivityError, match=r"events at c = \(cHW=-2\)") as err:
        linear.predict_ratio(Xt, c, check_positive=True)
    assert f"{report.n_nonpositive[1]} of 20000 events" in str(err.value)
    # never clipped: without the check the negative values come back as they are
    assert (linear.predict_ratio(Xt, c)[:, 1] < 0).sum() > 0


def test_full_model_is_positive_where_the_truth_is():
    Xt, _, _ = hidden_toy(5_000, seed=6)
    X, W, _ = hidden_toy(30_000, seed=7)
    model = RatioTreeRegressor(random_state=0, **TREES).fit(X, W)
    c = np.linspace(-3, 3, 7)[:, None]
    assert negative_density_report(model, Xt, c).ok
    assert model.predict_ratio(Xt, c, check_positive=True).min() > 0
