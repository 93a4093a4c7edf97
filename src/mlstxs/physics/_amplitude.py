"""Closed-form helicity-summed |M|² of q q̄ → Z*/γ* → Z(→ℓ⁻ℓ⁺) H with SMEFT (spec §4).

The amplitude per chirality pair (σ_q, σ_ℓ) is M = i(α S₁ + β S₂) (spec §4.1), with

    α_i = P_Z(m_ℓℓ²) (u_i P_Z(ŝ) + v_i),      β_i = P_Z(m_ℓℓ²) G_ℓ⁰ (x_i P_Z(ŝ) + y_i / ŝ),

where i = 0 is the SM and i = a the first-order coefficient of c_a, and u, v, x, y are real
constants built from the coupling table (spec §4.3). Inserting these into

    H_ij = Σ_σ Re[α_i α_j* T₁₁ + β_i β_j* T₂₂ + α_i β_j* T₁₂ + β_i α_j* T₁₂*]

splits H_ij into ten event-dependent basis functions (products of T₁₁, T₂₂, T₁₂ of spec §4.2
with P_Z(ŝ) and 1/ŝ) times constant coefficients. The whole weight polynomial of N events is
then one matrix product ``basis (N, 40) @ coefficients (40, K)``; this is algebraically the
formula of spec §4.3, and is tested against the benchmark points of spec §5.5 and an explicit
Dirac-matrix evaluation.

Momenta are arrays of shape (N, 4) holding (E, p_x, p_y, p_z) in GeV; |M|² sums are in GeV⁻².
"""

from __future__ import annotations

import numpy as np

from ._couplings import FERMIONS, CouplingTable
from ._operators import weight_term_pairs

CHIRALITY_PAIRS: tuple[tuple[int, int], ...] = ((-1, -1), (-1, 1), (1, -1), (1, 1))
"""(σ_q, σ_ℓ) with −1 = left-handed and +1 = right-handed, in the order used by the basis."""

N_BASIS = 10


def mdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minkowski product a·b with metric (+,−,−,−) of (N, 4) arrays."""
    return (
        a[..., 0] * b[..., 0]
        - a[..., 1] * b[..., 1]
        - a[..., 2] * b[..., 2]
        - a[..., 3] * b[..., 3]
    )


def levi_civita(p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, p4: np.ndarray) -> np.ndarray:
    """E = ε_{μνρσ} p1^μ p2^ν p3^ρ p4^σ with ε_{0123} = +1: the 4×4 determinant of the rows
    (E, p_x, p_y, p_z) of p1…p4 (spec §1.1), by Laplace expansion in 2×2 minors."""

    def minor(a: np.ndarray, b: np.ndarray, i: int, j: int) -> np.ndarray:
        return a[..., i] * b[..., j] - a[..., j] * b[..., i]

    return (
        minor(p1, p2, 0, 1) * minor(p3, p4, 2, 3)
        - minor(p1, p2, 0, 2) * minor(p3, p4, 1, 3)
        + minor(p1, p2, 0, 3) * minor(p3, p4, 1, 2)
        + minor(p1, p2, 1, 2) * minor(p3, p4, 0, 3)
        - minor(p1, p2, 1, 3) * minor(p3, p4, 0, 2)
        + minor(p1, p2, 2, 3) * minor(p3, p4, 0, 1)
    )


def spin_structures(
    p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, p4: np.ndarray, pH: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T₁₁, T₂₂ (real) and T₁₂ (complex) of spec §4.2 for the four chirality pairs.

    p1 is the incoming quark, p2 the antiquark, p3 the ℓ⁻, p4 the ℓ⁺, pH the Higgs.

    Returns
    -------
    T11, T22, T12 : ndarray, shape (4, N)
        Indexed like :data:`CHIRALITY_PAIRS`.
    """
    p12, p13, p14 = mdot(p1, p2), mdot(p1, p3), mdot(p1, p4)
    p23, p24, p34 = mdot(p2, p3), mdot(p2, p4), mdot(p3, p4)
    p1H, p2H, p3H, p4H = mdot(p1, pH), mdot(p2, pH), mdot(p3, pH), mdot(p4, pH)
    mH2 = mdot(pH, pH)
    qk = p13 + p14 + p23 + p24
    A4 = (
        p2H * p4H * p13
        + p2H * p3H * p14
        + p1H * p4H * p23
        + p1H * p3H * p24
        - 2.0 * p1H * p2H * p34
        - 2.0 * p12 * p3H * p4H
        + mH2 * p12 * p34
    )
    G = (
        p14 * (mH2 * p23 - p3H * p2H)
        - p1H * (p4H * p23 - p3H * p24)
        + p13 * (p4H * p2H - mH2 * p24)
    )
    W2 = 4.0 * (2.0 * p1H * p2H - mH2 * p12) * (2.0 * p3H * p4H - mH2 * p34)
    E = levi_civita(p1, p2, p3, p4)
    T11 = np.empty((4, *qk.shape))
    T22 = np.empty_like(T11)
    T12 = np.empty((4, *qk.shape), dtype=complex)
    for k, (sq, sl) in enumerate(CHIRALITY_PAIRS):
        t11 = 16.0 * (p14 * p23 if sq * sl > 0 else p13 * p24)
        re_x = 4.0 * (A4 + sq * sl * G)
        im_x = -4.0 * E * (sl * (p2H - p1H) + sq * (p4H - p3H))
        T11[k] = t11
        T22[k] = qk * qk * t11 + 2.0 * qk * re_x + W2
        T12[k] = (qk * t11 + re_x) + 1j * im_x
    return T11, T22, T12


