"""Oracle tests of the observable set against hand-built events and the `vector` library."""

from __future__ import annotations

import numpy as np
import pytest
import vector

from mlstxs.observables import (
    FEATURE_INFO,
    FEATURES,
    HELICITY_FEATURES,
    MOMENTUM_COLUMNS,
    PAPER_FEATURES,
    REGION_PLANE,
    UNITS,
    compute_observables,
)

M_Z, M_H = 91.1876, 125.0


def columns(**objects):
    """Columns from four-vectors given as (E, px, py, pz) tuples of arrays."""
    out = {}
    for name, vec in objects.items():
        for comp, arr in zip(("E", "px", "py", "pz"), vec, strict=True):
            out[f"{name}_{comp}"] = np.atleast_1d(np.asarray(arr, dtype=np.float64))
    return out


def from_pt_eta_phi_m(pt, eta, phi, m):
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    return np.sqrt(m * m + px * px + py * py + pz * pz), px, py, pz


def random_events(rng, n):
    """Four independent random objects: a generic oracle input (not physical ZH)."""
    objs = {}
    for name, m in (("lm", 0.0), ("lp", 0.0), ("b1", 4.7), ("b2", 4.7)):
        objs[name] = from_pt_eta_phi_m(
            rng.uniform(10, 400, n), rng.uniform(-2.5, 2.5, n), rng.uniform(-np.pi, np.pi, n), m
        )
    return columns(**objs)


def as_vector(ev, name):
    return vector.array({c: ev[f"{name}_{c}"] for c in ("E", "px", "py", "pz")})


def test_feature_lists_are_consistent():
    assert len(set(FEATURES)) == len(FEATURES)
    assert set(PAPER_FEATURES) | set(HELICITY_FEATURES) == set(FEATURES)
    assert not set(PAPER_FEATURES) & set(HELICITY_FEATURES)
    assert set(REGION_PLANE) <= set(PAPER_FEATURES)
    assert tuple(FEATURE_INFO) == FEATURES and tuple(UNITS) == FEATURES
    assert all(UNITS[f] == "GeV" for f in FEATURES if f.startswith(("pt_", "m_", "mt_")))


def test_output_layout_and_chunk_independence():
    ev = random_events(np.random.default_rng(1), 1001)
    obs = compute_observables(ev)
    assert tuple(obs) == FEATURES
    assert all(v.dtype == np.float64 and v.shape == (1001,) for v in obs.values())
    small = compute_observables(ev, chunk_size=7)
    for name in FEATURES:
        np.testing.assert_array_equal(obs[name], small[name], err_msg=name)


