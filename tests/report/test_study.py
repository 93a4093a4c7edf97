"""Reading study.json and summarising records."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlstxs.report import StudyFormatError, StudyIndex, load_study
from mlstxs.study import eps_tag, slug, summarize

from .conftest import typed


def test_load_study_round_trip(study, tmp_path):
    path = tmp_path / "study.json"
    path.write_text(json.dumps(study))
    assert load_study(path) == typed(study)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format": "mlstxs.event_sample"}, "format"),
        ({"format_version": 2}, "format_version"),
        ({"records": None}, "records"),
        ({"methods": "STXS"}, "methods"),
    ],
)
def test_load_study_names_the_bad_field(study, tmp_path, change, field):
    path = tmp_path / "study.json"
    path.write_text(json.dumps({**study, **change}))
    with pytest.raises(StudyFormatError, match=f"'{field}'"):
        load_study(path)


def test_load_study_bad_record_and_files(study, tmp_path):
    del study["records"][5]["method"]
    path = tmp_path / "study.json"
    path.write_text(json.dumps(study))
    with pytest.raises(StudyFormatError, match=r"'records\.5\.method'"):
        load_study(path)
    path.write_text("{not json")
    with pytest.raises(StudyFormatError, match="not valid JSON"):
        load_study(path)
    with pytest.raises(StudyFormatError, match="no such"):
        load_study(tmp_path / "missing.json")


def test_summarize_uses_ddof_1_and_zero_for_one_value():
    s = summarize([1.0, 2.0, 4.0, None, float("nan")])
    assert s.n == 3
    assert s.mean == pytest.approx(7 / 3)
    assert s.std == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert summarize([3.0]).std == 0.0
    assert summarize([]).mean is None


def test_index_skips_non_evaluable_records(study):
    ix = StudyIndex(typed(study))
    assert ix.splits == [0, 1, 2]
    assert set(ix.values("DNN+SVM", "[75,150]", 1.0, "z_test")) == {0, 1}
    assert ix.summary("SVM+scan", "[150,250]", 0.3, "z_test").n == 0
    assert ix.summary("oracle", "[75,150]", 0.5, "z_train").n == 0  # null entries
    assert sum(1 for _ in ix.non_evaluable()) == 5


def test_file_name_helpers():
    assert eps_tag(1.0) == "1.0"
    assert eps_tag(0.3) == "0.3"
    assert slug("DNN+SVM+scan") == "dnn_svm_scan"
