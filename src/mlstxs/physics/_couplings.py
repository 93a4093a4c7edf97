"""SM couplings and their first derivatives in the Wilson coefficients (spec §3).

Every effective coupling of the process is linear in C_a = c_a v̂²/Λ² at O(Λ⁻²). A
:class:`CouplingTable` holds, for each coupling, a vector whose entry 0 is the SM value and
whose entry a (1 ≤ a ≤ n) is ∂/∂c_a at c = 0 for the a-th chosen operator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ._inputs import SMInputs
from ._operators import validate_operators

# (T3, Q) of the fermions entering the Z vertices.
FERMIONS: dict[str, tuple[float, float]] = {
    "u": (0.5, 2.0 / 3.0),
    "d": (-0.5, -1.0 / 3.0),
    "l": (-0.5, -1.0),
    "nu": (0.5, 0.0),
}
CHIRALITIES = ("L", "R")


def _contact(C: Mapping[str, float]) -> dict[tuple[str, str], float]:
    """Contact coefficients a^f_σ of the q q̄ Z h vertex and Z-vertex shifts (spec §3.3)."""
    g = C.get
    return {
        ("u", "L"): g("cHq1", 0.0) - g("cHq3", 0.0),
        ("d", "L"): g("cHq1", 0.0) + g("cHq3", 0.0),
        ("u", "R"): g("cHu", 0.0),
        ("d", "R"): g("cHd", 0.0),
        ("l", "L"): g("cHl1", 0.0) + g("cHl3", 0.0),
        ("l", "R"): g("cHe", 0.0),
        ("nu", "L"): g("cHl1", 0.0) - g("cHl3", 0.0),
        ("nu", "R"): 0.0,
    }


def effective_couplings(sm: SMInputs, C: Mapping[str, float]) -> dict[str, float]:
    """All couplings of the process at O(C), for rescaled coefficients C_a = c_a v̂²/Λ².

    Returns a flat dict with keys ``G_<f><σ>`` (Z f f̄ coupling in units of the vertex
    −iγ^μ G P_σ), ``g_hZZ`` [GeV], ``kZZ``, ``kZA`` (κ_ZZ, κ_Zγ, spec §3.2) and
    ``a_<q><σ>`` (contact coefficients). Formulas of spec §3.3 (AJMT arXiv:1312.2014).
    """
    d = sm.derived
    s, c, s2, c2 = d.sw, d.cw, d.sw2, d.cw**2
    g = C.get
    dGF = 2.0 * g("cHl3", 0.0) - g("cll1", 0.0)
    dN = -0.5 * dGF - 0.25 * g("cHDD", 0.0)
    if sm.scheme == "mw":
        ds2 = -0.5 * c2 * g("cHDD", 0.0) - s * c * g("cHWB", 0.0)
    else:
        ds2 = s2 * c2 / (c2 - s2) * (dGF + 0.5 * g("cHDD", 0.0)) + s * c / (c2 - s2) * g(
            "cHWB", 0.0
        )
    d_hZZ = g("cHbox", 0.0) + 0.25 * g("cHDD", 0.0) - 0.5 * dGF
    a = _contact(C)
    out: dict[str, float] = {}
    for f, (t3, q) in FERMIONS.items():
        for chi in CHIRALITIES:
            g0 = (t3 if chi == "L" else 0.0) - q * s2
            out[f"G_{f}{chi}"] = d.gZ * ((1.0 + dN) * g0 - q * ds2 - 0.5 * a[f, chi])
            out[f"a_{f}{chi}"] = a[f, chi]
    out["g_hZZ"] = d.g_hZZ * (1.0 + d_hZZ)
    out["kZZ"] = g("cHW", 0.0) * c2 + g("cHB", 0.0) * s2 + g("cHWB", 0.0) * s * c
    out["kZA"] = 2.0 * s * c * (g("cHW", 0.0) - g("cHB", 0.0)) - g("cHWB", 0.0) * (c2 - s2)
    return out


@dataclass(frozen=True)
class CouplingTable:
    """SM values and first derivatives of every coupling, for a chosen operator set.

    Attributes
    ----------
    operators : tuple of str
        Chosen operators in canonical order.
    lambda_TeV : float
        New-physics scale Λ in TeV.
    sm : SMInputs
        SM inputs.
    values : dict of str to ndarray
        For each coupling name of :func:`effective_couplings`, an array of length n+1:
        entry 0 the SM value, entry a the derivative ∂/∂c_a.
    """

    operators: tuple[str, ...]
    lambda_TeV: float
    sm: SMInputs
    values: dict[str, np.ndarray]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.values[key]


def coupling_table(
    operators: Sequence[str], sm: SMInputs | None = None, lambda_TeV: float = 1.0
) -> CouplingTable:
    """Build the :class:`CouplingTable` for ``operators`` (spec §3.4 for Λ = 1 TeV).

    The couplings are exactly linear in C, so the derivative is f(C = e_a·v̂²/Λ²) − f(0).
    """
    ops = validate_operators(operators)
    sm = sm or SMInputs()
    if not lambda_TeV > 0:
        raise ValueError(f"Λ must be positive, got {lambda_TeV} TeV")
    scale = sm.derived.vev**2 / (1e3 * lambda_TeV) ** 2
    base = effective_couplings(sm, {})
    cols = [base]
    for op in ops:
        shifted = effective_couplings(sm, {op: scale})
        cols.append({k: shifted[k] - base[k] for k in base})
    # the SM contact coefficients vanish; entry 0 of every coupling is its SM value
    values = {k: np.array([col[k] for col in cols]) for k in base}
    return CouplingTable(operators=ops, lambda_TeV=float(lambda_TeV), sm=sm, values=values)
