"""Merging an inclusive and a p_T(Z)-enriched run with multichannel weights."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate, merge_samples

BINS = (0.0, 150.0, 400.0, np.inf)


@pytest.fixture(scope="module")
def runs():
    inclusive = generate(
        GeneratorConfig(n_events=100_000, seed=1, mzh_exponents=(4.0,), level="parton")
    )
    enriched = generate(GeneratorConfig(n_events=50_000, seed=2, ptz_min_GeV=400.0, level="parton"))
    reference = generate(GeneratorConfig(n_events=400_000, seed=3, level="parton"))
    return inclusive, enriched, reference


def test_merged_cross_sections_are_unbiased(runs):
    inclusive, enriched, reference = runs
    merged = merge_samples(inclusive, enriched)
    assert len(merged) == len(inclusive) + len(enriched)
    m = merged.cross_sections(BINS).terms
    r = reference.cross_sections(BINS).terms
    for term in ("w_sm", "w_cHW", "w_cHW_cHW"):
        for b in range(3):
            diff = m[term][2][b] - r[term][2][b]
            assert abs(diff) < 4 * np.hypot(m[term][3][b], r[term][3][b]), (term, b)


def test_merge_improves_the_tail(runs):
    inclusive, enriched, _ = runs
    merged = merge_samples(inclusive, enriched)
    tail = lambda s: s.cross_sections(BINS).terms["w_sm"]  # noqa: E731
    rel = lambda t: t[3][2] / t[2][2]  # noqa: E731
    assert rel(tail(merged)) < 0.6 * rel(tail(inclusive))
    # below the enriched cut the inclusive run alone contributes, unchanged
    low = merged.ptz_GeV() < 400
    n_inc = len(inclusive)
    np.testing.assert_allclose(
        merged.columns["w_sm"][:n_inc][low[:n_inc]],
        inclusive.columns["w_sm"][inclusive.ptz_GeV() < 400],
        rtol=1e-12,
    )


def test_incompatible_samples_are_refused(runs):
    inclusive, _, _ = runs
    other_pdf = generate(
        GeneratorConfig(n_events=1000, seed=7, pdf="NNPDF23_lo_as_0130_qed", level="parton")
    )
    with pytest.raises(ValueError, match="differ in pdf"):
        merge_samples(inclusive, other_pdf)
    with pytest.raises(ValueError, match="share the seed"):
        merge_samples(inclusive, inclusive)
