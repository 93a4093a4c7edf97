"""The flat-ntuple reader: round trips through ROOT files written with uproot, both momentum
forms, weight scaling, YAML mappings and every error case."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import SampleFormatError
from mlstxs.io._ntuple import NtupleMapping, read_ntuple

uproot = pytest.importorskip("uproot")

OBJECTS = ("lm", "lp", "b1", "b2")
TERMS = ("w_sm", "w_cHW", "w_cHW_cHW")


@pytest.fixture(scope="module")
def sample():
    return generate(GeneratorConfig(operators=("cHW",), n_events=5000, seed=1, level="parton"))


def _cartesian_branches(sample, swap_b: bool = False) -> dict[str, np.ndarray]:
    c = sample.columns
    out = {}
    for o in OBJECTS:
        src = {"b1": "b2", "b2": "b1"}.get(o, o) if swap_b else o
        for comp in ("E", "px", "py", "pz"):
            out[f"{o}_{comp}"] = c[f"{src}_{comp}"]
    for t in TERMS:
        out[f"weight_{t[2:]}"] = c[t] * 1000.0  # in fb
    out["lep_pdg"] = c["lep_pdg"].astype(np.int32)
    return out


def _mapping(form: str = "cartesian", **kw) -> NtupleMapping:
    objs = {}
    for o in OBJECTS:
        if form == "cartesian":
            objs[o] = {c: f"{o}_{c}" for c in ("E", "px", "py", "pz")}
        else:
            objs[o] = {"pt": f"{o}_pt", "eta": f"{o}_eta", "phi": f"{o}_phi"}
            objs[o]["mass"] = f"{o}_m" if o.startswith("b") else 0.0
    return NtupleMapping.model_validate(
        {
            "tree": "events",
            **objs,
            "weights": {t: f"weight_{t[2:]}" for t in TERMS},
            "weight_scale": 1e-3,
            "operators": ["cHW"],
            "extra": ["lep_pdg"],
            "level": "parton",
            **kw,
        }
    )


def _write(path, branches, tree="events", rntuple=False):
    """A TTree (uproot's ``mktree``) or, with ``rntuple``, the RNTuple that
    ``file[name] = {...}`` writes in uproot ≥ 5.7."""
    with uproot.recreate(path) as f:
        if rntuple:
            f[tree] = branches
        else:
            types = {k: (v.type if hasattr(v, "layout") else v.dtype) for k, v in branches.items()}
            f.mktree(tree, types).extend(branches)
    return path


def _assert_same(back, sample, rtol=1e-9):
    for o in OBJECTS:
        for comp in ("E", "px", "py", "pz"):
            name = f"{o}_{comp}"
            np.testing.assert_allclose(back[name], sample[name], rtol=rtol, atol=1e-9, err_msg=name)
    for t in TERMS:
        np.testing.assert_allclose(back[t], sample[t], rtol=1e-12, atol=0, err_msg=t)
    np.testing.assert_array_equal(back["lep_pdg"], sample["lep_pdg"])


def test_cartesian_round_trip_with_scale(tmp_path, sample):
    path = _write(tmp_path / "a.root", _cartesian_branches(sample))
    back = read_ntuple(path, _mapping())
    _assert_same(back, sample)
    assert len(back) == len(sample) == back.metadata.n_trials
    sm = back.metadata.xsec["w_sm"]
    assert sm.xsec_pb == pytest.approx(sample.metadata.xsec["w_sm"].xsec_pb, rel=1e-12)
    assert sm.error_pb == pytest.approx(sample.metadata.xsec["w_sm"].error_pb, rel=1e-9)
    assert back.metadata.source == "ROOT ntuple: a.root:events"
    assert back.metadata.generator is None
    assert "column mapping" in back.metadata.notes[0]
    assert "uproot" in back.metadata.versions


def test_rntuple_round_trip(tmp_path, sample):
    path = _write(tmp_path / "r.root", _cartesian_branches(sample), rntuple=True)
    _assert_same(read_ntuple(path, _mapping()), sample)


def test_pt_eta_phi_m_round_trip(tmp_path, sample):
    c = sample.columns
    branches = _cartesian_branches(sample)
    for o in OBJECTS:
        px, py, pz, e = c[f"{o}_px"], c[f"{o}_py"], c[f"{o}_pz"], c[f"{o}_E"]
        pt = np.hypot(px, py)
        branches |= {f"{o}_pt": pt, f"{o}_eta": np.arcsinh(pz / pt), f"{o}_phi": np.arctan2(py, px)}
        branches[f"{o}_m"] = np.sqrt(np.clip(e**2 - pt**2 - pz**2, 0.0, None))
    back = read_ntuple(_write(tmp_path / "p.root", branches), _mapping("ptetaphim"))
    _assert_same(back, sample)


def test_b_ordered_by_pt(tmp_path, sample):
    path = _write(tmp_path / "s.root", _cartesian_branches(sample, swap_b=True))
    _assert_same(read_ntuple(path, _mapping()), sample)
    unordered = read_ntuple(path, _mapping(order_b_by_pt=False))
    np.testing.assert_array_equal(unordered["b1_E"], sample["b2_E"])


def test_entry_stop_and_n_trials(tmp_path, sample):
    path = _write(tmp_path / "a.root", _cartesian_branches(sample))
    back = read_ntuple(path, _mapping(n_trials=5000), entry_stop=100)
    assert len(back) == 100
    assert back.metadata.n_trials == 5000


def test_mapping_from_yaml(tmp_path, sample):
    text = """
tree: events
lm: {E: lm_E, px: lm_px, py: lm_py, pz: lm_pz}
lp: {E: lp_E, px: lp_px, py: lp_py, pz: lp_pz}
b1: {E: b1_E, px: b1_px, py: b1_py, pz: b1_pz}
b2: {E: b2_E, px: b2_px, py: b2_py, pz: b2_pz}
weights: {w_sm: weight_sm, w_cHW: weight_cHW, w_cHW_cHW: weight_cHW_cHW}
weight_scale: 0.001
operators: [cHW]
extra: {lep_pdg: lep_pdg}
level: parton
"""
    mapping = NtupleMapping.from_yaml(text)
    assert mapping == _mapping()
    path = _write(tmp_path / "a.root", _cartesian_branches(sample))
    _assert_same(read_ntuple(path, mapping), sample)


@pytest.mark.parametrize(
    ("update", "match"),
    [
        ({"weights": {"w_sm": "weight_sm"}}, "weights must map exactly"),
        ({"operators": ["cXX"]}, "unknown operator"),
        ({"lm": {"E": "a", "pt": "b"}}, "lm"),
        ({"extra": {"w_sm": "x"}}, "clash"),
    ],
)
def test_bad_mapping(update, match):
    with pytest.raises(ValueError, match=match):
        _mapping(**update)


def test_missing_file(tmp_path):
    with pytest.raises(SampleFormatError, match="no such file"):
        read_ntuple(tmp_path / "nope.root", _mapping())


def test_not_a_root_file(tmp_path):
    path = tmp_path / "x.root"
    path.write_text("hello")
    with pytest.raises(SampleFormatError, match="not a readable ROOT file"):
        read_ntuple(path, _mapping())


def test_missing_tree(tmp_path, sample):
    path = _write(tmp_path / "a.root", _cartesian_branches(sample), tree="Delphes")
    with pytest.raises(SampleFormatError, match="no tree 'events'; trees present: Delphes"):
        read_ntuple(path, _mapping())


def test_missing_branch(tmp_path, sample):
    branches = _cartesian_branches(sample)
    del branches["b2_pz"]
    with pytest.raises(SampleFormatError, match=r"branch 'b2_pz' not found.*available.*b2_px"):
        read_ntuple(_write(tmp_path / "a.root", branches), _mapping())


def test_nan_weight(tmp_path, sample):
    branches = _cartesian_branches(sample)
    branches["weight_cHW"] = branches["weight_cHW"].copy()
    branches["weight_cHW"][7] = np.nan
    with pytest.raises(SampleFormatError, match=r"'w_cHW' has 1 NaN.*event 7"):
        read_ntuple(_write(tmp_path / "a.root", branches), _mapping())


def test_jagged_branch(tmp_path, sample):
    ak = pytest.importorskip("awkward")
    branches = {k: v[:3] for k, v in _cartesian_branches(sample).items()}
    branches["lep_pdg"] = ak.Array([[11], [13, 11], []])
    with pytest.raises(SampleFormatError, match=r"'lep_pdg' is jagged.*one row per event"):
        read_ntuple(_write(tmp_path / "a.root", branches), _mapping())


def test_no_rows(tmp_path, sample):
    path = _write(tmp_path / "a.root", _cartesian_branches(sample))
    with pytest.raises(SampleFormatError, match="no rows"):
        read_ntuple(path, _mapping(), entry_stop=0)
