"""The LHE reader against the shared MadGraph5 + SMEFTsim files, the test-only reader and the
closed-form |M|²; error handling on damaged copies of the files."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pylhe")

from mlstxs.io import EventSample, SampleFormatError
from mlstxs.io._lhe import read_lhe, read_lhe_pair
from mlstxs.io._lhe_polynomial import (
    detect_reweighting,
    parse_weight_id,
    solve_polynomial,
)
from mlstxs.physics import coupling_table, squared_me_terms

# shared files at <repo>/../shared/data, located as the test-only reader does
from ..madgraph_data import CHW_FILE, SM_FILE, read_events

CHW_POINTS = {
    "cHW_0p0": {"cHW": 0.0},
    "cHW_m1p0": {"cHW": -1.0},
    "cHW_p2p0": {"cHW": 2.0},
    "cHW_p1p0_check": {"cHW": 1.0},
}


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"shared MadGraph file {path.name} not available")
    return path


@pytest.fixture(scope="module")
def chw():
    return read_lhe(_need(CHW_FILE))


@pytest.fixture(scope="module")
def sm():
    return read_lhe(_need(SM_FILE))


def _small_copy(tmp_path: Path, n_events: int = 12, edit=None, suffix: str = ".lhe") -> Path:
    """The header and first ``n_events`` events of the cHW file; ``edit(lines)`` may damage it."""
    lines, seen = [], 0
    with gzip.open(_need(CHW_FILE), "rt") as f:
        for line in f:
            lines.append(line)
            seen += line.startswith("</event>")
            if seen == n_events:
                break
    lines.append("</LesHouchesEvents>\n")
    if edit is not None:
        lines = edit(lines)
    out = tmp_path / f"small{suffix}"
    opener = gzip.open if suffix.endswith(".gz") else open
    with opener(out, "wt") as f:
        f.writelines(lines)
    return out


def _event_line(lines: list[str], event: int, offset: int) -> int:
    starts = [i for i, s in enumerate(lines) if s.startswith("<event>")]
    return starts[event] + offset


# -- weight ids and the polynomial --------------------------------------------------------
def test_parse_weight_ids():
    assert parse_weight_id("cHW_m1p0") == {"cHW": -1.0}
    assert parse_weight_id("cHW_0p0") == {"cHW": 0.0}
    assert parse_weight_id("cHW_p2p5") == {"cHW": 2.5}
    assert parse_weight_id("cHW_p1p0_check") == {"cHW": 1.0}
    assert parse_weight_id("cHW_p1p0_cHB_m0p5") == {"cHW": 1.0, "cHB": -0.5}
    assert parse_weight_id("dyn_scale_1") is None
    assert detect_reweighting(["cHW_0p0", "foo", "cHWB_m2p0"]) == {
        "cHW_0p0": {"cHW": 0.0},
        "cHWB_m2p0": {"cHWB": -2.0},
    }


def test_polynomial_two_operators_exact_and_overdetermined():
    rng = np.random.default_rng(3)
    coef = rng.normal(size=(6, 50))  # w_sm, w_a, w_b, w_aa, w_ab, w_bb
    pts = [
        {},
        {"cHW": 1},
        {"cHW": -1},
        {"cHB": 1},
        {"cHB": -1},
        {"cHW": 1, "cHB": 1},
        {"cHW": 2, "cHB": -1},
    ]

    def w(c):
        a, b = c.get("cHW", 0.0), c.get("cHB", 0.0)
        return coef.T @ np.array([1, a, b, a * a, a * b, b * b])

    rw = {f"p{i}": c for i, c in enumerate(pts)}
    weights = {k: w(c) for k, c in rw.items()}
    terms, clo = solve_polynomial(weights, rw, ["cHW", "cHB"], holdout=["p6"])
    assert list(terms) == ["w_sm", "w_cHW", "w_cHB", "w_cHW_cHW", "w_cHW_cHB", "w_cHB_cHB"]
    np.testing.assert_allclose(np.array(list(terms.values())), coef, atol=1e-12)
    assert clo["holdout"]["p6"]["max_rel"] < 1e-10
    _, clo_all = solve_polynomial(weights, rw, ["cHW", "cHB"])  # 7 points, K = 6
    assert clo_all["n_fit"] == 7 and clo_all["fit_max_rel"] < 1e-10


def test_rank_deficient_points_name_the_missing_terms():
    rw = {"a": {"cHW": 0.0}, "b": {"cHW": 1.0}}
    with pytest.raises(SampleFormatError, match="determine only 2 of the 3 terms"):
        solve_polynomial({"a": np.ones(3), "b": np.ones(3)}, rw, ["cHW"])
    rw2 = {"a": {}, "b": {"cHW": 1}, "c": {"cHW": -1}, "d": {"cHB": 1}, "e": {"cHB": -1}}
    weights = {k: np.ones(2) for k in rw2}
    with pytest.raises(SampleFormatError, match="w_cHW_cHB"):
        solve_polynomial(weights, rw2, ["cHW", "cHB"])


# -- the shared files ----------------------------------------------------------------------
def test_header_and_init(chw, sm):
    h = chw.header
    assert h.xsec_pb == pytest.approx(0.077219) and h.xsec_error_pb == pytest.approx(4.54306e-5)
    assert sm.header.xsec_pb == pytest.approx(0.039052)
    assert h.sqrt_s_GeV == 13000.0 and h.lambda_TeV == 1.0
    assert h.model.startswith("SMEFTsim_U35_MwScheme_UFO") and "nn23lo1" in h.pdf
    assert h.process[0].startswith("p p > z h")
    assert set(h.weight_ids) == set(CHW_POINTS)
    meta = chw.sample.metadata
    assert meta.source == f"MadGraph LHE: {CHW_FILE.name}" and meta.generator is None
    assert meta.operators == ["cHW"] and meta.n_events == meta.n_trials == 20000
    # "average" weights: Σ w_nominal [pb per event] equals the <init> cross section
    for res in (chw, sm):
        assert abs(res.closure["nominal_vs_init"]["rel_diff"]) < 1e-12
        assert res.sample["w_nominal"].sum() == pytest.approx(res.header.xsec_pb, rel=1e-12)


def test_decomposition_closes_per_event(chw):
    clo = chw.closure
    assert clo["fit_ids"] == ["cHW_0p0", "cHW_m1p0", "cHW_p2p0"]
    assert clo["fit_max_rel"] < 1e-9  # square system: exact up to rounding
    check = clo["holdout"]["cHW_p1p0_check"]
    assert check["max_rel"] < 1e-6 and check["rms_rel"] < 1e-7
    s = chw.sample
    np.testing.assert_allclose(s.weights({"cHW": 1.0}), s["w_nominal"], rtol=1e-6)
    assert any("closure" in n for n in s.metadata.notes)


def test_readme_decomposition_predicts_plus_two(chw):
    """README: SM = w(0), lin and quad from w(±1); w(+2) = SM + 2 lin + 4 quad to ~2e-8."""
    w = chw.weights
    res = solve_polynomial(w, CHW_POINTS, ["cHW"], holdout=["cHW_p2p0"])[1]
    # 8 printed digits; w(2) = 3 w(1) + w(−1) − 3 w(0) amplifies rounding where w(2) is small
    assert res["holdout"]["cHW_p2p0"]["max_rel"] < 1e-5
    assert res["holdout"]["cHW_p2p0"]["rms_rel"] < 5e-8


def test_sm_cross_section_from_reweighting_agrees_with_sm_file(chw, sm):
    """Σ w_sm of the cHW = 1 file (events unweighted at cHW = 1, so the error comes from the
    spread of w_sm/w_nominal and from σ_init) against the SM-only file's σ = 0.039052 pb."""
    w_sm, n = chw.sample["w_sm"], len(chw.sample)
    sigma_nom, d_nom = chw.header.xsec_pb, chw.header.xsec_error_pb
    ratio = w_sm / chw.sample["w_nominal"]
    s = float(w_sm.sum())
    err_spread = sigma_nom * ratio.std(ddof=1) / math.sqrt(n)
    err = math.hypot(err_spread, s * d_nom / sigma_nom)
    assert chw.sample.metadata.xsec["w_sm"].error_pb == pytest.approx(err, rel=1e-3)
    ref, ref_err = sm.header.xsec_pb, sm.header.xsec_error_pb
    assert ref == pytest.approx(0.039052)
    assert abs(s - ref) < 3.0 * math.hypot(err, ref_err)
    assert sm.sample.metadata.xsec["w_sm"].xsec_pb == pytest.approx(ref, rel=1e-12)


