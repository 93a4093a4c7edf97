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


def _text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_report_opens_with_a_summary_of_this_runs_numbers(report, study):
    import numpy as np

    html = report.html.read_text(encoding="utf-8")
    first = html.index("<section id='summary'>")
    assert first < html.index("<nav id='toc'>") < html.index("<section id='findings'>")
    summary = _text(html[first : html.index("</section>", first)])
    z = [
        r["z_test"]
        for r in study["records"]
        if r["method"] == "STXS" and r["slice"] == "[400,inf]" and r["epsilon"] == 0.5
    ]
    assert f"{np.mean(z):.4f}" in summary  # the headline STXS significance of the top slice
    assert "2,000,000 events" in summary and "300 fb" in summary and "cHW = 1" in summary
    assert "ε = 0.5" in summary and "optimal significance" in summary


def test_every_table_of_contents_link_has_its_target(report):
    html = report.html.read_text(encoding="utf-8")
    targets = re.findall(r"href='#([^']+)'", html)
    ids = set(re.findall(r"""id=["']([^"']+)["']""", html))
    assert len(targets) > 20 and set(targets) <= ids


def test_comparison_with_the_paper_is_in_the_report(report):
    text = _text(report.html.read_text(encoding="utf-8"))
    for table in ("Paper Table V", "Paper Table VI", "Paper Table VII"):
        assert table in text
    assert "2.2440 ± 0.0010" in text  # paper Table V, STXS, [75,150]
    assert "paper-matched normalisation" in text.lower() and "fb −1" in text
    assert "Combining the slices" in text


def test_linear_only_finding_uses_the_interference_alone():
    from mlstxs.report._summary import finding_linear_only
    from mlstxs.stats import asimov_z

    from ..study.test_paper_match import YIELDS, _study

    text = _text(finding_linear_only(_study()).html)
    s_lin, _, b = YIELDS["[400,inf]"]
    # the line's region has half the signal and a quarter of the background (the fixture)
    gain = float(asimov_z(0.5 * s_lin, 0.25 * b, 0.5) / asimov_z(s_lin, b, 0.5))
    assert f"{gain:.2f} per slice" in text and "Gain, linear" in text
