"""Boosted regression trees for the coefficient functions r_t(x) (boosted information trees).

One LightGBM regressor per SMEFT weight term t learns r_t(x) = E[w_t | x] / E[w_sm | x] by
least squares on the per-event target w_t/w_sm with sample weight w_sm (Chatterjee et al.,
"Tree boosting for learning EFT parameters", arXiv:2107.10859, as used in the CMS VH(bb̄)
SMEFT interpretation):

    L[f] = Σ_i w_sm,i (f(x_i) − w_t,i / w_sm,i)² = Σ_i [w_sm,i f(x_i)² − 2 w_t,i f(x_i)] + const.

In the infinite-sample limit the sum becomes ∫ dx [E[w_sm|x] f(x)² − 2 E[w_t|x] f(x)] p(x)
(the unobserved variables z of w(x, z) are integrated out by the conditional expectations).
Minimising pointwise in f(x), ∂/∂f = 2 (E[w_sm|x] f − E[w_t|x]) = 0, gives

    f*(x) = E[w_t | x] / E[w_sm | x] = r_t(x).

For a tree leaf j the optimum is F_j = Σ_{i∈j} w_t,i / Σ_{i∈j} w_sm,i and the loss decrease
is Σ_j (Σ_{i∈j} w_t,i)² / Σ_{i∈j} w_sm,i: the leaf values and the split criterion of the
boosted information tree (arXiv:2107.10859). Gradient boosting with the weighted squared error
is therefore the BIT for one coefficient function, up to its starting value (LightGBM starts
from the weighted mean σ_t/σ_sm instead of 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._targets import (
    Array,
    Pair,
    RatioMixin,
    RatioTargets,
    check_features,
    resolve_terms,
    weighted_moments,
)


def _lightgbm() -> Any:
    try:
        import lightgbm
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "RatioTreeRegressor needs LightGBM: pip install lightgbm (tested with 4.7)"
        ) from err
    return lightgbm


class RatioTreeRegressor(RatioMixin, BaseEstimator):
    """Boosted information trees: one LightGBM regressor per coefficient function r_t(x).

    Parameters
    ----------
    operators : sequence of str
        Wilson coefficients of the weight polynomial (columns of the c points, in this order;
        term pairs as :func:`mlstxs.physics.weight_term_pairs` of them).
    n_estimators : int
        Boosting rounds per coefficient function.
    learning_rate : float
        Shrinkage of each tree.
    num_leaves : int
        Maximum leaves per tree.
    min_child_samples : int
        Minimum events per leaf.
    random_state : int, numpy.random.Generator or None
        Seeds the regressors (one derived seed per term); the fit is then deterministic.
    n_jobs : int
        LightGBM threads.

    Attributes
    ----------
    terms_ : list of (int, int)
        Term pair of each column of W; ``terms_[0] == (0, 0)``.
    regressors_ : list of lightgbm.LGBMRegressor
        The regressor of ``terms_[t + 1]`` at index t.
    n_dropped_ : int
        Training events with w_sm = 0 (dropped: no SM density to divide by).
    target_mean_ : ndarray, shape (K − 1,)
        w_sm-weighted mean of w_t/w_sm over the training set, i.e. σ_t/σ_sm.
    n_features_in_ : int

    Notes
    -----
    ``fit(X, y=W)``: the "y" of the scikit-learn API is the matrix of weight terms; the
    sample weights (w_sm) are implied by it, so there is no ``sample_weight`` argument.
    The weights are divided by their mean, so units (pb per event) do not matter.
    """

    def __init__(
        self,
        operators: Sequence[str] = ("cHW",),
        n_estimators: int = 300,
        learning_rate: float = 0.1,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        random_state: int | np.random.Generator | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.operators = operators
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(
        self, X: ArrayLike, y: ArrayLike, *, terms: Sequence[str | Pair] | None = None
    ) -> RatioTreeRegressor:
        """Fit r_t(x) for every SMEFT column of the weight terms.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
            Features.
        y : array-like, shape (n_samples, K)
            Weight terms W per event, column 0 = w_sm ≥ 0 (any common unit).
        terms : sequence of str or (int, int), optional
            The term of each column of W (names ``"w_sm"``, ``"w_cHW"``, … or pairs);
            default: all terms of ``operators`` in stored order.

        Returns
        -------
        self
        """
        self._check_hyperparameters()
        X = check_features(X)
        data = RatioTargets(X, y)
        self.terms_ = resolve_terms(self.operators, terms, data.ratio.shape[1] + 1)
        if data.X.shape[0] < 2:
            raise ValueError("fewer than two events with w_sm > 0")
        rng = np.random.default_rng(self.random_state)
        seeds = np.asarray(rng.integers(2**31 - 1, size=data.ratio.shape[1])).tolist()
        lgb = _lightgbm()
        self.regressors_ = [
            lgb.LGBMRegressor(
                objective="regression",
                n_estimators=int(self.n_estimators),
                learning_rate=float(self.learning_rate),
                num_leaves=int(self.num_leaves),
                min_child_samples=int(self.min_child_samples),
                random_state=int(seed),
                n_jobs=int(self.n_jobs),
                deterministic=True,
                force_row_wise=True,
                verbose=-1,
            ).fit(data.X, data.ratio[:, t], sample_weight=data.weight)
            for t, seed in enumerate(seeds)
        ]
        self.n_dropped_ = data.n_dropped
        self.target_mean_ = weighted_moments(data.ratio, data.weight)[0]
        self.n_features_in_ = X.shape[1]
        return self

    def _check_hyperparameters(self) -> None:
        for name in ("n_estimators", "num_leaves", "min_child_samples", "n_jobs"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be ≥ 1, got {getattr(self, name)}")
        if int(self.num_leaves) < 2:
            raise ValueError(f"num_leaves must be ≥ 2, got {self.num_leaves}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")

    def predict_coefficients(self, X: ArrayLike) -> Array:
        """Learned r_t(x), shape (n_samples, K − 1), columns in the order of W's columns 1…."""
        check_is_fitted(self, "regressors_")
        X = check_features(X, self.n_features_in_)
        return np.column_stack([reg.predict(X) for reg in self.regressors_]).astype(np.float64)
