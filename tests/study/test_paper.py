"""The paper's published numbers and the paper-lines methods that apply them."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.regions import LinearBoundary, PtSlice, pt_slices
from mlstxs.stats import NotEvaluable
from mlstxs.study import (
    METHODS,
    PAPER_EPSILONS,
    PAPER_LINE_TABLES,
    PAPER_SLICES,
    SIGNIFICANCE,
    StudyConfig,
    paper_line,
    study_data,
)
from mlstxs.study._paper import TABLE_I, TABLE_II, TABLE_III, TABLE_IV

from .conftest import make_context

# Rows as printed in the paper (checked against the OCR'd text by a second reading):
# (table, slice, ε, a, σ_a, b [GeV], σ_b [GeV]).
PRINTED = [
    (TABLE_II, "[75,150]", 0.3, -78, 7, 11600, 900),
    (TABLE_II, "[150,250]", 0.5, -96, 6, 14000, 1000),
    (TABLE_II, "[250,400]", 0.3, -33, 3, 12000, 1000),  # printed out of order
    (TABLE_II, "[250,400]", 1.0, -24, 2, 10200, 800),
    (TABLE_II, "[400,inf]", 0.5, -9.5, 0.3, 8200, 200),
    (TABLE_III, "[75,150]", 1.0, -70, 40, 12000, 5000),
    (TABLE_III, "[400,inf]", 0.5, -11.2, 0.9, 9700, 700),
    (TABLE_IV, "[150,250]", 0.3, -70, 10, 16000, 3000),
    (TABLE_IV, "[250,400]", 0.3, -33, 5, 12000, 2000),  # printed out of order
    (TABLE_IV, "[400,inf]", 1.0, -9, 1, 10000, 1000),
]


@pytest.mark.parametrize(("table", "sl", "eps", "a", "da", "b", "db"), PRINTED)
def test_tables_hold_the_printed_values(table, sl, eps, a, da, b, db):
    line = table[sl, eps]
    assert (line.slope.value, line.slope.error) == (a, da)
    assert (line.intercept_GeV.value, line.intercept_GeV.error) == (b, db)


def test_tables_are_complete_and_of_the_papers_form():
    assert len(TABLE_I) == 4 and TABLE_I["[400,inf]"].slope.value == -9.1
    for table in (TABLE_II, TABLE_III, TABLE_IV):
        assert set(table) == {(s, e) for s in PAPER_SLICES for e in PAPER_EPSILONS}
    for table in PAPER_LINE_TABLES.values():
        for line in table.values():
            assert -100 < line.slope.value <= -8 and 6000 <= line.intercept_GeV.value <= 16000
    assert len(SIGNIFICANCE) == 5 * 4 * 3
    # the text's quoted gains over STXS in the highest slice (§V.B): 37 % and 71 %
    z = SIGNIFICANCE
    assert z["SVM+scan", "[400,inf]", 0.5].value / z["STXS", "[400,inf]", 0.5].value == (
        pytest.approx(1.37, abs=0.005)
    )
    assert z["DNN+SVM+scan", "[400,inf]", 1.0].value / z["STXS", "[400,inf]", 1.0].value == (
        pytest.approx(1.71, abs=0.005)
    )
    assert z["DNN+SVM", "[75,150]", 0.5].value == 1.561  # OCR "1.5614 £0.051"
    for (method, sl, eps), v in z.items():  # every ML region beats STXS in the paper
        assert v.value > 0 and v.error > 0
        assert method == "STXS" or v.value > z["STXS", sl, eps].value


def test_the_region_above_a_paper_line_is_the_eft_enriched_corner(small_sample):
    line = TABLE_I["[400,inf]"].boundary()
    assert line.above and line == LinearBoundary(-9.1, 6020.0, above=True)
    # high p_T and high m_ZH inside, the soft corner outside
    assert line.contains(np.array([700.0, 450.0]), np.array([1500.0, 900.0])).tolist() == [
        True,
        False,
    ]
    cfg = StudyConfig()
    data = study_data(small_sample, cfg)
    for sl in pt_slices(cfg.edges_GeV()):
        inside_sl = sl.contains(data.pt)
        pt, mzh = data.pt[inside_sl], data.mzh[inside_sl]
        s, b = (data.w_eft - data.w_sm)[inside_sl], data.w_sm[inside_sl]
        k = TABLE_I[sl.label].boundary().contains(pt, mzh)
        assert 0 < k.sum() < len(k)
        assert s[k].sum() / b[k].sum() > s[~k].sum() / b[~k].sum()


def test_paper_lines_apply_the_published_parameters_exactly(small_sample):
    cfg = StudyConfig(epsilons=(0.0, 0.3, 0.5, 0.7, 1.0))
    data = study_data(small_sample, cfg)
    for sl in pt_slices(cfg.edges_GeV()):
        ctx = make_context(data, cfg, sl)
        for method, table in (("paper-lines", TABLE_II), ("paper-dnn-lines", TABLE_IV)):
            chosen = METHODS[method].func(ctx, {})
            for eps, nearest in ((0.0, 0.3), (0.3, 0.3), (0.5, 0.5), (0.7, 0.5), (1.0, 1.0)):
                line = chosen[eps].line
                published = table[sl.label, nearest]
                assert (line.slope, line.intercept_GeV, line.above) == (
                    published.slope.value,
                    published.intercept_GeV.value,
                    True,
                )
                if eps == nearest:
                    assert chosen[eps].note == ""
                else:
                    assert f"no line for ε = {eps:g}; its ε = {nearest:g} line" in chosen[eps].note


def test_paper_lines_outside_the_papers_slices_and_benchmark(small_sample):
    cfg = StudyConfig(slice_edges_GeV=(100.0, 200.0), benchmark={"cHW": 2.0})
    data = study_data(small_sample, cfg)
    ctx = make_context(data, cfg, PtSlice(100.0, 200.0))
    with pytest.raises(NotEvaluable, match=r"no line for slice \[100,200\]"):
        METHODS["paper-lines"].func(ctx, {})
    ctx = make_context(data, cfg, pt_slices()[0])
    assert (
        "this study's benchmark is {'cHW': 2.0}" in METHODS["paper-lines"].func(ctx, {})[0.5].note
    )
    with pytest.raises(KeyError):
        paper_line("SVM", "[0,75]", 0.3)
