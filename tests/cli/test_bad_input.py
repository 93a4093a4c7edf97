"""Bad input to every command is refused where it enters, with one line ``Error: <reason>``
on stderr and exit code 1: NaN/inf numbers, duplicated or unknown operators, YAML syntax
errors, non-positive counts, empty, SM-only or non-positive samples, edited metadata, and a
sample other than the one a study ran on."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from mlstxs.cli import cli
from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import EventSample, term_cross_sections


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], obj={})


def assert_one_line_error(res, *fragments: str) -> None:
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def _with_weights(sample: EventSample, **columns) -> EventSample:
    cols = {**sample.columns, **columns}
    m = sample.metadata
    xsec = term_cross_sections(cols, m.weight_terms, m.n_trials)
    return EventSample(cols, m.model_copy(update={"xsec": xsec}))


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """A cHW sample, the same with no events, with a non-positive polynomial, and SM-only."""
    root = tmp_path_factory.mktemp("bad_input")
    s = generate(GeneratorConfig(operators=("cHW",), n_events=2000, seed=1))
    quad = s.columns["w_cHW_cHW"].copy()
    quad[:5] = -1.0
    return {
        "chw": s.save(root / "chw"),
        "empty": s.select(np.zeros(len(s), dtype=bool)).save(root / "empty"),
        "negative": _with_weights(s, w_cHW_cHW=quad).save(root / "negative"),
        "sm": generate(GeneratorConfig(operators=(), n_events=500, seed=1)).save(root / "sm"),
    }


# -- NaN/inf in every float option --------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lambda-tev", "nan"], "lambda_TeV: Input should be a finite number"),
        (["--lambda-tev", "inf"], "lambda_TeV: Input should be a finite number"),
        (["--sqrt-s", "inf"], "sqrt_s_GeV: Input should be a finite number"),
        (["--ptz-min", "inf"], "ptz_min_GeV: Input should be a finite number"),
        (["--scale", "nan"], "a fixed scale must be a finite number >= 1 GeV"),
        (["--scale", "1e-6"], "a fixed scale must be a finite number >= 1 GeV"),
        (["--scale", "1.2"], "below the lowest Q = 1.65 GeV of the NNPDF31_lo_as_0118 grid"),
        (["--scale", "abc"], "--scale must be 'mzh' or a number in GeV, got 'abc'"),
        (["--mll-window", "66,inf"], "--mll-window: inf is not a finite number"),
        (["--mll-window", "66"], "--mll-window: expected 2 comma-separated numbers"),
        (["--mzh-exponents", "4,nan"], "--mzh-exponents: nan is not a finite number"),
        (["--events", "0"], "n_events: Input should be greater than 0"),
        (["--events", "-3"], "n_events: Input should be greater than 0"),
        (["--chunk-size", "0"], "chunk_size: Input should be greater than 0"),
        (["--chunk-size", "-1"], "chunk_size: Input should be greater than 0"),
    ],
)
def test_generate_refuses(tmp_path, args, message):
    out = tmp_path / "never"
    res = invoke("generate", "--out", out, "--no-progress", "--level", "parton", *args)
    assert_one_line_error(res, message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--point", "cHW=nan"], "--point: cHW=nan is not a finite number"),
        (["--point", "cHW=inf"], "--point: cHW=inf is not a finite number"),
        (["--point", "cHW=1,cHW=2"], "--point: cHW is given twice (cHW=1 and cHW=2)"),
        (["--point", "cFOO=1"], "--point: unknown operator(s) cFOO"),
        (["--point", "cHW"], "--point: expected NAME=VALUE"),
        (["--bins", "0,inf,500"], "--bins: inf is not a finite number (inf only as the last"),
        (["--bins", "nan,100"], "--bins: nan is not a finite number"),
        (["--bins", "-inf,100"], "--bins: -inf is not a finite number"),
    ],
)
def test_info_refuses(samples, args, message):
    assert_one_line_error(invoke("info", samples["chw"], "--json", *args), message)


def test_info_json_stays_valid_with_an_open_last_bin(samples):
    res = invoke("info", samples["chw"], "--json", "--bins", "0,100,inf", "--point", "cHW=1")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["bins_GeV"] == [0, 100, None]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lumi", "nan"], "luminosity_fb = nan must be finite and > 0"),
        (["--lumi", "inf"], "luminosity_fb = inf must be finite and > 0"),
        (["--lumi", "0"], "luminosity_fb = 0.0 must be finite and > 0"),
        (["--epsilon", "inf"], "epsilon = inf must be finite and >= 0"),
        (["--epsilon", "nan"], "epsilon = nan must be finite and >= 0"),
        (["--point", "cHW=nan"], "--point: cHW=nan is not a finite number"),
        (["--point", "cHW=1,cHW=2"], "--point: cHW is given twice"),
    ],
)
def test_fit_refuses(samples, args, message):
    assert_one_line_error(invoke("fit", samples["chw"], *args), message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lumi", "nan"], "invalid luminosity_fb: Input should be a finite number"),
        (["--lumi", "inf"], "invalid luminosity_fb: Input should be a finite number"),
        (["--epsilon", "inf"], "invalid epsilon: Input should be a finite number"),
        (["--epsilon", "nan"], "invalid epsilon: Input should be a finite number"),
    ],
)
def test_limits_refuses(samples, tmp_path, args, message):
    out = tmp_path / "never"
    assert_one_line_error(invoke("limits", samples["chw"], "--out", out, *args), message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lumi", "inf"], "invalid luminosity_fb: Input should be a finite number"),
        (["--lumi", "nan"], "invalid luminosity_fb: Input should be a finite number"),
        (["--epsilons", "0.3,nan"], "--epsilons: nan is not a finite number"),
        (["--epsilons", "inf"], "--epsilons: inf is not a finite number"),
        (["--benchmark", "cHW=inf"], "--benchmark: cHW=inf is not a finite number"),
        (["--benchmark", "cHW=1,cHW=2"], "--benchmark: cHW is given twice (cHW=1 and cHW=2)"),
        (["--benchmark", "cXYZ=1"], "--benchmark: unknown operator(s) cXYZ"),
        (["--benchmark", "cHWB=1"], "the sample has no weights for cHWB; it carries cHW"),
        (["--splits", "0"], "invalid n_splits: Input should be greater than 0"),
        (["--splits", "-2"], "invalid n_splits: Input should be greater than 0"),
    ],
)
def test_design_refuses(samples, tmp_path, args, message):
    out = tmp_path / "never"
    res = invoke("design", samples["chw"], "--out", out, "--quick", "--no-progress", *args)
    assert_one_line_error(res, message)
    assert not out.exists()


# -- YAML syntax errors --------------------------------------------------------------------
@pytest.mark.parametrize("option", ["--config", "--detector-config"])
def test_yaml_syntax_error_is_one_line(tmp_path, option):
    cfg = tmp_path / "settings.yaml"
    cfg.write_text("seed: 3\noperators: [cHW\nn_events: 10\n")
    res = invoke("generate", "--out", tmp_path / "never", "--no-progress", option, cfg)
    assert_one_line_error(res, f"{cfg}: not valid YAML/JSON at line 3, column 9")


def test_design_yaml_syntax_error_is_one_line(samples, tmp_path):
    cfg = tmp_path / "study.yaml"
    cfg.write_text("n_splits: 2\n  epsilons: [0.5]\n")
    res = invoke("design", samples["chw"], "--out", tmp_path / "d", "--config", cfg)
    assert_one_line_error(res, f"{cfg}: not valid YAML/JSON at line 2")


# -- non-positive counts -------------------------------------------------------------------
@pytest.mark.parametrize("events", ["0", "-3"])
def test_shower_refuses_nonpositive_events(samples, tmp_path, events):
    res = invoke("shower", samples["chw"], "--out", tmp_path / "x", "--events", events)
    assert_one_line_error(res, f"n_events must be a positive number of events, got {events}")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("n", ["0", "-5"])
def test_import_lhe_refuses_nonpositive_max_events(tmp_path, n):
    pytest.importorskip("pylhe")
    res = invoke("import-lhe", tmp_path / "a.lhe", "--out", tmp_path / "x", "--max-events", n)
    assert_one_line_error(res, f"max_events must be a positive number of events, got {n}")


# -- samples a command cannot use -----------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("limits", ["--out", "{tmp}/l", "--learner", "none"]),
        ("fit", ["--point", "cHW=0.3"]),
        ("design", ["--out", "{tmp}/d", "--quick", "--no-progress"]),
        ("shower", ["--out", "{tmp}/s"]),
    ],
)
def test_empty_sample_is_refused(samples, tmp_path, command, args):
    args = [a.format(tmp=tmp_path) for a in args]
    assert_one_line_error(invoke(command, samples["empty"], *args), "holds no events (0 rows)")
    assert list(tmp_path.iterdir()) == []


def test_info_warns_about_an_empty_sample(samples):
    res = invoke("info", samples["empty"], "--json")
    assert res.exit_code == 0
    assert (
        res.stderr.strip()
        == f"Warning: {samples['empty']} holds no events: all cross sections are 0"
    )
    assert json.loads(res.stdout)["n_events"] == 0


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("limits", ["--out", "{tmp}/l", "--learner", "none"]),
        ("fit", []),
        ("design", ["--out", "{tmp}/d", "--quick", "--no-progress"]),
    ],
)
def test_sm_only_sample_is_refused(samples, tmp_path, command, args):
    args = [a.format(tmp=tmp_path) for a in args]
    res = invoke(command, samples["sm"], *args)
    assert_one_line_error(res, "the sample carries no operators (SM weights only); cannot")


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("limits", ["--out", "{tmp}/l", "--learner", "none"]),
        ("fit", ["--point", "cHW=0.3"]),
        ("design", ["--out", "{tmp}/d", "--quick", "--no-progress"]),
    ],
)
def test_nonpositive_polynomial_is_refused_by_every_command(samples, tmp_path, command, args):
    """Five events with w_cHW_cHW = −1 pb: limits used to report "[+0, +0]" with exit 0."""
    args = [a.format(tmp=tmp_path) for a in args]
    res = invoke(command, samples["negative"], *args)
    assert_one_line_error(
        res, "the weight polynomial in cHW is not positive", "in 5 of", "(first: event 0,"
    )


# -- edited metadata -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["xsec"]["w_sm"].update(xsec_pb=1000.0), "xsec.w_sm.xsec_pb = 1000 pb"),
        (lambda m: m.update(n_trials=3 * m["n_trials"]), "xsec.w_sm.error_pb = "),
        (lambda m: m.update(lambda_TeV=float("inf")), "bad field 'lambda_TeV'"),
    ],
)
def test_info_refuses_edited_metadata(samples, tmp_path, edit, message):
    import shutil

    path = shutil.copytree(samples["chw"], tmp_path / "edited")
    meta = json.loads((path / "metadata.json").read_text())
    edit(meta)
    (path / "metadata.json").write_text(json.dumps(meta))
    assert_one_line_error(invoke("info", path), message)


# -- publish with another sample ---------------------------------------------------------------
def test_publish_refuses_another_sample(samples, tmp_path):
    from mlstxs.report import write_cards
    from mlstxs.study import StudyResult, sample_record

    from ..publish.test_publish import make_study

    chw = EventSample.load(samples["chw"])
    study = make_study()
    study["sample"] = sample_record(samples["chw"], chw.metadata)
    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "study.json").write_text(json.dumps(study))
    write_cards(StudyResult.from_dict(study), tmp_path / "study" / "cards")
    res = invoke(
        "publish", tmp_path / "study", "--sample", samples["negative"], "--out", tmp_path / "p"
    )
    assert_one_line_error(res, f"{samples['negative']} is not the sample the study ran on")
    assert "xsec.w_cHW_cHW.xsec_pb is -4.9" in res.stderr  # same settings and σ_SM
    res = invoke("publish", tmp_path / "study", "--sample", samples["sm"], "--out", tmp_path / "p")
    assert_one_line_error(res, "n_events is 500 here, 2000 in study.json")
    assert not (tmp_path / "p").exists()