def test_momenta_equal_test_reader(chw):
    ref = read_events(CHW_FILE, max_events=2000)
    s = chw.sample
    for obj in ("lm", "lp"):
        np.testing.assert_array_equal(s.momentum(obj)[:2000], ref[obj])
    h = s.momentum("b1")[:2000] + s.momentum("b2")[:2000]
    np.testing.assert_allclose(h, ref["h"], rtol=1e-14, atol=1e-9)
    assert np.all(np.hypot(s["b1_px"], s["b1_py"]) >= np.hypot(s["b2_px"], s["b2_py"]))
    q_from_a = s["init_pdg"][:2000] > 0
    e_q = np.where(q_from_a, s["x1"][:2000], s["x2"][:2000]) * 6500.0
    np.testing.assert_allclose(e_q, ref["q"][:, 0], rtol=1e-14)
    np.testing.assert_array_equal(np.abs(s["init_pdg"][:2000]), ref["q_pdg"])
    assert set(np.unique(s["lep_pdg"])) == {11, 13} and s["lep_pdg"].dtype == np.int8
    np.testing.assert_allclose(
        s["w_cHW"][:2000] * 20000,
        (ref["w_cHW_p1p0_check"] - ref["w_cHW_m1p0"]) / 2,
        rtol=1e-6,
        atol=1e-10,
    )
    assert np.all((s["x1"] > 0) & (s["x1"] < 1) & (s["x2"] > 0) & (s["x2"] < 1))
    assert s["mu_GeV"][0] == pytest.approx(226.961)


