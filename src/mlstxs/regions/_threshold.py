"""The best single region of the form ``key > t``: DNN-score thresholds and the oracle.

Every distinct region ``key > t`` holds the events with the k largest keys, for some k.
Sorting the events by key (descending) and taking cumulative sums of the signal and
background yields therefore gives (s, b) of *all* distinct regions at once; eq. (8) of the
paper (:func:`mlstxs.stats.asimov_z`) is evaluated on all of them and the best is kept.
Events with equal keys are always included or excluded together. O(N log N).

Used with the per-event truth likelihood ratio w(c)/w_SM as key (the "oracle": by the
Neyman–Pearson lemma the best single region of any shape, since Z_A grows with s at fixed b —
in the continuum limit; for weighted events every region's (b, s) lies below the hull of the
ratio-ordered prefixes, and for ε = 0, where q₀ is jointly convex in (s, b), the oracle is
exactly optimal) and with a classifier score (the learned optimum); :mod:`._scan` applies it
to u = m_ZH − a·p_T for straight lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..physics import check_luminosity, events_per_pb
from ..stats import NotEvaluable, asimov_z


@dataclass(frozen=True, eq=False)
class CumulativeYields:
    """(s, b) [events] of every distinct region ``key > t``, largest key first.

    Attributes
    ----------
    key : ndarray, shape (N,)
        The event keys sorted in decreasing order.
    last : ndarray or None
        Index into ``key`` of the last event of each region (the end of a group of equal
        keys); ``None`` when there are no ties, i.e. region i ends at event i.
    s, b : ndarray, shape (n_regions,)
        Cumulative yields of the regions.
    """

    key: np.ndarray
    last: np.ndarray | None
    s: np.ndarray
    b: np.ndarray

    def cuts(self, regions: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Cut values t of the ``regions`` (indices): ``key > t`` selects exactly them.

        t is the midpoint between the smallest included and the largest excluded key;
        where that rounds onto either key or is not finite (±∞ keys), the excluded key
        itself, or if there is none (the all-events region) or it is −∞, the included key − 1
        (in the key's units).
        """
        n = len(self.key)
        p = (np.arange(len(self.s)) if self.last is None else self.last)[regions]
        hi = self.key[p]
        lo = np.where(p + 1 < n, self.key[np.minimum(p + 1, n - 1)], -np.inf)
        with np.errstate(invalid="ignore", over="ignore"):
            mid = lo + 0.5 * (hi - lo)
            fallback = np.where(np.isfinite(lo), lo, np.where(np.isfinite(hi), hi - 1.0, 0.0))
            return np.where(np.isfinite(mid) & (mid < hi) & (mid > lo), mid, fallback)


def cumulative_yields(key: np.ndarray, yields: np.ndarray) -> CumulativeYields:
    """Sort + cumulative sums over events: the yields of all distinct regions ``key > t``.

    ``key`` is a 1-D array over events (not NaN; ±∞ allowed), ``yields`` the (2, N) array of
    per-event (s, b) [events] (stacked once by the caller: one gather and one cumulative sum
    for both). Events with equal keys are never separated. No region ends at a key −∞ (no
    cut includes it).
    """
    order = np.argsort(key)[::-1]
    k = key[order]
    cum = np.cumsum(np.take(yields, order, axis=1), axis=1)
    ends = np.append(k[:-1] > k[1:], k[-1] > -np.inf)
    if ends.all():  # no ties: skip the gathers (the common case for continuous keys)
        return CumulativeYields(k, None, cum[0], cum[1])
    last = np.flatnonzero(ends)
    return CumulativeYields(k, last, cum[0, last], cum[1, last])


def region_z(
    s: np.ndarray, b: np.ndarray, epsilon: float, min_background: float = 0.0
) -> np.ndarray:
    """Z_A of regions with yields s, b [events]; NaN (excluded from any maximisation) where
    b ≤ max(min_background, 0) or the significance is not evaluable."""
    z = asimov_z(s, b, epsilon)
    z[b <= min_background] = np.nan
    return z


def check_events(**columns: ArrayLike) -> dict[str, np.ndarray]:
    """The per-event columns as finite 1-D float arrays of one common, non-zero length."""
    out = {name: np.asarray(v, dtype=float) for name, v in columns.items()}
    n = {v.shape for v in out.values()}
    if len(n) != 1 or len(next(iter(n))) != 1 or next(iter(n))[0] == 0:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in out.items())
        raise ValueError(f"per-event inputs must be 1-D arrays of one non-zero length: {shapes}")
    for name, v in out.items():
        if not np.isfinite(v).all():
            raise ValueError(f"'{name}' has {int((~np.isfinite(v)).sum())} NaN or infinite entries")
    return out


def check_epsilon(epsilon: float, min_background: float) -> tuple[float, float]:
    """Validated (ε, min_background): finite, non-negative."""
    eps, mb = float(epsilon), float(min_background)
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"epsilon must be finite and ≥ 0, got {epsilon}")
    if not (math.isfinite(mb) and mb >= 0):
        raise ValueError(f"min_background must be finite and ≥ 0 events, got {min_background}")
    return eps, mb


