"""SMEFT parametrisation of regions: oracles (direct sums, c_Hbox closed form), MC errors
(1/√N scaling, pulls over independent samples) and the JSON round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.observables import compute_observables
from mlstxs.physics import SMInputs
from mlstxs.publish import (
    ParametrisationFormatError,
    RegionParametrisation,
    read_parametrisations,
    region_parametrisation,
    write_parametrisations,
)


def _sample(ops=("cHW", "cHWB"), n=40_000, seed=1):
    return generate(GeneratorConfig(operators=ops, n_events=n, seed=seed, level="detector"))


@pytest.fixture(scope="module")
def sample():
    return _sample()


def _pt(sample):
    return compute_observables(sample.columns)["pt_Z"]


def test_coefficients_equal_direct_ratios_of_sums(sample):
    mask = _pt(sample) >= 400.0
    p = region_parametrisation(sample, mask, "pt400-inf")
    c = sample.columns
    sm = c["w_sm"][mask].sum()
    assert p.n_events == mask.sum() > 100
    assert p.sigma_sm_pb == pytest.approx(sm, rel=1e-12)
    assert p.A["cHW"] == pytest.approx(c["w_cHW"][mask].sum() / sm, rel=1e-12)
    assert p.A["cHWB"] == pytest.approx(c["w_cHWB"][mask].sum() / sm, rel=1e-12)
    assert p.B["cHW*cHW"] == pytest.approx(c["w_cHW_cHW"][mask].sum() / sm, rel=1e-12)
    assert p.B["cHW*cHWB"] == pytest.approx(c["w_cHW_cHWB"][mask].sum() / sm, rel=1e-12)
    assert p.B["cHWB*cHWB"] == pytest.approx(c["w_cHWB_cHWB"][mask].sum() / sm, rel=1e-12)
    # σ(c)/σ_SM from the polynomial equals the reweighted sum at an arbitrary point
    point = {"cHW": 0.7, "cHWB": -1.3}
    assert p.mu(point) == pytest.approx(sample.weights(point)[mask].sum() / sm, rel=1e-12)
    # the SM error is the sample's own MC error of the slice
    xs = sample.cross_sections()
    assert p.sigma_sm_err_pb == pytest.approx(xs.terms["w_sm"][3][-1], rel=1e-9)


def test_error_is_linearised_ratio_variance(sample):
    mask = _pt(sample) >= 250.0
    p = region_parametrisation(sample, mask, "r")
    x, y = sample.columns["w_cHW"][mask], sample.columns["w_sm"][mask]
    r = x.sum() / y.sum()
    assert p.A_err["cHW"] == pytest.approx(math.sqrt(np.sum((x - r * y) ** 2)) / y.sum())


def test_cHbox_rescales_the_sm_exactly_in_any_region():
    s = _sample(("cHbox",), n=20_000, seed=3)
    v = SMInputs().derived.vev
    expected = 2.0 * v**2 / 1000.0**2  # 2 v̂²/Λ², Λ = 1 TeV
    obs = compute_observables(s.columns)
    masks = {
        "all": np.ones(len(s), bool),
        "pt150-250": (obs["pt_Z"] >= 150) & (obs["pt_Z"] < 250),
        "line": obs["m_ZH"] > 1.5 * obs["pt_Z"] + 300.0,
    }
    for name, mask in masks.items():
        p = region_parametrisation(s, mask, name)
        assert p.A["cHbox"] == pytest.approx(0.121248, abs=5e-7)
        assert p.A["cHbox"] == pytest.approx(expected, rel=1e-12)
        assert p.B["cHbox*cHbox"] == pytest.approx(expected**2 / 4, rel=1e-12)
        assert p.A_err["cHbox"] < 1e-12 and p.B_err["cHbox*cHbox"] < 1e-12


def test_errors_shrink_as_one_over_sqrt_n():
    small, large = _sample(n=20_000, seed=11), _sample(n=80_000, seed=12)
    ps = region_parametrisation(small, _pt(small) >= 150.0, "s")
    pl = region_parametrisation(large, _pt(large) >= 150.0, "l")
    for key in ("cHW", "cHWB"):
        assert ps.A_err[key] / pl.A_err[key] == pytest.approx(2.0, rel=0.2)
    assert ps.B_err["cHW*cHW"] / pl.B_err["cHW*cHW"] == pytest.approx(2.0, rel=0.2)
    assert ps.sigma_sm_err_pb / pl.sigma_sm_err_pb == pytest.approx(2.0, rel=0.2)


def test_errors_match_the_spread_over_independent_samples():
    fits = [
        region_parametrisation(s, _pt(s) >= 150.0, "r")
        for s in (_sample(n=10_000, seed=100 + k) for k in range(12))
    ]
    for key in ("cHW", "cHWB"):
        values = np.array([f.A[key] for f in fits])
        errors = np.array([f.A_err[key] for f in fits])
        # std of 12 values is known to ~±20 %; the width of the pulls must be ≈ 1
        assert np.std(values, ddof=1) / np.mean(errors) == pytest.approx(1.0, abs=0.45)


def test_empty_region_and_bad_mask_raise(sample):
    with pytest.raises(ValueError, match="no positive SM cross section"):
        region_parametrisation(sample, np.zeros(len(sample), bool), "empty")
    with pytest.raises(ValueError, match="boolean array"):
        region_parametrisation(sample, np.ones(3, bool), "bad")


def test_json_round_trip_is_exact(sample, tmp_path):
    pt = _pt(sample)
    params = [
        region_parametrisation(sample, pt >= 400.0, "pt400-inf"),
        region_parametrisation(sample, (pt >= 150.0) & (pt < 250.0), "pt150-250"),
    ]
    path = write_parametrisations(params, tmp_path / "p.json")
    assert read_parametrisations(path) == params
    assert RegionParametrisation.from_dict(params[0].to_dict()) == params[0]
    raw = json.loads(path.read_text())
    # EFT2Obs layout: per-bin records and the columnar EFTScaling block
    assert raw["bins"][0]["terms"][0] == {
        "params": ["cHW"],
        "val": params[0].A["cHW"],
        "uncert": params[0].A_err["cHW"],
    }
    assert raw["bins"][0]["sm"] == params[0].sigma_sm_pb
    assert raw["nbins"] == 2 and raw["bin_labels"] == ["pt400-inf", "pt150-250"]
    assert raw["terms"][3] == [
        ["cHW", "cHWB"],
        [p.B["cHW*cHWB"] for p in params],
        [p.B_err["cHW*cHWB"] for p in params],
    ]
    assert "cHW" in repr(params[0])


def test_read_names_the_bad_field(sample, tmp_path):
    p = region_parametrisation(sample, _pt(sample) >= 400.0, "r")
    path = write_parametrisations([p], tmp_path / "p.json")
    raw = json.loads(path.read_text())
    raw["bins"][0]["terms"][0]["params"] = ["cXX"]
    path.write_text(json.dumps(raw))
    with pytest.raises(ParametrisationFormatError, match=r"bins\.0: bad field 'terms\.0\.params'"):
        read_parametrisations(path)
    raw = json.loads(write_parametrisations([p], tmp_path / "q.json").read_text())
    raw["sm_vals"] = [1.0]
    (tmp_path / "q.json").write_text(json.dumps(raw))
    with pytest.raises(ParametrisationFormatError, match="bad field 'sm_vals'"):
        read_parametrisations(tmp_path / "q.json")
