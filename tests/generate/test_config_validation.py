"""GeneratorConfig refuses non-finite numbers and a fixed scale below the PDF grid; what the
generator writes (to disk, in memory, merged) passes the metadata cross-check on load."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from mlstxs.generate import GeneratorConfig, generate, generate_to_directory, merge_samples
from mlstxs.generate._config import MIN_FIXED_SCALE_GEV
from mlstxs.io import EventSample, check_cross_sections
from mlstxs.physics import available_pdf_sets


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lambda_TeV", math.nan),
        ("lambda_TeV", math.inf),
        ("sqrt_s_GeV", math.inf),
        ("ptz_min_GeV", math.inf),
        ("ptz_min_GeV", math.nan),
        ("m_b_GeV", math.nan),
        ("mll_window_GeV", (66.0, math.inf)),
        ("mll_window_GeV", (math.nan, 116.0)),
        ("mzh_exponents", (2.0, math.nan)),
    ],
)
def test_non_finite_numbers_are_refused(field, value):
    with pytest.raises(ValidationError, match=field):
        GeneratorConfig(**{field: value})


@pytest.mark.parametrize("scale", [math.nan, math.inf, -3.0, 0.0, 1e-6, 0.99, "abc"])
def test_fixed_scale_below_1_gev_or_not_a_number_is_refused(scale):
    with pytest.raises(ValidationError, match="scale"):
        GeneratorConfig(scale=scale)


def test_fixed_scale_must_reach_the_pdf_grid():
    sets = {s.name: s.q_range[0] for s in available_pdf_sets()}
    assert MIN_FIXED_SCALE_GEV <= min(sets.values())  # the bound is the lowest grid edge
    q_min = sets["NNPDF31_lo_as_0118"]
    assert q_min == pytest.approx(1.65)
    with pytest.raises(ValidationError, match=r"below the lowest Q = 1\.65 GeV"):
        GeneratorConfig(pdf="NNPDF31_lo_as_0118", scale=1.2)
    assert GeneratorConfig(pdf="NNPDF31_lo_as_0118", scale=q_min).scale == q_min
    assert GeneratorConfig(pdf="NNPDF23_lo_as_0130_qed", scale=1.2).scale == 1.2
    assert GeneratorConfig(scale="91.1876").scale == pytest.approx(91.1876)
    assert GeneratorConfig(scale="mzh").scale == "mzh"


def test_written_samples_pass_the_metadata_check(tmp_path):
    cfg = GeneratorConfig(operators=("cHW",), n_events=3000, chunk_size=1000, seed=2)
    disk = EventSample.load(generate_to_directory(cfg, tmp_path / "a", scheduler="synchronous"))
    assert disk.metadata.xsec_norm_rel_error == 0.0
    enriched = generate(cfg.model_copy(update={"seed": 3, "ptz_min_GeV": 150.0}))
    merged = merge_samples(disk, enriched)
    check_cross_sections(merged.columns, merged.metadata)
    EventSample.load(merged.save(tmp_path / "m"))
