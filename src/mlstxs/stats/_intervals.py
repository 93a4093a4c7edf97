"""Profile-likelihood scans and confidence intervals of Wilson coefficients.

With λ(c_a) = L(c_a, ĉ̂_others, θ̂̂)/L(ĉ, θ̂) the profile likelihood ratio, Wilks' theorem gives
−2 ln λ ~ χ²(m) for m scanned coefficients (Cowan, Cranmer, Gross, Vitells, arXiv:1007.1727:
λ in sec. 2, Wilks/Wald asymptotics and the Asimov data set in sec. 3); the interval at
confidence level CL is

    {c_a : Δ(−2 ln L)(c_a) ≤ F⁻¹_{χ²(m)}(CL)},                                          (1)

possibly several disjoint pieces (quadratic SMEFT yields are even in c far from the SM).
Expected limits use the Asimov data set n_k = ν_k(c₀), θ⁰ = 0 (arXiv:1007.1727, sec. 3);
pseudo-experiments draw n_k ~ Pois(ν_k(c)) and the global observables θ⁰_k ~ N(0, 1).
Nuisance parameters θ are always profiled in closed form (:mod:`mlstxs.stats._binned`),
the other Wilson coefficients with iminuit (MIGRAD, an optional dependency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq
from scipy.stats import chi2

from ..physics import UnknownOperatorError
from ._binned import BinnedData, BinnedPolynomialModel, Point

_MIGRAD_TOL = 1e-6
"""MIGRAD stops at EDM < 0.002 · tol · errordef = 1e-9 in −ln L (iminuit's default 0.1 stops
~1e-4 short of the minimum: enough to bias pulls and intervals)."""
_INVALID_NLL = 1e30
"""What MIGRAD sees instead of +inf outside the model's domain (it cannot step back from inf)."""


def asimov_data(model: BinnedPolynomialModel, c: Point | None = None) -> BinnedData:
    """Asimov data n_k = ν_k(c) [events] (c = SM by default); ValueError if some ν_k < 0."""
    point = model.point(c if c is not None else {})
    nu = model.check_yields(point)
    return BinnedData(nu, kind="asimov", c=dict(zip(model.operators, point.tolist(), strict=True)))


def pseudo_data(
    model: BinnedPolynomialModel,
    c: Point | None = None,
    random_state: int | np.random.Generator | None = None,
    *,
    fluctuate_aux: bool = True,
) -> BinnedData:
    """A pseudo-experiment at c (θ = 0): n_k ~ Pois(ν_k(c)) and, if ``fluctuate_aux``, the
    global observables θ⁰_k ~ N(0, 1) of the bins with ε_k > 0 (eq. (2) of
    :mod:`mlstxs.stats._binned`; without them the toys under-cover when ε > 0)."""
    point = model.point(c if c is not None else {})
    nu = model.check_yields(point)
    rng = np.random.default_rng(random_state)
    counts = rng.poisson(nu).astype(float)
    aux = np.where(model.epsilon > 0, rng.standard_normal(nu.size), 0.0)
    return BinnedData(
        counts,
        kind="observed",
        c=dict(zip(model.operators, point.tolist(), strict=True)),
        seed=random_state if isinstance(random_state, int) else None,
        aux=aux if fluctuate_aux else None,
    )


@dataclass(frozen=True)
class FitResult:
    """Maximum-likelihood point ĉ, HESSE errors σ̂ and −ln L at the minimum (θ profiled)."""

    values: dict[str, float]
    errors: dict[str, float]
    nll: float
    valid: bool

    def to_dict(self) -> dict:
        return {"values": self.values, "errors": self.errors, "nll": self.nll, "valid": self.valid}


def _minimize(model, data, start: np.ndarray, free: np.ndarray):
    """MIGRAD over the coefficients ``free`` (bool mask), the others held at ``start``."""
    from iminuit import Minuit  # optional (the dev extra): imported only when fitting

    x = np.array(start, dtype=float)

    def cost(y: np.ndarray) -> float:
        x[free] = y
        v = float(model.evaluate(x, data).reduced[0])
        return v if np.isfinite(v) else _INVALID_NLL

    m = Minuit(cost, x[free].copy())
    m.errordef, m.tol = Minuit.LIKELIHOOD, _MIGRAD_TOL
    m.migrad()
    x[free] = np.array(m.values)
    return m, x.copy()


