"""EventSample: persistence, validation, selections, splits, cross sections."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlstxs.io import EventSample, SampleFormatError, mc_error
from mlstxs.physics import UnknownOperatorError


@pytest.fixture(scope="module")
def small(all_ops_sample):
    return all_ops_sample.select(np.arange(len(all_ops_sample)) < 5000)


def test_round_trip(tmp_path, small):
    path = small.save(tmp_path / "s")
    back = EventSample.load(path)
    assert back.metadata == small.metadata
    for k, v in small.columns.items():
        np.testing.assert_array_equal(back.columns[k], v)


def test_existing_output_is_not_overwritten(tmp_path, small):
    path = small.save(tmp_path / "s")
    stamp = (path / "metadata.json").read_text()
    with pytest.raises(FileExistsError, match="already exists"):
        small.save(path)
    assert (path / "metadata.json").read_text() == stamp
    small.save(path, overwrite=True)


def test_truncated_parquet_is_reported(tmp_path, small):
    path = small.save(tmp_path / "s")
    part = next((path / "events").glob("*.parquet"))
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])
    with pytest.raises(SampleFormatError, match="not a readable Parquet"):
        EventSample.load(path)


def test_foreign_parquet_names_the_missing_column(tmp_path, small):
    path = small.save(tmp_path / "s")
    part = next((path / "events").glob("*.parquet"))
    table = pq.read_table(part).drop_columns(["w_cHW"])
    pq.write_table(table, part)
    with pytest.raises(SampleFormatError, match="missing column 'w_cHW'"):
        EventSample.load(path)
    pq.write_table(pa.table({"foo": np.arange(3.0)}), part)
    with pytest.raises(SampleFormatError, match="missing column 'lm_E'"):
        EventSample.load(path)


def test_bad_metadata_names_the_field(tmp_path, small):
    path = small.save(tmp_path / "s")
    meta = json.loads((path / "metadata.json").read_text())
    meta["n_trials"] = -1
    (path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(SampleFormatError, match="n_trials"):
        EventSample.load(path)
    (path / "metadata.json").unlink()
    with pytest.raises(SampleFormatError, match="missing metadata"):
        EventSample.load(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_weights_are_rejected(small, bad):
    cols = dict(small.columns)
    w = cols["w_cHW"].copy()
    w[17] = bad
    cols["w_cHW"] = w
    with pytest.raises(SampleFormatError, match=r"'w_cHW' has 1 NaN.*event 17"):
        EventSample(cols, small.metadata)


def test_negative_sm_weights_are_rejected(small):
    cols = dict(small.columns)
    w = cols["w_sm"].copy()
    w[3] = -1e-3
    cols["w_sm"] = w
    with pytest.raises(SampleFormatError, match="negative SM weights"):
        EventSample(cols, small.metadata)


def test_unknown_operator_in_a_point(small):
    with pytest.raises(UnknownOperatorError, match="no weights for cXYZ"):
        small.weights({"cXYZ": 1.0})


def test_split_is_disjoint_seeded_and_rescaled(small):
    sp = small.split((0.7, 0.1, 0.2), random_state=3)
    assert len(sp.train) + len(sp.val) + len(sp.test) == len(small)
    ids = np.concatenate([s.columns["lm_px"] for s in (sp.train, sp.val, sp.test)])
    assert len(np.unique(ids)) == len(small)
    again = small.split((0.7, 0.1, 0.2), random_state=3)
    np.testing.assert_array_equal(again.test.columns["w_sm"], sp.test.columns["w_sm"])
    # each subset estimates the full cross section
    total = small.columns["w_sm"].sum()
    for s in (sp.train, sp.test):
        assert s.columns["w_sm"].sum() == pytest.approx(total, rel=0.1)
    with pytest.raises(ValueError, match="sum"):
        small.split((0.5, 0.1, 0.1))


def test_cross_sections_sum_over_bins_and_errors(small):
    t = small.cross_sections()
    assert t.edges_GeV[-1] == math.inf
    tot, err, vals, errs = t.terms["w_sm"]
    assert vals.sum() == pytest.approx(tot, rel=1e-12)
    n = small.metadata.n_trials
    assert err == pytest.approx(mc_error(small.columns["w_sm"], n))
    # bin errors add in quadrature to at most the total error (plus the cross terms)
    assert np.sqrt((errs**2).sum()) == pytest.approx(err, rel=0.05)
    d = t.to_dict()
    assert d["bins_GeV"] == [0.0, 75.0, 150.0, 250.0, 400.0, None]
    t2 = small.cross_sections(c={"cHW": 1.0})
    assert t2.terms["w(cHW=1)"][0] == pytest.approx(
        sum(t.terms[k][0] for k in ("w_sm", "w_cHW", "w_cHW_cHW")), rel=1e-12
    )
    with pytest.raises(ValueError, match="increasing"):
        small.cross_sections((0, 100, 50))


def test_bad_selection_mask(small):
    with pytest.raises(ValueError, match="boolean"):
        small.select(np.arange(3))
