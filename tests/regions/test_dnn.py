"""DNNClassifier: oracle tests against the known likelihood ratio, determinism, early stopping,
the scikit-learn estimator API and input validation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import expit
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from mlstxs.regions._dnn import DNNClassifier

FAST = {"hidden_layers": (64, 32), "learning_rate": 3e-3, "batch_size": 512, "max_epochs": 40}


def toy(n: int, seed: int, n_features: int = 4, benchmark_scale: float = 1.0):
    """Design-sample-like toy: the same events twice, SM weight w₀ (y = 0) and benchmark weight
    w₀·k·r(x₁) (y = 1) with r = 1 + 0.3 x₁ + 0.3 x₁², x₁ ~ Exp(1) energy-like, the other features
    pure noise, w₀ ~ U(0.5, 1.5). The Bayes-optimal score is k·r/(1 + k·r).

    Returns X (2n, n_features), y (2n,), w (2n,), r (n,).
    """
    rng = np.random.default_rng(seed)
    x1 = rng.exponential(1.0, n)
    X = np.column_stack([x1, rng.normal(size=(n, n_features - 1))])
    w0 = rng.uniform(0.5, 1.5, n)
    r = 1 + 0.3 * x1 + 0.3 * x1**2
    w = np.r_[w0, benchmark_scale * w0 * r]
    return np.vstack([X, X]), np.r_[np.zeros(n), np.ones(n)], w, r


def weighted_bce(z, y, w) -> float:
    return float(np.sum(w * (np.logaddexp(0.0, z) - y * z)) / np.sum(w))


@pytest.fixture(scope="module")
def trained():
    X, y, w, _ = toy(20_000, seed=0)
    clf = DNNClassifier(**FAST, random_state=1).fit(X, y, w, eval_set=toy(5_000, seed=1)[:3])
    return clf, (X, y, w)


def test_score_is_monotonic_in_true_likelihood_ratio(trained):
    clf, _ = trained
    X, y, w, r = toy(20_000, seed=2)
    z = clf.decision_function(X[: len(r)])
    assert spearmanr(z, r).statistic > 0.95
    auc_dnn = roc_auc_score(y, np.r_[z, z], sample_weight=w)
    auc_true = roc_auc_score(y, np.r_[r, r], sample_weight=w)
    assert abs(auc_dnn - auc_true) < 0.01
    # calibrated too: σ(z) ≈ r/(1 + r), weighted over SM events
    assert np.average(np.abs(expit(z) - r / (1 + r)), weights=w[: len(r)]) < 0.02


def test_class_weights_stay_physical():
    """One common normalisation: a benchmark 10× smaller shifts the score to k·r/(1 + k·r)."""
    X, y, w, _ = toy(20_000, seed=3, benchmark_scale=0.1)
    clf = DNNClassifier(**FAST, random_state=0).fit(X, y, w, eval_set=toy(5_000, 4, 4, 0.1)[:3])
    Xt, _, wt, r = toy(10_000, seed=5)
    p = clf.predict_proba(Xt[: len(r)])[:, 1]
    assert np.average(np.abs(p - 0.1 * r / (1 + 0.1 * r)), weights=wt[: len(r)]) < 0.02


def test_weight_units_do_not_matter(trained):
    """Weights × 10⁻⁸ (pb per event) give the same fitted model."""
    clf, (X, y, w) = trained
    val = toy(5_000, seed=1)[:3]
    tiny = clone(clf).fit(X, y, w * 1e-8, eval_set=(val[0], val[1], val[2] * 1e-8))
    Xt = toy(2_000, seed=6)[0]
    np.testing.assert_allclose(tiny.decision_function(Xt), clf.decision_function(Xt), atol=1e-6)
    np.testing.assert_allclose(tiny.mean_, clf.mean_, rtol=1e-12)
    assert tiny.best_epoch_ == clf.best_epoch_


def test_determinism():
    X, y, w, _ = toy(3_000, seed=7)
    Xt = toy(1_000, seed=8)[0]
    params = {**FAST, "max_epochs": 5}
    a = DNNClassifier(**params, random_state=3).fit(X, y, w).decision_function(Xt)
    b = DNNClassifier(**params, random_state=3).fit(X, y, w).decision_function(Xt)
    c = DNNClassifier(**params, random_state=4).fit(X, y, w).decision_function(Xt)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_global_torch_state_untouched():
    X, y, w, _ = toy(1_000, seed=9)
    threads, rng_state = torch.get_num_threads(), torch.get_rng_state()
    deterministic = torch.are_deterministic_algorithms_enabled()
    DNNClassifier(**{**FAST, "max_epochs": 2}, random_state=0, n_threads=2).fit(X, y, w)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.get_rng_state(), rng_state)
    assert torch.are_deterministic_algorithms_enabled() == deterministic


def test_early_stopping_restores_best_epoch():
    X, y, w, _ = toy(1_000, seed=10)
    val = toy(1_000, seed=11)[:3]
    clf = DNNClassifier(
        hidden_layers=(128, 128),
        learning_rate=1e-2,
        batch_size=64,
        max_epochs=100,
        patience=2,
        random_state=0,
    )
    clf.fit(X, y, w, eval_set=val)
    h = clf.history_
    assert len(h["train_loss"]) == len(h["val_loss"]) == clf.n_epochs_
    assert clf.n_epochs_ < 100  # stopped early
    assert clf.n_epochs_ == clf.best_epoch_ + clf.patience + 1
    assert h["val_loss"][clf.best_epoch_] == min(h["val_loss"])
    # the restored weights are those of best_epoch_
    z = clf.decision_function(val[0])
    assert weighted_bce(z, val[1], val[2]) == pytest.approx(h["val_loss"][clf.best_epoch_], 1e-5)
    assert not clf.model_.training


def test_runs_max_epochs_without_improvement_stop(trained):
    clf, _ = trained
    assert clf.n_epochs_ <= FAST["max_epochs"]
    assert clf.history_["val_loss"][clf.best_epoch_] == min(clf.history_["val_loss"])


def test_eval_set_replaces_validation_fraction():
    X, y, w, _ = toy(2_000, seed=12)
    val = toy(1_000, seed=13)[:3]
    params = {**FAST, "max_epochs": 3, "random_state": 0}
    Xt = toy(500, seed=14)[0]
    a = DNNClassifier(**params, validation_fraction=0.1).fit(X, y, w, eval_set=val)
    b = DNNClassifier(**params, validation_fraction=0.5).fit(X, y, w, eval_set=val)
    np.testing.assert_array_equal(a.decision_function(Xt), b.decision_function(Xt))
    np.testing.assert_allclose(a.mean_, np.average(X, axis=0, weights=w))  # all rows trained
    c = DNNClassifier(**params, validation_fraction=0.5).fit(X, y, w)
    assert not np.allclose(c.mean_, a.mean_)  # half of the rows held out
    assert len(c.history_["val_loss"]) == 3


def test_sklearn_api(trained):
    clf, (X, _, _) = trained
    assert clf.get_params()["hidden_layers"] == (64, 32)
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params()
    assert not hasattr(fresh, "model_")
    assert fresh.set_params(patience=7) is fresh and fresh.patience == 7
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.n_features_in_ == 4
    proba = clf.predict_proba(X[:100])
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X[:100]), (proba[:, 1] > 0.5).astype(int))
    assert set(clf.history_) == {"train_loss", "val_loss"}


def test_not_fitted():
    with pytest.raises(NotFittedError):
        DNNClassifier().predict_proba(np.zeros((3, 2)))


def test_trailing_batch_of_one_row():
    X, y, w, _ = toy(513, seed=15)  # 1026 rows, 10 % held out → 923 = 2·461 + 1
    DNNClassifier(**{**FAST, "batch_size": 461, "max_epochs": 1}, random_state=0).fit(X, y, w)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda X, y, w: (X.__setitem__((0, 1), np.nan), X, y, w)[1:], "NaN or inf"),
        (lambda X, y, w: (X, y, np.r_[np.inf, w[1:]]), "NaN or inf"),
        (lambda X, y, w: (X, y, np.r_[-1.0, w[1:]]), "negative"),
        (lambda X, y, w: (X, y, np.zeros_like(w)), "sums to zero"),
        (lambda X, y, w: (X, y, w[:-1]), "shape"),
        (lambda X, y, w: (X, y[:-1], w), "shape"),
        (lambda X, y, w: (X[:, 0], y, w), "2-D"),
        (lambda X, y, w: (X, np.zeros_like(y), w), "both classes"),
        (lambda X, y, w: (X, y + 1, w), "labels"),
    ],
)
def test_bad_input(change, message):
    X, y, w, _ = toy(200, seed=16)
    with pytest.raises(ValueError, match=message):
        DNNClassifier(max_epochs=1).fit(*change(X.copy(), y, w))


def test_bad_eval_set_and_hyperparameters():
    X, y, w, _ = toy(200, seed=17)
    with pytest.raises(ValueError, match="features"):
        DNNClassifier(max_epochs=1).fit(X, y, w, eval_set=(X[:, :2], y, w))
    with pytest.raises(ValueError, match="eval_set"):
        DNNClassifier(max_epochs=1).fit(X, y, w, eval_set=(X, y))
    with pytest.raises(ValueError, match="validation_fraction"):
        DNNClassifier(validation_fraction=0.0).fit(X, y, w)
    with pytest.raises(ValueError, match="patience"):
        DNNClassifier(patience=0).fit(X, y, w)
    clf = DNNClassifier(max_epochs=1, random_state=0).fit(X, y, w)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(np.full((2, 4), np.inf))
