"""The weighted linear SVM boundary and the DNN-score distillation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from mlstxs.regions import SVMBoundary, distill_score, sm_vs_eft_dataset


def toy(n=20_000, seed=0):
    """Events in (p_T, m) with an SM weight and an EFT weight that grows along the direction
    m − 2 p_T: the iso-ratio lines, hence the Bayes boundary, have slope 2."""
    rng = np.random.default_rng(seed)
    pt = rng.uniform(400, 1000, n)
    m = 2.2 * pt + rng.exponential(300, n)
    w_sm = np.full(n, 1e-6)
    w_eft = w_sm * np.exp((m - 2.0 * pt) / 150.0)
    return pt, m, w_sm, w_eft


def test_svm_recovers_the_iso_ratio_direction():
    pt, m, w_sm, w_eft = toy()
    X, y, w = sm_vs_eft_dataset(pt, m, w_sm / w_sm.sum(), w_eft / w_eft.sum())
    svm = SVMBoundary(random_state=0).fit(X, y, w)
    assert svm.boundary_.above
    assert svm.boundary_.slope == pytest.approx(2.0, abs=0.1)
    # the decision function is positive exactly inside the physical region
    inside = svm.boundary_.contains(pt, m)
    np.testing.assert_array_equal(svm.decision_function(np.column_stack([pt, m])) > 0, inside)
    # and the region is enriched in EFT
    assert w_eft[inside].sum() / w_eft.sum() > w_sm[inside].sum() / w_sm.sum()


def test_svm_is_invariant_to_the_weight_scale():
    pt, m, w_sm, w_eft = toy(5000)
    X, y, w = sm_vs_eft_dataset(pt, m, w_sm, w_eft)
    a = SVMBoundary(random_state=0).fit(X, y, w).boundary_
    b = SVMBoundary(random_state=0).fit(X, y, w * 1e-9).boundary_
    assert a.slope == pytest.approx(b.slope, rel=1e-9)
    assert a.intercept_GeV == pytest.approx(b.intercept_GeV, rel=1e-9)


def test_svm_errors():
    with pytest.raises(NotFittedError):
        SVMBoundary().decision_function(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        SVMBoundary().fit(np.zeros((4, 3)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="both classes"):
        SVMBoundary().fit(np.ones((4, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="finite"):
        SVMBoundary().fit(np.array([[1.0, np.nan], [2, 3]]), np.array([0, 1]))


def test_distillation_reproduces_a_linear_score():
    """A score that is itself linear in (p_T, m) distils into its own level lines."""
    rng = np.random.default_rng(3)
    pt, m = rng.uniform(400, 1000, 8000), rng.uniform(800, 3000, 8000)
    score = m - 1.5 * pt
    thresholds = np.quantile(score, [0.2, 0.5, 0.8])
    d = distill_score(score, pt, m, np.ones(8000), thresholds, random_state=0)
    for t, line in zip(thresholds, d.lines, strict=True):
        assert line.slope == pytest.approx(1.5, abs=0.05)
        agree = np.mean(line.contains(pt, m) == (score > t))
        assert agree > 0.99
    empty = distill_score(score, pt, m, np.ones(8000), np.array([score.max() + 1]))
    assert empty.lines == (None,) and "one side" in empty.notes[0]
