"""The self-contained HTML report."""

from __future__ import annotations

import re

from mlstxs.report import FIGURES

from .test_tables import NAMES


def test_html_contains_every_table_figure_and_card(report):
    html = report.html.read_text(encoding="utf-8")
    for name in NAMES:
        assert f'id="table-{name}"' in html
    n_png = sum(p.suffix == ".png" for p in report.figures)
    assert n_png == len(FIGURES)
    assert html.count('<img alt="') == html.count('src="data:image/png;base64,') == n_png
    for path in report.cards:
        assert path.name in html
    assert "no DNN threshold gives a line with positive Z" in html  # non-evaluable notes
    assert "out/sample_cHW" in html and "NNPDF31_lo_as_0118" in html  # provenance, settings


def test_html_is_self_contained(report):
    html = report.html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    assert "<link" not in html and "<script" not in html and "@import" not in html
