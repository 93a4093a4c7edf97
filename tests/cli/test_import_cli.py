"""``mlstxs import-lhe`` on the shared MadGraph file; one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mlstxs.cli import cli

from ..madgraph_data import CHW_FILE, read_events


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
