"""The study stage refuses bad input where it enters: non-finite settings (StudyConfig,
LimitsConfig, fit arguments) and samples that cannot carry the inference (no events, no
operators, a polynomial that is not positive), with one shared positivity check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import EventSample, term_cross_sections
from mlstxs.study import StudyConfig, study_data
from mlstxs.study._fit import fit_pseudo_data
from mlstxs.study._limits import LimitsConfig, run_limits


@pytest.fixture(scope="module")
def chw():
    return generate(GeneratorConfig(operators=("cHW",), n_events=3000, seed=6, level="parton"))


@pytest.fixture(scope="module")
def negative(chw):
    """Five events with w_cHW_cHW = −1 pb (cross sections recomputed)."""
    quad = chw.columns["w_cHW_cHW"].copy()
    quad[[2, 3, 5, 8, 13]] = -1.0
    cols = {**chw.columns, "w_cHW_cHW": quad}
    m = chw.metadata
    return EventSample(
        cols, m.model_copy(update={"xsec": term_cross_sections(cols, m.weight_terms, m.n_trials)})
    )


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"luminosity_fb": math.inf}, "luminosity_fb"),
        ({"luminosity_fb": math.nan}, "luminosity_fb"),
        ({"benchmark": {"cHW": math.nan}}, "benchmark"),
        ({"epsilons": (0.5, math.inf)}, "epsilons"),
        ({"slice_edges_GeV": (75.0, math.nan, None)}, "slice_edges_GeV"),
        ({"svm_C": math.inf}, "svm_C"),
        ({"n_splits": 0}, "n_splits"),
    ],
)
def test_study_config_refuses(settings, field):
    with pytest.raises(ValidationError, match=field):
        StudyConfig(**settings)


def test_an_infinite_last_slice_edge_is_the_open_slice():
    cfg = StudyConfig(slice_edges_GeV=(75.0, 150.0, math.inf))
    assert cfg.slice_edges_GeV == (75.0, 150.0, None) and cfg.edges_GeV()[-1] == math.inf


@pytest.mark.parametrize(
    "settings",
    [{"luminosity_fb": math.inf}, {"luminosity_fb": math.nan}, {"epsilon": math.inf}],
)
def test_limits_config_refuses_non_finite_numbers(settings):
    with pytest.raises(ValidationError, match="finite number"):
        LimitsConfig(**settings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"point": {"cHW": math.nan}}, r"the point must be finite, got cHW=nan"),
        ({"luminosity_fb": math.inf}, r"luminosity_fb = inf must be finite and > 0"),
        ({"epsilon": math.nan}, r"epsilon = nan must be finite and >= 0"),
    ],
)
def test_fit_refuses_non_finite_arguments(chw, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_pseudo_data(chw, **{"point": {"cHW": 0.3}, **kwargs})


def test_every_stage_refuses_a_sample_it_cannot_use(chw, negative):
    cfg = StudyConfig(n_splits=1)
    empty = chw.select(np.zeros(len(chw), dtype=bool))
    sm = generate(GeneratorConfig(operators=(), n_events=300, seed=1))
    calls = {
        "design regions": lambda s: study_data(s, cfg),
        "set limits": lambda s: run_limits(s, LimitsConfig(learner=None, bayes=False)),
        "fit Wilson coefficients": lambda s: fit_pseudo_data(s, {}),
    }
    for purpose, call in calls.items():
        with pytest.raises(ValueError, match=rf"holds no events \(0 rows\); cannot {purpose}$"):
            call(empty)
        with pytest.raises(ValueError, match=rf"SM weights only\); cannot {purpose} without"):
            call(sm)
        # the same positivity check everywhere: limits used to report "[+0, +0]"
        with pytest.raises(ValueError, match=r"polynomial in cHW is not positive.*5 of.*event 2"):
            call(negative)
