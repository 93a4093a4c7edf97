"""The negative-density diagnostic of learned likelihood ratios.

A learned r(x, c) = 1 + Σ_t k_t(c) r_t(x) is a polynomial in c with learned coefficients; unlike
the true w(c)/w_sm it can become ≤ 0: the "negative density" problem of ML4EFT (arXiv:2211.02058),
where the logarithm in the unbinned likelihood is then undefined. This module counts such
events per c point; it never clips.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike

from ._targets import Array, format_point


class _RatioModel(Protocol):
    operators: Any

    def predict_ratio(self, X: ArrayLike, c_points: ArrayLike) -> Any: ...


@dataclass(frozen=True)
class NegativeDensityReport:
    """Events with r(x, c) ≤ 0 per c point.

    Attributes
    ----------
    operators : tuple of str
        Names of the columns of ``c_points``.
    c_points : ndarray, shape (P, n_operators)
    n_events : int
        Events evaluated.
    n_nonpositive : ndarray of int, shape (P,)
        Events with r(x, c) ≤ 0 at each point.
    fraction : ndarray, shape (P,)
        ``n_nonpositive / n_events``.
    min_ratio : ndarray, shape (P,)
        Smallest r(x, c) at each point.
    """

    operators: tuple[str, ...]
    c_points: Array
    n_events: int
    n_nonpositive: np.ndarray
    fraction: Array
    min_ratio: Array

    @property
    def ok(self) -> bool:
        """True when r(x, c) > 0 for every event and point."""
        return not self.n_nonpositive.any()

    def to_dict(self) -> dict[str, Any]:
        return {
            "operators": list(self.operators),
            "c_points": self.c_points.tolist(),
            "n_events": self.n_events,
            "n_nonpositive": self.n_nonpositive.tolist(),
            "fraction": self.fraction.tolist(),
            "min_ratio": self.min_ratio.tolist(),
        }

    def __repr__(self) -> str:
        lines = [f"NegativeDensityReport({self.n_events} events, r(x, c) ≤ 0 at:"]
        for p in range(self.c_points.shape[0]):
            lines.append(
                f"  c = {format_point(self.operators, self.c_points[p])}: "
                f"{int(self.n_nonpositive[p])} ({self.fraction[p]:.3%}), "
                f"min r = {self.min_ratio[p]:.4g}"
            )
        return "\n".join(lines) + ")"


def negative_density_report(
    model: _RatioModel, X: ArrayLike, c_points: ArrayLike
) -> NegativeDensityReport:
    """Count the events with learned r(x, c) ≤ 0 at each c point.

    Parameters
    ----------
    model : fitted ratio learner or ReplicaEnsemble
        Anything with ``operators`` and ``predict_ratio(X, c_points)``; for an ensemble the
        median over replicas is tested.
    X : array-like, shape (n_samples, n_features)
    c_points : array-like, shape (P, n_operators)

    Returns
    -------
    NegativeDensityReport
    """
    ops = tuple(model.operators)
    ratio = model.predict_ratio(X, c_points)  # validates the shapes
    c = np.atleast_2d(np.asarray(c_points, dtype=np.float64))
    ratio = np.asarray(getattr(ratio, "median", ratio))
    bad = (ratio <= 0).sum(axis=0)
    return NegativeDensityReport(
        operators=ops,
        c_points=c,
        n_events=int(ratio.shape[0]),
        n_nonpositive=bad.astype(np.int64),
        fraction=bad / ratio.shape[0],
        min_ratio=ratio.min(axis=0),
    )
