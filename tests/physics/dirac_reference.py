"""Explicit Dirac-matrix reference for q q̄ → Z*/γ* → Z(→ℓ⁻ℓ⁺) H ("method A", physics_spec §4.5).

Written independently of :mod:`mlstxs` (nothing is imported from it) to serve as an oracle
for the closed-form |M|² of the package:

* Weyl-representation gamma matrices, γ⁵ = diag(−1, −1, 1, 1), P_L = diag(1, 1, 0, 0);
* explicit massless spinors u(p,s) = (√(p·σ) ξ_s, √(p·σ̄) ξ_s), v(p,s) = (√(p·σ) η_s,
  −√(p·σ̄) η_s) with the exact identity √(p·σ) = (p·σ)/√(2E) for p² = 0;
* the vertices and unitary-gauge propagators of spec §3.1, contracted index by index for
  the three diagram classes (s-channel Z with the SM and κ_ZZ hZZ vertex, s-channel γ with
  the κ_Zγ vertex, q q̄ Z h contact), all followed by the Z Breit–Wigner and lepton current;
* couplings derived here from the formulas of spec §1.4, §3.2 and §3.3 (MW scheme, Λ = 1 TeV,
  SM inputs hard-coded), exactly linear in the Wilson coefficients;
* linear amplitude coefficients M_a = ∂M/∂c_a from the exact four-point formula of §4.5 and
  the weight terms w_0, w_a, w_aa, w_ab from sums over all 16 helicity configurations.

Momenta are arrays of shape (N, 4) holding (E, p_x, p_y, p_z) in GeV; p1 is the incoming quark,
p2 the antiquark, p3 the ℓ⁻, p4 the ℓ⁺. Squared amplitudes are spin- and colour-stripped sums
in GeV⁻² (the normalisation of spec §5.5). Speed is adequate for O(100) events.

Precision. The k_μk_ν/M_Z² parts of the unitary-gauge propagators vanish on the massless
currents only up to round-off ε·|k|·|J| and up to the off-shellness p² ~ ε·E² of float64
momenta, and they are ~|k|²/M_Z² larger than the physical part in strongly boosted frames.
Three measures keep this residue negligible: each current is contracted with its propagator
before anything else (E_σ = J_ℓ^ν D_νσ(k) of §4.5), all arithmetic is done in
``numpy.longdouble`` (80-bit extended precision on x86-64, ε ≈ 1.1e-19; it silently falls back
to double where longdouble is double), and the external energies are reset to |p⃗| in that
precision (:func:`_on_light_cone`). Without them the reference loses up to 6 digits in frames
with γ ≈ 4 boosts of TeV events.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

REAL = np.longdouble
COMPLEX = np.clongdouble

# ----------------------------------------------------------------------------- inputs (§1.4)
G_F = REAL(1.1663787e-5)  # GeV^-2
M_Z = REAL(91.1876)  # GeV
M_W = REAL(80.387)  # GeV
GAMMA_Z = 2.4952  # GeV
LAMBDA = REAL(1000.0)  # GeV

VEV = (np.sqrt(REAL(2.0)) * G_F) ** -0.5
SW2 = 1.0 - (M_W / M_Z) ** 2
SW, CW = np.sqrt(SW2), np.sqrt(1.0 - SW2)
E_CHARGE = 2.0 * M_W * SW / VEV
G_Z = E_CHARGE / (SW * CW)
C_OVER_c = VEV**2 / LAMBDA**2  # C_i = c_i v̂²/Λ² (§1.2)

OPERATORS = (
    "cHbox",
    "cHDD",
    "cHW",
    "cHB",
    "cHWB",
    "cHq1",
    "cHq3",
    "cHu",
    "cHd",
    "cHl1",
    "cHl3",
    "cHe",
    "cll1",
)
"""Operator names and the order of the coefficient vector accepted by :func:`couplings`."""

# (T3, Q) of the fermions
QUANTUM_NUMBERS = {"u": (0.5, 2.0 / 3.0), "d": (-0.5, -1.0 / 3.0), "l": (-0.5, -1.0)}


def couplings(c: np.ndarray | Sequence[float]) -> dict[str, float]:
    """All couplings of the process for Wilson coefficients ``c`` (Λ = 1 TeV, MW scheme).

    ``c`` has one entry per name of :data:`OPERATORS`. The couplings are exactly linear in c.
    Keys: ``G_<f><L|R>`` (Z f f̄ vertex −iγ^μ G P_σ, §3.1, §3.3), ``a_<q><L|R>`` (contact,
    §3.3), ``g_hZZ`` [GeV], ``kZZ``, ``kZA`` (§3.2).
    """
    C = dict(zip(OPERATORS, np.asarray(c, dtype=REAL) * C_OVER_c, strict=True))
    delta_GF = 2.0 * C["cHl3"] - C["cll1"]
    delta_N = -0.5 * delta_GF - 0.25 * C["cHDD"]
    delta_s2 = -0.5 * CW**2 * C["cHDD"] - SW * CW * C["cHWB"]
    contact = {
        "uL": C["cHq1"] - C["cHq3"],
        "dL": C["cHq1"] + C["cHq3"],
        "uR": C["cHu"],
        "dR": C["cHd"],
        "lL": C["cHl1"] + C["cHl3"],
        "lR": C["cHe"],
    }
    out: dict[str, float] = {}
    for f, (t3, charge) in QUANTUM_NUMBERS.items():
        for chi, t3_chi in (("L", t3), ("R", 0.0)):
            g_sm = t3_chi - charge * SW2
            a = contact[f + chi]
            out[f"G_{f}{chi}"] = G_Z * ((1.0 + delta_N) * g_sm - charge * delta_s2 - 0.5 * a)
            if f != "l":
                out[f"a_{f}{chi}"] = a
    out["g_hZZ"] = 2.0 * M_Z**2 / VEV * (1.0 + C["cHbox"] + 0.25 * C["cHDD"] - 0.5 * delta_GF)
    out["kZZ"] = C["cHW"] * CW**2 + C["cHB"] * SW2 + C["cHWB"] * SW * CW
    out["kZA"] = 2.0 * SW * CW * (C["cHW"] - C["cHB"]) - C["cHWB"] * (CW**2 - SW2)
    return out


# ------------------------------------------------------------------- Dirac algebra (Weyl rep.)
SIGMA = np.array(
    [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=COMPLEX
)
_ZERO2 = np.zeros((2, 2), dtype=COMPLEX)
GAMMA = np.array(
    [np.block([[_ZERO2, SIGMA[0]], [SIGMA[0], _ZERO2]])]
    + [np.block([[_ZERO2, SIGMA[i]], [-SIGMA[i], _ZERO2]]) for i in (1, 2, 3)]
)
"""γ^μ, shape (4, 4, 4), Weyl (chiral) representation."""
GAMMA5 = 1j * GAMMA[0] @ GAMMA[1] @ GAMMA[2] @ GAMMA[3]
PROJ = {"L": 0.5 * (np.eye(4) - GAMMA5), "R": 0.5 * (np.eye(4) + GAMMA5)}
METRIC = np.diag(np.array([1.0, -1.0, -1.0, -1.0], dtype=REAL))


def slash(p: np.ndarray) -> np.ndarray:
    """p̸ = γ^μ p_μ for p of shape (N, 4); returns (N, 4, 4)."""
    return np.einsum("mab,nm->nab", GAMMA, p @ METRIC)


def _sigma_dot(p: np.ndarray, sign: float) -> np.ndarray:
    """E·1 + sign·(p⃗·σ⃗), shape (N, 2, 2): p·σ for sign = −1, p·σ̄ for sign = +1."""
    return p[:, 0, None, None] * SIGMA[0] + sign * np.einsum("ni,iab->nab", p[:, 1:], SIGMA[1:])


def spinor_u(p: np.ndarray) -> np.ndarray:
    """Massless u(p, s) for s = 0, 1 (ξ = (1,0), (0,1)); shape (N, 2, 4)."""
    norm = np.sqrt(2.0 * p[:, 0])[:, None, None]
    upper = _sigma_dot(p, -1.0) / norm  # √(p·σ) with its columns = √(p·σ) ξ_s
    lower = _sigma_dot(p, +1.0) / norm
    return np.concatenate([upper, lower], axis=1).transpose(0, 2, 1)


def spinor_v(p: np.ndarray) -> np.ndarray:
    """Massless v(p, s) for s = 0, 1 (η = (1,0), (0,1)); shape (N, 2, 4)."""
    norm = np.sqrt(2.0 * p[:, 0])[:, None, None]
    upper = _sigma_dot(p, -1.0) / norm
    lower = -_sigma_dot(p, +1.0) / norm
    return np.concatenate([upper, lower], axis=1).transpose(0, 2, 1)


def _bar(spinor: np.ndarray) -> np.ndarray:
    """Dirac adjoint ψ̄ = ψ† γ⁰ of spinors of shape (N, 2, 4)."""
    return spinor.conj() @ GAMMA[0]


def _current(bar_left: np.ndarray, right: np.ndarray, chirality: str) -> np.ndarray:
    """ψ̄_a γ^μ P_χ ψ_b for all spin pairs: shape (N, 2 (a), 2 (b), 4 (μ, upper index))."""
    vertex = GAMMA @ PROJ[chirality]
    return np.einsum("nai,mij,nbj->nabm", bar_left, vertex, right)


def _mdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...m,mn,...n->...", a, METRIC, b)


def _lower(p: np.ndarray) -> np.ndarray:
    return p @ METRIC


def _z_propagator(p: np.ndarray, gamma_z: float) -> np.ndarray:
    """−i(g_μν − p_μ p_ν/M_Z²)/(p² − M_Z² + i M_Z Γ_Z), lower indices, shape (N, 4, 4)."""
    pl = _lower(p)
    tensor = METRIC - np.einsum("nm,nv->nmv", pl, pl) / M_Z**2
    denominator = _mdot(p, p) - M_Z**2 + 1j * M_Z * gamma_z
    return -1j * tensor / denominator[:, None, None]


def _photon_propagator(p: np.ndarray, xi: float) -> np.ndarray:
    """−i(g_μν − (1−ξ) p_μ p_ν/p²)/p², lower indices, shape (N, 4, 4)."""
    pl = _lower(p)
    p2 = _mdot(p, p)[:, None, None]
    return -1j * (METRIC - (1.0 - xi) * np.einsum("nm,nv->nmv", pl, pl) / p2) / p2


def _on_light_cone(p: np.ndarray | Sequence[float]) -> np.ndarray:
    """Momenta (N, 4) in extended precision with E = |p⃗| recomputed, so p² = 0 to ~1e-19.

    Float64 momenta of a boosted event are massless only to ~ε·E²; the unitary-gauge
    k_μk_ν/M_Z² terms amplify that residue by ~|k|²/M_Z². Moving E by O(ε) restores exact
    masslessness without changing the event at the precision of the inputs.
    """
    p = np.array(np.atleast_2d(p), dtype=REAL)
    p[:, 0] = np.sqrt(np.sum(p[:, 1:] ** 2, axis=1))
    return p


def _vvs_tensor(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """pb^A pa^B − (pa·pb) g^{AB} (UFO ``VVS4``), legs A, B with incoming momenta pa, pb.

    Upper indices, shape (N, 4, 4), first index belongs to leg A.
    """
    outer = np.einsum("na,nb->nab", pb, pa)
    return outer - _mdot(pa, pb)[:, None, None] * METRIC


class DiracReference:
    """Helicity amplitudes of q(p1) q̄(p2) → ℓ⁻(p3) ℓ⁺(p4) H from explicit spinors.

    Parameters
    ----------
    p1, p2, p3, p4 : ndarray, shape (N, 4)
        Quark, antiquark, ℓ⁻, ℓ⁺ momenta (E, p_x, p_y, p_z) in GeV; p_H = p1 + p2 − p3 − p4.
    quark : {"u", "d"}
        Up-type or down-type couplings.
    gamma_z : float
        Z width in both propagators [GeV].
    xi : float
        Gauge parameter of the photon propagator (the amplitude must not depend on it).
    """

    def __init__(
        self,
        p1: np.ndarray,
        p2: np.ndarray,
        p3: np.ndarray,
        p4: np.ndarray,
        quark: str,
        gamma_z: float = GAMMA_Z,
        xi: float = 1.0,
    ) -> None:
        if quark not in ("u", "d"):
            raise ValueError(f"quark must be 'u' or 'd', got {quark!r}")
        p1, p2, p3, p4 = (_on_light_cone(p) for p in (p1, p2, p3, p4))
        self.quark = quark
        bar_v2, u1 = _bar(spinor_v(p2)), spinor_u(p1)
        bar_u3, v4 = _bar(spinor_u(p3)), spinor_v(p4)
        # quark currents v̄(p2, s2) γ^μ P_χ u(p1, s1) -> index order (n, s1, s2, μ)
        self.jq = {chi: _current(bar_v2, u1, chi).transpose(0, 2, 1, 3) for chi in "LR"}
        # lepton currents ū(p3, s3) γ^ν P_χ v(p4, s4) -> (n, s3, s4, ν)
        self.jl = {chi: _current(bar_u3, v4, chi) for chi in "LR"}
        q = p1 + p2
        k = p3 + p4
        self.n = p1.shape[0]
        self.dz_q = _z_propagator(q, gamma_z)
        self.dz_k = _z_propagator(k, gamma_z)
        self.da_q = _photon_propagator(q, xi)
        # hZZ: leg A = s-channel Z (incoming q), leg B = final Z (incoming −k)
        self.t_zz = _vvs_tensor(q, -k)
        # hZγ: leg A = final Z (incoming −k), leg B = photon (incoming q)
        self.t_za = _vvs_tensor(-k, q)

    def amplitude(self, c: np.ndarray | Sequence[float]) -> np.ndarray:
        """Full amplitude iM at Wilson coefficients ``c`` (couplings exactly linear in c).

        Returns shape (N, 16), dtype ``COMPLEX``: the spin configurations (s1, s2, s3, s4).
        """
        g = couplings(c)
        f = self.quark
        charge = QUANTUM_NUMBERS[f][1]
        jq_z = -1j * (g[f"G_{f}L"] * self.jq["L"] + g[f"G_{f}R"] * self.jq["R"])
        jq_a = -1j * E_CHARGE * charge * (self.jq["L"] + self.jq["R"])
        jq_c = 1j * G_Z / VEV * (g[f"a_{f}L"] * self.jq["L"] + g[f"a_{f}R"] * self.jq["R"])
        jl_z = -1j * (g["G_lL"] * self.jl["L"] + g["G_lR"] * self.jl["R"])
        metric = np.broadcast_to(METRIC, (self.n, 4, 4))
        v_zz = 1j * (g["g_hZZ"] * metric + 4.0 * g["kZZ"] / VEV * self.t_zz)
        v_za = 1j * 2.0 * g["kZA"] / VEV * self.t_za
        # Currents are contracted with their propagators first (E_σ = J_ℓ^ν D_νσ(k) of §4.5):
        # the k_μk_ν/M_Z² parts then cancel against the transverse currents before anything
        # multiplies them. (Forming D(q)·V·D(k) first leaves their round-off uncancelled, which
        # costs ~10 digits in strongly boosted frames.)
        lep = np.einsum("ncdv,nvs->ncds", jl_z, self.dz_k)
        quark_z = np.einsum("nabm,nmr->nabr", jq_z, self.dz_q)
        quark_a = np.einsum("nabm,nmr->nabr", jq_a, self.da_q)
        amp = np.einsum("nabr,nrs,ncds->nabcd", quark_z, v_zz, lep)
        amp += np.einsum("nabr,nsr,ncds->nabcd", quark_a, v_za, lep)
        amp += np.einsum("nabs,ncds->nabcd", jq_c, lep)
        return amp.reshape(self.n, 16)

    def linear_amplitudes(self, operators: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """M_0 (N, 16) and M_a = ∂M/∂c_a (n, N, 16) by the exact four-point formula (§4.5).

        M(c_a) is a polynomial of degree ≤ 3 in each c_a, so
        M_a = [8(M(1) − M(−1)) − (M(2) − M(−2))]/12 holds without truncation error.
        """
        m0 = self.amplitude(np.zeros(len(OPERATORS)))
        ma = np.empty((len(operators), self.n, 16), dtype=COMPLEX)
        for i, op in enumerate(operators):
            unit = np.zeros(len(OPERATORS))
            unit[OPERATORS.index(op)] = 1.0
            m = {h: self.amplitude(h * unit) for h in (-2, -1, 1, 2)}
            ma[i] = (8.0 * (m[1] - m[-1]) - (m[2] - m[-2])) / 12.0
        return m0, ma

    def weight_terms(self, operators: Sequence[str]) -> np.ndarray:
        """w_0, w_a, w_aa, w_ab (a < b) as spin sums, shape (N, K), order of :func:`term_names`."""
        m0, ma = self.linear_amplitudes(operators)
        return weight_terms_from_amplitudes(m0, ma)


def weight_terms_from_amplitudes(m0: np.ndarray, ma: np.ndarray) -> np.ndarray:
    """Spin-summed polynomial terms from M_0 (N, S) and M_a (n, N, S), as float64 (N, K).

    w_0 = Σ|M_0|², w_a = 2 Re Σ M_0* M_a, w_aa = Σ|M_a|², w_ab = 2 Re Σ M_a* M_b (a < b).
    """
    cols = [np.sum(np.abs(m0) ** 2, axis=-1)]
    cols += [2.0 * np.sum(m0.conj() * m, axis=-1).real for m in ma]
    n = ma.shape[0]
    for a in range(n):
        for b in range(a, n):
            factor = 1.0 if a == b else 2.0
            cols.append(factor * np.sum(ma[a].conj() * ma[b], axis=-1).real)
    return np.stack(cols, axis=-1).astype(float)


def term_names(operators: Sequence[str]) -> list[str]:
    """Names ``w_sm``, ``w_<a>`` and ``w_<a>_<b>`` (a ≤ b in the given order)."""
    names = ["w_sm"] + [f"w_{a}" for a in operators]
    names += [
        f"w_{a}_{b}" for i, a in enumerate(operators) for j, b in enumerate(operators) if j >= i
    ]
    return names


def squared_me_terms(
    p1: np.ndarray,
    p2: np.ndarray,
    p3: np.ndarray,
    p4: np.ndarray,
    quark: str,
    operators: Sequence[str] = OPERATORS,
    gamma_z: float = GAMMA_Z,
) -> np.ndarray:
    """Weight-polynomial terms of Σ_spins |M|² [GeV⁻²], shape (N, K) (see :func:`term_names`)."""
    return DiracReference(p1, p2, p3, p4, quark, gamma_z=gamma_z).weight_terms(operators)
