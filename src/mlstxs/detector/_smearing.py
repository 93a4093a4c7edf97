"""Momentum smearing and efficiency weights.

Smearing model (per object, per event): the whole true four-momentum is multiplied by a
scale factor,

    p_reco = r · (1 + δ) · p_true,    δ ~ N(0, σ(x)/x) truncated to 1 + δ > 0,

with r the mean response (1 for leptons, ``BJetConfig.response`` for b-jets) and σ(x)/x
the configured :class:`~._config.Resolution` evaluated at the *true* E or p_T.
Consequences: directions (η, φ) are unchanged (angular resolution is negligible against
the energy resolution at these energies), massless leptons stay massless, massive jets
keep m/E. The truncation keeps energies positive; it is implemented by redrawing the
rejected values, so the distribution of δ is an exactly truncated Gaussian (only relevant
for σ/x ≳ 0.3, i.e. jets below ≈ 12 GeV, far below the acceptance thresholds).

Efficiencies are applied as event weights ("truth tagging"): instead of rejecting events
at random, every selected event keeps a weight factor equal to the probability that both
leptons are reconstructed and identified and both jets b-tagged,
ε_ℓ(ℓ⁻) ε_ℓ(ℓ⁺) ε_b(b₁) ε_b(b₂). The expected yields are the same as with random
rejection, but no event is lost, so the Monte Carlo variance is lower.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..observables import FourVector
from ._config import BJetConfig, LeptonConfig, Resolution

Array = NDArray[np.float64]


def relative_sigma(res: Resolution, v: FourVector) -> Array:
    """σ(x)/x of ``res`` for objects ``v``, with x = true E or p_T (GeV)."""
    x = v.E if res.variable == "E" else np.sqrt(v.px * v.px + v.py * v.py)
    return res.relative_sigma(x)


def lepton_sigma(
    v: FourVector, is_electron: NDArray[np.bool_], electron: LeptonConfig, muon: LeptonConfig
) -> Array:
    """Relative resolution of leptons of per-event flavour (electron where ``is_electron``)."""
    if electron.resolution == muon.resolution:
        return relative_sigma(electron.resolution, v)
    return np.where(
        is_electron, relative_sigma(electron.resolution, v), relative_sigma(muon.resolution, v)
    )


def truncate_scales(
    scales: Array, sigma_at: Callable[[int, NDArray[np.intp]], Array], rng: np.random.Generator
) -> None:
    """Redraw, in place, the entries of ``scales`` (shape (K, N)) that are ≤ 0.

    ``scales[k] = 1 + σ_k z_k``; ``sigma_at(k, idx)`` returns σ_k at event indices ``idx``.
    Rejected values are redrawn row by row, in event order, until all are positive, so the
    result depends only on the seed (not on internal chunking).
    """
    for k in range(scales.shape[0]):
        row = scales[k]
        bad = np.flatnonzero(row <= 0.0)
        if bad.size == 0:
            continue
        sigma = sigma_at(k, bad)
        while bad.size:
            row[bad] = 1.0 + sigma * rng.standard_normal(bad.size)
            keep = row[bad] <= 0.0
            bad, sigma = bad[keep], sigma[keep]


def lepton_weight(
    is_electron: NDArray[np.bool_], electron: LeptonConfig, muon: LeptonConfig
) -> Array:
    """Per-event ε_ℓ(ℓ⁻) ε_ℓ(ℓ⁺) for same-flavour lepton pairs."""
    return np.where(is_electron, electron.efficiency**2, muon.efficiency**2)


def btag_weight(bjet: BJetConfig, pt_b1: Array, pt_b2: Array) -> Array:
    """Per-event ε_b(b₁) ε_b(b₂) at reconstructed p_T (GeV)."""
    e1, e2 = bjet.tag_efficiency(pt_b1), bjet.tag_efficiency(pt_b2)
    return np.broadcast_to(np.multiply(e1, e2), pt_b1.shape).astype(np.float64)
