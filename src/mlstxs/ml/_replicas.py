"""Replicas of a ratio learner: bootstrap resampling of the events plus fresh seeds.

Each replica k refits ``sklearn.base.clone(estimator)`` on the events re-weighted by
n_i ~ Poisson(1), independently per event: every weight term of event i is multiplied by n_i
(events with n_i = 0 are left out). This Poisson bootstrap is the large-N limit of the
multinomial one (resampling N events with replacement) but needs no fixed N and treats events
independently, in the spirit of the replicas of ML4EFT (arXiv:2211.02058). The replica
also gets its own ``random_state``, so the spread covers both the finite training sample and
the training randomness (initialisation, split, shuffling). Bands are per-event quantiles over
the replicas (default 16 % and 84 %: a 68 % interval) around the median.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, clone

from ._targets import Array, Pair, check_features, check_weight_terms, raise_if_nonpositive


@dataclass(frozen=True)
class ReplicaBand:
    """Median and quantile band over replicas, each of shape (n_samples, M).

    Attributes
    ----------
    median, lower, upper : ndarray, shape (n_samples, M)
        M = K − 1 coefficient functions or P c points.
    quantiles : (float, float)
        Quantile levels of ``lower`` and ``upper``.
    n_replicas : int
    """

    median: Array
    lower: Array
    upper: Array
    quantiles: tuple[float, float]
    n_replicas: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "median": self.median.tolist(),
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "quantiles": list(self.quantiles),
            "n_replicas": self.n_replicas,
        }

    def __repr__(self) -> str:
        half = 0.5 * np.mean(self.upper - self.lower, axis=0)
        return (
            f"ReplicaBand(shape={self.median.shape}, n_replicas={self.n_replicas}, "
            f"quantiles={self.quantiles}, mean half-width per column={np.round(half, 4)})"
        )


class ReplicaEnsemble:
    """Fitted replicas of one ratio learner (made by :func:`fit_replicas`).

    Attributes
    ----------
    estimators_ : list of fitted estimators
    seeds_ : ndarray of int, shape (n_replicas,)
        ``random_state`` given to each replica.
    operators : tuple of str
    terms_ : list of (int, int)
    quantiles : (float, float)
    """

    def __init__(
        self,
        estimators: Sequence[Any],
        seeds: ArrayLike,
        quantiles: tuple[float, float] = (0.16, 0.84),
    ) -> None:
        if len(estimators) == 0:
            raise ValueError("a replica ensemble needs at least one fitted estimator")
        self.estimators_ = list(estimators)
        self.seeds_ = np.asarray(seeds)
        self.operators = tuple(self.estimators_[0].operators)
        self.terms_: list[Pair] = list(self.estimators_[0].terms_)
        self.quantiles = quantiles

    def __len__(self) -> int:
        return len(self.estimators_)

    def _band(self, values: Array) -> ReplicaBand:
        med, lo, hi = np.quantile(values, [0.5, *self.quantiles], axis=0)
        return ReplicaBand(med, lo, hi, tuple(self.quantiles), len(self))  # type: ignore[arg-type]

    def coefficient_replicas(self, X: ArrayLike) -> Array:
        """r_t(x) of every replica, shape (n_replicas, n_samples, K − 1)."""
        return np.stack([est.predict_coefficients(X) for est in self.estimators_])

    def predict_coefficients(self, X: ArrayLike) -> ReplicaBand:
        """Median and band of the learned r_t(x), each (n_samples, K − 1)."""
        return self._band(self.coefficient_replicas(X))

    def predict_ratio(
        self, X: ArrayLike, c_points: ArrayLike, *, check_positive: bool = False
    ) -> ReplicaBand:
        """Median and band over replicas of r(x, c), each (n_samples, P).

        With ``check_positive`` a :class:`RatioPositivityError` is raised when the median is
        ≤ 0 for some event (individual replicas are not checked).
        """
        band = self._band(np.stack([est.predict_ratio(X, c_points) for est in self.estimators_]))
        if check_positive:
            c = np.atleast_2d(np.asarray(c_points, dtype=np.float64))
            raise_if_nonpositive(band.median, c, self.operators)
        return band


def fit_replicas(
    estimator: BaseEstimator,
    X: ArrayLike,
    W: ArrayLike,
    n_replicas: int,
    random_state: int | np.random.Generator | None = None,
    *,
    terms: Sequence[str | Pair] | None = None,
    quantiles: tuple[float, float] = (0.16, 0.84),
) -> ReplicaEnsemble:
    """Fit ``n_replicas`` Poisson-bootstrap replicas of an (unfitted) ratio learner.

    Parameters
    ----------
    estimator : ratio learner
        Cloned for each replica (its own fitted state, if any, is ignored).
    X : array-like, shape (n_samples, n_features)
    W : array-like, shape (n_samples, K)
        Weight terms, column 0 = w_sm (as for ``fit``).
    n_replicas : int
    random_state : int, numpy.random.Generator or None
        Seeds the bootstrap counts and the replicas' ``random_state``.
    terms : optional
        Passed to each ``fit``.
    quantiles : (float, float)
        Levels of the band, 0 < lower < 0.5 < upper < 1.

    Returns
    -------
    ReplicaEnsemble
    """
    if int(n_replicas) < 1:
        raise ValueError(f"n_replicas must be ≥ 1, got {n_replicas}")
    if not 0 < quantiles[0] < 0.5 < quantiles[1] < 1:
        raise ValueError(f"quantiles must satisfy 0 < lower < 0.5 < upper < 1, got {quantiles}")
    X = check_features(X)
    W = check_weight_terms(W, X.shape[0])
    rng = np.random.default_rng(random_state)
    seeds = rng.integers(2**31 - 1, size=int(n_replicas))
    estimators = []
    for seed in seeds:
        counts = np.asarray(rng.poisson(1.0, size=X.shape[0]))
        keep = counts > 0
        est = clone(estimator)
        if "random_state" in est.get_params():
            est.set_params(random_state=int(seed))
        estimators.append(est.fit(X[keep], W[keep] * counts[keep, None], terms=terms))
    return ReplicaEnsemble(estimators, seeds, quantiles)