def test_per_event_ratio_is_helicity_specific_but_sums_are_unbiased(chw):
    """MadGraph reweights at each event's helicities: w_cHW/w_sm per event differs from the
    helicity-summed ratio of the closed form, while summed over events both agree."""
    s = chw.sample
    e_a, e_b = s["x1"] * 6500.0, s["x2"] * 6500.0
    pa = np.column_stack([e_a, 0 * e_a, 0 * e_a, e_a])
    pb = np.column_stack([e_b, 0 * e_b, 0 * e_b, -e_b])
    q_from_a = (s["init_pdg"] > 0)[:, None]
    p1, p2 = np.where(q_from_a, pa, pb), np.where(q_from_a, pb, pa)
    ph = s.momentum("b1") + s.momentum("b2")
    table = coupling_table(("cHW",))
    ratio = np.empty(len(s))
    for quark, ids in (("u", (2, 4)), ("d", (1, 3))):
        sel = np.isin(np.abs(s["init_pdg"]), ids)
        me = squared_me_terms(
            p1[sel], p2[sel], s.momentum("lm")[sel], s.momentum("lp")[sel], ph[sel], quark, table
        )
        ratio[sel] = me[:, 1] / me[:, 0]
    per_event = s["w_cHW"] / s["w_sm"]
    assert np.median(np.abs(per_event - ratio)) > 0.05 * np.median(np.abs(ratio))
    d = s["w_cHW"] - s["w_sm"] * ratio
    assert abs(d.sum()) < 4.0 * d.std(ddof=1) * math.sqrt(len(d))


def test_save_load_round_trip(chw, tmp_path):
    back = EventSample.load(chw.sample.save(tmp_path / "s"))
    np.testing.assert_array_equal(back["w_cHW_cHW"], chw.sample["w_cHW_cHW"])
    assert back.metadata == chw.sample.metadata


