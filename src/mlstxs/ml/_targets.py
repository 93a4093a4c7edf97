"""Shared bookkeeping of the ratio learners: inputs, weight terms, the ratio polynomial.

Every event carries the weight polynomial (spec §1.3)

    w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab,

so that the per-event likelihood ratio to the SM is r(x, c) = 1 + Σ_t k_t(c) r_t(x) with the
coefficient products k_(i,j)(c) = c̃_i c̃_j, c̃ = (1, c_1, …, c_n), over the term pairs of
:func:`mlstxs.physics.weight_term_pairs` without the SM pair (0, 0) (the monomials of
:class:`mlstxs.physics.WeightPolynomial`). The learners estimate the
coefficient functions r_t(x) = E[w_t | x] / E[w_sm | x] from (x, w) samples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..physics import WeightPolynomial, check_points, monomials

Array = NDArray[np.float64]
Pair = tuple[int, int]


class RatioPositivityError(ValueError):
    """A predicted likelihood ratio r(x, c) ≤ 0 (negative or vanishing density)."""


def check_features(X: ArrayLike, n_features: int | None = None, name: str = "X") -> Array:
    """``X`` as a finite float64 array of shape (n_samples, n_features)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}"
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features, the model expects {n_features}")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or inf")
    return X


def check_operators(operators: Sequence[str]) -> tuple[str, ...]:
    """Known, unique operator names, in the order given (that of the columns of c points)."""
    ops = tuple(WeightPolynomial(operators).operators)
    if not ops:
        raise ValueError("operators must name at least one Wilson coefficient")
    return ops


def resolve_terms(
    operators: Sequence[str], terms: Sequence[str | Pair] | None, n_columns: int
) -> list[Pair]:
    """Index pairs (i, j) of the columns of W, column 0 being the SM pair (0, 0).

    ``terms`` holds names of :func:`mlstxs.physics.weight_term_names` (``"w_sm"``,
    ``"w_cHW"``, ``"w_cHW_cHW"``) or pairs of :func:`mlstxs.physics.weight_term_pairs`;
    ``None`` means all terms of ``operators`` in stored order. A subset (e.g. the linear terms
    only) truncates the polynomial: terms not learned count as zero in the ratio.
    """
    poly = WeightPolynomial(check_operators(operators))
    valid = list(poly.pairs)
    if terms is None:
        pairs = list(valid)
    else:
        by_name = dict(zip(poly.terms, valid, strict=True))
        pairs = [_term_pair(t, by_name, valid) for t in terms]
    if len(pairs) != n_columns:
        raise ValueError(
            f"W has {n_columns} weight-term columns but {len(pairs)} terms are named "
            f"({', '.join(map(str, pairs))})"
        )
    if pairs[0] != (0, 0):
        raise ValueError(f"column 0 of W must be the SM term w_sm, got term {pairs[0]}")
    if len(set(pairs)) != len(pairs):
        raise ValueError(f"terms must be unique, got {pairs}")
    if len(pairs) < 2:
        raise ValueError("W needs the SM column and at least one SMEFT term column")
    return pairs


def _term_pair(term: str | Pair, by_name: dict[str, Pair], valid: list[Pair]) -> Pair:
    if isinstance(term, str):
        if term not in by_name:
            raise ValueError(f"unknown weight term {term!r}; valid names: {', '.join(by_name)}")
        return by_name[term]
    pair = tuple(int(i) for i in term)
    if pair not in valid:
        raise ValueError(f"weight term {term!r} is not a pair of weight_term_pairs: {valid}")
    return pair  # type: ignore[return-value]


