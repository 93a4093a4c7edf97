"""End-to-end command-line runs on small samples, and one-line errors on bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlstxs.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), obj={}, catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "s"
    res = run(
        "generate",
        "--operators",
        "cHW",
        "--events",
        "20000",
        "--seed",
        "1",
        "--pdf",
        "NNPDF23_lo_as_0130_qed",
        "--flavours",
        "4",
        "--scale",
        "mzh",
        "--level",
        "parton",
        "--out",
        str(out),
        "--scheduler",
        "synchronous",
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    return out


def test_info_json_layout(sample_dir):
    res = run("info", str(sample_dir), "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["bins_GeV"] == [0, 75, 150, 250, 400, None]
    assert set(d["terms"]) == {"w_sm", "w_cHW", "w_cHW_cHW"}
    for term in d["terms"].values():
        assert len(term["bins_xsec_pb"]) == 5 and len(term["bins_error_pb"]) == 5
        assert term["error_pb"] > 0
    assert sum(d["terms"]["w_sm"]["bins_xsec_pb"]) == pytest.approx(d["terms"]["w_sm"]["xsec_pb"])


def test_info_json_ratios_with_correlated_errors(sample_dir):
    """``ratios``: σ_t/σ_SM of every non-SM term (and of w(c)) with the MC error of
    mlstxs.io.mc_ratio, in total and per bin; the library's numbers, written once."""
    from mlstxs.io import EventSample

    d = json.loads(run("info", str(sample_dir), "--json", "--point", "cHW=1").output)
    assert set(d["ratios"]) == {"w_cHW", "w_cHW_cHW", "w(cHW=1)"} and d["decays"] == "llbb"
    ref = EventSample.load(sample_dir).cross_sections().ratios["w_cHW"]
    lin = d["ratios"]["w_cHW"]
    assert lin["value"] == pytest.approx(ref.value, rel=1e-12)
    assert lin["error"] == pytest.approx(ref.error, rel=1e-12)
    assert lin["bins_value"] == pytest.approx(ref.bins_value.tolist(), rel=1e-12)
    assert lin["bins_error"] == pytest.approx(ref.bins_error.tolist(), rel=1e-12)
    assert len(lin["bins_error"]) == 5 and all(e > 0 for e in lin["bins_error"])
    mu = d["ratios"]["w(cHW=1)"]  # σ(c)/σ_SM = 1 + A + B
    assert mu["value"] == pytest.approx(1 + lin["value"] + d["ratios"]["w_cHW_cHW"]["value"])
    text = run("info", str(sample_dir)).output
    assert "σ_t/σ_SM ± MC error" in text


def test_info_table_and_point(sample_dir):
    res = run("info", str(sample_dir), "--point", "cHW=1")
    assert res.exit_code == 0
    assert "w(cHW=1)" in res.output


def test_pdfs_lists_sets():
    res = run("pdfs")
    assert res.exit_code == 0
    assert "NNPDF31_lo_as_0118" in res.output and "NNPDF23_lo_as_0130_qed" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--operators", "cHW,cFOO"], "unknown operator(s) cFOO; valid names: cHbox"),
        (["--events", "0"], "n_events"),
        (["--events", "-5"], "n_events"),
        (["--sqrt-s", "150"], "below the Z H threshold"),
        (["--pdf", "CT99"], "NNPDF31_lo_as_0118"),
        (["--scale", "-3"], "scale"),
        (["--mll-window", "116,66"], "m_ll window"),
    ],
)
def test_bad_generate_input(tmp_path, args, message):
    out = tmp_path / "never"
    res = CliRunner().invoke(cli, ["generate", "--out", str(out), "--no-progress", *args], obj={})
    assert res.exit_code != 0
    assert message in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_existing_output_is_an_error(sample_dir):
    before = (sample_dir / "metadata.json").read_text()
    res = CliRunner().invoke(
        cli,
        [
            "generate",
            "--events",
            "100",
            "--out",
            str(sample_dir),
            "--no-progress",
            "--scheduler",
            "synchronous",
        ],
        obj={},
    )
    assert res.exit_code == 1
    assert "already exists" in res.output
    assert (sample_dir / "metadata.json").read_text() == before


def test_info_on_foreign_directory(tmp_path):
    (tmp_path / "x").mkdir()
    res = CliRunner().invoke(cli, ["info", str(tmp_path / "x")], obj={})
    assert res.exit_code == 1
    assert res.output.startswith("Error:") and "metadata" in res.output


def test_bad_detector_settings_fail_before_writing(tmp_path):
    cfg = tmp_path / "det.yaml"
    cfg.write_text("bjet:\n  btag_efficiency: 1.7\n")
    out = tmp_path / "never"
    res = CliRunner().invoke(
        cli, ["generate", "--out", str(out), "--detector-config", str(cfg), "--no-progress"], obj={}
    )
    assert res.exit_code == 1
    assert "btag_efficiency" in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_detector_level_run_and_config_file(tmp_path):
    settings = tmp_path / "gen.yaml"
    settings.write_text("operators: [cHW, cHWB]\nn_events: 30000\nseed: 4\n")
    out = tmp_path / "det"
    res = run(
        "generate",
        "--config",
        str(settings),
        "--level",
        "detector",
        "--out",
        str(out),
        "--scheduler",
        "synchronous",
        "--no-progress",
    )
    assert res.exit_code == 0, res.output
    d = json.loads(run("info", str(out), "--json").output)
    assert d["level"] == "detector" and d["n_trials"] == 30000
    assert 0 < d["n_events"] < 30000
    assert "w_cHW_cHWB" in d["terms"]
