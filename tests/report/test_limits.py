"""Tables and contour figure of ``mlstxs limits``, on a small real limits result."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import mlstxs.report._limits as report_limits
from mlstxs.generate import GeneratorConfig, generate
from mlstxs.report import plot_contours, write_limit_tables
from mlstxs.study import LimitsConfig, run_limits

TRUTH = "unbinned (truth ratio)"


@pytest.fixture(scope="module")
def limits():
    sample = generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=40_000, seed=2, level="detector")
    )
    cfg = LimitsConfig(grid_points=41, grid_points_2d=31, learner=None, bayes=False)
    return run_limits(sample, cfg)


def read_csv(path):
    with path.open(newline="") as f:
        return list(csv.reader(f))


def test_both_tables_list_every_observable(limits, tmp_path):
    observed = limits.observed | {
        "intervals": {
            op: {k: v for k, v in per.items() if k != TRUTH}
            for op, per in limits.observed["intervals"].items()
        }
    }
    partial = limits.model_copy(update={"observed": observed})
    write_limit_tables(partial, tmp_path)
    for name in ("limits", "limits_observed"):
        rows = read_csv(tmp_path / f"{name}.csv")
        assert [r[0] for r in rows[1:]] == limits.observables, name
        assert {len(r) for r in rows} == {len(rows[0])} and rows[0][-1] == "note"
        md = (tmp_path / f"{name}.md").read_text().splitlines()
        assert [line.split(" | ")[0].removeprefix("| ") for line in md[2:]] == limits.observables
    (row,) = [r for r in read_csv(tmp_path / "limits_observed.csv") if r[0] == TRUTH]
    assert row[-1] == report_limits.ABSENT and row[1] == "nan"
    (line,) = [x for x in (tmp_path / "limits_observed.md").read_text().splitlines() if TRUTH in x]
    assert "n/a" in line and report_limits.ABSENT in line
    expected = {r[0]: r[-1] for r in read_csv(tmp_path / "limits.csv")[1:]}
    assert set(expected.values()) == {""}


def test_contours_one_panel_per_observable_on_common_axes(limits, tmp_path, monkeypatch):
    figures = []
    save = report_limits._save
    monkeypatch.setattr(
        report_limits, "_save", lambda fig, d, name: figures.append(fig) or save(fig, d, name)
    )
    paths = plot_contours(limits, tmp_path)
    assert [p.name for p in paths] == ["contour_cHW_cHWB.png", "contour_cHW_cHWB.pdf"]
    (fig,) = figures
    per_obs = limits.scans_2d["cHW,cHWB"]
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == list(per_obs)
    assert fig.legends, "the line-style key sits outside the panels"
    (x0, x1), (y0, y1) = panels[0].get_xlim(), panels[0].get_ylim()
    for obs, scan in per_obs.items():
        delta = np.array(scan["delta"], dtype=float)
        a, b = np.meshgrid(scan["grid_a"], scan["grid_b"], indexing="ij")
        inside = delta < 5.991
        assert inside.sum() > 0.08 * delta.size, obs
        # every 95 % region lies within the axes, and fills a good part of them
        assert x0 < a[inside].min() and a[inside].max() < x1, obs
        assert y0 < b[inside].min() and b[inside].max() < y1, obs
        assert np.ptp(a[inside]) > 0.4 * (x1 - x0) and np.ptp(b[inside]) > 0.4 * (y1 - y0)


def test_the_page_opens_with_a_summary_and_captions_every_figure(limits, tmp_path):
    import re

    from mlstxs.report import plot_scans, write_limits_html

    tables = write_limit_tables(limits, tmp_path / "tables")
    figures = plot_scans(limits, tmp_path / "figures") + plot_contours(limits, tmp_path / "figures")
    html = write_limits_html(limits, tmp_path, tables, figures).read_text()
    summary = html[html.index("<section id='summary'>") : html.index("</section>")]
    iv = limits.intervals["cHW"]["STXS"]["0.95"]["pieces"][0]
    assert f"[{iv[0]:+.3g}, {iv[1]:+.3g}]" in summary  # this run's STXS interval on cHW
    assert f"{limits.fisher_fraction['STXS']:.3f}" in summary
    assert html.index("<section id='summary'>") < html.index("<nav id='toc'>")
    captions = re.findall(r"<figcaption><b>[^<]+</b>: ([^<]*)</figcaption>", html)
    assert len(captions) == sum(p.suffix == ".png" for p in figures)
    assert all(len(c) > 20 for c in captions)
    targets = re.findall(r"href='#([^']+)'", html)
    ids = set(re.findall(r"""id=["']([^"']+)["']""", html))
    assert targets and set(targets) <= ids