def check_weight_terms(W: ArrayLike, n_samples: int) -> Array:
    """``W`` as a finite float64 array (n_samples, K) with w_sm = W[:, 0] ≥ 0 of positive sum."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != n_samples or W.shape[1] < 2:
        raise ValueError(
            f"W (y) must have shape ({n_samples}, K ≥ 2): the weight terms per event with "
            f"column 0 = w_sm; got shape {W.shape}"
        )
    if not np.isfinite(W).all():
        raise ValueError("W (y) contains NaN or inf")
    if (W[:, 0] < 0).any():
        raise ValueError(
            f"w_sm = W[:, 0] has {int((W[:, 0] < 0).sum())} negative entries; the weighted "
            "regression needs non-negative SM weights"
        )
    if not W[:, 0].sum() > 0:
        raise ValueError("w_sm = W[:, 0] sums to zero")
    return W


class RatioTargets:
    """Training data of the coefficient functions, events with w_sm = 0 dropped.

    Attributes
    ----------
    X : ndarray, shape (n, n_features)
    weight : ndarray, shape (n,)
        w_sm / mean(w_sm): the sample weights, mean 1 (units drop out of the fit).
    ratio : ndarray, shape (n, T)
        Per-event targets w_t / w_sm for the T = K − 1 SMEFT terms.
    n_dropped : int
        Events with w_sm = 0 (they carry no information on E[w_t|x]/E[w_sm|x] where the SM
        density is positive; where it vanishes the ratio is undefined).
    """

    def __init__(self, X: ArrayLike, W: ArrayLike) -> None:
        X = check_features(X)
        W = check_weight_terms(W, X.shape[0])
        keep = W[:, 0] > 0
        self.n_dropped = int((~keep).sum())
        self.X, W = X[keep], W[keep]
        self.weight = W[:, 0] / W[:, 0].mean()
        self.ratio = W[:, 1:] / W[:, :1]


def weighted_moments(values: Array, weight: Array) -> tuple[Array, Array]:
    """Weighted mean and standard deviation (1 where zero) of each column, shape (T,)."""
    mean = np.average(values, axis=0, weights=weight)
    var = np.average((values - mean) ** 2, axis=0, weights=weight)
    return mean, np.where(var > 0, np.sqrt(var), 1.0)


def term_coefficients(c_points: ArrayLike, pairs: Sequence[Pair], n_operators: int) -> Array:
    """Coefficient products k_(i,j)(c) = c̃_i c̃_j, c̃ = (1, c), shape (P, len(pairs)).

    ``c_points`` has shape (P, n_operators) (a single point of shape (n_operators,) is
    accepted), columns in the order of the learner's ``operators``; validated by
    :func:`mlstxs.physics.check_points`, evaluated by :func:`mlstxs.physics.monomials`.
    """
    return monomials(check_points(c_points, n_operators), pairs)


def format_point(operators: Sequence[str], c: Array) -> str:
    """``(cHW=0.5, cHB=-1)`` for error messages and reports."""
    return "(" + ", ".join(f"{op}={v:g}" for op, v in zip(operators, c, strict=True)) + ")"


def raise_if_nonpositive(ratio: Array, c_points: Array, operators: Sequence[str]) -> None:
    """Raise :class:`RatioPositivityError` naming every c point where some r(x, c) ≤ 0."""
    bad = (ratio <= 0).sum(axis=0)
    if bad.any():
        n = ratio.shape[0]
        where = "; ".join(
            f"{int(bad[p])} of {n} events at c = {format_point(operators, c_points[p])}"
            for p in np.flatnonzero(bad)
        )
        raise RatioPositivityError(f"predicted r(x, c) ≤ 0 for {where}")


class RatioMixin:
    """``predict_ratio`` from ``predict_coefficients`` (``operators``, ``terms_`` required)."""

    operators: Sequence[str]
    terms_: list[Pair]

    def predict_coefficients(self, X: ArrayLike) -> Array:  # pragma: no cover - interface
        raise NotImplementedError

    def predict_ratio(
        self, X: ArrayLike, c_points: ArrayLike, *, check_positive: bool = False
    ) -> Array:
        """Learned likelihood ratio r(x, c) = 1 + Σ_t k_t(c) r_t(x), shape (n_samples, P).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        c_points : array-like, shape (P, n_operators)
            Wilson-coefficient points, columns in the order of ``operators``.
        check_positive : bool
            Raise :class:`RatioPositivityError` if some r(x, c) ≤ 0 (nothing is clipped).
        """
        coef = self.predict_coefficients(X)
        ops = tuple(self.operators)
        c = check_points(c_points, len(ops), ops)
        ratio = 1.0 + coef @ monomials(c, self.terms_[1:]).T
        if check_positive:
            raise_if_nonpositive(ratio, c, ops)
        return ratio
