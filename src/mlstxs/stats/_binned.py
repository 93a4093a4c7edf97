"""Binned Poisson likelihood of the SMEFT weight polynomial, background normalisations profiled.

Per bin k the expected yield is a polynomial in the Wilson coefficients c,

    ν_k(c) = L · 1000 · Σ_t m_t(c) W_kt,    m_t(c) = c_i c_j for term t = (i, j), c_0 = 1,    (1)

with W_kt = Σ_{events in k} w_{t,event} [pb] and L in fb⁻¹ (m_t: the monomials of
:class:`mlstxs.physics.WeightPolynomial`; L·1000: :func:`mlstxs.physics.expected_events`).
One Gaussian-constrained normalisation θ_k ~ N(0, 1) per bin scales the SM part b_k = ν_k(0)
(σ_b = ε_k b_k):

    ν_k(c, θ) = b_k (1 + ε_k θ_k) + (ν_k(c) − b_k) = a_k + β_k θ_k,   a_k = ν_k(c), β_k = ε_k b_k,
    −ln L(c, θ) = Σ_k [ν_k − n_k ln ν_k + ln Γ(n_k + 1)] + ½ Σ_k (θ_k − θ⁰_k)².           (2)

θ⁰_k are the global observables (pyhf's auxdata): 0 for real and Asimov data, drawn from
N(0, 1) in frequentist pseudo-experiments, which must randomise the auxiliary measurement
as well as the counts for the fitted ĉ to scatter by its full error (Cowan et al.,
arXiv:1007.1727, sec. 2; with θ⁰ = 0 fixed, toy pulls come out narrow).

Profiling (θ̂_k at fixed c). θ_k enters bin k only; take θ⁰ = 0 (otherwise replace a by
a + βθ⁰ and θ by θ − θ⁰). ∂/∂θ_k of (2) vanishes where β_k (1 − n_k/ν_k) + θ_k = 0.
Multiplying by ν_k = a_k + β_k θ_k (dropping the index k),

    β θ² + (a + β²) θ + β (a − n) = 0,    D = (a + β²)² − 4β²(a − n) = (a − β²)² + 4β² n ≥ 0. (3)

The two roots give ν = a + βθ = [(a − β²) ± √D]/2, whose product is −β² n ≤ 0: only the
"+" root has ν ≥ 0 (ν > 0 for n > 0). Rationalised (θ₊ θ₋ = a − n), free of cancellation,

    θ̂ = 2β (n − a) / (a + β² + √D),                                                       (4)

with a denominator ≥ 2β² > 0 for every a when β > 0 (θ̂ = 0 for β = 0). (2) is strictly
convex in θ, so on the physical domain b(1 + εθ) ≥ 0 the constrained minimum is θ̂ clipped
at −1/ε (there ν = ν_k(c) − b > 0). Points where some ν_k(c) < 0 (a negative SMEFT yield,
possible with linear terms only) are outside the model: their −ln L is +inf with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, xlogy

from ..physics import WeightPolynomial, check_luminosity, expected_events

Point = Mapping[str, float] | ArrayLike


def _frozen(a: ArrayLike, dtype: type = float) -> np.ndarray:
    out: np.ndarray = np.array(a, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class BinnedData:
    """Counts n_k in the model's bins; ``kind`` is ``"observed"`` (whole numbers, e.g. Poisson
    pseudo-data) or ``"asimov"`` (expected yields, non-integer). ``c`` is the generating point,
    ``aux`` the global observables θ⁰_k of eq. (2) (zeros unless given)."""

    counts: np.ndarray
    kind: str = "observed"
    c: dict[str, float] = field(default_factory=dict)
    seed: int | None = None
    aux: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = np.asarray(self.counts, dtype=float)
        if n.ndim != 1 or not np.all(np.isfinite(n)) or np.any(n < 0):
            raise ValueError("counts must be a 1-D array of finite non-negative numbers")
        if self.kind not in ("observed", "asimov"):
            raise ValueError(f"kind must be 'observed' or 'asimov', not {self.kind!r}")
        if self.kind == "observed" and np.any(n != np.round(n)):
            raise ValueError("observed counts must be whole numbers")
        aux = np.zeros_like(n) if self.aux is None else np.asarray(self.aux, dtype=float)
        if aux.shape != n.shape or not np.all(np.isfinite(aux)):
            raise ValueError(f"aux must be finite with the shape of counts {n.shape}")
        object.__setattr__(self, "counts", _frozen(n))
        object.__setattr__(self, "aux", _frozen(aux))

    def to_dict(self) -> dict:
        return {
            "counts": self.counts.tolist(),
            "kind": self.kind,
            "c": self.c,
            "seed": self.seed,
            "aux": None if self.aux is None else self.aux.tolist(),
        }


@dataclass(frozen=True, eq=False)
class NLLEvaluation:
    """−ln L of eq. (2) at P points, with the (profiled) θ̂ (P, n_bins), the expected yields
    ν(c, θ̂) (P, n_bins) [events] and a reason ("" if finite) for every +inf entry.

    ``reduced`` (P,) is −ln L − C(n), C(n) = Σ_k [n_k − n_k ln n_k + ln Γ(n_k + 1)] the value
    of the saturated model: Σ_k [ν_k − n_k − n_k ln(ν_k/n_k)] + ½Σ(θ − θ⁰)² (half the Poisson
    deviance, Baker & Cousins NIM 221 (1984) 437), free of the cancellation between terms
    ~ n ln n that limits −ln L itself to ~1e-16 · Σ n ln n absolute: minimisers use it.
    """

    nll: np.ndarray
    reduced: np.ndarray
    theta: np.ndarray
    expected: np.ndarray
    reasons: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "nll": [None if np.isinf(v) else float(v) for v in self.nll],
            "reduced": [None if np.isinf(v) else float(v) for v in self.reduced],
            "theta": self.theta.tolist(),
            "expected": self.expected.tolist(),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, eq=False)
class BinnedPolynomialModel:
    """Expected yields (1) and likelihood (2); build with :func:`binned_model`.

    Attributes
    ----------
    operators : tuple of str
        Names of c_1 … c_n.
    coefficients : ndarray (n_bins, K)
        L·1000·W_kt [events]: the yield polynomial per bin, terms in the order of
        :func:`mlstxs.physics.weight_term_pairs`.
    epsilon : ndarray (n_bins,)
        Fractional background uncertainties ε_k ≥ 0.
    luminosity_fb : float
    bins : tuple of int
        Input bin number of each model bin (empty bins are dropped).
    n_bins_input : int
    notes : tuple of str
    """

    operators: tuple[str, ...]
    coefficients: np.ndarray
    epsilon: np.ndarray
    luminosity_fb: float
    bins: tuple[int, ...]
    n_bins_input: int
    notes: tuple[str, ...] = ()

    @cached_property
    def polynomial(self) -> WeightPolynomial:
        """The weight polynomial of ``operators``: monomials m_t(c), point validation."""
        return WeightPolynomial(self.operators)

    def __repr__(self) -> str:
        return (
            f"BinnedPolynomialModel({self.n_bins} bins, operators {self.operators}, "
            f"L = {self.luminosity_fb:g} fb⁻¹, b = {np.array2string(self.background, precision=4)}"
            f", ε = {np.array2string(self.epsilon, precision=3)})"
        )

    @property
    def n_bins(self) -> int:
        return self.coefficients.shape[0]

    @property
    def background(self) -> np.ndarray:
        """b_k = ν_k(0) [events], (n_bins,)."""
        return self.coefficients[:, 0]

    def point(self, c: Point) -> np.ndarray:
        """One parameter point as an (n_ops,) array from a mapping (missing = 0) or array
        (:meth:`WeightPolynomial.validate_point`)."""
        return self.polynomial.validate_point(c)

    def points(self, c_points: ArrayLike) -> np.ndarray:
        """Validate parameter points: (P, n_ops) finite floats (a 1-D array is one point)."""
        return self.polynomial.validate_points(c_points)

    def expected(self, c_points: ArrayLike) -> np.ndarray:
        """ν_k(c) of eq. (1) [events], shape (P, n_bins), θ = 0."""
        return self.polynomial.monomials(self.points(c_points)) @ self.coefficients.T

    def counts(self, data: BinnedData | ArrayLike) -> np.ndarray:
        """Validated counts n (n_bins,); data over the input bins loses the dropped bins."""
        return self.observations(data)[0]

    def observations(self, data: BinnedData | ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(n, θ⁰), each (n_bins,): validated counts and global observables of eq. (2)."""
        if not isinstance(data, BinnedData):
            try:
                data = BinnedData(np.asarray(data, dtype=float))
            except ValueError as exc:
                raise ValueError(
                    f"{exc}; for expected (Asimov) yields pass asimov_data(model, c)"
                ) from None
        n, aux = data.counts, data.aux
        assert aux is not None  # BinnedData.__post_init__ always sets it
        if n.shape == (self.n_bins_input,) and self.n_bins != self.n_bins_input:
            dropped = np.setdiff1d(np.arange(self.n_bins_input), self.bins)
            if np.any(n[dropped] > 0):
                raise ValueError(f"events observed in empty bins {dropped.tolist()}")
            n, aux = n[list(self.bins)], aux[list(self.bins)]
        if n.shape != (self.n_bins,):
            raise ValueError(f"data must have shape ({self.n_bins},), got {n.shape}")
        return n, aux

    def evaluate(
        self, c_points: ArrayLike, data: BinnedData | ArrayLike, profile: bool = True
    ) -> NLLEvaluation:
        """−ln L of eq. (2) at P points, θ profiled in closed form (4) or fixed at 0."""
        c, (n, aux) = self.points(c_points), self.observations(data)
        a = self.expected(c)
        beta = self.epsilon * self.background
        theta = profile_theta(a, beta, n, self.epsilon, aux) if profile else np.zeros_like(a)
        return self._nll(c, a, theta, n, aux)

    def nll(
        self, c_points: ArrayLike, data: BinnedData | ArrayLike, profile: bool = True
    ) -> np.ndarray:
        """−ln L (P,) of eq. (2); +inf where the model is not defined (see :meth:`evaluate`)."""
        return self.evaluate(c_points, data, profile).nll

    def nll_at(
        self, c_points: ArrayLike, data: BinnedData | ArrayLike, theta: ArrayLike
    ) -> np.ndarray:
        """−ln L (P,) at given nuisance parameters θ (broadcast to (P, n_bins))."""
        c, (n, aux) = self.points(c_points), self.observations(data)
        a = self.expected(c)
        th = np.broadcast_to(np.asarray(theta, dtype=float), a.shape)
        return self._nll(c, a, th, n, aux).nll

    def _nll(self, c, a, theta, n, aux) -> NLLEvaluation:
        beta = self.epsilon * self.background
        nu = a + beta * theta
        d = nu - n
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = np.where(n > 0, d - n * np.log1p(d / np.where(n > 0, n, 1.0)), nu)
        bad = (a < 0) | (self.epsilon * theta < -1) | (nu < 0) | ((nu == 0) & (n > 0))
        invalid = bad.any(axis=1)
        terms = np.where(bad, 0.0, dev + 0.5 * (theta - aux) ** 2)
        reduced = np.where(invalid, np.inf, terms.sum(axis=1))
        out = reduced + np.sum(n - xlogy(n, n) + gammaln(n + 1.0))
        reasons = [""] * c.shape[0]
        for p in np.flatnonzero(invalid):
            reasons[p] = self._reason(c[p], a[p], theta[p], n, bad[p])
        return NLLEvaluation(out, reduced, theta, nu, tuple(reasons))

    def _reason(self, c, a, theta, n, bad) -> str:
        k = int(np.argmax(bad))
        at = ", ".join(f"{op}={v:g}" for op, v in zip(self.operators, c, strict=True))
        where = f"in bin {k} (input bin {self.bins[k]}) at {at or 'the SM'}"
        if a[k] < 0:
            return f"negative expected yield ν = {a[k]:.6g} events {where}"
        if self.epsilon[k] * theta[k] < -1:
            return f"negative background b(1 + εθ), θ = {theta[k]:.6g}, {where}"
        nu = a[k] + self.epsilon[k] * self.background[k] * theta[k]
        return f"expected yield {nu:.6g} with {n[k]:g} observed events {where}"

    def check_yields(self, c: Point) -> np.ndarray:
        """ν(c) (n_bins,) at one point; ValueError naming the bin and point if any is < 0."""
        c = self.point(c)
        nu = self.expected(c)[0]
        if np.any(nu < 0):
            raise ValueError(self._reason(c, nu, np.zeros_like(nu), nu * 0, nu < 0))
        return nu

    def to_dict(self) -> dict:
        return {
            "operators": list(self.operators),
            "coefficients": self.coefficients.tolist(),
            "epsilon": self.epsilon.tolist(),
            "luminosity_fb": self.luminosity_fb,
            "bins": list(self.bins),
            "n_bins_input": self.n_bins_input,
            "notes": list(self.notes),
        }