def test_two_sample_mode(tmp_path):
    small = _small_copy(tmp_path, 10, suffix=".lhe.gz")
    pair = read_lhe_pair(small, small, "cHW", 1.0)
    assert pair.sm.operators == () and pair.point == {"cHW": 1.0}
    assert "cHW = 1" in pair.eft.metadata.notes[-1]
    assert pair.eft["w_sm"].sum() == pytest.approx(0.077219)


def test_explicit_map_operators_and_max_events(tmp_path):
    small = _small_copy(tmp_path, 12)
    res = read_lhe(small, reweighting=CHW_POINTS, max_events=5)
    assert len(res.sample) == 5 and res.sample["w_nominal"].sum() == pytest.approx(0.077219)
    none = read_lhe(small, reweighting={})
    assert none.sample.operators == () and "w_cHW" not in none.sample.columns
    with pytest.raises(SampleFormatError, match="determine only"):
        read_lhe(small, reweighting={"cHW_0p0": {"cHW": 0}, "cHW_m1p0": {"cHW": -1}})


# -- damaged and foreign files ---------------------------------------------------------------
@pytest.mark.slow
def test_truncated_gzip(tmp_path):
    data = _need(CHW_FILE).read_bytes()
    bad = tmp_path / "truncated.lhe.gz"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(SampleFormatError, match=r"truncated .* at event \d+"):
        read_lhe(bad)


def test_truncated_gzip_small(tmp_path):
    small = _small_copy(tmp_path, 12, suffix=".lhe.gz")
    bad = tmp_path / "cut.lhe.gz"
    bad.write_bytes(small.read_bytes()[:-200])
    with pytest.raises(SampleFormatError, match=r"at event \d+"):
        read_lhe(bad)


def test_broken_xml_names_the_event(tmp_path):
    def edit(lines):
        i = _event_line(lines, 4, 15)  # "</rwgt>" line of event 4
        lines[i] = "</rwg\n"
        return lines

    with pytest.raises(SampleFormatError, match="broken XML at event 4"):
        read_lhe(_small_copy(tmp_path, 8, edit))


def test_corrupted_particle_line_names_the_event(tmp_path):
    def edit(lines):
        i = _event_line(lines, 6, 3)
        lines[i] = lines[i].replace("e+", "x+", 1)
        return lines

    with pytest.raises(SampleFormatError, match="unreadable event 6"):
        read_lhe(_small_copy(tmp_path, 8, edit))


def test_missing_weight_id_names_the_event(tmp_path):
    def edit(lines):
        i = _event_line(lines, 3, 13)
        assert "cHW_m1p0" in lines[i]
        del lines[i]
        return lines

    with pytest.raises(SampleFormatError, match="'cHW_m1p0' missing at event 3"):
        read_lhe(_small_copy(tmp_path, 8, edit))
    with pytest.raises(SampleFormatError, match="'cHW_p5p0' missing"):
        read_lhe(_small_copy(tmp_path, 4), reweighting={**CHW_POINTS, "cHW_p5p0": {"cHW": 5}})


@pytest.mark.parametrize("content", [b"just some text\n", b"<html><body/></html>\n", b""])
def test_not_an_lhe_file(tmp_path, content):
    bad = tmp_path / "foreign.lhe"
    bad.write_bytes(content)
    with pytest.raises(SampleFormatError, match=r"foreign\.lhe"):
        read_lhe(bad)
    with pytest.raises(SampleFormatError, match="no such file"):
        read_lhe(tmp_path / "absent.lhe")


def test_points_varying_an_operator_outside_the_polynomial_are_refused():
    rw = {"a": {}, "b": {"cHW": 1}, "c": {"cHW": -1}, "d": {"cHB": 1}}
    with pytest.raises(SampleFormatError, match="vary cHB"):
        solve_polynomial({k: np.ones(2) for k in rw}, rw, ["cHW"])
