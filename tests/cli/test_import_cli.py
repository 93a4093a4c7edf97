"""``mlstxs import-lhe`` on the shared MadGraph file; one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mlstxs.cli import cli

from ..madgraph_data import CHW_FILE, production_level_copy, read_events


def invoke(*args):
    return CliRunner().invoke(cli, list(args), obj={})


def test_import_then_info(tmp_path):
    read_events(CHW_FILE, max_events=1)  # skips when the shared file is absent
    out = tmp_path / "mg"
    res = invoke("import-lhe", str(CHW_FILE), "--out", str(out), "--max-events", "2000")
    assert res.exit_code == 0, res.output
    info = json.loads(invoke("info", str(out), "--json").output)
    assert {"w_sm", "w_cHW", "w_cHW_cHW"} <= set(info["terms"])
    assert info["n_events"] == 2000
    again = invoke("import-lhe", str(CHW_FILE), "--out", str(out), "--max-events", "10")
    assert again.exit_code == 1 and "already exists" in again.output


def test_not_an_lhe_file(tmp_path):
    bad = tmp_path / "x.lhe"
    bad.write_text("hello\n")
    res = invoke("import-lhe", str(bad), "--out", str(tmp_path / "s"))
    assert res.exit_code == 1 and res.output.startswith("Error:")
    assert len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


def test_production_level_file_through_the_commands(tmp_path):
    """A production-level file (Z and H undecayed) imports; ``info``, ``fit`` and
    ``limits --learner none`` work on (p_T^Z, m_ZH) and agree with the decayed events;
    what needs the decay products fails with one line naming what the sample supports."""
    lhe = production_level_copy(CHW_FILE, tmp_path / "zh.lhe", 2000)
    prod, dec = tmp_path / "prod", tmp_path / "dec"
    assert invoke("import-lhe", str(lhe), "--out", str(prod)).exit_code == 0
    assert "production, undecayed Z and H" in invoke("info", str(prod)).output
    res = invoke("import-lhe", str(CHW_FILE), "--out", str(dec), "--max-events", "2000")
    assert res.exit_code == 0, res.output
    info_prod, info_dec = (json.loads(invoke("info", str(s), "--json").output) for s in (prod, dec))
    assert info_prod["decays"] == "undecayed" and info_dec["decays"] == "llbb"
    assert info_prod["terms"] == info_dec["terms"] and info_prod["ratios"] == info_dec["ratios"]
    fit = invoke("fit", str(prod), "--point", "cHW=0.3")
    assert fit.exit_code == 0 and json.loads(fit.output) == json.loads(
        invoke("fit", str(dec), "--point", "cHW=0.3").output
    )
    intervals = {}
    for s in (prod, dec):
        out = tmp_path / f"lim_{s.name}"
        res = invoke("limits", str(s), "--out", str(out), "--learner", "none")
        assert res.exit_code == 0, res.output
        intervals[s.name] = json.loads((out / "limits.json").read_text())["intervals"]
    assert "unbinned (truth ratio)" in intervals["prod"]["cHW"]
    assert intervals["prod"] == intervals["dec"]
    for args in (
        ["limits", str(prod), "--out", str(tmp_path / "l2")],
        ["design", str(prod), "--out", str(tmp_path / "d"), "--quick", "--no-progress"],
        ["shower", str(prod), "--out", str(tmp_path / "sh")],
    ):
        res = invoke(*args)
        assert res.exit_code == 1 and len(res.output.strip().splitlines()) == 1, res.output
        assert "decay products, absent in this production-level sample" in res.output
        assert "it supports info, fit, limits --learner none" in res.output
        assert not (tmp_path / args[3].rsplit("/", 1)[-1]).exists()
    assert (
        "--learner none skips it"
        in invoke("limits", str(prod), "--out", str(tmp_path / "l3")).output
    )
