"""``mlstxs shower``: Pythia 8 + FastJet on a small generated sample, with the comparison figure."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mlstxs.cli import cli
from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import EventSample

pytest.importorskip("fastjet")


def test_shower_writes_a_detector_sample_and_figure(tmp_path):
    src = tmp_path / "parton"
    generate(GeneratorConfig(n_events=600, seed=2, level="parton")).save(src)
    out = tmp_path / "shower"
    res = CliRunner().invoke(
        cli,
        ["shower", str(src), "--out", str(out), "--seed", "1", "--figure", str(tmp_path / "cmp")],
        obj={},
    )
    assert res.exit_code == 0, res.output
    s = EventSample.load(out)
    assert s.metadata.level == "detector" and 200 < len(s) < 600
    assert "truth_lm_E" in s.columns
    assert (tmp_path / "cmp.png").is_file() and (tmp_path / "cmp.pdf").is_file()
    assert "m_bb median" in res.output
    again = CliRunner().invoke(cli, ["shower", str(out), "--out", str(tmp_path / "x")], obj={})
    assert again.exit_code == 1 and "parton-level" in again.output
