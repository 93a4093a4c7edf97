"""write_report: the whole report in one call."""

from __future__ import annotations

import json
import logging

from mlstxs.report import FIGURES, ReportResult, load_study, write_report

from .test_figures import SUMMARY_FIGURES
from .test_tables import NAMES


def test_write_report_result(report):
    assert isinstance(report, ReportResult)
    d = report.to_dict()
    assert set(d) == {"tables", "figures", "cards", "html"}
    assert json.loads(json.dumps(d)) == d
    assert all(p.parent.name == "tables" for p in report.tables)
    assert all(p.parent.name == "figures" for p in report.figures)
    assert all(p.parent.name == "cards" for p in report.cards)
    assert report.html.name == "report.html"
    assert "cards" in repr(report)


def test_write_report_from_file_without_diagnostics(study, tmp_path, caplog):
    """Figures whose diagnostics are missing are skipped with a logged note."""
    del study["diagnostics"]
    path = tmp_path / "study.json"
    path.write_text(json.dumps(study))
    with caplog.at_level(logging.WARNING, logger="mlstxs.report"):
        result = write_report(load_study(path), tmp_path)
    assert {p.stem for p in result.figures} == SUMMARY_FIGURES
    assert len(result.figures) == 2 * len(SUMMARY_FIGURES)  # png + pdf
    for name in set(FIGURES) - SUMMARY_FIGURES:
        assert any(name in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records)
    html = result.html.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(SUMMARY_FIGURES)
    assert len(result.tables) == 3 * len(NAMES) and len(result.cards) > 0