def z_propagator(x: np.ndarray, M_Z: float, Gamma_Z: float) -> np.ndarray:
    """Fixed-width Breit–Wigner P_Z(x) = 1/(x − M_Z² + i M_Z Γ_Z), x in GeV²."""
    return 1.0 / (x - M_Z**2 + 1j * M_Z * Gamma_Z)


def helicity_basis(
    p1: np.ndarray,
    p2: np.ndarray,
    p3: np.ndarray,
    p4: np.ndarray,
    pH: np.ndarray,
    M_Z: float,
    Gamma_Z: float,
) -> np.ndarray:
    """Event-dependent basis functions of H_ij, shape (N, 4·10).

    For each chirality pair k the ten functions, all times |P_Z(m_ℓℓ²)|², are
    T₁₁|p|², T₁₁ Re p, T₁₁, T₂₂|p|², T₂₂ r Re p, T₂₂ r², Re T₁₂ |p|², r Re(p T₁₂),
    Re(p* T₁₂), r Re T₁₂, with p = P_Z(ŝ) and r = 1/ŝ. The result is the transpose of a
    C-contiguous (40, N) array, so ``basis.T`` is contiguous per function.
    """
    q = p1 + p2
    k = p3 + p4
    s_hat = mdot(q, q)
    p = z_propagator(s_hat, M_Z, Gamma_Z)
    r = 1.0 / s_hat
    bw_ll = np.abs(z_propagator(mdot(k, k), M_Z, Gamma_Z)) ** 2
    p2abs = (p.real**2 + p.imag**2) * bw_ll
    rep = p.real * bw_ll
    imp = p.imag * bw_ll
    r_bw = r * bw_ll
    T11, T22, T12 = spin_structures(p1, p2, p3, p4, pH)
    out = np.empty((4, N_BASIS, s_hat.shape[0]))
    for c in range(4):
        t11, t22, re12, im12 = T11[c], T22[c], T12[c].real, T12[c].imag
        o = out[c]
        np.multiply(t11, p2abs, out=o[0])
        np.multiply(t11, rep, out=o[1])
        np.multiply(t11, bw_ll, out=o[2])
        np.multiply(t22, p2abs, out=o[3])
        np.multiply(t22 * r, rep, out=o[4])
        np.multiply(t22 * r, r_bw, out=o[5])
        np.multiply(re12, p2abs, out=o[6])
        np.multiply(r, re12 * rep - im12 * imp, out=o[7])
        np.add(re12 * rep, im12 * imp, out=o[8])
        np.multiply(re12, r_bw, out=o[9])
    return out.reshape(4 * N_BASIS, -1).T


