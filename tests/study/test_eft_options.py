"""Linear-only benchmark weights, the m_ZH cap and the per-region EFT caveats."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.observables import compute_observables
from mlstxs.physics import PB_TO_EVENTS_PER_FB
from mlstxs.regions import pt_slices
from mlstxs.study import METHODS, StudyConfig, run_split, study_data
from mlstxs.study._data import eft_class_weight
from mlstxs.study._split import region_caveats
from mlstxs.study._subsets import make_subset

from .conftest import synthetic_data

NEW_FIELDS = (
    "s_test_mc_error",
    "b_test_mc_error",
    "n_test_events",
    "quadratic_share",
    "mzh_over_lambda",
)


def test_linear_only_gives_w_sm_plus_c_w_lin(small_sample):
    cols, c = small_sample.columns, 2.0
    quad = study_data(small_sample, StudyConfig(benchmark={"cHW": c}))
    lin = study_data(small_sample, StudyConfig(benchmark={"cHW": c}, eft_order="linear"))
    assert np.array_equal(lin.w_eft, cols["w_sm"] + c * cols["w_cHW"])
    assert np.array_equal(quad.w_eft, small_sample.weights({"cHW": c}))
    for d in (quad, lin):
        assert np.array_equal(d.w_lin, c * cols["w_cHW"])
        assert np.array_equal(d.w_quad, c * c * cols["w_cHW_cHW"])
    assert np.allclose(quad.w_eft, quad.w_sm + quad.w_lin + quad.w_quad, rtol=1e-12, atol=0)
    # the interference makes some linear-only weights negative: clipped for the classifiers
    assert (lin.w_eft < 0).any() and (eft_class_weight(lin.w_eft) >= 0).all()


def test_linear_only_oracle_ratio_may_be_negative():
    w_sm = np.array([1.0, 1.0, 2.0, 0.0, 0.0])
    w_lin = np.array([0.5, -1.5, -1.0, 1.0, -1.0])  # c·w_lin < −w_SM for the second event
    data = synthetic_data(np.full(5, 100.0), np.full(5, 500.0), w_sm, w_lin, linear=True)
    sub = make_subset(data, np.arange(5), 0.5, 10.0, None)
    assert sub.scores["ratio"].tolist() == [1.5, -0.5, 0.5, np.inf, -np.inf]
    assert np.allclose(sub.s, w_lin * PB_TO_EVENTS_PER_FB * 10.0 / 0.5)


def test_linear_only_split_runs_and_the_oracle_stays_optimal(small_sample):
    cfg = StudyConfig(
        eft_order="linear",
        epsilons=(0.0, 0.5),
        n_splits=1,
        dnn_max_epochs=2,
        dnn_thresholds=4,
        dnn_refine_rounds=1,
        scan_n_angles=11,
    )
    out = run_split(study_data(small_sample, cfg), cfg, 0, 11)
    by = {(r["slice"], r["epsilon"], r["method"]): r for r in out["records"]}
    for (sl, eps, method), r in by.items():
        if method.startswith("paper"):
            continue
        assert r["evaluable"], r["note"]
        z_train = by[sl, eps, "oracle"]["z_train"]
        assert r["z_train"] is None or r["z_train"] <= z_train + 1e-9, (sl, eps, method)


def test_mzh_cap_removes_exactly_the_events_above_it(small_sample):
    mzh = compute_observables(small_sample.columns)["m_ZH"]
    cap = float(np.quantile(mzh, 0.8))
    full = study_data(small_sample, StudyConfig())
    capped = study_data(small_sample, StudyConfig(mzh_cap_GeV=cap))
    keep = mzh <= cap
    assert len(capped) == keep.sum() < len(full)
    for name in ("pt", "mzh", "w_sm", "w_eft", "w_lin", "w_quad", "features"):
        assert np.array_equal(getattr(capped, name), getattr(full, name)[keep]), name
    with pytest.raises(ValueError, match="no event has m_ZH"):
        study_data(small_sample, StudyConfig(mzh_cap_GeV=1.0))
    with pytest.raises(ValueError, match="mzh_cap_GeV"):
        StudyConfig(mzh_cap_GeV=-5.0)
    with pytest.raises(ValueError, match="eft_order"):
        StudyConfig(eft_order="cubic")


def test_region_caveats_against_numpy(small_sample):
    c, lumi, fraction = 1.5, 300.0, 0.2
    cols = small_sample.columns
    data = study_data(small_sample, StudyConfig(benchmark={"cHW": c}))
    sl = pt_slices()[2]
    idx = np.flatnonzero(sl.contains(data.pt))
    sub = make_subset(data, idx, fraction, lumi, None)
    mask = sub.mzh > np.median(sub.mzh)
    got = region_caveats(sub, mask)
    sel = idx[mask]
    w_sm, w_lin, w_quad = cols["w_sm"][sel], cols["w_cHW"][sel], cols["w_cHW_cHW"][sel]
    scale = 1000.0 * lumi / fraction
    s = (c * w_lin + c * c * w_quad) * scale
    assert got["quadratic_share"] == pytest.approx(np.sum(c * c * w_quad) / np.sum(c * w_lin))
    mzh = compute_observables(cols)["m_ZH"][sel]
    assert got["mzh_over_lambda"] == pytest.approx(np.sum(w_sm * mzh) / np.sum(w_sm) / 1000.0)
    assert got["s_test"] == pytest.approx(np.sum(s))
    assert got["s_test_mc_error"] == pytest.approx(np.sqrt(np.sum(s**2)))
    assert got["b_test"] == pytest.approx(np.sum(w_sm) * scale)
    assert got["b_test_mc_error"] == pytest.approx(np.sqrt(np.sum((w_sm * scale) ** 2)))
    assert got["n_test_events"] == mask.sum()
    empty = region_caveats(sub, np.zeros(len(mask), dtype=bool))
    assert empty["quadratic_share"] is None and empty["mzh_over_lambda"] is None


def test_every_record_carries_the_caveats(small_sample):
    cfg = StudyConfig(
        epsilons=(0.5,), dnn_max_epochs=2, dnn_thresholds=4, dnn_refine_rounds=1, scan_n_angles=11
    )
    out = run_split(study_data(small_sample, cfg), cfg, 0, 3)
    assert len(out["records"]) == len(METHODS) * 4
    for r in out["records"]:
        assert all(k in r for k in NEW_FIELDS)
        if r["n_test_events"]:
            assert r["s_test_mc_error"] > 0 and r["b_test_mc_error"] > 0
            assert r["quadratic_share"] > 0 and 0 < r["mzh_over_lambda"] < 14
    stxs = {r["slice"]: r for r in out["records"] if r["method"] == "STXS"}
    # the O(Λ⁻⁴) share and m_ZH/Λ grow with p_T(Z)
    shares = [stxs[sl.label]["quadratic_share"] for sl in pt_slices()]
    ratios = [stxs[sl.label]["mzh_over_lambda"] for sl in pt_slices()]
    assert shares == sorted(shares) and ratios == sorted(ratios)
