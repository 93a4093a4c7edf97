"""The observable set of the ZH → ℓ⁻ℓ⁺bb̄ analysis.

The paper (Sec. III.B) trains its DNN on transverse momenta of Z, H, the two leptons, the
two b's and the ZH system, the ZH transverse mass, the invariant masses m_ZH, m_bb, m_ll,
pseudorapidities, ΔR_ll, ΔR_bb and "selected Δφ combinations". :data:`PAPER_FEATURES`
fixes that list (the Δφ choice is ours: all pairs of the four objects that are not
already a boson, plus the two decay pairs and Z–H). :data:`FEATURES` adds the three ZH
helicity angles of :mod:`._helicity`. Names and units are stable: they are column names
of stored results.

Conventions: Z ≡ ℓ⁻ + ℓ⁺, H ≡ b₁ + b₂, ZH ≡ Z + H (reconstructed objects, no mass
constraint); ℓ₁/ℓ₂ are the leptons ordered by decreasing p_T; b₁/b₂ are taken as given
(the sample format orders them by decreasing p_T). Pseudorapidities, not rapidities,
enter η and ΔR. Δφ are unsigned, in [0, π].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from . import _kinematics as kin
from ._columns import (
    COMPONENTS,
    MOMENTUM_COLUMNS,
    PRODUCTION_COLUMNS,
    FourVector,
    add,
    check_columns,
    four_vector,
    is_production_level,
)
from ._helicity import helicity_kernel


class FeatureInfo(NamedTuple):
    """Unit and one-line definition of an observable."""

    unit: str
    description: str


_INFO: dict[str, FeatureInfo] = {
    "pt_Z": FeatureInfo("GeV", "p_T of the Z candidate ℓ⁻+ℓ⁺ (region-design axis)"),
    "pt_H": FeatureInfo("GeV", "p_T of the Higgs candidate b₁+b₂"),
    "pt_l1": FeatureInfo("GeV", "p_T of the leading lepton"),
    "pt_l2": FeatureInfo("GeV", "p_T of the subleading lepton"),
    "pt_b1": FeatureInfo("GeV", "p_T of the leading b"),
    "pt_b2": FeatureInfo("GeV", "p_T of the subleading b"),
    "pt_ZH": FeatureInfo("GeV", "p_T of the ZH system ℓ⁻ℓ⁺b₁b₂ (0 at LO parton level)"),
    "mt_ZH": FeatureInfo(
        "GeV",
        "ZH transverse mass sqrt((E_T,Z + E_T,H)² − |p⃗_T,Z + p⃗_T,H|²), "
        "E_T,X = sqrt(m_X² + p_T,X²) with the reconstructed masses m_ll, m_bb",
    ),
    "m_ZH": FeatureInfo("GeV", "invariant mass of ℓ⁻ℓ⁺b₁b₂ (region-design axis)"),
    "m_bb": FeatureInfo("GeV", "invariant mass of b₁b₂"),
    "m_ll": FeatureInfo("GeV", "invariant mass of ℓ⁻ℓ⁺"),
    "eta_l1": FeatureInfo("", "pseudorapidity of the leading lepton"),
    "eta_l2": FeatureInfo("", "pseudorapidity of the subleading lepton"),
    "eta_b1": FeatureInfo("", "pseudorapidity of the leading b"),
    "eta_b2": FeatureInfo("", "pseudorapidity of the subleading b"),
    "eta_Z": FeatureInfo("", "pseudorapidity of the Z candidate"),
    "eta_H": FeatureInfo("", "pseudorapidity of the Higgs candidate"),
    "dR_ll": FeatureInfo("", "ΔR = sqrt(Δη² + Δφ²) between the two leptons"),
    "dR_bb": FeatureInfo("", "ΔR between the two b's"),
    "dphi_ZH": FeatureInfo("rad", "|Δφ| between Z and H candidates, in [0, π]"),
    "dphi_ll": FeatureInfo("rad", "|Δφ| between the two leptons"),
    "dphi_bb": FeatureInfo("rad", "|Δφ| between the two b's"),
    "dphi_l1b1": FeatureInfo("rad", "|Δφ| between leading lepton and leading b"),
    "dphi_l1b2": FeatureInfo("rad", "|Δφ| between leading lepton and subleading b"),
    "dphi_l2b1": FeatureInfo("rad", "|Δφ| between subleading lepton and leading b"),
    "dphi_l2b2": FeatureInfo("rad", "|Δφ| between subleading lepton and subleading b"),
    "cos_Theta": FeatureInfo(
        "",
        "cos of the Z polar angle in the ZH rest frame w.r.t. the Collins–Soper axis "
        "oriented along the ZH boost (BGRS arXiv:1905.02728 Θ)",
    ),
    "cos_theta": FeatureInfo(
        "", "cos of the ℓ⁻ polar angle in the Z rest frame w.r.t. the Z flight direction"
    ),
    "phi": FeatureInfo(
        "rad", "azimuth of ℓ⁻ about the Z direction from the production plane, in [−π, π]"
    ),
}

HELICITY_FEATURES: tuple[str, ...] = ("cos_Theta", "cos_theta", "phi")
"""The three ZH helicity angles."""

FEATURES: tuple[str, ...] = tuple(_INFO)
"""All observables returned by :func:`compute_observables`, in stored order."""

PAPER_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f not in HELICITY_FEATURES)
"""The DNN feature set of the paper, Sec. III.B (everything but the helicity angles)."""

REGION_PLANE: tuple[str, str] = ("pt_Z", "m_ZH")
"""The (p_T^Z, m_ZH) plane in which the regions are designed."""

FEATURE_INFO: Mapping[str, FeatureInfo] = MappingProxyType(_INFO)
"""Unit and description of each name in :data:`FEATURES`."""

UNITS: Mapping[str, str] = MappingProxyType({k: v.unit for k, v in _INFO.items()})
"""Unit of each name in :data:`FEATURES` ("" for dimensionless)."""

DEFAULT_CHUNK_SIZE = 65_536
"""Events per internal block: keeps temporaries in cache (3–4× faster than one pass)."""


def compute_observables(
    events: Mapping[str, np.ndarray], *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> dict[str, np.ndarray]:
    """Compute every observable in :data:`FEATURES` for N events.

    Parameters
    ----------
    events : Mapping[str, numpy.ndarray]
        Four-momentum columns ``lm_*, lp_*, b1_*, b2_*`` (E, px, py, pz in GeV, lab frame),
        shape (N,) each; other columns are ignored.
    chunk_size : int
        Events per internal block; results do not depend on it.

    Returns
    -------
    dict[str, numpy.ndarray]
        One float64 array of shape (N,) per name of :data:`FEATURES`, in that order;
        units in :data:`UNITS`.

    Raises
    ------
    ValueError
        If a column is missing (named), has a different length, or holds NaN/inf.
    """
    return _chunked(events, FEATURES, _compute_block, chunk_size)


def helicity_angles(
    events: Mapping[str, np.ndarray], *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> dict[str, np.ndarray]:
    """Compute only ``cos_Theta``, ``cos_theta`` and ``phi`` (definitions in :mod:`._helicity`).

    Same input, output layout and errors as :func:`compute_observables`.
    """
    return _chunked(events, HELICITY_FEATURES, _helicity_block, chunk_size)


def region_observables(events: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """p_T^Z and m_ZH (:data:`REGION_PLANE`) of N events, decayed or production level.

    With the decay products (``lm_*, lp_*, b1_*, b2_*``) Z = ℓ⁻ + ℓ⁺ and H = b₁ + b₂, exactly
    as in :func:`compute_observables` (same kernels: identical numbers); production-level
    events (no decay products, ``Z_*`` and ``H_*`` columns: undecayed MadGraph ``p p > z h``)
    use the stored Z and H four-momenta. p_T^Z = √(Z_x² + Z_y²), m_ZH = √max((Z + H)², 0).

    Parameters
    ----------
    events : Mapping[str, numpy.ndarray]
        Four-momentum columns (E, px, py, pz in GeV, lab frame), shape (N,) each.

    Returns
    -------
    dict[str, numpy.ndarray]
        ``pt_Z`` and ``m_ZH``, float64 arrays of shape (N,) in GeV.

    Raises
    ------
    ValueError
        If neither column set is complete (the decayed columns are named), a column has
        another length, or holds NaN/inf.
    """
    if is_production_level(events):
        check_columns(events, PRODUCTION_COLUMNS, finite=PRODUCTION_COLUMNS)
        z, h = (four_vector(_float_columns(events, o), o) for o in ("Z", "H"))
    else:
        check_columns(events)
        lm, lp, b1, b2 = (
            four_vector(_float_columns(events, o), o) for o in ("lm", "lp", "b1", "b2")
        )
        z, h = add(lm, lp), add(b1, b2)
    return {"pt_Z": kin.pt(z), "m_ZH": np.sqrt(_mass_squared(add(z, h)))}


def _float_columns(events: Mapping[str, np.ndarray], obj: str) -> dict[str, np.ndarray]:
    return {f"{obj}_{c}": np.asarray(events[f"{obj}_{c}"], dtype=np.float64) for c in COMPONENTS}


_Block = Callable[[Mapping[str, np.ndarray], slice], dict[str, np.ndarray]]


def _chunked(
    events: Mapping[str, np.ndarray], names: tuple[str, ...], block: _Block, chunk_size: int
) -> dict[str, np.ndarray]:
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    n = check_columns(events)
    cols = {c: np.asarray(events[c], dtype=np.float64) for c in MOMENTUM_COLUMNS}
    out = {name: np.empty(n, dtype=np.float64) for name in names}
    for start in range(0, n, chunk_size):
        sl = slice(start, min(start + chunk_size, n))
        values = block(cols, sl)
        for name in names:
            out[name][sl] = values[name]
    return out


def _helicity_block(cols: Mapping[str, np.ndarray], sl: slice) -> dict[str, np.ndarray]:
    lm, lp, b1, b2 = (four_vector(cols, o, sl) for o in ("lm", "lp", "b1", "b2"))
    z = add(lm, lp)
    p = add(z, add(b1, b2))
    m2_z, m2_p = _mass_squared(z), _mass_squared(p)
    return dict(zip(HELICITY_FEATURES, helicity_kernel(lm, z, p, m2_z, m2_p), strict=True))


def _mass_squared(v: FourVector) -> np.ndarray:
    """m² clipped at 0 (shared by the masses and the helicity angles: identical rounding)."""
    m2 = kin.minkowski_dot(v, v)
    return np.maximum(m2, 0.0, out=m2)


def _compute_block(cols: Mapping[str, np.ndarray], sl: slice) -> dict[str, np.ndarray]:
    lm, lp, b1, b2 = (four_vector(cols, o, sl) for o in ("lm", "lp", "b1", "b2"))
    z, h = add(lm, lp), add(b1, b2)
    p = add(z, h)
    vecs = {"lm": lm, "lp": lp, "b1": b1, "b2": b2, "Z": z, "H": h}
    pts = {k: kin.pt(v) for k, v in vecs.items()}
    pts["ZH"] = kin.pt(p)
    m2_z, m2_p = _mass_squared(z), _mass_squared(p)
    et_sum = kin.transverse_energy(z) + kin.transverse_energy(h)
    mt2 = et_sum * et_sum - pts["ZH"] * pts["ZH"]
    lead = pts["lm"] >= pts["lp"]  # ℓ⁻ is ℓ₁ (also on a tie)
    out = {
        "pt_Z": pts["Z"],
        "pt_H": pts["H"],
        "pt_l1": np.where(lead, pts["lm"], pts["lp"]),
        "pt_l2": np.where(lead, pts["lp"], pts["lm"]),
        "pt_b1": pts["b1"],
        "pt_b2": pts["b2"],
        "pt_ZH": pts["ZH"],
        "mt_ZH": np.sqrt(np.maximum(mt2, 0.0, out=mt2), out=mt2),
        "m_ZH": np.sqrt(m2_p),
        "m_bb": kin.mass(h),
        "m_ll": np.sqrt(m2_z),
    }
    out.update(_angular_features(vecs, pts, lead))
    cos_big, cos_small, phi = helicity_kernel(lm, z, p, m2_z, m2_p)
    out.update(cos_Theta=cos_big, cos_theta=cos_small, phi=phi)
    return out


def _angular_features(
    vecs: Mapping[str, FourVector], pts: Mapping[str, np.ndarray], lead: np.ndarray
) -> dict[str, np.ndarray]:
    """η, ΔR and |Δφ| features; ``lead`` marks events where ℓ⁻ is the leading lepton."""
    eta = {k: kin.eta(v, pts[k]) for k, v in vecs.items()}
    phi = {k: kin.phi(v) for k, v in vecs.items()}
    dphi = {(a, b): kin.delta_phi(phi[a], phi[b]) for a in ("lm", "lp") for b in ("b1", "b2")}
    dphi_ll = kin.delta_phi(phi["lm"], phi["lp"])
    dphi_bb = kin.delta_phi(phi["b1"], phi["b2"])
    return {
        "eta_l1": np.where(lead, eta["lm"], eta["lp"]),
        "eta_l2": np.where(lead, eta["lp"], eta["lm"]),
        "eta_b1": eta["b1"],
        "eta_b2": eta["b2"],
        "eta_Z": eta["Z"],
        "eta_H": eta["H"],
        "dR_ll": kin.delta_r(eta["lm"], eta["lp"], dphi_ll),
        "dR_bb": kin.delta_r(eta["b1"], eta["b2"], dphi_bb),
        "dphi_ZH": kin.delta_phi(phi["Z"], phi["H"]),
        "dphi_ll": dphi_ll,
        "dphi_bb": dphi_bb,
        "dphi_l1b1": np.where(lead, dphi["lm", "b1"], dphi["lp", "b1"]),
        "dphi_l1b2": np.where(lead, dphi["lm", "b2"], dphi["lp", "b2"]),
        "dphi_l2b1": np.where(lead, dphi["lp", "b1"], dphi["lm", "b1"]),
        "dphi_l2b2": np.where(lead, dphi["lp", "b2"], dphi["lm", "b2"]),
    }
