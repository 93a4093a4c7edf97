"""Straight-line regions in the (p_T^Z, m_ZH) plane."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinearBoundary:
    """The region m_ZH > a·p_T^Z + b (``above=True``) or m_ZH < a·p_T^Z + b (``above=False``).

    The paper's published lines (``mlstxs.study._paper``, its Tables I–IV) have steep negative
    slopes (a ≈ −8 … −96, b ≈ 6000–16000 GeV); with ``above=True`` they select the region
    above a falling line, the high-p_T^Z / high-m_ZH corner that the paper calls
    EFT-enriched (its eq. (10): "m_ZH > f").

    Attributes
    ----------
    slope : float
        a, dimensionless (GeV of m_ZH per GeV of p_T^Z).
    intercept_GeV : float
        b in GeV.
    above : bool
        Whether the region lies above the line (the SMEFT-enriched side in the paper).
    """

    slope: float
    intercept_GeV: float
    above: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.slope) and math.isfinite(self.intercept_GeV)):
            raise ValueError(
                f"line parameters must be finite, got {self.slope}, {self.intercept_GeV}"
            )

    def contains(self, pt_GeV: np.ndarray, mzh_GeV: np.ndarray) -> np.ndarray:
        """Boolean mask of events inside the region."""
        u = np.asarray(mzh_GeV) - self.slope * np.asarray(pt_GeV)
        return u > self.intercept_GeV if self.above else u < self.intercept_GeV

    @classmethod
    def from_standardized(
        cls, coef: np.ndarray, intercept: float, mean: np.ndarray, scale: np.ndarray
    ) -> LinearBoundary:
        """The region w·z + c > 0 in standardised coordinates z = (x − mean)/scale,
        x = (p_T^Z, m_ZH), expressed in physical units.

        With A = w₁/σ₁, B = w₂/σ₂ and C = c − A μ₁ − B μ₂ the region is A p_T + B m + C > 0,
        i.e. m > (−A/B) p_T − C/B for B > 0 (``above``) and m < … for B < 0.
        """
        w = np.asarray(coef, dtype=float).ravel()
        A, B = w[0] / scale[0], w[1] / scale[1]
        C = float(intercept) - A * mean[0] - B * mean[1]
        if B == 0:
            raise ValueError("the boundary is vertical in m_ZH: not of the form m_ZH = a·p_T + b")
        return cls(slope=float(-A / B), intercept_GeV=float(-C / B), above=bool(B > 0))

    def to_standardized(self, mean: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, float]:
        """Coefficients (w, c) with unit-norm w of the same region in standardised coordinates."""
        sign = 1.0 if self.above else -1.0
        A, B, C = -self.slope * sign, sign, -self.intercept_GeV * sign
        w = np.array([A * scale[0], B * scale[1]])
        c = C + A * mean[0] + B * mean[1]
        norm = float(np.hypot(*w))
        return w / norm, c / norm

    def to_dict(self) -> dict:
        return {
            "definition": "m_ZH > a * pt_Z + b" if self.above else "m_ZH < a * pt_Z + b",
            "slope": self.slope,
            "intercept_GeV": self.intercept_GeV,
            "above": self.above,
        }