def test_back_to_back_perpendicular_decays():
    """Z along +x with p_T = p, leptons emitted along ±y in the Z frame; H along −x."""
    p = 300.0
    e_z, e_h = np.hypot(p, M_Z), np.hypot(p, M_H)
    half = 0.5
    lm = (half * e_z, half * p, half * M_Z, 0.0)
    lp = (half * e_z, half * p, -half * M_Z, 0.0)
    q = np.sqrt(M_H**2 / 4)  # massless b's emitted along ±z in the H frame
    b1 = (half * e_h, -half * p, 0.0, q)
    b2 = (half * e_h, -half * p, 0.0, -q)
    obs = compute_observables(columns(lm=lm, lp=lp, b1=b1, b2=b2))
    pt_lep = 0.5 * np.hypot(p, M_Z)
    expected = {
        "pt_Z": p,
        "pt_H": p,
        "pt_ZH": 0.0,
        "pt_l1": pt_lep,
        "pt_l2": pt_lep,
        "pt_b1": 0.5 * p,
        "pt_b2": 0.5 * p,
        "m_ll": M_Z,
        "m_bb": M_H,
        "m_ZH": e_z + e_h,
        "mt_ZH": e_z + e_h,  # p_T(ZH) = 0 and p_z = 0: m_T = E_T,Z + E_T,H = m_ZH
        "eta_Z": 0.0,
        "eta_H": 0.0,
        "eta_l1": 0.0,
        "dphi_ZH": np.pi,
        "dphi_ll": 2 * np.arctan2(M_Z, p),
        "dR_ll": 2 * np.arctan2(M_Z, p),
        "dphi_bb": 0.0,
        "cos_Theta": 0.0,  # Z perpendicular to the beam in the ZH frame (at rest)
        "cos_theta": 0.0,  # leptons perpendicular to the Z flight direction
    }
    for name, value in expected.items():
        np.testing.assert_allclose(obs[name], value, atol=1e-9, rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(obs["eta_b1"], -obs["eta_b2"], atol=1e-12)
    # ℓ⁻ along +y, production plane = x–z: φ = ±π/2.
    np.testing.assert_allclose(np.abs(obs["phi"]), np.pi / 2, atol=1e-12)


def test_against_vector_library():
    ev = random_events(np.random.default_rng(7), 2000)
    obs = compute_observables(ev)
    lm, lp, b1, b2 = (as_vector(ev, k) for k in ("lm", "lp", "b1", "b2"))
    z, h = lm + lp, b1 + b2
    zh = z + h
    lead = lm.pt >= lp.pt
    l1 = {"pt": np.where(lead, lm.pt, lp.pt), "eta": np.where(lead, lm.eta, lp.eta)}
    l2 = {"pt": np.where(lead, lp.pt, lm.pt), "eta": np.where(lead, lp.eta, lm.eta)}
    dphi = lambda a, b: np.abs(a.deltaphi(b))  # noqa: E731
    pick = lambda a, b: np.where(lead, a, b)  # noqa: E731
    et = lambda v: np.sqrt(v.mass**2 + v.pt**2)  # noqa: E731
    ref = {
        "pt_Z": z.pt,
        "pt_H": h.pt,
        "pt_ZH": zh.pt,
        "pt_l1": l1["pt"],
        "pt_l2": l2["pt"],
        "pt_b1": b1.pt,
        "pt_b2": b2.pt,
        "m_ZH": zh.mass,
        "m_ll": z.mass,
        "m_bb": h.mass,
        "mt_ZH": np.sqrt((et(z) + et(h)) ** 2 - zh.pt**2),
        "eta_l1": l1["eta"],
        "eta_l2": l2["eta"],
        "eta_b1": b1.eta,
        "eta_b2": b2.eta,
        "eta_Z": z.eta,
        "eta_H": h.eta,
        "dR_ll": lm.deltaR(lp),
        "dR_bb": b1.deltaR(b2),
        "dphi_ZH": dphi(z, h),
        "dphi_ll": dphi(lm, lp),
        "dphi_bb": dphi(b1, b2),
        "dphi_l1b1": pick(dphi(lm, b1), dphi(lp, b1)),
        "dphi_l1b2": pick(dphi(lm, b2), dphi(lp, b2)),
        "dphi_l2b1": pick(dphi(lp, b1), dphi(lm, b1)),
        "dphi_l2b2": pick(dphi(lp, b2), dphi(lm, b2)),
    }
    assert set(ref) == set(PAPER_FEATURES)
    for name, values in ref.items():
        np.testing.assert_allclose(obs[name], values, rtol=1e-9, atol=1e-9, err_msg=name)


def test_region_plane_explicit_sums():
    """p_T^Z and m_ZH from explicit sums of the input columns, written out by hand."""
    ev = random_events(np.random.default_rng(3), 500)
    obs = compute_observables(ev)
    s = {c: sum(ev[f"{o}_{c}"] for o in ("lm", "lp", "b1", "b2")) for c in ("E", "px", "py", "pz")}
    m_zh = np.sqrt(s["E"] ** 2 - s["px"] ** 2 - s["py"] ** 2 - s["pz"] ** 2)
    pt_z = np.hypot(ev["lm_px"] + ev["lp_px"], ev["lm_py"] + ev["lp_py"])
    np.testing.assert_allclose(obs["m_ZH"], m_zh, rtol=1e-12)
    np.testing.assert_allclose(obs["pt_Z"], pt_z, rtol=1e-13)


def test_rotation_about_beam_leaves_everything_invariant():
    ev = random_events(np.random.default_rng(11), 3000)
    alpha = 0.7
    c, s = np.cos(alpha), np.sin(alpha)
    rot = dict(ev)
    for o in ("lm", "lp", "b1", "b2"):
        rot[f"{o}_px"] = c * ev[f"{o}_px"] - s * ev[f"{o}_py"]
        rot[f"{o}_py"] = s * ev[f"{o}_px"] + c * ev[f"{o}_py"]
    a, b = compute_observables(ev), compute_observables(rot)
    for name in FEATURES:
        if name == "phi":
            d = np.angle(np.exp(1j * (a[name] - b[name])))
            np.testing.assert_allclose(d, 0.0, atol=1e-8, err_msg=name)
        else:
            np.testing.assert_allclose(a[name], b[name], rtol=1e-9, atol=1e-9, err_msg=name)


def test_missing_column_is_named():
    ev = random_events(np.random.default_rng(0), 5)
    del ev["b2_pz"]
    with pytest.raises(ValueError, match="b2_pz"):
        compute_observables(ev)


def test_nan_is_reported_with_column_and_event():
    ev = random_events(np.random.default_rng(0), 5)
    ev["lp_py"][3] = np.nan
    with pytest.raises(ValueError, match=r"lp_py.*event 3"):
        compute_observables(ev)


def test_length_mismatch_is_reported():
    ev = random_events(np.random.default_rng(0), 5)
    ev["b1_E"] = ev["b1_E"][:4]
    with pytest.raises(ValueError, match="b1_E"):
        compute_observables(ev)


def test_empty_input():
    ev = {c: np.empty(0) for c in MOMENTUM_COLUMNS}
    obs = compute_observables(ev)
    assert all(v.shape == (0,) for v in obs.values())
