"""Reconstruction-level event selection of the ℓ⁻ℓ⁺bb̄ channel.

Cuts, applied cumulatively in this order (the order of the cutflow):

``two_leptons``
    both leptons within acceptance: p_T > ``pt_min`` and |η| < ``eta_max`` of their
    flavour. Opposite sign and same flavour hold by construction (the sample holds one
    ℓ⁻ℓ⁺ pair of flavour ``lep_pdg`` from the Z decay), so no charge or flavour cut is
    modelled; charge mis-identification is neglected.
``leading_lepton``
    max(p_T(ℓ⁻), p_T(ℓ⁺)) > ``pt_min_leading`` (single-lepton trigger plateau).
``m_ll``
    m_ll inside ``selection.m_ll_window`` (open interval; skipped when None).
``resolved_bb``
    ΔR(b₁, b₂) > ``bjet.radius``: otherwise both b's fall into one anti-k_t jet and the
    event has no resolved b-jet pair.
``two_bjets``
    both b-jets with p_T > ``bjet.pt_min``, |η| < ``bjet.eta_max``, and the leading one
    with p_T > ``bjet.pt_min_leading``.
``lepton_jet_dr``
    ΔR(ℓ, b) > ``selection.dr_lepton_jet_min`` for the four lepton–jet pairs.
``m_bb``
    m_bb inside ``selection.m_bb_window`` (skipped when None).

All quantities are reconstructed (smeared) ones; η and ΔR use pseudorapidity.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from mlstxs.observables import _kinematics as kin

from ..observables import FourVector, add
from ._config import DetectorConfig

Mask = NDArray[np.bool_]

CUTS: tuple[str, ...] = (
    "two_leptons",
    "leading_lepton",
    "m_ll",
    "resolved_bb",
    "two_bjets",
    "lepton_jet_dr",
    "m_bb",
)
"""Names of the selection steps, in the order they are applied."""


def evaluate_cuts(
    objects: dict[str, FourVector], is_electron: Mask, config: DetectorConfig
) -> dict[str, Mask]:
    """Evaluate each cut of :data:`CUTS` independently (not cumulatively).

    Parameters
    ----------
    objects : dict[str, FourVector]
        Reconstructed ``lm, lp, b1, b2`` four-momenta (GeV), shape (N,) each; b₁/b₂ need
        not be p_T-ordered.
    is_electron : numpy.ndarray of bool
        Lepton flavour per event, shape (N,).
    config : DetectorConfig
        Acceptance and selection parameters.

    Returns
    -------
    dict[str, numpy.ndarray of bool]
        One pass/fail array per cut name.
    """
    ele, mu, jet, sel = config.electron, config.muon, config.bjet, config.selection
    lm, lp, b1, b2 = (objects[k] for k in ("lm", "lp", "b1", "b2"))
    pt = {k: kin.pt(v) for k, v in objects.items()}

    pt_min = _per_flavour(is_electron, ele.pt_min, mu.pt_min)
    sinh_eta = _per_flavour(is_electron, math.sinh(ele.eta_max), math.sinh(mu.eta_max))
    lead_min = _per_flavour(is_electron, ele.pt_min_leading, mu.pt_min_leading)
    two_leptons = _in_acceptance(lm, pt["lm"], pt_min, sinh_eta)
    two_leptons &= _in_acceptance(lp, pt["lp"], pt_min, sinh_eta)

    sinh_jet = math.sinh(jet.eta_max)
    two_bjets = _in_acceptance(b1, pt["b1"], jet.pt_min, sinh_jet)
    two_bjets &= _in_acceptance(b2, pt["b2"], jet.pt_min, sinh_jet)
    two_bjets &= np.maximum(pt["b1"], pt["b2"]) > jet.pt_min_leading

    eta = {k: kin.eta(v, pt[k]) for k, v in objects.items()}
    phi = {k: kin.phi(v) for k, v in objects.items()}
    lepton_jet = np.ones(lm.E.shape, dtype=bool)
    for lep in ("lm", "lp"):
        for b in ("b1", "b2"):
            lepton_jet &= _dr_above(eta, phi, lep, b, sel.dr_lepton_jet_min)

    return {
        "two_leptons": two_leptons,
        "leading_lepton": np.maximum(pt["lm"], pt["lp"]) > lead_min,
        "m_ll": _mass_in_window(add(lm, lp), sel.m_ll_window),
        "resolved_bb": _dr_above(eta, phi, "b1", "b2", jet.radius),
        "two_bjets": two_bjets,
        "lepton_jet_dr": lepton_jet,
        "m_bb": _mass_in_window(add(b1, b2), sel.m_bb_window),
    }


def _per_flavour(is_electron: Mask, electron: float, muon: float) -> float | np.ndarray:
    """The electron or muon value per event (a scalar when both agree)."""
    return electron if electron == muon else np.where(is_electron, electron, muon)


def _in_acceptance(
    v: FourVector, pt: np.ndarray, pt_min: float | np.ndarray, sinh_eta_max: float | np.ndarray
) -> Mask:
    """p_T > pt_min and |η| < η_max, the latter as |p_z| < p_T sinh(η_max) (no asinh)."""
    return (pt > pt_min) & (np.abs(v.pz) < pt * sinh_eta_max)


def _dr_above(
    eta: dict[str, np.ndarray], phi: dict[str, np.ndarray], a: str, b: str, dr_min: float
) -> Mask:
    dphi = kin.delta_phi(phi[a], phi[b])
    deta = eta[a] - eta[b]
    return deta * deta + dphi * dphi > dr_min * dr_min


def _mass_in_window(v: FourVector, window: tuple[float, float] | None) -> Mask:
    if window is None:
        return np.ones(v.E.shape, dtype=bool)
    m2 = v.E * v.E - (v.px * v.px + v.py * v.py + v.pz * v.pz)
    lo, hi = window
    return (m2 > math.copysign(lo * lo, lo)) & (m2 < math.copysign(hi * hi, hi))
