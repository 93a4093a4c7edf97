"""Figures: every file from the fake study, graceful degradation without diagnostics."""

from __future__ import annotations

import pytest

from mlstxs.report import FIGURES
from mlstxs.report._style import style_context

from .conftest import typed

SUMMARY_FIGURES = {"fig6_boxplots", "fig7_ratio_to_stxs", "fig10_fraction_of_optimum"}


def test_every_figure_is_written(report):
    names = {p.name for p in report.figures}
    assert names == {f"{n}.{ext}" for n in FIGURES for ext in ("png", "pdf")}
    for path in report.figures:
        head = path.read_bytes()[:8]
        assert head.startswith(b"\x89PNG" if path.suffix == ".png" else b"%PDF")


def _build_all(study):
    """Build (not save) every figure; returns the names built, raising nothing."""
    from mlstxs.report._figures import _build

    with style_context():
        typed_study = typed(study)
        return {n for n, b in FIGURES.items() if _build(n, b, typed_study) is not None}


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(
            scan_landscapes=[
                {"slice": "[400,inf]", "epsilon": 0.5, "method": "SVM+scan", "slopes": None}
            ]
        ),
        lambda d: d.update(roc=[{"slice": "[75,150]", "fpr": None, "tpr": [0.1]}]),
        lambda d: d.update(threshold_curves=[{"slice": "x", "epsilon": None}]),
        lambda d: d.update(
            pca=[
                {
                    "slice": "[75,150]",
                    "features": ["a"],
                    "explained_variance_ratio": [None, None],
                    "loadings": None,
                }
            ]
        ),
        lambda d: d["events"].update(pt_Z=[None] * 3),
        lambda d: d.update(lines=None, dnn={"history": {"train_loss": []}, "best_epoch": None}),
        lambda d: d.update(scan_landscapes=None, roc=[], pca="garbage", events={}, dnn=None),
    ],
)
def test_figures_degrade_gracefully(study, damage):
    damage(study["diagnostics"])
    built = _build_all(study)
    assert SUMMARY_FIGURES <= built


def test_nulls_inside_diagnostics_are_drawn(study):
    diag = study["diagnostics"]
    diag["roc"][0]["tpr"][3] = None
    diag["events"]["w_eft"][:10] = [None] * 10
    diag["lines"].append(
        {
            "slice": "[400,inf]",
            "epsilon": 0.5,
            "method": "SVM",
            "slope": None,
            "intercept_GeV": None,
        }
    )
    assert _build_all(study) == set(FIGURES)


def test_summary_figures_skip_without_records(study):
    study["records"] = []
    assert not SUMMARY_FIGURES & _build_all(study)
