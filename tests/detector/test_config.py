"""DetectorConfig: defaults, loading, validation errors that name the field."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlstxs.detector import BJetConfig, DetectorConfig, Resolution


def test_defaults_are_documented_values():
    cfg = DetectorConfig()
    assert cfg.electron.eta_max == 2.47 and cfg.muon.eta_max == 2.5
    assert cfg.electron.pt_min_leading == 27.0 and cfg.electron.pt_min == 7.0
    assert cfg.bjet.btag_efficiency == 0.70 and cfg.bjet.pt_min_leading == 45.0
    assert cfg.bjet.radius == 0.4 and cfg.selection.dr_lepton_jet_min == 0.4
    assert cfg.selection.m_ll_window == (81.0, 101.0)
    assert cfg.selection.m_bb_window == (75.0, 145.0)


def test_frozen():
    cfg = DetectorConfig()
    with pytest.raises(ValueError):
        cfg.bjet = BJetConfig(response=0.9)  # type: ignore[misc]


def test_from_dict_merges_partial_overrides():
    cfg = DetectorConfig.from_dict(
        {"muon": {"resolution": {"constant": 0.03}}, "selection": {"m_bb_window": None}}
    )
    assert cfg.muon.resolution.constant == 0.03
    assert cfg.muon.resolution.linear == DetectorConfig().muon.resolution.linear
    assert cfg.selection.m_bb_window is None
    assert cfg.electron == DetectorConfig().electron


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_file_round_trip(tmp_path, suffix):
    cfg = DetectorConfig.from_dict({"bjet": {"response": 0.93, "btag_efficiency": 0.77}})
    path = tmp_path / f"detector.{suffix}"
    if suffix == "json":
        path.write_text(json.dumps(cfg.to_dict()))
    else:
        path.write_text("bjet:\n  response: 0.93\n  btag_efficiency: 0.77\n")
    assert DetectorConfig.from_file(path) == cfg


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"bjet": {"resolution": {"stochastic": -1.0}}}, "bjet.resolution.stochastic"),
        ({"electron": {"resolution": {"constant": -0.01}}}, "electron.resolution.constant"),
        ({"muon": {"resolution": {"linear": float("nan")}}}, "muon.resolution.linear"),
        ({"bjet": {"response": 0.0}}, "bjet.response"),
        ({"electron": {"efficiency": 1.2}}, "electron.efficiency"),
        ({"bjet": {"btag_efficiency": 1.5}}, "bjet.btag_efficiency"),
        ({"selection": {"m_ll_window": [101, 81]}}, "selection.m_ll_window"),
        ({"bjet": {"radius_typo": 0.4}}, "bjet.radius_typo"),
    ],
)
def test_invalid_values_name_the_field(override, field):
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        DetectorConfig.from_dict(override)


def test_pt_binned_btag_efficiency():
    jet = BJetConfig(btag_efficiency=(0.6, 0.7, 0.75), btag_pt_edges=(40.0, 100.0))
    eff = jet.tag_efficiency(np.array([20.0, 40.0, 99.0, 100.0, 500.0]))
    np.testing.assert_array_equal(eff, [0.6, 0.7, 0.7, 0.75, 0.75])
    with pytest.raises(ValueError, match="bins"):
        BJetConfig(btag_efficiency=(0.6, 0.7), btag_pt_edges=(40.0, 100.0))
    with pytest.raises(ValueError, match="single number"):
        BJetConfig(btag_efficiency=0.7, btag_pt_edges=(40.0,))


def test_resolution_formula():
    res = Resolution(variable="E", noise=2.0, stochastic=0.5, constant=0.03, linear=1e-4)
    x = np.array([10.0, 100.0, 1000.0])
    expected = np.sqrt((2.0 / x) ** 2 + 0.25 / x + 0.03**2 + (1e-4 * x) ** 2)
    np.testing.assert_allclose(res.relative_sigma(x), expected, rtol=1e-14)
