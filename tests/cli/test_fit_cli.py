"""``mlstxs fit`` and ``mlstxs limits`` on a small sample; their one-line errors."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from mlstxs.cli import cli
from mlstxs.generate import GeneratorConfig, generate


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("fit") / "s"
    generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=60_000, seed=3, level="detector")
    ).save(path)
    return path


def invoke(*args):
    return CliRunner().invoke(cli, list(args), obj={})


def test_fit_recovers_the_point(sample_dir, tmp_path):
    out = tmp_path / "fit.json"
    res = invoke(
        "fit",
        str(sample_dir),
        "--point",
        "cHW=0.3",
        "--operators",
        "cHW",
        "--seed",
        "4",
        "--out",
        str(out),
    )
    assert res.exit_code == 0, res.output
    r = json.loads(out.read_text())
    assert r["valid"] and r["truth"] == {"cHW": 0.3}
    assert abs(r["pulls"]["cHW"]) < 4
    assert r["errors"]["cHW"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--observable", "foo"], "unknown observable 'foo'"),
        (["--point", "cHq3=1", "--operators", "cHW"], "not among the fitted operators"),
        (["--point", "cHW"], "expected NAME=VALUE"),
    ],
)
def test_fit_errors_are_one_line(sample_dir, args, message):
    res = invoke("fit", str(sample_dir), *args)
    assert res.exit_code != 0 and message in res.output
    assert "Traceback" not in res.output


def test_limits_outputs_and_refusal(sample_dir, tmp_path):
    out = tmp_path / "lim"
    res = invoke("limits", str(sample_dir), "--out", str(out), "--learner", "none")
    assert res.exit_code == 0, res.output
    limits = json.loads((out / "limits.json").read_text())
    assert limits["operators"] == ["cHW", "cHWB"]
    assert limits["observed"]["n_observed"] > 0
    assert (out / "tables" / "limits_observed.md").is_file()
    assert (out / "pyhf_workspace_STXS.json").is_file()
    assert (out / "figures" / "posterior_cHW_cHWB.png").is_file()
    html = (out / "limits.html").read_text()
    assert html.count('src="data:image/png;base64,') == 4 and "limits_observed" in html
    for name in ("limits", "limits_observed"):  # one field count, names with commas quoted
        with (out / "tables" / f"{name}.csv").open(newline="") as f:
            rows = list(csv.reader(f))
        assert {len(r) for r in rows} == {len(rows[0])}, name
        assert "2-D (pT, m_ZH)" in [r[0] for r in rows], name
    again = invoke("limits", str(sample_dir), "--out", str(out))
    assert again.exit_code == 1 and "already exists" in again.output
    bad = invoke("limits", str(sample_dir), "--out", str(tmp_path / "x"), "--operators", "cHu")
    assert bad.exit_code == 1 and "no weights for cHu" in bad.output
    assert not (tmp_path / "x").exists()