def fit(
    model: BinnedPolynomialModel, data: BinnedData | ArrayLike, start: Point | None = None
) -> FitResult:
    """Global fit of all coefficients with MIGRAD + HESSE from ``start`` (default: the SM)."""
    data = _data(model, data)
    m, x = _minimize(model, data, model.point(start if start is not None else {}), _all(model))
    m.hesse()
    ops = model.operators
    return FitResult(
        dict(zip(ops, x.tolist(), strict=True)),
        dict(zip(ops, [float(e) for e in m.errors], strict=True)),
        float(model.nll(x, data)[0]),
        bool(m.valid),
    )


def _data(model: BinnedPolynomialModel, data: BinnedData | ArrayLike) -> BinnedData:
    """The data validated once, over the model's bins (counts and global observables)."""
    n, aux = model.observations(data)
    return BinnedData(n, data.kind if isinstance(data, BinnedData) else "observed", aux=aux)


def _all(model: BinnedPolynomialModel) -> np.ndarray:
    return np.ones(len(model.operators), dtype=bool)


def _index(model: BinnedPolynomialModel, op: str) -> int:
    if op not in model.operators:
        raise UnknownOperatorError(
            f"unknown operator {op!r}; this model has {', '.join(model.operators)}"
        )
    return model.operators.index(op)


def _grid(grid: ArrayLike, name: str) -> np.ndarray:
    g = np.asarray(grid, dtype=float)
    if g.ndim != 1 or g.size < 2 or not np.all(np.isfinite(g)) or np.any(np.diff(g) <= 0):
        raise ValueError(f"{name} must be a strictly increasing 1-D array of ≥ 2 finite values")
    return g


def _profile(model, data, pts: np.ndarray, free: np.ndarray):
    """min over the coefficients ``free`` (bool mask) of −ln L − C(n) (``reduced``) at the
    G points ``pts`` (G, n_ops): (values (G,), profiled points (G, n_ops)). Vectorised when
    nothing is free; otherwise MIGRAD per point from the previous solution and ``pts[g]``."""
    if not free.any():
        return model.evaluate(pts, data).reduced, pts
    pts, nll = pts.copy(), np.empty(len(pts))
    prev = pts[0].copy()
    for g in range(len(pts)):
        starts = (np.where(free, prev, pts[g]), pts[g])
        trials = [_minimize(model, data, s, free)[1] for s in starts]
        vals = [model.evaluate(t, data).reduced[0] for t in trials]
        k = int(np.argmin(vals))
        nll[g], pts[g] = vals[k], trials[k]
        prev = pts[g]
    return nll, pts


def _global_min(model, data, nll: np.ndarray, pts: np.ndarray, free: np.ndarray):
    """(reduced −ln L, point) at the minimum: MIGRAD over ``free`` from the SM and from the
    best grid point; the best grid point itself if that is lower still."""
    best = pts[int(np.argmin(nll))]
    fits = [_minimize(model, data, s, free)[1] for s in (np.where(free, 0.0, best), best)]
    vals = [float(model.evaluate(x, data).reduced[0]) for x in fits]
    k = int(np.argmin(vals))
    if nll.min() < vals[k]:
        return float(nll.min()), best
    return vals[k], fits[k]


@dataclass(frozen=True, eq=False)
class Scan1D:
    """Δ(−2 ln L) (G,) along ``grid`` of one coefficient; ``points`` (G, n_ops) are the
    profiled (or fixed) parameter points, ``best`` the minimum over the scan's free
    coefficients (all of them, or only the scanned one when the others are fixed at 0)."""

    operator: str
    grid: np.ndarray
    delta: np.ndarray
    points: np.ndarray
    best: dict[str, float]
    nll_min: float
    profile_others: bool

    def __repr__(self) -> str:
        how = "others profiled" if self.profile_others else "others at 0"
        return (
            f"Scan1D({self.operator} over [{self.grid[0]:g}, {self.grid[-1]:g}] "
            f"({self.grid.size} points, {how}), best {self.best}, −ln L = {self.nll_min:.6g})"
        )

    def to_dict(self) -> dict:
        return {
            "operator": self.operator,
            "grid": self.grid.tolist(),
            "delta": _json(self.delta),
            "points": self.points.tolist(),
            "best": self.best,
            "nll_min": self.nll_min,
            "profile_others": self.profile_others,
        }


