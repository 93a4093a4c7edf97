"""End to end: ``mlstxs reproduce --quick`` produces every table, figure, card and the report."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlstxs.cli import cli
from mlstxs.report import load_card
from mlstxs.study import designed_line_methods

N_CARDS = 4 * 4 * (1 + len(designed_line_methods()))


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    out = tmp_path_factory.mktemp("repro") / "run"
    res = CliRunner().invoke(
        cli,
        ["reproduce", "--quick", "--out", str(out), "--no-progress", "--scheduler", "synchronous"],
        obj={},
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    return out, res.output


def test_quick_reproduce_writes_everything(reproduced):
    out, output = reproduced
    design = out / "design"
    study = json.loads((design / "study.json").read_text())
    assert study["format"] == "mlstxs.study" and len(study["records"]) > 0
    tables = {p.name for p in (design / "tables").iterdir()}
    for eps in study["epsilons"]:
        stem = [t for t in tables if t.startswith("significance_eps") and str(eps) in t]
        assert {s.rsplit(".", 1)[1] for s in stem} == {"csv", "md", "tex"}
    for name in (
        "boundaries_svm",
        "boundaries_svm_scan",
        "boundaries_dnn_svm",
        "boundaries_dnn_svm_scan",
        "fraction_of_optimum",
        "ratio_to_stxs",
    ):
        assert {f"{name}.csv", f"{name}.md", f"{name}.tex"} <= tables
    figures = {p.name for p in (design / "figures").iterdir()}
    for fig in (
        "fig1_scan_landscape",
        "fig2_roc",
        "fig3_threshold",
        "fig4_dnn_scan_landscape",
        "fig5_boundaries",
        "fig6_boxplots",
        "fig7_ratio_to_stxs",
        "fig8_pca_variance",
        "fig9_pca_loadings",
        "fig10_fraction_of_optimum",
        "fig11_dnn_training",
    ):
        assert {f"{fig}.png", f"{fig}.pdf"} <= figures, fig
    cards = sorted((design / "cards").glob("*.json"))
    # 4 slices × 4 ε × (STXS + every designed line method); the paper's lines get none
    assert len(cards) == N_CARDS
    for card in cards:
        c = load_card(card)
        assert c.yields.b is not None and c.sample.fingerprint and c.definitions.level
        assert c.parametrisation is None or "cHW" in c.parametrisation.A
    html = (design / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') >= 11
    assert "report:" in output
    limits = json.loads((out / "limits" / "limits.json").read_text())
    assert set(limits["operators"]) == {"cHW", "cHWB", "cHq3"}
    assert "ML regions" in limits["observables"]
    assert {"limits.md", "limits.csv"} <= {p.name for p in (out / "limits" / "tables").iterdir()}
    figs = {p.name for p in (out / "limits" / "figures").iterdir()}
    assert {"scan_cHW.png", "contour_cHW_cHWB.pdf"} <= figs
    assert (out / "limits" / "limits.html").is_file()


def test_existing_output_is_refused(reproduced):
    out, _ = reproduced
    res = CliRunner().invoke(
        cli,
        ["design", str(out / "sample"), "--out", str(out / "design"), "--quick", "--no-progress"],
        obj={},
    )
    assert res.exit_code == 1 and "already exists" in res.output


def test_design_errors_are_one_line(tmp_path, reproduced):
    out, _ = reproduced
    res = CliRunner().invoke(
        cli,
        [
            "design",
            str(out / "sample"),
            "--out",
            str(tmp_path / "d"),
            "--benchmark",
            "cHu=1",
            "--no-progress",
        ],
        obj={},
    )
    assert res.exit_code == 1 and "no weights for cHu" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "d").exists()


def test_publish_the_quick_study(reproduced, tmp_path):
    out, _ = reproduced
    res = CliRunner().invoke(
        cli, ["publish", str(out / "design"), "--out", str(tmp_path / "pub")], obj={}
    )
    assert res.exit_code == 0, res.output
    params = json.loads((tmp_path / "pub" / "parametrisation.json").read_text())
    # a quick study may have a distilled line that selects nothing: skipped, and said so
    n_skipped = res.output.count("_eps")
    assert len(params["bins"]) == N_CARDS - n_skipped
    assert n_skipped == 0 or "skipped (no SM events)" in res.output
    assert (tmp_path / "pub" / "hepdata" / "submission.yaml").is_file()
    again = CliRunner().invoke(
        cli, ["publish", str(out / "design"), "--out", str(tmp_path / "pub")], obj={}
    )
    assert again.exit_code == 1 and "exist" in again.output
    missing = CliRunner().invoke(
        cli, ["publish", str(tmp_path), "--out", str(tmp_path / "p2")], obj={}
    )
    assert missing.exit_code == 1 and "no study.json" in missing.output


def test_publish_works_from_any_directory(reproduced, tmp_path, monkeypatch):
    """study.json records the sample relative to the study, not to the working directory."""
    out, _ = reproduced
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res = CliRunner().invoke(
        cli, ["publish", str(out / "design"), "--out", str(tmp_path / "pub2")], obj={}
    )
    assert res.exit_code == 0, res.output
    assert json.loads((out / "design" / "study.json").read_text())["sample"]["path"] == "../sample"
