"""Showered path: LHE writer round trip through Pythia 8, shower + jets, fast-sim comparison."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pythia8mc")
pytest.importorskip("fastjet")

from mlstxs.detector import DetectorConfig, simulate_detector
from mlstxs.detector._lhe_writer import write_lhe
from mlstxs.detector._shower import CUTFLOW, _make_pythia, is_b_hadron, shower_sample
from mlstxs.generate import GeneratorConfig, generate

N_SHOWER = 800
M_Z = 91.1876


@pytest.fixture(scope="module")
def parton():
    """Small parton-level SM sample (e and μ, 5 flavours)."""
    return generate(GeneratorConfig(n_events=2_000, seed=17, flavours=5, level="parton"))


@pytest.fixture(scope="module")
def showered(parton):
    return shower_sample(parton, n_events=N_SHOWER, random_state=2024)


def mass(p: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(p[:, 0] ** 2 - (p[:, 1:] ** 2).sum(axis=1), 0.0))


def ptz(cols: dict, prefix: str = "") -> np.ndarray:
    return np.hypot(
        cols[f"{prefix}lm_px"] + cols[f"{prefix}lp_px"],
        cols[f"{prefix}lm_py"] + cols[f"{prefix}lp_py"],
    )


def test_is_b_hadron():
    ids = np.array([511, -521, 531, 5122, -5232, 553, 5, 421, 2212, 211, 10511])
    assert is_b_hadron(ids).tolist() == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1]


def test_write_lhe_round_trip(parton, tmp_path):
    n = 40
    path = tmp_path / "events.lhe"
    b_is_b1 = write_lhe(parton, path, max_events=n, random_state=1)
    assert b_is_b1.shape == (n,)
    py = _make_pythia(
        [
            "Beams:frameType = 4",
            f"Beams:LHEF = {path}",
            "PartonLevel:all = off",
            "HadronLevel:all = off",
            "Next:numberCount = 0",
            "Next:numberShowLHA = 0",
            "Next:numberShowProcess = 0",
            "Next:numberShowEvent = 0",
            "Next:numberShowInfo = 0",
        ]
    )
    lm, lp, x1, init = [], [], [], []
    while py.next():
        ev = py.process
        ids = [ev[i].id() for i in range(ev.size())]
        lep = int(parton["lep_pdg"][len(lm)])
        for out, pdg in ((lm, lep), (lp, -lep)):
            p = ev[ids.index(pdg)]
            out.append((p.e(), p.px(), p.py(), p.pz()))
        x1.append(py.infoPython().x1())
        init.append(ev[3].id())
    assert len(lm) == n
    # lepton masses are restored by Pythia (LesHouches:setLeptonMass): changes < 1e-4
    np.testing.assert_allclose(lm, parton.momentum("lm")[:n], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(lp, parton.momentum("lp")[:n], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(x1, parton["x1"][:n], rtol=1e-9)
    assert init == parton["init_pdg"][:n].tolist()


def test_write_lhe_init_cross_section(parton, tmp_path):
    path = tmp_path / "all.lhe"
    write_lhe(parton, path, max_events=10)
    lines = path.read_text().splitlines()
    i = lines.index("<init>")
    assert lines[i + 1].split()[8] == "-4"
    assert float(lines[i + 2].split()[0]) == pytest.approx(parton["w_sm"][:10].sum(), rel=1e-9)
    assert sum(line == "<event>" for line in lines) == 10


def test_shower_efficiency_and_masses(showered):
    flow = showered.cutflow
    assert tuple(flow) == CUTFLOW and flow["all"] == N_SHOWER
    assert flow[">=2 b-jets"] >= 0.5 * N_SHOWER
    s = showered.sample
    assert s.metadata.level == "detector" and len(s) == flow[">=2 b-jets"]
    m_bb = mass(s.momentum("b1") + s.momentum("b2"))
    m_ll = mass(s.momentum("lm") + s.momentum("lp"))
    assert 90.0 < np.median(m_bb) < 130.0
    assert abs(np.median(m_ll) - M_Z) < 2.0
    pt_b = np.hypot(s["b1_px"], s["b1_py"]), np.hypot(s["b2_px"], s["b2_py"])
    assert np.all(pt_b[0] >= pt_b[1]) and np.all(pt_b[1] > 20.0)


def test_shower_ptz_follows_parton_level(showered):
    c = showered.sample.columns
    r = np.corrcoef(ptz(c), ptz(c, "truth_"))[0, 1]
    assert r > 0.9


def test_shower_weights_and_truth(parton, showered):
    s, mask = showered.sample, showered.mask
    scale = len(parton) / N_SHOWER
    np.testing.assert_allclose(s["w_sm"], parton["w_sm"][:N_SHOWER][mask] * scale)
    np.testing.assert_array_equal(s["truth_lm_px"], parton["lm_px"][:N_SHOWER][mask])
    assert s.weight_terms == parton.weight_terms


def test_shower_seeded(parton):
    a = shower_sample(parton, n_events=60, random_state=7)
    b = shower_sample(parton, n_events=60, random_state=7)
    assert a.cutflow == b.cutflow
    for k, v in a.sample.columns.items():
        np.testing.assert_array_equal(v, b.sample[k], err_msg=k)


def test_compare_with_fast_simulation(parton, showered):
    """Same events through the fast simulation (no mass windows): p_T(Z) per event and
    the m_bb resolution (half the 16–84 % range of m_bb / 125 GeV)."""
    cols = {k: v[:N_SHOWER] for k, v in parton.columns.items()}
    cfg = DetectorConfig.from_dict({"selection": {"m_ll_window": None, "m_bb_window": None}})
    fast = simulate_detector(cols, cfg, random_state=3)
    both = fast.mask & showered.mask
    assert both.sum() > 0.15 * N_SHOWER
    pt_fast = ptz(fast.columns)[both[fast.mask]]
    pt_shower = ptz(showered.sample.columns)[both[showered.mask]]
    rel = np.abs(pt_shower / pt_fast - 1.0)
    print(f"\np_T(Z) shower vs fast sim: median |Δ|/p_T = {np.median(rel):.3f}")
    assert np.median(rel) < 0.08

    def width(cols_, sel):
        p = np.column_stack([cols_[f"b1_{c}"] + cols_[f"b2_{c}"] for c in "E px py pz".split()])
        r = mass(p)[sel] / 125.0
        q16, q50, q84 = np.quantile(r, [0.16, 0.5, 0.84])
        return q50, 0.5 * (q84 - q16)

    f50, fw = width(fast.columns, both[fast.mask])
    s50, sw = width(showered.sample.columns, both[showered.mask])
    print(f"m_bb/125: fast median {f50:.3f} width {fw:.3f}; shower median {s50:.3f} width {sw:.3f}")
    assert 0.0 < fw < 0.5 and 0.0 < sw < 0.5
