"""Phase-space sampling for p p → Z(→ℓ⁻ℓ⁺) H(→b b̄) with tail enrichment (spec §7.2–7.3).

Variables per event: m_ℓℓ² (Breit–Wigner mapping), m_ZH (power-law mixture), the ZH rapidity
y (flat), the Z direction in the partonic frame, the ℓ⁻ direction in the Z rest frame and the
b direction in the H rest frame (all flat). :class:`PhaseSpacePoints` carries the lab-frame
momenta and the phase-space factor that turns the spin-summed |M|² and the parton
luminosity into a weight in pb.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..physics import GEV2_TO_PB, SMInputs
from ._config import GeneratorConfig


@dataclass(frozen=True)
class PhaseSpacePoints:
    """Sampled kinematics of N events (momenta in GeV, shape (N, 4) as (E, p_x, p_y, p_z)).

    ``factor`` [pb·GeV²] multiplies Σ_q f_q f_q̄ Σ_σ|M|² (the |M|² sums in GeV⁻², the 1/12
    spin–colour average, BR(H → b b̄), the lepton-flavour factor and 1/N all included).
    ``keep`` marks the points that pass the generation cut on p_T(Z).
    """

    x1: np.ndarray
    x2: np.ndarray
    sqrt_s_hat: np.ndarray
    lm: np.ndarray
    lp: np.ndarray
    b: np.ndarray
    bbar: np.ndarray
    pH: np.ndarray
    factor: np.ndarray
    keep: np.ndarray

    def subset(self, mask: np.ndarray) -> PhaseSpacePoints:
        """The points selected by a boolean mask."""
        return PhaseSpacePoints(**{k: getattr(self, k)[mask] for k in self.__dataclass_fields__})


def _unit_vectors(cos_t: np.ndarray, phi: np.ndarray) -> np.ndarray:
    sin_t = np.sqrt(np.clip(1.0 - cos_t * cos_t, 0.0, None))
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=-1)


def boost(p: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Lorentz boost of four-momenta p (N, 4) by velocities beta (N, 3) (or (N,) along z)."""
    if beta.ndim == 1:
        g = 1.0 / np.sqrt(1.0 - beta * beta)
        out = p.copy()
        out[:, 0] = g * (p[:, 0] + beta * p[:, 3])
        out[:, 3] = g * (p[:, 3] + beta * p[:, 0])
        return out
    b2 = np.einsum("ij,ij->i", beta, beta)
    g = 1.0 / np.sqrt(1.0 - b2)
    bp = np.einsum("ij,ij->i", beta, p[:, 1:])
    coef = np.where(b2 > 0, (g - 1.0) / np.where(b2 > 0, b2, 1.0), 0.0) * bp + g * p[:, 0]
    out = np.empty_like(p)
    out[:, 0] = g * (p[:, 0] + bp)
    out[:, 1:] = p[:, 1:] + coef[:, None] * beta
    return out


def _two_body(m: np.ndarray, m1sq: np.ndarray, m2sq: np.ndarray) -> np.ndarray:
    """Momentum of either daughter in the rest frame of a parent of mass m [GeV]."""
    lam = (m * m - m1sq - m2sq) ** 2 - 4.0 * m1sq * m2sq
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * m)


def _decay(parent: np.ndarray, mass: np.ndarray, p_star: np.ndarray, n_hat: np.ndarray, m_d: float):
    """Two-body decay into equal masses m_d along ±n_hat in the parent rest frame, boosted."""
    e = np.sqrt(p_star * p_star + m_d * m_d)
    d1 = np.column_stack([e, p_star[:, None] * n_hat])
    d2 = np.column_stack([e, -p_star[:, None] * n_hat])
    beta = parent[:, 1:] / parent[:, :1]
    return boost(d1, beta), boost(d2, beta)


def mzh_density(m: np.ndarray, m_min: np.ndarray, m_max: float, exponents) -> np.ndarray:
    """Normalised sampling density g(m) on [m_min, m_max] of the power-law mixture
    (1/n) Σ_i m^(−a_i), each component normalised per event (spec §7.2 step 2)."""
    g = np.zeros_like(m)
    for a in exponents:
        if a == 1.0:
            g += 1.0 / (m * np.log(m_max / m_min))
        else:
            A, B = m_min ** (1.0 - a), m_max ** (1.0 - a)
            g += (1.0 - a) * m ** (-a) / (B - A)
    return g / len(exponents)