def basis_coefficients(table: CouplingTable, quark: str) -> np.ndarray:
    """Constant coefficients mapping :func:`helicity_basis` to the weight terms, shape (40, K).

    ``quark`` is ``"u"`` (u, c) or ``"d"`` (d, s, b). Column t of the result belongs to the
    weight term ``weight_term_pairs(operators)[t]`` = (i, j) and carries the factor 2 of the
    off-diagonal terms, so ``basis @ coefficients`` gives w_0, w_a, w_aa and w_ab (a < b) of
    spec §4.3 as spin- and colour-stripped sums Σ_σ[…] in GeV⁻².
    """
    if quark not in ("u", "d"):
        raise ValueError(f"quark type must be 'u' or 'd', got {quark!r}")
    sm = table.sm
    d = sm.derived
    Qq = FERMIONS[quark][1]
    pairs = np.array(weight_term_pairs(table.operators))
    i, j = pairs[:, 0], pairs[:, 1]
    mult = np.where(i == j, 1.0, 2.0)
    g_hzz = table["g_hZZ"]
    out = np.empty((4, N_BASIS, len(pairs)))
    for c, (sq, sl) in enumerate(CHIRALITY_PAIRS):
        Gq = table[f"G_{quark}{'L' if sq < 0 else 'R'}"]
        Gl = table[f"G_l{'L' if sl < 0 else 'R'}"]
        aq = table[f"a_{quark}{'L' if sq < 0 else 'R'}"]
        # first-order expansion of the product G_l G_q g_hZZ
        u = Gl * Gq[0] * g_hzz[0] + Gl[0] * Gq * g_hzz[0] + Gl[0] * Gq[0] * g_hzz
        u[0] = Gl[0] * Gq[0] * g_hzz[0]
        v = -Gl[0] * d.gZ / d.vev * aq
        x = Gq[0] * 4.0 * table["kZZ"] / d.vev
        y = d.e * Qq * 2.0 * table["kZA"] / d.vev
        g0 = Gl[0]
        out[c, 0] = u[i] * u[j]
        out[c, 1] = u[i] * v[j] + v[i] * u[j]
        out[c, 2] = v[i] * v[j]
        out[c, 3] = g0**2 * x[i] * x[j]
        out[c, 4] = g0**2 * (x[i] * y[j] + y[i] * x[j])
        out[c, 5] = g0**2 * y[i] * y[j]
        out[c, 6] = g0 * (u[i] * x[j] + u[j] * x[i])
        out[c, 7] = g0 * (u[i] * y[j] + u[j] * y[i])
        out[c, 8] = g0 * (v[i] * x[j] + v[j] * x[i])
        out[c, 9] = g0 * (v[i] * y[j] + v[j] * y[i])
    out *= mult
    return out.reshape(4 * N_BASIS, len(pairs))


def squared_me_terms(
    p1: np.ndarray,
    p2: np.ndarray,
    p3: np.ndarray,
    p4: np.ndarray,
    pH: np.ndarray,
    quark: str,
    table: CouplingTable,
) -> np.ndarray:
    """Weight-polynomial coefficients of Σ_σ|M|² for q(p1) q̄(p2) → ℓ⁻(p3) ℓ⁺(p4) H(pH).

    Spin- and colour-stripped sums (multiply by 1/12 for the averaged |M|²), in GeV⁻²,
    shape (N, K) with columns in the order of ``weight_term_names(table.operators)``
    (spec §4.3; benchmark points of spec §5.5).
    """
    q1, q2, q3, q4, qH = (np.atleast_2d(np.asarray(v, dtype=float)) for v in (p1, p2, p3, p4, pH))
    basis = helicity_basis(
        q1,
        q2,
        q3,
        q4,
        qH,
        M_Z=table.sm.M_Z,
        Gamma_Z=table.sm.Gamma_Z,
    )
    return basis @ basis_coefficients(table, quark)
