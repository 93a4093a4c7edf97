"""STXS p_T(Z) slices of q q̄ → ZH, Z → ℓℓ.

STXS stage 1.2 (LHCHXSWG, arXiv:1906.02754, and the stage-1.2 note CERN-LPCC-2019-xx) splits
``QQ2HLL`` by the reconstructed-Z transverse momentum p_T^V into
[0, 75), [75, 150), [150, 250), [250, 400) and [400, ∞) GeV, and the [150, 250) bin further by
jet multiplicity (0 jets, ≥ 1 jet). At leading order there are no extra jets, so the two
150–250 GeV bins are merged here. The region study uses the four slices above 75 GeV, as the
paper of reference (its eq. (5)); the [0, 75) bin carries little SMEFT sensitivity.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STXS_SLICE_EDGES_GEV: tuple[float, ...] = (75.0, 150.0, 250.0, 400.0, math.inf)
"""Default slice edges in GeV: four slices, the last one open-ended."""


@dataclass(frozen=True)
class PtSlice:
    """A p_T(Z) slice [low, high) in GeV (``high`` may be ∞)."""

    low_GeV: float
    high_GeV: float

    def __post_init__(self) -> None:
        if not (0 <= self.low_GeV < self.high_GeV):
            raise ValueError(f"invalid slice [{self.low_GeV}, {self.high_GeV}) GeV")

    @property
    def label(self) -> str:
        """Short label, e.g. ``[150,250]`` or ``[400,inf]``."""
        hi = "inf" if math.isinf(self.high_GeV) else f"{self.high_GeV:g}"
        return f"[{self.low_GeV:g},{hi}]"

    def contains(self, pt_GeV: np.ndarray) -> np.ndarray:
        """Boolean mask of p_T(Z) values inside the slice."""
        pt = np.asarray(pt_GeV)
        return (pt >= self.low_GeV) & (pt < self.high_GeV)

    def to_dict(self) -> dict:
        return {
            "variable": "pt_Z",
            "low_GeV": self.low_GeV,
            "high_GeV": None if math.isinf(self.high_GeV) else self.high_GeV,
        }


def pt_slices(edges_GeV: Sequence[float] = STXS_SLICE_EDGES_GEV) -> tuple[PtSlice, ...]:
    """Consecutive slices from bin edges in GeV (strictly increasing, at least two)."""
    edges = [float(e) for e in edges_GeV]
    if len(edges) < 2 or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"slice edges must be strictly increasing, got {edges}")
    return tuple(PtSlice(a, b) for a, b in itertools.pairwise(edges))