def _json(a: np.ndarray) -> list:
    """Nested list with +inf (outside the model's domain) written as None."""
    out = np.asarray(a).astype(object)
    out[np.isinf(a)] = None
    return out.tolist()


def profile_scan_1d(
    model: BinnedPolynomialModel,
    data: BinnedData | ArrayLike,
    operator: str,
    grid: ArrayLike,
    *,
    profile_others: bool = True,
) -> Scan1D:
    """Δ(−2 ln L)(c_a) = 2[−ln L(c_a, ĉ̂_others) + ln L(ĉ)] on a grid, eq. (1) with m = 1.

    The other coefficients are profiled (MIGRAD) or fixed at 0; θ is always profiled.
    Δ = +inf where some ν_k(c) < 0.
    """
    data, a, g = _data(model, data), _index(model, operator), _grid(grid, "grid")
    scanned = np.arange(len(model.operators)) == a
    pts = np.zeros((g.size, len(model.operators)))
    pts[:, a] = g
    free = ~scanned if profile_others else np.zeros_like(scanned)
    nll, pts = _profile(model, data, pts, free)
    nll_min, x = _global_min(model, data, nll, pts, _all(model) if profile_others else scanned)
    best = dict(zip(model.operators, x.tolist(), strict=True))
    delta = np.maximum(2.0 * (nll - nll_min), 0.0)
    return Scan1D(operator, g, delta, pts, best, float(model.nll(x, data)[0]), profile_others)


@dataclass(frozen=True)
class Interval:
    """Confidence interval (1) of one coefficient: the union of ``pieces`` [(low, high), …];
    ``low``/``high`` are its outer ends. ``within_grid`` is False when an end is the edge of
    the scanned range (the true interval extends beyond it)."""

    operator: str
    cl: float
    threshold: float
    best: float
    pieces: tuple[tuple[float, float], ...]
    within_grid: bool
    method: str

    @property
    def low(self) -> float:
        return self.pieces[0][0]

    @property
    def high(self) -> float:
        return self.pieces[-1][1]

    def __repr__(self) -> str:
        union = " ∪ ".join(f"[{lo:.4g}, {hi:.4g}]" for lo, hi in self.pieces)
        edge = "" if self.within_grid else " (reaches the scan edge)"
        return f"Interval({self.operator} ∈ {union} at {100 * self.cl:g}% CL{edge})"

    def to_dict(self) -> dict:
        return {
            "operator": self.operator,
            "cl": self.cl,
            "threshold": self.threshold,
            "best": self.best,
            "low": self.low,
            "high": self.high,
            "pieces": [list(p) for p in self.pieces],
            "within_grid": self.within_grid,
            "method": self.method,
        }


