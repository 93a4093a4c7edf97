"""The significance-driven slope–intercept scan of straight-line regions (paper §IV.B).

Inside one p_T(Z) slice a region is m_ZH > a·p_T + c (a dimensionless, c in GeV). For a
fixed slope a it holds exactly the events with u = m_ZH − a·p_T > c, so every distinct region
of that slope is a prefix of the events sorted by u: one sort and two cumulative sums give
(s, b) of all of them, eq. (8) is evaluated on them at once (:func:`best_prefix` skips
blocks of prefixes that provably cannot win), and the intercept found is the exact optimum
for that slope — no intercept grid (:func:`._threshold.cumulative_yields`). Cost
O(N log N) per slope; the Python loop runs over slopes only. The paper's Table II and
Fig. 1 are a scan around the SVM seed; here the intercept is optimal and the slopes are given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..stats import NotEvaluable, asimov_z
from ._line import LinearBoundary
from ._threshold import check_epsilon, check_events, cumulative_yields, region_z

_PRUNE_BLOCK = 512
"""Prefixes per block in :func:`best_prefix`'s bound."""


def best_prefix(
    s: np.ndarray, b: np.ndarray, epsilon: float, min_background: float, b_nonnegative: bool
) -> int | None:
    """Index of the prefix region (cumulative yields ``s``, ``b``) of largest Z_A, or None.

    Exact, with branch and bound when b is non-decreasing (all per-event b ≥ 0): Z_A grows
    with s and, for s > 0, falls with b, so inside a block of prefixes
    Z ≤ Z_A(max(s_max, 0), b_first). Only blocks whose bound reaches the best Z found at the
    block ends are evaluated in full — typically a few of them, saving most of eq. (8).
    """
    n = len(s)
    if not b_nonnegative or n <= 8 * _PRUNE_BLOCK:
        z = region_z(s, b, epsilon, min_background)
        return None if np.isnan(z).all() else int(np.nanargmax(z))
    starts = np.arange(0, n, _PRUNE_BLOCK)
    ends = np.minimum(starts + _PRUNE_BLOCK - 1, n - 1)
    z_ends = region_z(s[ends], b[ends], epsilon, min_background)
    found = -np.inf if np.isnan(z_ends).all() else float(np.nanmax(z_ends))
    bound = asimov_z(np.maximum(np.maximum.reduceat(s, starts), 0.0), b[starts], epsilon)
    bound[np.isnan(bound)] = np.inf  # b_first = 0: no bound
    bound[b[ends] <= min_background] = -np.inf  # the whole block is excluded
    keep = np.repeat(bound >= found - 1e-9 * abs(found), _PRUNE_BLOCK)[:n]
    z = region_z(s[keep], b[keep], epsilon, min_background)
    return None if np.isnan(z).all() else int(np.flatnonzero(keep)[np.nanargmax(z)])


def _json_floats(a: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else v for v in a.tolist()]


@dataclass(frozen=True, eq=False)
class LineScan:
    """Best region m_ZH > a·p_T + c per slope a, and the best over all slopes.

    Attributes
    ----------
    slopes : ndarray, shape (n_slopes,)
        The slopes a scanned (GeV of m_ZH per GeV of p_T).
    best_intercepts_GeV, best_z, best_s, best_b : ndarray, shape (n_slopes,)
        Per slope: the optimal intercept c [GeV], its Z_A and yields [events]; NaN where no
        region of that slope is evaluable. The intercept is the midpoint between the u of the
        last included and the first excluded event (the u of the lowest event − 1 GeV when
        the region holds every event).
    slope, intercept_GeV, z, s, b : float
        The global best (the first slope in case of equal Z).
    epsilon : float
        Fractional background uncertainty ε of eq. (8).
    min_background : float
        Regions with b ≤ this [events] were not considered.
    """

    slopes: np.ndarray
    best_intercepts_GeV: np.ndarray
    best_z: np.ndarray
    best_s: np.ndarray
    best_b: np.ndarray
    slope: float
    intercept_GeV: float
    z: float
    s: float
    b: float
    epsilon: float
    min_background: float = 0.0
    _events: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"LineScan(m_ZH > {self.slope:.6g}·pT + {self.intercept_GeV:.6g} GeV: "
            f"Z = {self.z:.4g}, s = {self.s:.6g}, b = {self.b:.6g} events, ε = {self.epsilon:g};"
            f" {len(self.slopes)} slopes on {len(self._events.get('pt', ()))} events)"
        )

    def boundary(self) -> LinearBoundary:
        """The best line as a :class:`LinearBoundary` (region above the line)."""
        return LinearBoundary(slope=self.slope, intercept_GeV=self.intercept_GeV, above=True)

    def landscape(self, intercepts_GeV: ArrayLike) -> np.ndarray:
        """Z_A on the grid (scanned slopes) × ``intercepts_GeV``, shape (n_slopes, n_int).

        For each slope the events are binned at the sorted intercepts (``np.searchsorted``)
        and the yields of all regions u > c follow from one reversed cumulative sum: O(N log M)
        per slope, no mask per grid point and no re-sort. NaN where not evaluable or
        b ≤ min_background. For the heat map of the paper's Fig. 1.
        """
        c = np.asarray(intercepts_GeV, dtype=float)
        if c.ndim != 1 or not np.isfinite(c).all():
            raise ValueError("intercepts_GeV must be a 1-D array of finite values")
        order = np.argsort(c)
        cs = c[order]
        ev = self._events
        out = np.empty((len(self.slopes), len(c)))
        for i, a in enumerate(self.slopes):
            # events with u > c_j for j < idx: bin at idx, then sum the bins ≥ j + 1
            idx = np.searchsorted(cs, ev["mzh"] - a * ev["pt"], side="left")
            ys = np.cumsum(np.bincount(idx, ev["s"], len(c) + 1)[::-1])[::-1][1:]
            yb = np.cumsum(np.bincount(idx, ev["b"], len(c) + 1)[::-1])[::-1][1:]
            out[i, order] = region_z(ys, yb, self.epsilon, self.min_background)
        return out

    def to_dict(self) -> dict:
        """JSON-ready form; per-slope values that are not evaluable are ``None``."""
        return {
            "definition": "m_ZH > slope * pt_Z + intercept_GeV",
            "slope": self.slope,
            "intercept_GeV": self.intercept_GeV,
            "z": self.z,
            "s": self.s,
            "b": self.b,
            "epsilon": self.epsilon,
            "min_background": self.min_background,
            "per_slope": {
                "slopes": self.slopes.tolist(),
                "intercepts_GeV": _json_floats(self.best_intercepts_GeV),
                "z": _json_floats(self.best_z),
                "s": _json_floats(self.best_s),
                "b": _json_floats(self.best_b),
            },
        }


