"""The study's record of its sample and the check that a later stage got the same sample."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.study import SampleRecord, check_study_sample, sample_record


def _study(record: dict) -> SimpleNamespace:
    """What the check reads of a study result: its sample record, as read from JSON."""
    return SimpleNamespace(sample=SampleRecord.model_validate(json.loads(json.dumps(record))))


@pytest.fixture(scope="module")
def sample():
    return generate(GeneratorConfig(operators=("cHW",), n_events=2000, seed=1))


def test_the_same_sample_passes_and_a_regenerated_one_too(sample):
    study = _study(sample_record("a", sample.metadata))
    check_study_sample(study, "elsewhere", sample.metadata)  # the path may differ
    again = generate(GeneratorConfig(operators=("cHW",), n_events=2000, seed=1))
    check_study_sample(study, "b", again.metadata)


def test_another_sample_is_named_with_what_differs(sample):
    study = _study(sample_record("a", sample.metadata))
    other = generate(GeneratorConfig(operators=("cHW",), n_events=2000, seed=2))
    with pytest.raises(
        ValueError,
        match=r"^b is not the sample the study ran on: generator\.seed is 2 here, 1 in "
        r"study\.json \(and \d+ more differences\)$",
    ):
        check_study_sample(study, "b", other.metadata)
    subset = sample.select(np.arange(len(sample)) < 1000)
    with pytest.raises(ValueError, match=r"n_events is 1000 here, 2000 in study\.json"):
        check_study_sample(study, "b", subset.metadata)
    quad = sample.columns["w_cHW_cHW"] * 1.5  # same settings and σ_SM, other weights
    edited = sample._derived({**sample.columns, "w_cHW_cHW": quad}, None)
    with pytest.raises(ValueError, match=r"xsec\.w_cHW_cHW\.xsec_pb is "):
        check_study_sample(study, "b", edited.metadata)


def test_an_older_record_is_checked_on_the_fields_it_holds(sample):
    old = sample_record("a", sample.metadata)
    del old["xsec"]
    check_study_sample(_study(old), "a", sample.metadata)
    old["xsec_sm_pb"] = 1.0
    with pytest.raises(ValueError, match=r"xsec_sm_pb is .* here, 1\.0 in study\.json$"):
        check_study_sample(_study(old), "a", sample.metadata)
