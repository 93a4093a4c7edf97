"""The region study: one split end to end, determinism, not-evaluable slices, resume."""

from __future__ import annotations

import json

import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import EventSample
from mlstxs.study import METHODS, StudyConfig, line_methods, run_split, run_study, study_data
from mlstxs.study._ensemble import StudyExistsError

QUICK = dict(n_splits=2, dnn_max_epochs=3, dnn_thresholds=5, scan_n_angles=21)


@pytest.fixture(scope="module")
def sample():
    return generate(GeneratorConfig(n_events=60_000, seed=2, level="detector"))


@pytest.fixture(scope="module")
def split0(sample):
    cfg = StudyConfig(**QUICK)
    return run_split(study_data(sample, cfg), cfg, 0, 123)


def test_every_method_slice_and_epsilon_is_recorded(split0):
    recs = split0["records"]
    assert len(recs) == len(METHODS) * 4 * 4  # default ε: 0, 0.3, 0.5, 1
    assert {r["epsilon"] for r in recs} == {0.0, 0.3, 0.5, 1.0}
    # the paper's published lines may select no test event of this small sample
    chosen = [r for r in recs if not r["method"].startswith("paper")]
    assert all(r["evaluable"] for r in chosen), [r["note"] for r in chosen if not r["evaluable"]]
    by = {(r["slice"], r["epsilon"], r["method"]): r for r in recs}
    for (sl, eps, method), r in by.items():
        if r["evaluable"]:
            assert r["z_test"] > 0 and r["b_test"] > 0
        if method in line_methods() and r["evaluable"]:
            assert r["slope"] is not None and r["intercept_GeV"] is not None
        if method in ("SVM", "SVM+scan", "DNN+SVM+scan", "mZH-cut", "paper-lines"):
            # SMEFT-enriched side is high m_ZH; the scans only produce lines of that form
            assert r["above"] in (True, None)
        # the scan optimises Z on the training set around the SVM line: never worse there
        if method == "SVM+scan":
            assert r["z_train"] >= by[sl, eps, "SVM"]["z_train"] - 1e-9
        # the oracle threshold is optimal on the training set among all single regions
        if method == "oracle":
            for other in METHODS:
                z_other = by[sl, eps, other]["z_train"]
                assert z_other is None or r["z_train"] >= z_other - 1e-9, other


def test_diagnostics_of_split_zero(split0):
    d = split0["diagnostics"]
    assert len(d["roc"]) == 4 and len(d["pca"]) == 4
    assert {x["method"] for x in d["scan_landscapes"]} == {"SVM+scan", "DNN+SVM+scan"}
    assert len(d["threshold_curves"]) == 16
    assert {x["method"] for x in d["lines"]} == set(line_methods())
    assert len(d["events"]["pt_Z"]) > 0
    json.dumps(d)  # JSON-ready


def test_split_is_deterministic(sample, split0):
    cfg = StudyConfig(**QUICK)
    again = run_split(study_data(sample, cfg), cfg, 0, 123)
    assert again["records"] == split0["records"]


def test_empty_slice_and_zero_background_are_not_evaluable(sample):
    cfg = StudyConfig(
        **QUICK,
        slice_edges_GeV=(
            75.0,
            400.0,
            None,
        ),
        epsilons=(0.5,),
    )
    cols = dict(sample.columns)
    pt = sample.ptz_GeV()
    for term in ("w_sm", "w_cHW"):  # w(c) = c² w_cHW_cHW there: positive, no SM background
        w = cols[term].copy()
        w[pt >= 400] = 0.0
        cols[term] = w
    no_bkg = EventSample(cols, sample.metadata)
    out = run_split(study_data(no_bkg, cfg), cfg, 0, 5)
    high = [r for r in out["records"] if r["slice"] == "[400,inf]"]
    assert high and not any(r["evaluable"] for r in high)
    assert all("zero expected SM background" in r["note"] for r in high)
    assert all(r["z_test"] is None for r in high)
    empty_cfg = StudyConfig(**QUICK, slice_edges_GeV=(75.0, 400.0, 20000.0, None), epsilons=(0.5,))
    out = run_split(study_data(sample, empty_cfg), empty_cfg, 0, 5)
    far = [r for r in out["records"] if r["slice"] == "[20000,inf]"]
    assert far and all("empty" in r["note"] for r in far)


def test_study_on_disk_resumes_and_refuses_overwrite(tmp_path, sample, monkeypatch):
    path = sample.save(tmp_path / "sample")
    cfg = StudyConfig(**QUICK)
    out = tmp_path / "study"
    from mlstxs.study import _ensemble

    real = _ensemble.run_split_to_disk
    calls = []

    def failing(sample_path, config, split, seed, out_dir):
        if split == 1:
            raise KeyboardInterrupt
        calls.append(split)
        return real(sample_path, config, split, seed, out_dir)

    monkeypatch.setattr(_ensemble, "run_split_to_disk", failing)
    with pytest.raises(KeyboardInterrupt):
        run_study(path, cfg, out, scheduler="synchronous")
    assert not (out / "study.json").exists()
    monkeypatch.setattr(_ensemble, "run_split_to_disk", lambda *a: calls.append(a[2]) or real(*a))
    calls.clear()
    study = run_study(path, cfg, out, scheduler="synchronous")
    assert calls == [1]
    assert {r["split"] for r in study.records} == {0, 1}  # run_study returns a StudyResult
    with pytest.raises(StudyExistsError, match="already exists"):
        run_study(path, cfg, out, scheduler="synchronous")
    with pytest.raises(ValueError, match="no weights for cHq3"):
        run_study(
            path,
            StudyConfig(**QUICK, benchmark={"cHq3": 1.0}),
            tmp_path / "x",
            scheduler="synchronous",
        )
    assert not (tmp_path / "x").exists()


def test_config_errors():
    with pytest.raises(ValueError, match="unknown operator"):
        StudyConfig(benchmark={"cXX": 1.0})
    with pytest.raises(ValueError, match="unknown feature"):
        StudyConfig(features=("pt_Z", "foo"))
    with pytest.raises(ValueError, match="non-zero"):
        StudyConfig(benchmark={"cHW": 0.0})
