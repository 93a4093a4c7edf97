"""Diagnostics of the first split, for the figures (``docs/study_format.md``)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import auc, roc_curve

from ._config import StudyConfig
from ._data import StudyData, eft_class_weight
from ._methods import line_methods


def _finite_or_none(a: np.ndarray) -> list:
    return [float(x) if np.isfinite(x) else None for x in np.ravel(a)]


def _closest(values, target: float) -> float:
    return min(values, key=lambda v: abs(v - target))


def _landscape(ctx, choice, method: str, eps: float) -> dict:
    scan, seed = choice.extra["scan"], choice.extra["seed"]
    u = ctx.train.mzh - scan.slope * ctx.train.pt
    lo, hi = np.quantile(u, [0.005, 0.995])
    grid = np.linspace(lo, hi, 150)
    z = scan.landscape(grid)
    return {
        "slice": ctx.slice.label,
        "epsilon": eps,
        "method": method,
        "slopes": _finite_or_none(scan.slopes),
        "intercepts_GeV": _finite_or_none(grid),
        "z": [_finite_or_none(row) for row in z],
        "best": {"slope": scan.slope, "intercept_GeV": scan.intercept_GeV, "z": scan.z},
        "seed": {"slope": seed.slope, "intercept_GeV": seed.intercept_GeV},
    }


def _roc(ctx) -> dict:
    te = ctx.test
    score = te.scores["dnn"]
    y = np.concatenate([np.zeros(len(score)), np.ones(len(score))])
    w = np.concatenate([te.w_sm, eft_class_weight(te.w_eft)])
    fpr, tpr, _ = roc_curve(y, np.concatenate([score, score]), sample_weight=w)
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 300)).astype(int))
    return {
        "slice": ctx.slice.label,
        "fpr": _finite_or_none(fpr[keep]),
        "tpr": _finite_or_none(tpr[keep]),
        "auc": float(auc(fpr, tpr)),
    }


def _pca(data: StudyData, ctx) -> dict:
    """Principal components of the standardised features in the slice, weighted by
    w_SM + w(c) (paper App. B)."""
    sel = ctx.slice.contains(data.pt)
    X, w = data.features[sel], data.w_sm[sel] + eft_class_weight(data.w_eft[sel])
    mean = np.average(X, axis=0, weights=w)
    std = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
    Z = (X - mean) / np.where(std > 0, std, 1.0)
    cov = (Z * w[:, None]).T @ Z / w.sum()
    val, vec = np.linalg.eigh(cov)
    order = np.argsort(val)[::-1]
    val, vec = val[order], vec[:, order]
    return {
        "slice": ctx.slice.label,
        "features": list(data.feature_names),
        "explained_variance_ratio": _finite_or_none(val / val.sum()),
        "loadings": [_finite_or_none(vec[:, k]) for k in range(min(5, len(val)))],
    }


def collect_diagnostics(
    data: StudyData,
    config: StudyConfig,
    contexts,
    choices,
    dnn,
    sec_per_epoch: float,
    test_idx: np.ndarray,
) -> dict:
    """Landscapes, threshold curves, ROC, PCA, events and lines of split 0."""
    diag: dict = {
        "scan_landscapes": [],
        "threshold_curves": [],
        "roc": [],
        "pca": [],
        "lines": [],
        "events": None,
    }
    eps_fig = _closest(config.epsilons, 0.5)
    for ctx, done in zip(contexts, choices, strict=True):
        for method, chosen in done.items():  # the scans around a seed line (Figs. 1, 4)
            if "seed" in chosen[eps_fig].extra and ctx is contexts[-1]:
                diag["scan_landscapes"].append(_landscape(ctx, chosen[eps_fig], method, eps_fig))
        for eps in config.epsilons:
            if "DNN+SVM" in done:
                thr, z = done["DNN+SVM"][eps].extra["curve"]
                diag["threshold_curves"].append(
                    {
                        "slice": ctx.slice.label,
                        "epsilon": eps,
                        "thresholds": _finite_or_none(thr),
                        "z": _finite_or_none(z),
                    }
                )
            for method in line_methods():
                if method in done and done[method][eps].line is not None:
                    line = done[method][eps].line
                    diag["lines"].append(
                        {
                            "slice": ctx.slice.label,
                            "epsilon": eps,
                            "method": method,
                            "slope": line.slope,
                            "intercept_GeV": line.intercept_GeV,
                        }
                    )
        diag["roc"].append(_roc(ctx))
        diag["pca"].append(_pca(data, ctx))
    if contexts:
        te = contexts[-1].test
        rng = np.random.default_rng(0)
        keep = np.sort(rng.permutation(len(te.pt))[:5000])
        diag["events"] = {
            "slice": contexts[-1].slice.label,
            "pt_Z": _finite_or_none(te.pt[keep]),
            "m_ZH": _finite_or_none(te.mzh[keep]),
            "w_sm": _finite_or_none(te.w_sm[keep]),
            "w_eft": _finite_or_none(te.w_eft[keep]),
        }
    diag["dnn"] = {
        "history": {k: _finite_or_none(v) for k, v in dnn.history_.items()},
        "best_epoch": int(dnn.best_epoch_),
        "seconds_per_epoch": sec_per_epoch,
    }
    return diag