def scan_lines(
    pt: ArrayLike,
    mzh: ArrayLike,
    s: ArrayLike,
    b: ArrayLike,
    slopes: ArrayLike,
    epsilon: float,
    *,
    min_background: float = 0.0,
) -> LineScan:
    """For each slope a, the intercept c [GeV] maximising Z_A of m_ZH > a·p_T + c.

    Parameters
    ----------
    pt, mzh : array_like, shape (N,)
        p_T(Z) and m_ZH of the events [GeV].
    s, b : array_like, shape (N,)
        Per-event signal and background yields [events] (weight × luminosity); s may be
        negative.
    slopes : array_like, shape (n_slopes,)
        Slopes a to scan (dimensionless).
    epsilon : float
        Fractional background uncertainty ε = σ_b/b (eq. (8); 0 gives eq. (7)).
    min_background : float, keyword-only
        Regions with b ≤ min_background [events] (and always b ≤ 0) are not considered.

    Returns
    -------
    LineScan
        Exact optimum per slope (ties in u kept together) and the global best. Applying the
        returned line with ``m_ZH − a·p_T > c`` reproduces its yields; events within
        floating-point round-off of the line may flip if it is written m_ZH > a·p_T + c.

    Raises
    ------
    NotEvaluable
        If no region of any slope has an evaluable significance (e.g. all b are zero).
    """
    eps, mb = check_epsilon(epsilon, min_background)
    ev = check_events(pt=pt, mzh=mzh, s=s, b=b)
    a = np.asarray(slopes, dtype=float)
    if a.ndim != 1 or a.size == 0 or not np.isfinite(a).all():
        raise ValueError("slopes must be a non-empty 1-D array of finite values")
    best = np.full((4, a.size), np.nan)  # intercept, z, s, b
    yields = np.stack((ev["s"], ev["b"]))
    b_nonnegative = bool((ev["b"] >= 0).all())
    for i, slope in enumerate(a):
        cy = cumulative_yields(ev["mzh"] - slope * ev["pt"], yields)
        k = best_prefix(cy.s, cy.b, eps, mb, b_nonnegative)
        if k is not None:
            best[:, i] = cy.cuts(np.array([k]))[0], np.nan, cy.s[k], cy.b[k]
            best[1, i] = region_z(cy.s[k : k + 1], cy.b[k : k + 1], eps, mb)[0]
    if np.isnan(best[1]).all():
        raise NotEvaluable(
            f"no line region has an evaluable significance for any of {a.size} slopes "
            f"(total background {ev['b'].sum():g} events, min_background {mb:g}): "
            "zero expected background?"
        )
    j = int(np.nanargmax(best[1]))
    c, z, s_, b_ = (float(v) for v in best[:, j])
    kept = {k: v.copy() for k, v in ev.items()}  # for landscape(); immune to caller edits
    intercepts, z_best, s_best, b_best = best
    return LineScan(a, intercepts, z_best, s_best, b_best, float(a[j]), c, z, s_, b_, eps, mb, kept)