def interval(scan: Scan1D, cl: float = 0.68, method: str = "cubic") -> Interval:
    """Pieces of {Δ(−2 ln L) ≤ F⁻¹_{χ²(1)}(cl)}, eq. (1), from the scan's grid crossings.

    ``method`` "cubic" solves a cubic spline through Δ for the crossings (falls back to
    "linear" if some Δ is +inf); "linear" interpolates between the two grid points.
    """
    if not 0.0 < cl < 1.0:
        raise ValueError(f"cl = {cl} must lie in (0, 1)")
    if method not in ("cubic", "linear"):
        raise ValueError(f"method must be 'cubic' or 'linear', not {method!r}")
    t, x, d = float(chi2.ppf(cl, 1)), scan.grid, scan.delta
    inside = d <= t
    if not inside.any():
        raise ValueError(f"no grid point has Δ ≤ {t:.4g}: refine the grid around the minimum")
    if method == "cubic" and not np.all(np.isfinite(d)):
        method = "linear"
    spline = CubicSpline(x, d) if method == "cubic" else None

    def crossing(i: int) -> float:  # between grid[i] and grid[i + 1]
        if not np.isfinite(d[i : i + 2]).all():  # the domain ends: keep the inside point
            return float(x[i] if inside[i] else x[i + 1])
        if spline is None:
            return float(x[i] + (x[i + 1] - x[i]) * (t - d[i]) / (d[i + 1] - d[i]))
        return float(brentq(lambda u: spline(u) - t, x[i], x[i + 1], xtol=1e-12))

    edges = np.diff(inside.astype(int))  # +1: enters at i+1, −1: leaves after i
    lows = [float(x[0])] if inside[0] else []
    lows += [crossing(int(i)) for i in np.flatnonzero(edges == 1)]
    highs = [crossing(int(i)) for i in np.flatnonzero(edges == -1)]
    highs += [float(x[-1])] if inside[-1] else []
    pieces = tuple(zip(lows, highs, strict=True))
    within = not (inside[0] or inside[-1])
    return Interval(scan.operator, cl, t, scan.best[scan.operator], pieces, within, method)


@dataclass(frozen=True, eq=False)
class Scan2D:
    """Δ(−2 ln L) (G_a, G_b) over ``grid_a`` × ``grid_b``; ``levels`` maps CL to the χ²(2)
    quantile (eq. (1) with m = 2) whose contour bounds the confidence region."""

    operators: tuple[str, str]
    grid_a: np.ndarray
    grid_b: np.ndarray
    delta: np.ndarray
    best: dict[str, float]
    nll_min: float
    levels: dict[float, float]

    def __repr__(self) -> str:
        a, b = self.operators
        return (
            f"Scan2D({a} × {b} on {self.grid_a.size} × {self.grid_b.size} points, "
            f"best {self.best}, −ln L = {self.nll_min:.6g})"
        )

    def inside(self, cl: float) -> np.ndarray:
        """Grid points inside the confidence region at ``cl``, bool (G_a, G_b)."""
        return self.delta <= chi2.ppf(cl, 2)

    def to_dict(self) -> dict:
        return {
            "operators": list(self.operators),
            "grid_a": self.grid_a.tolist(),
            "grid_b": self.grid_b.tolist(),
            "delta": _json(self.delta),
            "best": self.best,
            "nll_min": self.nll_min,
            "levels": {str(k): v for k, v in self.levels.items()},
        }


def profile_scan_2d(
    model: BinnedPolynomialModel,
    data: BinnedData | ArrayLike,
    operators: Sequence[str],
    grid_a: ArrayLike,
    grid_b: ArrayLike,
    *,
    profile_others: bool = True,
    cls: Sequence[float] = (0.68, 0.95),
) -> Scan2D:
    """Δ(−2 ln L)(c_a, c_b) on a grid, the others profiled (MIGRAD) or fixed at 0."""
    if len(operators) != 2 or operators[0] == operators[1]:
        raise ValueError(f"give two different operators, got {operators}")
    data = _data(model, data)
    ia, ib = (_index(model, op) for op in operators)
    ga, gb = _grid(grid_a, "grid_a"), _grid(grid_b, "grid_b")
    pts = np.zeros((ga.size * gb.size, len(model.operators)))
    pts[:, ia], pts[:, ib] = np.repeat(ga, gb.size), np.tile(gb, ga.size)
    scanned = np.isin(np.arange(len(model.operators)), (ia, ib))
    nll, pts = _profile(model, data, pts, ~scanned if profile_others else np.zeros_like(scanned))
    nll_min, x = _global_min(model, data, nll, pts, _all(model) if profile_others else scanned)
    delta = np.maximum(2.0 * (nll - nll_min), 0.0).reshape(ga.size, gb.size)
    best = dict(zip(model.operators, x.tolist(), strict=True))
    levels = {float(cl): float(chi2.ppf(cl, 2)) for cl in cls}
    nll_best = float(model.nll(x, data)[0])
    return Scan2D((operators[0], operators[1]), ga, gb, delta, best, nll_best, levels)