@dataclass(frozen=True, eq=False)
class ThresholdResult:
    """The best region ``score > threshold`` and the Z_A curve of all distinct thresholds.

    Attributes
    ----------
    threshold : float
        Best cut on the score (score units; for the oracle the ratio w(c)/w_SM).
    z, s, b : float
        Z_A and yields [events] of the best region.
    epsilon : float
        Fractional background uncertainty ε of eq. (8).
    thresholds, z_curve, s_curve, b_curve : ndarray
        Every distinct threshold (decreasing) with its Z_A (NaN: not evaluable or below
        ``min_background``) and yields, for plots like the paper's Fig. 3.
    """

    threshold: float
    z: float
    s: float
    b: float
    epsilon: float
    thresholds: np.ndarray = field(repr=False)
    z_curve: np.ndarray = field(repr=False)
    s_curve: np.ndarray = field(repr=False)
    b_curve: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"ThresholdResult(score > {self.threshold:.6g}: Z = {self.z:.4g}, s = {self.s:.6g}, "
            f"b = {self.b:.6g} events, ε = {self.epsilon:g}; {len(self.thresholds)}-point curve)"
        )

    def to_dict(self, curve: bool = False) -> dict:
        """JSON-ready summary; with ``curve=True`` also the full curve (one entry per
        distinct score: large for big samples). Non-evaluable curve points are ``None``."""
        out: dict[str, Any] = {
            "threshold": self.threshold,
            "z": self.z,
            "s": self.s,
            "b": self.b,
            "epsilon": self.epsilon,
        }
        if curve:
            out["curve"] = {
                "thresholds": self.thresholds.tolist(),
                "z": [None if math.isnan(v) else v for v in self.z_curve.tolist()],
                "s": self.s_curve.tolist(),
                "b": self.b_curve.tolist(),
            }
        return out


def best_threshold(
    score: ArrayLike,
    s: ArrayLike,
    b: ArrayLike,
    epsilon: float,
    *,
    min_background: float = 0.0,
) -> ThresholdResult:
    """The region ``score > t`` of largest Z_A (eq. (8); eq. (7) for ε = 0).

    Parameters
    ----------
    score : array_like, shape (N,)
        Per-event ranking variable (not NaN; ±∞ allowed).
    s, b : array_like, shape (N,)
        Per-event signal and background yields [events] (weight × luminosity); s may be
        negative.
    epsilon : float
        Fractional background uncertainty ε = σ_b/b.
    min_background : float, keyword-only
        Regions with b ≤ min_background [events] (and always b ≤ 0) are not considered.

    Raises
    ------
    NotEvaluable
        If no region has an evaluable significance (e.g. all background weights zero).
    """
    eps, mb = check_epsilon(epsilon, min_background)
    score = np.asarray(score, dtype=float)
    if np.isnan(score).any():
        raise ValueError(f"score has {int(np.isnan(score).sum())} NaN entries")
    ev = check_events(s=s, b=b)
    if score.shape != ev["s"].shape:
        raise ValueError(f"score has shape {score.shape}, the yields {ev['s'].shape}")
    cy = cumulative_yields(score, np.stack((ev["s"], ev["b"])))
    z = region_z(cy.s, cy.b, eps, mb)
    if np.isnan(z).all():
        raise NotEvaluable(
            f"no threshold region has an evaluable significance (total background "
            f"{ev['b'].sum():g} events, min_background {mb:g}): zero expected background?"
        )
    i = int(np.nanargmax(z))
    cut = cy.cuts()
    return ThresholdResult(
        float(cut[i]), float(z[i]), float(cy.s[i]), float(cy.b[i]), eps, cut, z, cy.s, cy.b
    )


def oracle_region(
    w_sm: ArrayLike, w_c: ArrayLike, luminosity_fb: float, epsilon: float
) -> ThresholdResult:
    """The Neyman–Pearson optimal single region: a cut on the truth ratio w(c)/w_SM.

    Parameters
    ----------
    w_sm, w_c : array_like, shape (N,)
        Per-event weights [pb] in the SM and at the Wilson-coefficient point c (w_sm ≥ 0).
    luminosity_fb : float
        Integrated luminosity L [fb⁻¹]; yields are w·L·1000 events (1 pb = 1000 fb).
    epsilon : float
        Fractional background uncertainty ε.

    Returns
    -------
    ThresholdResult
        With s = (w_c − w_sm)·L·1000, b = w_sm·L·1000 and score w_c/w_sm. Events with
        w_sm = 0 get score +∞ (w_c > 0), −∞ (w_c < 0) or 1 (w_c = 0, no yield at all).
    """
    ev = check_events(w_sm=w_sm, w_c=w_c)
    w0, w1 = ev["w_sm"], ev["w_c"]
    if (w0 < 0).any():
        raise ValueError(f"w_sm has {int((w0 < 0).sum())} negative SM weights")
    scale = events_per_pb(check_luminosity(luminosity_fb))
    pos = w0 > 0
    ratio = np.where(w1 > 0, np.inf, np.where(w1 < 0, -np.inf, 1.0))  # for w_sm = 0
    np.divide(w1, w0, out=ratio, where=pos)
    return best_threshold(ratio, (w1 - w0) * scale, w0 * scale, epsilon)
