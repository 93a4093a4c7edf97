"""simulate_detector: reproducibility, smearing statistics, selection, weights, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mlstxs.detector import CUTS, DetectorConfig, simulate_detector

M_Z, M_H = 91.1876, 125.0
COMPONENTS = ("E", "px", "py", "pz")
OBJECTS = ("lm", "lp", "b1", "b2")

PERFECT = {
    "electron": {"resolution": {"stochastic": 0.0, "constant": 0.0}},
    "muon": {"resolution": {"constant": 0.0, "linear": 0.0}},
    "bjet": {"resolution": {"stochastic": 0.0, "constant": 0.0}},
}
NO_WINDOWS = {"selection": {"m_ll_window": None, "m_bb_window": None}}


def merged(*dicts):
    out: dict = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = merged(out.get(k, {}), v) if isinstance(v, dict) else v
    return out


def massless(pt, eta, phi):
    pt, eta, phi = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (pt, eta, phi)))
    return pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)


def pair(m, pt1, pt2, eta, phi0):
    """Two massless objects at equal η with p_T1, p_T2 and pair mass m."""
    a = np.arccos(1.0 - m * m / (2.0 * pt1 * pt2))
    return massless(pt1, eta, phi0 + a / 2), massless(pt2, eta, phi0 - a / 2)


def build(lm, lp, b1, b2, pdg):
    ev = {}
    for name, vec in zip(OBJECTS, (lm, lp, b1, b2), strict=True):
        for c, arr in zip(COMPONENTS, vec, strict=True):
            ev[f"{name}_{c}"] = np.array(arr, dtype=np.float64)
    ev["lep_pdg"] = np.broadcast_to(np.asarray(pdg, dtype=np.int8), ev["lm_E"].shape).copy()
    return ev


def good_events(
    rng, n, *, pt_l=None, pt_b=None, eta=None, pdg=None, m_ll=M_Z, m_bb=M_H, b_ratio=0.6
):
    """Events passing the default selection without smearing: ℓℓ at φ0, bb at φ0 + π."""
    pt_l = rng.uniform(60, 200, n) if pt_l is None else pt_l
    pt_b = rng.uniform(120, 250, n) if pt_b is None else pt_b
    eta = rng.uniform(-1, 1, n) if eta is None else eta
    phi0 = rng.uniform(-np.pi, np.pi, n)
    pdg = rng.choice([11, 13], n) if pdg is None else pdg
    lm, lp = pair(m_ll, pt_l, 0.8 * pt_l, eta, phi0)
    b1, b2 = pair(m_bb, pt_b, b_ratio * pt_b, eta, phi0 + np.pi)
    return build(lm, lp, b1, b2, pdg)


def test_same_seed_identical_different_seed_differs():
    ev = good_events(np.random.default_rng(0), 5000)
    cfg = DetectorConfig()
    a, b, c = (simulate_detector(ev, cfg, s) for s in (42, 42, 43))
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_array_equal(a.weight_factor, b.weight_factor)
    for name in a.columns:
        np.testing.assert_array_equal(a.columns[name], b.columns[name])
    assert a.cutflow == b.cutflow
    assert not np.array_equal(a.columns["b1_E"][:100], c.columns["b1_E"][:100])
    g = simulate_detector(ev, cfg, np.random.default_rng(42))
    np.testing.assert_array_equal(g.columns["lm_px"], a.columns["lm_px"])


def test_zero_resolution_reproduces_truth():
    ev = good_events(np.random.default_rng(1), 2000)
    res = simulate_detector(ev, DetectorConfig.from_dict(PERFECT), 3)
    assert res.mask.all() and res.n_pass == 2000
    for name, values in res.columns.items():
        np.testing.assert_array_equal(values, ev[name], err_msg=name)


def test_weight_factor_is_product_of_efficiencies():
    ev = good_events(np.random.default_rng(2), 3000)
    override = {
        "electron": {"efficiency": 0.8},
        "muon": {"efficiency": 0.95},
        "bjet": {"btag_efficiency": [0.5, 0.7, 0.8], "btag_pt_edges": [60.0, 120.0]},
    }
    res = simulate_detector(ev, DetectorConfig.from_dict(override), 5)
    pdg = res.select(ev["lep_pdg"])
    eff_l = np.where(pdg == 11, 0.8, 0.95)
    table = np.array([0.5, 0.7, 0.8])
    pt = {b: np.hypot(res.columns[f"{b}_px"], res.columns[f"{b}_py"]) for b in ("b1", "b2")}
    eff_b = {b: table[np.searchsorted([60.0, 120.0], pt[b], side="right")] for b in pt}
    np.testing.assert_allclose(res.weight_factor, eff_l**2 * eff_b["b1"] * eff_b["b2"], rtol=1e-15)
    flat = simulate_detector(ev, DetectorConfig(), 5)
    expected = np.where(flat.select(ev["lep_pdg"]) == 11, 0.9**2, 0.98**2) * 0.7**2
    np.testing.assert_allclose(flat.weight_factor, expected, rtol=1e-15)


def decay(rng, parent, m_parent):
    """Isotropic decay of parents (E, px, py, pz arrays) into two massless daughters."""
    e, px, py, pz = parent
    cos_t = rng.uniform(-1, 1, e.size)
    ph = rng.uniform(-np.pi, np.pi, e.size)
    q = (
        0.5
        * m_parent
        * np.array([np.sqrt(1 - cos_t**2) * np.cos(ph), np.sqrt(1 - cos_t**2) * np.sin(ph), cos_t])
    )
    out = []
    for sign in (1.0, -1.0):
        dot = sign * (px * q[0] + py * q[1] + pz * q[2])
        c = (dot / (e + m_parent) + 0.5 * m_parent) / m_parent
        out.append(
            (
                (e * 0.5 * m_parent + dot) / m_parent,
                sign * q[0] + c * px,
                sign * q[1] + c * py,
                sign * q[2] + c * pz,
            )
        )
    return out


def toy_events(rng, n):
    """Z and H back to back with p_T up to 600 GeV, isotropic decays: every cut bites."""
    pt = rng.uniform(0, 600, n)
    az = rng.uniform(-np.pi, np.pi, n)
    m_z, m_h = rng.uniform(70, 110, n), rng.uniform(60, 160, n)
    bosons = []
    for m, sign in ((m_z, 1.0), (m_h, -1.0)):
        y = rng.uniform(-2.5, 2.5, n)
        mt = np.hypot(m, pt)
        bosons.append(
            (mt * np.cosh(y), sign * pt * np.cos(az), sign * pt * np.sin(az), mt * np.sinh(y))
        )
    lm, lp = decay(rng, bosons[0], m_z)
    b1, b2 = decay(rng, bosons[1], m_h)
    swap = np.hypot(b2[1], b2[2]) > np.hypot(b1[1], b1[2])
    b1, b2 = (
        tuple(np.where(swap, y, x) for x, y in zip(b1, b2, strict=True)),
        tuple(np.where(swap, x, y) for x, y in zip(b1, b2, strict=True)),
    )
    return build(lm, lp, b1, b2, rng.choice([11, 13], n))


def test_cutflow_monotone_and_consistent():
    rng = np.random.default_rng(3)
    ev = toy_events(rng, 20_000)
    w = rng.uniform(0.5, 1.5, 20_000)
    res = simulate_detector(ev, DetectorConfig(), 7, weights=w)
    assert tuple(res.cutflow) == ("all", *CUTS)
    counts = list(res.cutflow.values())
    assert counts[0] == 20_000
    assert all(a >= b for a, b in itertools.pairwise(counts))
    assert all(a > b for a, b in itertools.pairwise(counts)), "every cut should bite"
    assert counts[-1] == res.mask.sum() == res.n_pass == res.columns["lm_E"].shape[0]
    sums = res.weighted_cutflow
    assert tuple(sums) == ("all", *CUTS, "efficiencies")
    values = list(sums.values())
    assert all(a >= b for a, b in itertools.pairwise(values))
    np.testing.assert_allclose(sums["all"], w.sum())
    np.testing.assert_allclose(sums["m_bb"], w[res.mask].sum())
    np.testing.assert_allclose(sums["efficiencies"], (w[res.mask] * res.weight_factor).sum())
    assert simulate_detector(ev, DetectorConfig(), 7).weighted_cutflow is None
    assert "n_pass" in repr(res) and set(res.to_dict()) >= {"columns", "mask", "cutflow"}


def test_bjets_reordered_by_reco_pt():
    n = 5000
    ev = good_events(np.random.default_rng(4), n, pt_b=np.full(n, 150.0), b_ratio=0.95)
    res = simulate_detector(ev, DetectorConfig(), 8)
    pt1 = np.hypot(res.columns["b1_px"], res.columns["b1_py"])
    pt2 = np.hypot(res.columns["b2_px"], res.columns["b2_py"])
    assert (pt1 >= pt2).all()
    swapped = ~np.isclose(
        res.columns["b1_px"] / res.columns["b1_E"], res.select(ev["b1_px"] / ev["b1_E"])
    )
    assert 0.2 < swapped.mean() < 0.5  # smearing often reverses a 5% p_T difference


def delta_r(ev, a, b):
    """Independent ΔR(a, b) from the columns (pseudorapidity, folded Δφ)."""
    pt_a, pt_b = np.hypot(ev[f"{a}_px"], ev[f"{a}_py"]), np.hypot(ev[f"{b}_px"], ev[f"{b}_py"])
    d_eta = np.arcsinh(ev[f"{a}_pz"] / pt_a) - np.arcsinh(ev[f"{b}_pz"] / pt_b)
    d_phi = np.arctan2(ev[f"{a}_py"], ev[f"{a}_px"]) - np.arctan2(ev[f"{b}_py"], ev[f"{b}_px"])
    return np.hypot(d_eta, np.angle(np.exp(1j * d_phi)))


def test_resolved_requirement_removes_close_b_pairs():
    """p_T,b = 500/300 GeV at m_bb = 125 GeV gives ΔR(b,b) ≈ 0.32; 250/150 GeV ≈ 0.64."""
    n = 1000
    pt_b = np.where(np.arange(n) % 2 == 0, 500.0, 250.0)
    ev = good_events(np.random.default_rng(5), n, pt_b=pt_b)
    dr = delta_r(ev, "b1", "b2")
    assert (dr[::2] < 0.4).all() and (dr[1::2] > 0.4).all()
    res = simulate_detector(ev, DetectorConfig.from_dict(PERFECT), 1)
    np.testing.assert_array_equal(res.mask, dr > 0.4)
    assert res.cutflow["m_ll"] - res.cutflow["resolved_bb"] == n // 2
    # with smearing too: no surviving event has a b pair closer than the jet radius
    smeared = simulate_detector(toy_events(np.random.default_rng(6), 20_000), DetectorConfig(), 2)
    assert (delta_r(smeared.columns, "b1", "b2") > 0.4).all()


def test_lepton_acceptance_and_trigger_thresholds():
    rng = np.random.default_rng(6)
    n = 400
    eta = np.tile([0.0, 2.48, 0.0, 2.48], n // 4)
    pdg = np.tile([11, 11, 13, 13], n // 4)
    ev = good_events(rng, n, eta=eta, pdg=pdg, pt_b=np.full(n, 150.0))
    res = simulate_detector(ev, DetectorConfig.from_dict(PERFECT), 1)
    # electrons at |η| = 2.48 fail (|η| < 2.47), muons and b-jets pass (|η| < 2.5)
    np.testing.assert_array_equal(res.mask, ~((pdg == 11) & (eta > 0)))
    # both leptons below the 27 GeV trigger threshold: fails "leading_lepton" only
    soft = good_events(rng, 10, pt_l=np.full(10, 26.0), m_ll=40.0)
    res = simulate_detector(soft, DetectorConfig.from_dict(merged(PERFECT, NO_WINDOWS)), 1)
    assert res.cutflow["two_leptons"] == 10 and res.cutflow["leading_lepton"] == 0


def test_mass_windows_and_lepton_jet_isolation():
    rng = np.random.default_rng(7)
    low_bb = good_events(rng, 50, m_bb=70.0, pt_b=np.full(50, 100.0))
    cfg = DetectorConfig.from_dict(PERFECT)
    assert simulate_detector(low_bb, cfg, 1).cutflow["m_bb"] == 0
    open_cfg = DetectorConfig.from_dict(merged(PERFECT, {"selection": {"m_bb_window": None}}))
    assert simulate_detector(low_bb, open_cfg, 1).n_pass == 50
    off_z = good_events(rng, 50, m_ll=105.0)
    assert simulate_detector(off_z, cfg, 1).cutflow["m_ll"] == 0
    # put b1 at ΔR = 0.3 from ℓ⁻
    ev = good_events(rng, 50)
    pt, eta = (
        np.hypot(ev["lm_px"], ev["lm_py"]),
        np.arcsinh(ev["lm_pz"] / np.hypot(ev["lm_px"], ev["lm_py"])),
    )
    phi = np.arctan2(ev["lm_py"], ev["lm_px"]) + 0.3
    for c, arr in zip(COMPONENTS, massless(pt, eta, phi), strict=True):
        ev[f"b1_{c}"] = arr
    res = simulate_detector(ev, DetectorConfig.from_dict(merged(PERFECT, NO_WINDOWS)), 1)
    assert res.cutflow["two_bjets"] == 50 and res.cutflow["lepton_jet_dr"] == 0


def test_measured_resolution_matches_configuration():
    """Pulls (reco/true − 1)/σ(true) have mean 0 and width 1 for every object type."""
    rng = np.random.default_rng(8)
    n = 40_000
    ev = good_events(rng, n, eta=np.zeros(n))  # η = 0: E = p_T for every object
    cfg = DetectorConfig.from_dict(NO_WINDOWS)
    res = simulate_detector(ev, cfg, 11)
    assert res.n_pass > 0.95 * n
    truth = {k: res.select(v) for k, v in ev.items()}
    is_e = truth["lep_pdg"] == 11
    for lep in ("lm", "lp"):
        e_true = truth[f"{lep}_E"]
        ratio = res.columns[f"{lep}_E"] / e_true
        sigma = np.where(
            is_e,
            np.sqrt(0.10**2 / e_true + 0.007**2),
            np.sqrt(0.017**2 + (1e-4 * e_true) ** 2),
        )
        for sel in (is_e, ~is_e):
            pull = (ratio[sel] - 1.0) / sigma[sel]
            m = sel.sum()
            assert abs(pull.mean()) < 4 / np.sqrt(m), lep
            assert abs(pull.std() - 1.0) < 4 / np.sqrt(2 * m), lep
    # b-jets: match reconstructed to true jets by direction (re-ordering by reco p_T)
    phi_true = {b: np.arctan2(truth[f"{b}_py"], truth[f"{b}_px"]) for b in ("b1", "b2")}
    for b in ("b1", "b2"):
        phi_reco = np.arctan2(res.columns[f"{b}_py"], res.columns[f"{b}_px"])
        same = np.isclose(phi_reco, phi_true[b], atol=1e-12)
        e_true = np.where(same, truth[f"{b}_E"], truth["b2_E" if b == "b1" else "b1_E"])
        pull = (res.columns[f"{b}_E"] / e_true - 1.0) / np.sqrt(1.0 / e_true + 0.05**2)
        assert abs(pull.mean()) < 4 / np.sqrt(pull.size)
        assert abs(pull.std() - 1.0) < 4 / np.sqrt(2 * pull.size)


def test_response_and_kinematic_invariants():
    rng = np.random.default_rng(9)
    ev = good_events(rng, 20_000, eta=np.zeros(20_000))
    res = simulate_detector(
        ev, DetectorConfig.from_dict(merged(NO_WINDOWS, {"bjet": {"response": 0.9}})), 2
    )
    cols = res.columns
    total_true = res.select(ev["b1_E"] + ev["b2_E"])
    np.testing.assert_allclose(
        (cols["b1_E"] + cols["b2_E"]).mean() / total_true.mean(), 0.9, rtol=0.005
    )
    for lep in ("lm", "lp"):
        m2 = (
            cols[f"{lep}_E"] ** 2
            - cols[f"{lep}_px"] ** 2
            - cols[f"{lep}_py"] ** 2
            - cols[f"{lep}_pz"] ** 2
        )
        np.testing.assert_allclose(m2 / cols[f"{lep}_E"] ** 2, 0.0, atol=1e-12)
    # directions unchanged: p/E identical to truth for leptons (matched by index)
    np.testing.assert_allclose(
        cols["lm_px"] / cols["lm_E"], res.select(ev["lm_px"] / ev["lm_E"]), rtol=1e-12
    )


def test_truncation_keeps_energies_positive():
    loose = {
        "bjet": {
            "resolution": {"constant": 1.5, "stochastic": 0.0},
            "pt_min": 0.0,
            "pt_min_leading": 0.0,
        },
        "selection": {"m_ll_window": None, "m_bb_window": None},
    }
    ev = good_events(np.random.default_rng(10), 5000)
    res = simulate_detector(ev, DetectorConfig.from_dict(loose), 3)
    assert res.n_pass == 5000
    assert (res.columns["b1_E"] > 0).all() and (res.columns["b2_E"] > 0).all()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda ev: ev.pop("b2_E"), "b2_E"),
        (lambda ev: ev.pop("lep_pdg"), "lep_pdg"),
        (lambda ev: ev["lm_px"].__setitem__(2, np.nan), r"lm_px.*event 2"),
        (lambda ev: ev["lep_pdg"].__setitem__(1, 15), "lep_pdg"),
        (lambda ev: ev["b1_E"].__setitem__(0, -1.0), "b1_E"),
    ],
)
def test_bad_input_raises_naming_the_column(mutate, message):
    ev = good_events(np.random.default_rng(0), 10)
    mutate(ev)
    with pytest.raises(ValueError, match=message):
        simulate_detector(ev, DetectorConfig(), 0)


def test_bad_weights_and_empty_input():
    ev = good_events(np.random.default_rng(0), 10)
    with pytest.raises(ValueError, match="weights"):
        simulate_detector(ev, DetectorConfig(), 0, weights=np.ones(9))
    empty = {k: v[:0] for k, v in ev.items()}
    res = simulate_detector(empty, DetectorConfig(), 0, weights=np.ones(0))
    assert res.n_pass == 0 and res.cutflow["all"] == 0