def _sample_mzh(rng, m_min: np.ndarray, m_max: float, exponents) -> np.ndarray:
    u = rng.random(m_min.shape[0])
    channel = rng.integers(len(exponents), size=m_min.shape[0])
    m = np.empty_like(m_min)
    for k, a in enumerate(exponents):
        sel = channel == k
        lo, uu = m_min[sel], u[sel]
        if a == 1.0:
            m[sel] = lo * (m_max / lo) ** uu
        else:
            A, B = lo ** (1.0 - a), m_max ** (1.0 - a)
            m[sel] = (A + uu * (B - A)) ** (1.0 / (1.0 - a))
    return np.clip(m, m_min, m_max)


def mzh_lower_bound(mll2: np.ndarray, ptz_min_GeV: float, M_H: float) -> np.ndarray:
    """Kinematic lower limit of m_ZH [GeV] for p_T(Z) ≥ ptz_min: √(m_ℓℓ²+p_T²) + √(M_H²+p_T²)."""
    pt2 = ptz_min_GeV**2
    return np.sqrt(mll2 + pt2) + np.sqrt(M_H**2 + pt2)


def sample_phase_space(
    config: GeneratorConfig, n: int, n_total: int, rng: np.random.Generator
) -> PhaseSpacePoints:
    """Draw n phase-space points of a run of n_total (the 1/N of the weights)."""
    sm: SMInputs = config.sm_inputs()
    MZ, GZ, MH = sm.M_Z, sm.Gamma_Z, sm.M_H
    S = config.sqrt_s_GeV**2
    lo, hi = config.mll_window_GeV
    rho_lo, rho_hi = np.arctan((lo**2 - MZ**2) / (MZ * GZ)), np.arctan((hi**2 - MZ**2) / (MZ * GZ))
    rho = rng.uniform(rho_lo, rho_hi, n)
    mll2 = MZ**2 + MZ * GZ * np.tan(rho)
    jac_ll = ((mll2 - MZ**2) ** 2 + (MZ * GZ) ** 2) / (MZ * GZ) * (rho_hi - rho_lo) / (2 * np.pi)

    m_max = config.sqrt_s_GeV
    m_min = mzh_lower_bound(mll2, config.ptz_min_GeV, MH)
    m = _sample_mzh(rng, m_min, m_max, config.mzh_exponents)
    jac_m = (2.0 * m / S) / mzh_density(m, m_min, m_max, config.mzh_exponents)

    tau = m * m / S
    y_max = -0.5 * np.log(tau)
    y = rng.uniform(-1.0, 1.0, n) * y_max
    x1, x2 = np.sqrt(tau) * np.exp(y), np.sqrt(tau) * np.exp(-y)

    ang = rng.random((n, 6))
    n_z = _unit_vectors(2.0 * ang[:, 0] - 1.0, 2.0 * np.pi * ang[:, 1])
    n_l = _unit_vectors(2.0 * ang[:, 2] - 1.0, 2.0 * np.pi * ang[:, 3])
    n_b = _unit_vectors(2.0 * ang[:, 4] - 1.0, 2.0 * np.pi * ang[:, 5])

    k = _two_body(m, mll2, np.full(n, MH**2))
    e_z = np.sqrt(k * k + mll2)
    pz_cm = np.column_stack([e_z, k[:, None] * n_z])
    ph_cm = np.column_stack([np.sqrt(k * k + MH**2), -k[:, None] * n_z])
    mll = np.sqrt(mll2)
    lm, lp = _decay(pz_cm, mll, 0.5 * mll, n_l, 0.0)
    pb = _two_body(np.full(n, MH), np.full(n, config.m_b_GeV**2), np.full(n, config.m_b_GeV**2))
    b, bbar = _decay(ph_cm, np.full(n, MH), pb, n_b, config.m_b_GeV)
    beta_z = np.tanh(y)
    lm, lp, b, bbar, ph = (boost(v, beta_z) for v in (lm, lp, b, bbar, ph_cm))

    n_lep = len(config.lepton_flavours)
    factor = (
        1.0
        / (2.0 * m * m)
        / 12.0
        * k
        / (16.0 * np.pi**2 * m)
        * 4.0
        * np.pi
        * jac_ll
        * 4.0
        * np.pi
        / (32.0 * np.pi**2)
        * jac_m
        * 2.0
        * y_max
        * sm.br_hbb
        * GEV2_TO_PB
        * n_lep
        / n_total
    )
    keep = k * np.sqrt(1.0 - n_z[:, 2] ** 2) >= config.ptz_min_GeV
    return PhaseSpacePoints(
        x1=x1, x2=x2, sqrt_s_hat=m, lm=lm, lp=lp, b=b, bbar=bbar, pH=ph, factor=factor, keep=keep
    )
