"""The weight polynomial in the Wilson coefficients, and yields from cross sections.

Every event carries the weight polynomial (spec §1.3, ``docs/sample_format.md``)

    w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab = Σ_t m_t(c) w_t,                 (1)

    m_t(c) = c̃_i c̃_j  for term t = (i, j),   c̃ = (1, c_1, …, c_n),                   (2)

with the terms t in the order of :func:`weight_term_pairs` (SM, linear, quadratic row by row)
and named by :func:`weight_term_names`. The c_a are dimensionless: the operator coefficient
over Λ² at the sample's scale Λ, so w_a ∝ Λ⁻² and w_ab ∝ Λ⁻⁴. Summed over events, (1) gives
cross sections σ(c) [pb]; an integrated luminosity L [fb⁻¹] turns them into expected events

    ν = 1000 · L · σ                                                                    (3)

(1 pb = 1000 fb). The kernels below are pure functions of arrays, batched over parameter
points P (and events N); :class:`WeightPolynomial` binds them to a list of operator names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._operators import (
    UnknownOperatorError,
    validate_operators,
    weight_term_names,
    weight_term_pairs,
)

PB_TO_EVENTS_PER_FB = 1000.0
"""Expected events per pb of cross section and fb⁻¹ of integrated luminosity, eq. (3)."""

Pair = tuple[int, int]
Point = Mapping[str, float] | ArrayLike
"""One parameter point: operator → value (missing operators are 0), or n values in the
operator order of the polynomial (a scalar is broadcast: 0 is the SM)."""


def events_per_pb(luminosity_fb: float) -> float:
    """1000 · L: expected events per pb of cross section at luminosity L [fb⁻¹], eq. (3)."""
    return PB_TO_EVENTS_PER_FB * luminosity_fb


def expected_events(sigma_pb: ArrayLike, luminosity_fb: float) -> np.ndarray:
    """ν = σ · 1000 · L [events] of cross sections or weights σ [pb], any shape, eq. (3)."""
    return np.asarray(sigma_pb) * events_per_pb(luminosity_fb)


def check_luminosity(luminosity_fb: float) -> float:
    """L [fb⁻¹] as a float; ``ValueError`` unless it is positive and finite."""
    lumi = float(luminosity_fb)
    if not (math.isfinite(lumi) and lumi > 0):
        raise ValueError(f"luminosity_fb must be positive and finite, got {luminosity_fb}")
    return lumi


def check_points(
    c_points: ArrayLike, n_operators: int, operators: Sequence[str] = ()
) -> np.ndarray:
    """Parameter points as a finite float64 array, shape (P, n_operators).

    A 1-D array is one point. ``operators`` only names the columns in the error message.
    """
    c = np.atleast_2d(np.asarray(c_points, dtype=np.float64))
    if c.ndim != 2 or c.shape[1] != n_operators:
        names = f" of {tuple(operators)}" if operators else ""
        raise ValueError(
            f"c_points must have shape (P, {n_operators}) (one column per operator{names}), "
            f"got {np.shape(c_points)}"
        )
    if not np.isfinite(c).all():
        raise ValueError("c_points contains NaN or inf (non-finite values)")
    return c


def monomials(c_points: np.ndarray, pairs: Sequence[Pair] | None = None) -> np.ndarray:
    """m_t(c) of eq. (2) for points (P, n): shape (P, T).

    ``pairs`` are the (i, j) of the T terms wanted (default: all of
    :func:`weight_term_pairs` for n operators, T = K = 1 + n + n(n+1)/2; column 0 is then 1).
    No validation: see :meth:`WeightPolynomial.monomials`.
    """
    c = np.asarray(c_points, dtype=np.float64)
    if pairs is None:
        pairs = weight_term_pairs(range(c.shape[1]))
    ext = np.concatenate([np.ones((c.shape[0], 1)), c], axis=1)
    i, j = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    return ext[:, i] * ext[:, j]


def monomial_jacobian(c0: np.ndarray, pairs: Sequence[Pair] | None = None) -> np.ndarray:
    """∂m_t/∂c_a of eq. (2) at one point c0 (n,): shape (n, T) (``pairs`` as :func:`monomials`).

    ∂(c̃_i c̃_j)/∂c_a = δ_ia c̃_j + δ_ja c̃_i for a ≥ 1 (c̃_0 = 1 is constant).
    """
    c0 = np.asarray(c0, dtype=np.float64)
    n = c0.size
    if pairs is None:
        pairs = weight_term_pairs(range(n))
    ext = np.concatenate([[1.0], c0])
    jac = np.zeros((n, len(pairs)))
    for t, (i, j) in enumerate(pairs):
        for a in {i, j} - {0}:
            jac[a - 1, t] = ext[j] * (i == a) + ext[i] * (j == a)
    return jac


def evaluate_terms(terms: Sequence[np.ndarray] | np.ndarray, m: np.ndarray) -> np.ndarray:
    """Σ_t m[p, t] terms[t] of eq. (1): shape (P, N) for monomials m (P, T) and T term arrays
    (N,) (rows of a (T, N) array, or a list of columns: nothing is copied).

    Summed term by term in stored order, skipping terms whose monomial vanishes at every
    point, so a single point costs one pass over the events per non-zero term.
    """
    n_events = len(terms[0]) if len(terms) else 0
    out = np.zeros((m.shape[0], n_events))
    for t in np.flatnonzero(np.any(m != 0.0, axis=0)):
        col = np.asarray(terms[int(t)])
        if m.shape[0] == 1:
            out[0] += m[0, t] * col
        else:
            out += m[:, t, None] * col
    return out


@dataclass(frozen=True)
class WeightPolynomial:
    """The weight polynomial (1) in ``operators`` at scale Λ = ``lambda_TeV``.

    Parameters
    ----------
    operators : sequence of str
        Names of c_1 … c_n in the order of the columns of parameter points (not re-sorted);
        known (:data:`OPERATORS`) and distinct. Empty: the SM term only.
    lambda_TeV : float
        Λ [TeV] at which the c_a are defined (the operator coefficients are c_a/Λ²); the
        terms depend on it (w_a ∝ Λ⁻², w_ab ∝ Λ⁻⁴). Positive; default 1 TeV (spec §1.3).

    Examples
    --------
    >>> p = WeightPolynomial(("cHW", "cHWB"))
    >>> p.terms[:3], p.monomials({"cHW": 2.0}).tolist()
    (('w_sm', 'w_cHW', 'w_cHWB'), [[1.0, 2.0, 0.0, 4.0, 0.0, 0.0]])
    """

    operators: Sequence[str]
    """The operators, stored as a tuple (any sequence of names is accepted, not a string)."""
    lambda_TeV: float = 1.0
    pairs: tuple[Pair, ...] = field(init=False, repr=False)
    """(i, j) of each term, eq. (2), in stored order (:func:`weight_term_pairs`)."""
    terms: tuple[str, ...] = field(init=False, repr=False)
    """Names of the terms, ``w_sm``, ``w_<a>``, ``w_<a>_<b>`` (:func:`weight_term_names`)."""

    def __post_init__(self) -> None:
        if isinstance(self.operators, str):
            raise TypeError(
                f"operators must be a sequence of names, got the string {self.operators!r}"
            )
        ops = tuple(self.operators)
        validate_operators(ops)
        if len(set(ops)) != len(ops):
            raise ValueError(f"operators must be unique (distinct names), got {ops}")
        lam = float(self.lambda_TeV)
        if not (math.isfinite(lam) and lam > 0):
            raise ValueError(f"lambda_TeV must be positive and finite, got {self.lambda_TeV}")
        object.__setattr__(self, "operators", ops)
        object.__setattr__(self, "lambda_TeV", lam)
        object.__setattr__(self, "pairs", tuple(weight_term_pairs(ops)))
        object.__setattr__(self, "terms", tuple(weight_term_names(ops)))

    @property
    def n_operators(self) -> int:
        return len(self.operators)

    @property
    def n_terms(self) -> int:
        """K = 1 + n + n(n+1)/2."""
        return len(self.pairs)

    @property
    def orders(self) -> np.ndarray:
        """Order of each term in c (and in Λ⁻²): 0 SM, 1 linear, 2 quadratic; shape (K,)."""
        return np.array([(i > 0) + (j > 0) for i, j in self.pairs], dtype=np.int64)

    def validate_point(self, c: Point) -> np.ndarray:
        """One parameter point as a finite array (n,) in operator order.

        A mapping gives operator → value (missing operators are 0; a name without a weight
        term raises :class:`UnknownOperatorError`); a scalar is broadcast (0 is the SM); an
        array must hold n values, as (n,) or (1, n).
        """
        if isinstance(c, Mapping):
            unknown = [op for op in c if op not in self.operators]
            if unknown:
                raise UnknownOperatorError(
                    f"no weights for {', '.join(map(str, unknown))}; this model has "
                    f"{', '.join(self.operators) or 'the SM term only'}"
                )
            c = [float(c.get(op, 0.0)) for op in self.operators]
        arr = np.asarray(c, dtype=np.float64)
        if arr.ndim == 0:
            arr = np.broadcast_to(arr, (self.n_operators,))
        pts = self.validate_points(arr)
        if pts.shape[0] != 1:
            raise ValueError(f"a point must have shape ({self.n_operators},), got {arr.shape}")
        return pts[0]

    def validate_points(self, c_points: ArrayLike) -> np.ndarray:
        """Parameter points as a finite array (P, n) in operator order (1-D: one point)."""
        return check_points(c_points, self.n_operators, self.operators)

    def _as_points(self, c: Point) -> np.ndarray:
        if isinstance(c, Mapping) or np.ndim(c) == 0:
            return self.validate_point(c)[None]
        return self.validate_points(c)

    def monomials(self, c: Point) -> np.ndarray:
        """m_t(c) of eq. (2): shape (P, K) for points (P, n), (1, K) for one point."""
        return monomials(self._as_points(c), self.pairs)

    def jacobian(self, c0: Point) -> np.ndarray:
        """∂m_t/∂c_a at one point: shape (n, K)."""
        return monomial_jacobian(self.validate_point(c0), self.pairs)

    def evaluate(
        self, terms: Sequence[np.ndarray] | np.ndarray, c: Point, *, order: int | None = None
    ) -> np.ndarray:
        """w(c) of eq. (1) from per-event terms, in the unit of the terms (pb per event).

        Parameters
        ----------
        terms : array_like (K, N) or sequence of K arrays (N,)
            w_t per event, in :attr:`terms` order.
        c : mapping, scalar or array_like (n,) or (P, n)
            Parameter point(s) (:meth:`validate_point`, :meth:`validate_points`).
        order : {0, 1, 2}, optional
            Only the terms of this order in c (e.g. 1: the interference Σ_a c_a w_a).

        Returns
        -------
        ndarray
            Shape (N,) for one point (a mapping, scalar or 1-D array), (P, N) for a 2-D array.
        """
        if len(terms) != self.n_terms:
            raise ValueError(f"need {self.n_terms} weight terms {self.terms}, got {len(terms)}")
        m = self.monomials(c)
        if order is not None:
            m = np.where(self.orders == order, m, 0.0)
        w = evaluate_terms(terms, m)
        return w if not isinstance(c, Mapping) and np.ndim(c) == 2 else w[0]