def profile_theta(
    a: np.ndarray, beta: np.ndarray, n: np.ndarray, eps: np.ndarray, aux: ArrayLike = 0.0
) -> np.ndarray:
    """θ̂ minimising eq. (2) per bin: eq. (4) (a → a + βθ⁰, θ → θ − θ⁰), clipped at −1/ε.

    a (P, B) nominal yields ν_k(c), beta (B,) = ε b, n (B,) counts [events]; eps (B,);
    aux (B,) global observables θ⁰. θ̂ = θ⁰ where β = 0 (θ has no effect there).
    """
    aux = np.broadcast_to(np.asarray(aux, dtype=float), np.shape(beta))
    a = a + beta * aux
    root = np.sqrt((a - beta**2) ** 2 + 4.0 * beta**2 * n)
    denom = a + beta**2 + root
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = aux + np.where(denom > 0, 2.0 * beta * (n - a) / denom, 0.0)
        theta_min = np.where(eps > 0, -1.0 / eps, -np.inf)
    return np.where(beta > 0, np.maximum(theta, theta_min), aux)


def binned_model(
    bin_index: ArrayLike,
    n_bins: int,
    terms: ArrayLike,
    operators: Sequence[str],
    luminosity_fb: float,
    epsilon: float | Sequence[float] = 0.0,
) -> BinnedPolynomialModel:
    """Bin the weight polynomial of N events into the yields (1).

    Parameters
    ----------
    bin_index : ndarray of int (N,)
        Bin of each event in [0, n_bins); negative = outside every bin.
    n_bins : int
    terms : ndarray (K, N)
        Weight-term columns [pb per event] in the order of ``weight_term_pairs(operators)``
        (``np.stack([sample[t] for t in sample.weight_terms])`` for an EventSample).
    operators : sequence of str
    luminosity_fb : float
        Integrated luminosity L [fb⁻¹].
    epsilon : float or sequence of n_bins floats
        ε_k = σ_b/b per bin (≥ 0).

    Bins with no yield in any term are dropped (noted). A bin with b_k = 0 but an EFT yield
    must have ε_k = 0: σ_b = ε_k b_k vanishes there, so a positive ε_k would be ignored.
    """
    poly = WeightPolynomial(operators)
    ops, n_terms = tuple(poly.operators), poly.n_terms
    idx, w = np.asarray(bin_index), np.asarray(terms, dtype=float)
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"bin_index must be a 1-D integer array, got {idx.dtype} {idx.shape}")
    if int(n_bins) != n_bins or n_bins < 1 or (idx.size and idx.max() >= n_bins):
        raise ValueError(f"n_bins = {n_bins} must be ≥ 1 and exceed every bin_index")
    if w.shape != (n_terms, idx.size):
        raise ValueError(
            f"terms must have shape ({n_terms}, {idx.size}) for operators {ops}, got {w.shape}"
        )
    if not np.all(np.isfinite(w)):
        raise ValueError("terms must be finite")
    lumi = check_luminosity(luminosity_fb)
    eps = np.asarray(epsilon, dtype=float)
    eps = np.full(n_bins, float(eps)) if eps.ndim == 0 else eps
    if eps.shape != (n_bins,) or not np.all(np.isfinite(eps)) or np.any(eps < 0):
        raise ValueError(f"epsilon must be finite, ≥ 0, scalar or of length {n_bins}: {epsilon}")
    inside = idx >= 0
    flat = (np.arange(n_terms)[:, None] * n_bins + idx[None, inside]).ravel()
    summed = np.bincount(flat, weights=w[:, inside].ravel(), minlength=n_terms * n_bins)
    coef = expected_events(summed.reshape(n_terms, n_bins).T, lumi)
    empty = ~np.any(coef != 0, axis=1)
    notes = [f"dropped empty bin(s) {np.flatnonzero(empty).tolist()}"] if empty.any() else []
    if np.any(coef[:, 0] < 0):
        raise ValueError(f"negative SM yield in bin(s) {np.flatnonzero(coef[:, 0] < 0).tolist()}")
    signal_only = ~empty & (coef[:, 0] == 0)
    if np.any(signal_only & (eps > 0)):
        k = int(np.argmax(signal_only & (eps > 0)))
        raise ValueError(
            f"bin {k} has no SM yield (b = 0) but an EFT yield: its background uncertainty "
            f"σ_b = ε b vanishes, so ε = {eps[k]:g} would be ignored; set ε = 0 for this bin"
        )
    keep = np.flatnonzero(~empty)
    return BinnedPolynomialModel(
        ops,
        _frozen(coef[keep]),
        _frozen(eps[keep]),
        lumi,
        tuple(keep.tolist()),
        int(n_bins),
        tuple(notes),
    )
