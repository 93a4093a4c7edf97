"""Observables compared in the SMEFT fits: each one a partition of the events into bins.

Every function maps per-event (p_T^Z, m_ZH) in GeV to a bin index (−1 = outside every bin).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..physics import events_per_pb, expected_events
from ..regions import LinearBoundary, pt_slices

FINE_PT_EDGES_GEV: tuple[float, ...] = (
    75,
    100,
    125,
    150,
    175,
    200,
    250,
    300,
    350,
    400,
    450,
    500,
    600,
    700,
    850,
    1000,
    1250,
    np.inf,
)
"""A fine p_T(Z) binning above 75 GeV (GeV)."""


@dataclass(frozen=True)
class Binning:
    """A named partition: ``index`` per event and a label per bin."""

    name: str
    index: np.ndarray
    labels: tuple[str, ...]

    @property
    def n_bins(self) -> int:
        return len(self.labels)


def _digitize(x: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    idx = np.digitize(x, edges) - 1
    return np.where((idx >= 0) & (idx < len(edges) - 1), idx, -1)


def stxs_binning(pt: np.ndarray, mzh: np.ndarray, edges=None, **_) -> Binning:
    """The STXS p_T(Z) slices (default [75,150], [150,250], [250,400], [400,∞) GeV)."""
    slices = pt_slices(edges) if edges is not None else pt_slices()
    e = [s.low_GeV for s in slices] + [slices[-1].high_GeV]
    return Binning("STXS", _digitize(pt, e), tuple(s.label for s in slices))


def region_binning(
    pt: np.ndarray, mzh: np.ndarray, lines: Sequence[LinearBoundary] | None = None, edges=None, **_
) -> Binning:
    """Each STXS slice split in two by its designed line (inside / outside the region)."""
    if lines is None:
        raise ValueError("the ML-region binning needs one line per slice (from a region study)")
    base = stxs_binning(pt, mzh, edges)
    if len(lines) != base.n_bins:
        raise ValueError(f"expected {base.n_bins} lines, one per slice, got {len(lines)}")
    inside = np.zeros(len(pt), dtype=bool)
    for k, line in enumerate(lines):
        sel = base.index == k
        inside[sel] = line.contains(pt[sel], mzh[sel])
    index = np.where(base.index >= 0, 2 * base.index + inside, -1)
    labels = tuple(f"{lab} {side}" for lab in base.labels for side in ("outside", "inside"))
    return Binning("ML regions", index, labels)


def fine_pt_binning(pt: np.ndarray, mzh: np.ndarray, fine_edges=FINE_PT_EDGES_GEV, **_) -> Binning:
    """A fine binning in p_T(Z) alone."""
    labels = tuple(f"[{a:g},{b:g}]" for a, b in itertools.pairwise(fine_edges))
    return Binning("fine pT(Z)", _digitize(pt, fine_edges), labels)


GRID_PT_EDGES_GEV: tuple[float, ...] = (75.0, 150.0, 250.0, 400.0, 600.0, np.inf)
"""p_T(Z) edges of the 2-D grid: the STXS slices with the open slice split at 600 GeV."""


def grid_2d_binning(
    pt: np.ndarray, mzh: np.ndarray, weights=None, n_mzh: int = 6, pt_edges=GRID_PT_EDGES_GEV, **_
) -> Binning:
    """A 2-D (p_T^Z, m_ZH) grid that refines the STXS slices: in each p_T bin, ``n_mzh`` m_ZH
    bins with equal SM cross section (weighted quantiles of that p_T bin)."""
    w = np.ones(len(pt)) if weights is None else np.asarray(weights)
    i_pt = _digitize(pt, pt_edges)
    index = np.full(len(pt), -1)
    labels: list[str] = []
    for k in range(len(pt_edges) - 1):
        sel = np.flatnonzero(i_pt == k)
        if sel.size == 0:
            continue
        order = sel[np.argsort(mzh[sel])]
        cdf = np.cumsum(w[order]) / w[order].sum()
        cuts = np.unique(mzh[order][np.searchsorted(cdf, np.linspace(0, 1, n_mzh + 1)[1:-1])])
        j = np.searchsorted(cuts, mzh[sel], side="right")
        index[sel] = len(labels) + j
        lo = pt_edges[k]
        labels += [f"pT[{lo:g},{pt_edges[k + 1]:g}] m{q}" for q in range(len(cuts) + 1)]
    return Binning("2-D (pT, m_ZH)", index, tuple(labels))


BINNINGS: dict[str, Callable[..., Binning]] = {
    "STXS": stxs_binning,
    "ML regions": region_binning,
    "fine pT(Z)": fine_pt_binning,
    "2-D (pT, m_ZH)": grid_2d_binning,
}
"""Binned observables compared in the fits, by name."""


def binned_fisher(
    index: np.ndarray, n_bins: int, w_lin: np.ndarray, w_sm: np.ndarray, lumi_fb: float
) -> np.ndarray:
    """Fisher information at c = 0 of a binned Poisson likelihood:
    I_ab = Σ_k ∂_a ν_k ∂_b ν_k / ν_k, with ν_k = L·Σ_{i∈k} w_i (c = 0) [events].

    ``w_lin`` is (n_ops, N), the linear weight terms; bins without SM yield are skipped.
    """
    scale = events_per_pb(lumi_fb)
    inside = index >= 0
    nu = np.bincount(index[inside], weights=w_sm[inside], minlength=n_bins) * scale
    d = (
        np.array([np.bincount(index[inside], weights=w[inside], minlength=n_bins) for w in w_lin])
        * scale
    )
    ok = nu > 0
    return (d[:, ok] / nu[ok]) @ d[:, ok].T


def unbinned_fisher(
    w_lin: np.ndarray, w_sm: np.ndarray, lumi_fb: float, mask: np.ndarray | None = None
) -> np.ndarray:
    """Fisher information at c = 0 of the unbinned likelihood with the per-event ratio:
    I_ab = L Σ_i w_a,i w_b,i / w_sm,i — the most any observable of these events can keep."""
    sel = (w_sm > 0) if mask is None else (mask & (w_sm > 0))
    return expected_events(w_lin[:, sel] / w_sm[sel], lumi_fb) @ w_lin[:, sel].T
