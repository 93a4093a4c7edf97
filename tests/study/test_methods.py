"""The registry of region methods, mZH-cut, ε = 0 and the DNN+SVM threshold grid."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mlstxs.regions import pt_slices
from mlstxs.regions._threshold import best_threshold
from mlstxs.stats import asimov_z
from mlstxs.study import (
    KINDS,
    METHODS,
    Method,
    StudyConfig,
    line_methods,
    method_labels,
    methods_of_kind,
    optimum_method,
    reference_method,
    study_data,
)
from mlstxs.study._methods import _refine, dnn_quantile_grid

from .conftest import make_context, synthetic_data

STORED_NAMES = ("STXS", "SVM", "SVM+scan", "DNN+SVM", "DNN+SVM+scan", "DNN-threshold", "oracle")
"""Method names found in stored study.json files: they must never change."""


def _z(sub, mask, eps):
    return float(asimov_z(sub.s[mask].sum(), sub.b[mask].sum(), eps))


def test_registry_entries_are_frozen_method_records():
    assert set(STORED_NAMES) <= set(METHODS)
    seen = set()
    for name, m in METHODS.items():
        assert isinstance(m, Method) and m.name == name
        assert m.kind in KINDS and m.label and m.description and callable(m.func)
        assert set(m.needs) <= seen  # what a method starts from is evaluated before it
        seen.add(name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        METHODS["SVM"].kind = "slice"
    with pytest.raises(ValueError, match="unknown kind"):
        Method("x", "x", "curve", lambda ctx, done: {}, "not a kind")


def test_helpers_name_methods_by_kind():
    lines = line_methods()
    assert set(lines) == {
        "mZH-cut",
        "SVM",
        "SVM+scan",
        "DNN+SVM",
        "DNN+SVM+scan",
        "paper-lines",
        "paper-dnn-lines",
    }
    assert list(lines) == [n for n in METHODS if n in lines]  # evaluation order
    assert reference_method() == "STXS" and optimum_method() == "oracle"
    assert methods_of_kind("threshold") == ("DNN-threshold",)
    assert methods_of_kind("slice", "optimum") == ("STXS", "oracle")
    assert list(method_labels()) == list(METHODS)
    with pytest.raises(ValueError, match="unknown method kind"):
        methods_of_kind("curve")


@pytest.fixture(scope="module")
def slice_contexts(small_sample):
    cfg = StudyConfig(epsilons=(0.0, 0.3, 1.0))
    data = study_data(small_sample, cfg)
    return [make_context(data, cfg, sl) for sl in pt_slices(cfg.edges_GeV())]


def test_mzh_cut_is_the_exact_best_horizontal_line(slice_contexts):
    for ctx in slice_contexts:
        tr = ctx.train
        cut = METHODS["mZH-cut"].func(ctx, {})
        best = METHODS["oracle"].func(ctx, {})
        for eps, choice in cut.items():
            assert choice.line.slope == 0.0 and choice.line.above
            z = _z(tr, choice.mask(tr), eps)
            # the exact optimum over every threshold on m_ZH
            assert z == pytest.approx(best_threshold(tr.mzh, tr.s, tr.b, eps).z, rel=1e-12)
            # ...and never above the Neyman–Pearson optimum on the training set
            assert z <= _z(tr, best[eps].mask(tr), eps) + 1e-9


def test_no_zero_background_region_is_chosen_at_eps_zero():
    rng = np.random.default_rng(3)
    n = 400
    pt = rng.uniform(75, 150, n)
    mzh = rng.uniform(250, 1500, n)
    w_sm = rng.uniform(1e-6, 2e-6, n)
    w_lin = w_sm * (mzh / 1000.0) ** 2
    top = np.argsort(mzh)[-5:]
    w_sm[top] = 0.0  # pure signal at the largest m_ZH: Z = ∞ for a region of these alone
    cfg = StudyConfig(epsilons=(0.0, 0.5))
    ctx = make_context(synthetic_data(pt, mzh, w_sm, w_lin), cfg, pt_slices((75.0, 150.0))[0])
    for name in ("mZH-cut", "oracle", "STXS"):
        for eps, choice in METHODS[name].func(ctx, {}).items():
            m = choice.mask(ctx.train)
            assert ctx.train.b[m].sum() > 0, (name, eps)
            assert np.isfinite(_z(ctx.train, m, eps))
    assert np.isnan(asimov_z(ctx.train.s[top].sum(), 0.0, 0.0))  # what was avoided


def test_dnn_threshold_grid_is_dense_in_the_tail():
    q = dnn_quantile_grid(25, 0.002)
    assert q[0] == pytest.approx(0.05) and q[-1] == pytest.approx(0.998)
    assert np.all(np.diff(q) > 0)
    tail = 1 - q
    assert np.allclose(tail[1:] / tail[:-1], tail[1] / tail[0])  # geometric in 1 − q
    assert np.sum(tail <= 0.02) >= 8  # the region of the best lines is sampled
    levels = q[:5].tolist()
    refined = _refine(levels, 2)
    assert len(refined) == 7 and refined[2] < refined[3] == levels[2] < refined[4]
    assert 1 - refined[4] == pytest.approx(np.sqrt((1 - levels[2]) * (1 - levels[3])))


def test_dnn_svm_reaches_the_tail_with_a_perfect_score(slice_contexts):
    """With the true ratio as "DNN" score the distilled line must follow the optimum into
    the tail at ε = 1 and come close to the scanned SVM line. A grid that stops at the 95 %
    weight quantile (as before: linspace(0.05, 0.95)) stays at 0.7 of it in this slice,
    while the best regions hold ~1 % of the weight."""
    ctx = slice_contexts[0]
    tr = dataclasses.replace(
        ctx.train, scores={**ctx.train.scores, "dnn": ctx.train.scores["ratio"]}
    )
    ctx = dataclasses.replace(ctx, train=tr, test=tr)
    done = {"SVM": METHODS["SVM"].func(ctx, {})}
    scan = METHODS["SVM+scan"].func(ctx, done)
    dnn = METHODS["DNN+SVM"].func(ctx, done)
    w = tr.w_sm + tr.w_eft
    for eps in (0.3, 1.0):
        assert _z(tr, dnn[eps].mask(tr), eps) >= 0.95 * _z(tr, scan[eps].mask(tr), eps)
        assert 1 - dnn[eps].extra["dnn_quantile"] < 0.05
    assert w[dnn[1.0].mask(tr)].sum() < 0.05 * w.sum()
    cfg = ctx.config.model_copy(update={"dnn_tail_fraction": 0.05, "dnn_refine_rounds": 0})
    old = METHODS["DNN+SVM"].func(dataclasses.replace(ctx, config=cfg), done)[1.0]
    assert _z(tr, old.mask(tr), 1.0) < 0.8 * _z(tr, scan[1.0].mask(tr), 1.0)
    assert "highest DNN threshold" in old.note
