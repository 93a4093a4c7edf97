r"""Helicity angles of pp → ZH → ℓ⁻ℓ⁺ bb̄.

The three angles of Banerjee, Gupta, Reiness and Spannowsky (BGRS, "Resolving the tensor
structure of the Higgs coupling to Z-bosons via Higgs-strahlung", arXiv:1905.02728,
Phys. Rev. D 100 (2019) 115004), which organise the qq̄ → Z(ℓℓ)H amplitude in helicity
components (frame conventions as in Hagiwara, Peccei, Zeppenfeld, Hikasa, Nucl. Phys.
B282 (1987) 253). The exact sign conventions below are ours, fixed and tested here:

* Θ — polar angle of the Z in the ZH rest frame with respect to the beam axis;
* θ — polar angle of the ℓ⁻ in the Z rest frame with respect to the Z flight direction
  in the ZH rest frame (the Z helicity frame);
* φ — azimuth of the ℓ⁻ around the Z flight direction, measured from the production plane
  (spanned by the beam axis and the Z), i.e. the angle between production and decay planes.

Precise definitions used here (all frames reached by pure boosts):

1. P = Z + H with Z = ℓ⁻ + ℓ⁺, H = b₁ + b₂, M² = P·P.
2. The beam axis in the ZH rest frame is the **Collins–Soper axis** (Collins & Soper,
   Phys. Rev. D16 (1977) 2219): the bisector of the directions of beam A and of the
   reversed beam B after boosting both into the ZH rest frame. Derived in closed form
   (see the tests for the explicit boost check) it is
   d⃗ ∝ s · (E ẑ − P⃗ P_z / (E + M)), with s = sign(P_z) (+1 for P_z = 0, i.e.
   |P_z| ≤ 1e-10 E, so that rounding in the four-momentum sum cannot flip the axis).
   For p_T(ZH) = 0, as at leading order, it is simply ±ẑ. The Collins–Soper choice
   keeps the angles well defined when detector smearing gives the ZH system a small p_T.
3. **Orientation.** In pp collisions the quark direction is unknown. The axis is oriented
   along the longitudinal boost of the ZH system (s = sign(P_z)): the valence quark
   usually carries a larger momentum fraction than the sea antiquark, so this is the
   best per-event estimate of the quark direction (the convention of LHC Drell–Yan
   forward–backward asymmetry measurements). Reversing the axis maps
   cos Θ → −cos Θ, φ → φ + π and leaves cos θ unchanged.
4. cos Θ = d̂ · p̂*_Z (Z direction in the ZH frame).
5. cos θ = p̂**_ℓ⁻ · p̂*_Z, evaluated covariantly as
   cos θ = (m_Z² P·ℓ − (P·Z)(Z·ℓ)) / sqrt[((P·Z)² − M² m_Z²)((Z·ℓ)² − m_Z² m_ℓ²)].
6. φ = atan2(ℓ⃗·ŷ′, ℓ⃗·x̂′) with ẑ′ = p̂*_Z, ŷ′ = d̂ × ẑ′ / |d̂ × ẑ′| (normal to the
   production plane) and x̂′ = ŷ′ × ẑ′; the components of ℓ⁻ transverse to ẑ′ are the
   same in the ZH and Z rest frames. With u⃗ = d⃗ × Z⃗*, w⃗ = Z⃗* × ℓ⃗* this is
   φ = atan2(|Z⃗*| d⃗·w⃗, u⃗·w⃗) ∈ [−π, π].

All three angles are invariant under rotations about the beam axis, and under
longitudinal boosts that do not reverse the sign of P_z.
"""

from __future__ import annotations

import numpy as np

from ._columns import FourVector
from ._kinematics import Array, boost_to_rest_frame, minkowski_dot

_PZ_ZERO = 1e-10
"""|P_z| ≤ 1e-10 E counts as P_z = 0 (rounding of the four-momentum sum): axis +z."""


def collins_soper_axis(p: FourVector, m_p: Array) -> tuple[Array, Array, Array]:
    """Unnormalised Collins–Soper axis in the rest frame of ``p``, oriented along sign(P_z).

    d⃗ = s (−P_x g, −P_y g, E − P_z g) with g = P_z / (E + M) and s = sign(P_z) (+1 if
    |P_z| ≤ 1e-10 E); only its direction is used. Shapes (N,), GeV.
    """
    sign = np.where(p.pz < -_PZ_ZERO * p.E, -1.0, 1.0)
    g = p.pz / (p.E + m_p)
    return -sign * g * p.px, -sign * g * p.py, sign * (p.E - g * p.pz)


def helicity_kernel(
    lm: FourVector, z: FourVector, p: FourVector, m2_z: Array, m2_p: Array
) -> tuple[Array, Array, Array]:
    """Compute (cos Θ, cos θ, φ) for N events, see the module docstring.

    Parameters
    ----------
    lm : FourVector
        The ℓ⁻ four-momenta, GeV, shape (N,) each.
    z, p : FourVector
        Z = ℓ⁻ + ℓ⁺ and P = Z + H, GeV.
    m2_z, m2_p : numpy.ndarray
        Squared invariant masses of Z and P, GeV², shape (N,).

    Returns
    -------
    tuple of numpy.ndarray
        cos Θ ∈ [−1, 1], cos θ ∈ [−1, 1], φ ∈ [−π, π] (radians); NaN only for degenerate
        configurations (Z at rest in the ZH frame).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        m_p = np.sqrt(m2_p)
        ez, zx, zy, zz = boost_to_rest_frame(z, p, m_p)
        el, lx, ly, lz = boost_to_rest_frame(lm, p, m_p)

        dx, dy, dz = collins_soper_axis(p, m_p)

        z_abs = np.sqrt(zx * zx + zy * zy + zz * zz)
        d_abs = np.sqrt(dx * dx + dy * dy + dz * dz)
        cos_big = (dx * zx + dy * zy + dz * zz) / (d_abs * z_abs)

        # Decay angle, covariant form (P·Z = M E*_Z, P·ℓ = M E*_ℓ).
        pz_dot = m_p * ez
        pl_dot = m_p * el
        zl_dot = minkowski_dot(z, lm)
        m2_l = np.maximum(minkowski_dot(lm, lm), 0.0)
        num = m2_z * pl_dot - pz_dot * zl_dot
        den = (pz_dot * pz_dot - m2_p * m2_z) * (zl_dot * zl_dot - m2_z * m2_l)
        cos_small = num / np.sqrt(den)

        # Azimuth between production and decay planes.
        wx = zy * lz - zz * ly
        wy = zz * lx - zx * lz
        wz = zx * ly - zy * lx
        ux = dy * zz - dz * zy
        uy = dz * zx - dx * zz
        uz = dx * zy - dy * zx
        sin_part = z_abs * (dx * wx + dy * wy + dz * wz)
        cos_part = ux * wx + uy * wy + uz * wz
        phi = np.arctan2(sin_part, cos_part)
    np.clip(cos_big, -1.0, 1.0, out=cos_big)
    np.clip(cos_small, -1.0, 1.0, out=cos_small)
    return cos_big, cos_small, phi
