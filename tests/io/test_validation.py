"""Validation where samples enter: NaN/inf in momenta and weights, metadata cross sections
against the events (and every writer's consistency), the positivity of the weight polynomial,
and the LHE reader's error locations."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from mlstxs.generate import GeneratorConfig, generate, merge_samples
from mlstxs.io import (
    EventSample,
    SampleFormatError,
    check_cross_sections,
    check_finite,
    check_weight_polynomial,
    term_cross_sections,
)


@pytest.fixture(scope="module")
def small():
    return generate(GeneratorConfig(operators=("cHW", "cHWB"), n_events=3000, seed=3))


def _with(sample: EventSample, **columns) -> EventSample:
    """``sample`` with some columns replaced and its cross sections recomputed."""
    cols = {**sample.columns, **columns}
    m = sample.metadata
    xsec = term_cross_sections(cols, m.weight_terms, m.n_trials, m.xsec_norm_rel_error)
    return EventSample(cols, m.model_copy(update={"xsec": xsec}))


def _edit_parquet(path, name: str, index: int, value: float) -> None:
    part = next((path / "events").glob("*.parquet"))
    table = pq.read_table(part)
    col = table.column(name).to_numpy().copy()
    col[index] = value
    pq.write_table(table.set_column(table.schema.get_field_index(name), name, [col]), part)


def _edit_metadata(path, edit) -> None:
    meta = json.loads((path / "metadata.json").read_text())
    edit(meta)
    (path / "metadata.json").write_text(json.dumps(meta))


# -- NaN/inf --------------------------------------------------------------------------------
def test_check_finite_names_the_earliest_event_and_its_column():
    cols = {"a": np.array([1.0, 2.0, np.nan, np.inf]), "b": np.array([0.0, -np.inf, 1, 1])}
    with pytest.raises(
        SampleFormatError, match=r"column 'b' has 1 NaN .* \(first at event 1: -inf"
    ):
        check_finite(cols, ["a", "b"])
    with pytest.raises(SampleFormatError, match=r"branch 'a' has 2 NaN or infinite values.*2: nan"):
        check_finite(cols, ["a"], what="branch")
    check_finite({"i": np.array([1, 2])}, ["i"])  # integer columns cannot hold NaN


@pytest.mark.parametrize(("column", "value"), [("lm_E", np.nan), ("b2_pz", -np.inf)])
def test_nan_momentum_in_memory_and_on_load(tmp_path, small, column, value):
    col = small.columns[column].copy()
    col[11] = value
    with pytest.raises(SampleFormatError, match=rf"'{column}' has 1 NaN.*event 11"):
        _with(small, **{column: col})
    path = small.save(tmp_path / "s")
    _edit_parquet(path, column, 11, value)
    with pytest.raises(SampleFormatError, match=rf"^{path}: column '{column}'.*event 11"):
        EventSample.load(path)


def test_nan_weight_on_load_names_the_event(tmp_path, small):
    path = small.save(tmp_path / "s")
    _edit_parquet(path, "w_cHW_cHWB", 42, np.nan)
    with pytest.raises(SampleFormatError, match=r"'w_cHW_cHWB' has 1 NaN.*event 42: nan"):
        EventSample.load(path)


def test_infinite_number_in_metadata_is_refused(tmp_path, small):
    path = small.save(tmp_path / "s")
    _edit_metadata(path, lambda m: m.update(lambda_TeV=math.inf))
    with pytest.raises(SampleFormatError, match=r"bad field 'lambda_TeV'.*finite"):
        EventSample.load(path)


# -- metadata against the events ------------------------------------------------------------
def test_edited_cross_section_is_refused(tmp_path, small):
    path = small.save(tmp_path / "s")
    _edit_metadata(path, lambda m: m["xsec"]["w_sm"].update(xsec_pb=1000.0))
    sigma = small.columns["w_sm"].sum()
    with pytest.raises(
        SampleFormatError, match=rf"xsec\.w_sm\.xsec_pb = 1000 pb .* Σw = {sigma:.6g}"
    ):
        EventSample.load(path)


@pytest.mark.parametrize("factor", [2.0, 0.5, 1.001])
def test_edited_n_trials_is_refused(tmp_path, small, factor):
    path = small.save(tmp_path / "s")
    n = round(small.metadata.n_trials * factor)
    _edit_metadata(path, lambda m: m.update(n_trials=n))
    with pytest.raises(SampleFormatError, match=rf"error_pb = .* with n_trials = {n}"):
        EventSample.load(path)


def test_edited_n_events_is_refused(tmp_path, small):
    path = small.save(tmp_path / "s")
    _edit_metadata(path, lambda m: m.update(n_events=len(small) + 1))
    with pytest.raises(
        SampleFormatError, match=rf"n_events = {len(small) + 1}, but .* {len(small)} rows"
    ):
        EventSample.load(path)


def test_missing_or_extra_xsec_term_is_refused(tmp_path, small):
    path = small.save(tmp_path / "s")
    _edit_metadata(path, lambda m: m["xsec"].pop("w_cHWB"))
    with pytest.raises(SampleFormatError, match="differ in w_cHWB"):
        EventSample.load(path)


def test_record_without_normalisation_error_loads(tmp_path, small):
    """Records written before ``xsec_norm_rel_error`` existed: r is inferred from w_sm."""
    m = small.metadata
    xsec = term_cross_sections(small.columns, m.weight_terms, m.n_trials, 2e-3)
    lhe_like = EventSample(small.columns, m.model_copy(update={"xsec": xsec}))
    path = lhe_like.save(tmp_path / "s")
    _edit_metadata(path, lambda meta: meta.pop("xsec_norm_rel_error"))
    back = EventSample.load(path)
    assert back.metadata.xsec_norm_rel_error == pytest.approx(2e-3, rel=1e-6)
    _edit_metadata(path, lambda meta: meta["xsec"]["w_cHW"].update(error_pb=1.0))
    with pytest.raises(SampleFormatError, match=r"xsec\.w_cHW\.error_pb = 1 pb"):
        EventSample.load(path)


def _consistent(sample: EventSample) -> None:
    check_cross_sections(sample.columns, sample.metadata)


def test_writers_produce_consistent_metadata(tmp_path, small):
    _consistent(small)
    _consistent(small.select(small.ptz_GeV() > 150.0))
    empty = small.select(np.zeros(len(small), dtype=bool))
    _consistent(empty)
    sp = small.split((0.7, 0.1, 0.2), random_state=1)
    for part, f in zip((sp.train, sp.val, sp.test), sp.fractions, strict=True):
        _consistent(part)
        assert part.metadata.n_trials == round(f * small.metadata.n_trials)
    for part in (sp.test, empty):  # and what they write loads
        EventSample.load(part.save(tmp_path / f"p{len(part)}"))
    other = generate(GeneratorConfig(operators=("cHW", "cHWB"), n_events=2000, seed=4))
    _consistent(merge_samples(small, other))


def test_ntuple_reader_is_consistent_and_names_a_nan_momentum_branch(tmp_path):
    uproot = pytest.importorskip("uproot")
    from mlstxs.io import NtupleMapping, read_ntuple

    s = generate(GeneratorConfig(n_events=500, seed=2, level="parton"))
    branches = {k: s.columns[k] for k in s.columns if k[:2] in ("lm", "lp", "b1", "b2")}
    branches["wsm"] = s.columns["w_sm"]
    mapping = NtupleMapping.model_validate(
        {
            "tree": "t",
            **{
                o: {c: f"{o}_{c}" for c in ("E", "px", "py", "pz")}
                for o in ("lm", "lp", "b1", "b2")
            },
            "weights": {"w_sm": "wsm"},
            "level": "parton",
        }
    )

    def write(name, cols):
        with uproot.recreate(tmp_path / name) as f:
            f.mktree("t", {k: v.dtype for k, v in cols.items()}).extend(cols)
        return tmp_path / name

    _consistent(read_ntuple(write("ok.root", branches), mapping))
    bad = dict(branches, lp_px=branches["lp_px"].copy())
    bad["lp_px"][3] = np.inf
    with pytest.raises(SampleFormatError, match=r"bad\.root:t: branch 'lp_px' has 1 .*event 3"):
        read_ntuple(write("bad.root", bad), mapping)


def test_shower_output_is_consistent():
    pytest.importorskip("pythia8mc")
    pytest.importorskip("fastjet")
    from mlstxs.detector import shower_sample

    parton = generate(GeneratorConfig(n_events=200, seed=8, level="parton"))
    _consistent(shower_sample(parton, n_events=20, random_state=1).sample)
    with pytest.raises(ValueError, match="n_events must be a positive number of events, got 0"):
        shower_sample(parton, n_events=0, random_state=1)
    empty = parton.select(np.zeros(len(parton), dtype=bool))
    with pytest.raises(ValueError, match="holds no events"):
        shower_sample(empty, random_state=1)


# -- the weight polynomial ------------------------------------------------------------------
def test_weight_polynomial_checks(small):
    assert check_weight_polynomial(small, ["cHWB", "cHW"], purpose="set limits") == ("cHW", "cHWB")
    empty = small.select(np.zeros(len(small), dtype=bool))
    with pytest.raises(ValueError, match=r"no events \(0 rows\); cannot set limits"):
        check_weight_polynomial(empty, purpose="set limits")
    sm = generate(GeneratorConfig(operators=(), n_events=500, seed=1))
    with pytest.raises(ValueError, match=r"no operators \(SM weights only\); cannot fit without"):
        check_weight_polynomial(sm, purpose="fit")
    with pytest.raises(ValueError, match="no weights for cHq3; it carries cHW, cHWB"):
        check_weight_polynomial(small, ["cHq3"], purpose="fit")
    quad = small.columns["w_cHW_cHW"].copy()
    quad[[4, 7, 9, 20, 30]] = -1.0
    bad = _with(small, w_cHW_cHW=quad)
    with pytest.raises(ValueError, match=r"not positive: w\(c\) < 0 .* in 5 of .* event 4"):
        check_weight_polynomial(bad, purpose="set limits")
    check_weight_polynomial(bad, ["cHWB"], purpose="set limits")  # positive in cHWB alone
    # (1 − c)² w_sm minus a rounding-size quadratic term: PSD within PSD_RTOL, yet w(1) < 0
    w_sm = small.columns["w_sm"]
    edge = _with(small, w_cHWB=-2.0 * w_sm, w_cHWB_cHWB=(1.0 - 1e-9) * w_sm)
    check_weight_polynomial(edge, ["cHWB"], purpose="design regions")
    with pytest.raises(ValueError, match=r"negative weights at c = cHWB=1 in 3000 events"):
        check_weight_polynomial(edge, ["cHWB"], purpose="design regions", points=[{"cHWB": 1.0}])


# -- LHE: NaN weights, non-positive counts, broken XML --------------------------------------
def test_read_lhe_refuses_a_nonpositive_max_events(tmp_path):
    pytest.importorskip("pylhe")
    from mlstxs.io import read_lhe

    with pytest.raises(ValueError, match="max_events must be a positive number of events, got -5"):
        read_lhe(tmp_path / "never.lhe", max_events=-5)


def test_nan_lhe_weight_names_event_and_weight(tmp_path):
    pytest.importorskip("pylhe")
    from mlstxs.io import read_lhe

    from .test_lhe import _event_line, _small_copy

    def edit(lines):
        i = _event_line(lines, 5, 13)
        assert "cHW_m1p0" in lines[i]
        lines[i] = "<wgt id='cHW_m1p0'> nan </wgt>\n"
        return lines

    with pytest.raises(SampleFormatError, match=r"LHE weight 'cHW_m1p0' has 1 NaN.*event 5: nan"):
        read_lhe(_small_copy(tmp_path, 8, edit))

    def edit_momentum(lines):
        i = _event_line(lines, 2, 6)  # the ℓ⁺ line of event 2
        fields = lines[i].split()
        fields[9] = "inf"  # its energy
        lines[i] = " ".join(fields) + "\n"
        return lines

    with pytest.raises(SampleFormatError, match=r"column 'lp_E' has 1 NaN.*event 2: inf"):
        read_lhe(_small_copy(tmp_path, 8, edit_momentum))


def test_unclosed_event_names_that_event(tmp_path):
    """A missing ``</event>`` nests the later events: the parser fails only at the end of the
    file, and the event that was not closed is named, with its line."""
    pytest.importorskip("pylhe")
    from mlstxs.io import read_lhe

    from .test_lhe import _event_line, _small_copy

    found = {}

    def edit(lines):
        start = _event_line(lines, 4, 0)
        found["line"] = start + 1
        end = next(i for i in range(start, len(lines)) if lines[i].startswith("</event>"))
        del lines[end]
        return lines

    path = _small_copy(tmp_path, 12, edit)
    with pytest.raises(
        SampleFormatError, match=rf"broken XML at event 4, line {found['line']} \(<event> not"
    ):
        read_lhe(path)
