"""Region methods of the study, one function each, in a registry (evaluated in order).

Each method returns, per ε, a :class:`RegionChoice` made on the training set: a line, a score
threshold or the whole slice. Later methods may start from earlier ones (the scans start from
the SVM and DNN+SVM lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..regions import LinearBoundary, SVMBoundary, distill_score, sm_vs_eft_dataset
from ..regions._scan import scan_lines
from ..regions._threshold import best_threshold
from ..stats import NotEvaluable, asimov_z
from ._subsets import SliceContext, Subset


@dataclass(frozen=True)
class RegionChoice:
    """A region chosen on the training set. Exactly one of ``line`` / ``threshold`` is set,
    or neither for the whole slice; ``score`` names the per-event score of a threshold."""

    line: LinearBoundary | None = None
    threshold: float | None = None
    score: str | None = None
    extra: dict = field(default_factory=dict)

    def mask(self, sub: Subset) -> np.ndarray:
        if self.line is not None:
            return self.line.contains(sub.pt, sub.mzh)
        if self.threshold is not None:
            return sub.scores[self.score] > self.threshold
        return np.ones(len(sub.pt), dtype=bool)


def _z(sub: Subset, mask: np.ndarray, eps: float) -> float:
    return float(asimov_z(sub.s[mask].sum(), sub.b[mask].sum(), eps))


def stxs(ctx: SliceContext, done: dict) -> dict:
    """The vertical STXS region: the whole slice."""
    return {eps: RegionChoice() for eps in ctx.epsilons}


def svm(ctx: SliceContext, done: dict) -> dict:
    """Linear SVM on (p_T^Z, m_ZH), SM (w_SM) vs benchmark (w(c)) from the same events."""
    tr = ctx.train
    w_sm, w_eft = tr.w_sm, tr.w_eft
    if ctx.config.balance_classes:
        w_sm, w_eft = w_sm / w_sm.sum(), w_eft / w_eft.sum()
    X, y, w = sm_vs_eft_dataset(tr.pt, tr.mzh, w_sm, w_eft)
    model = SVMBoundary(
        C=ctx.config.svm_C,
        tol=ctx.config.svm_tol,
        max_iter=ctx.config.svm_max_iter,
        random_state=ctx.seed,
    ).fit(X, y, w)
    return {eps: RegionChoice(line=model.boundary_) for eps in ctx.epsilons}


def _scan_around(ctx: SliceContext, seed_line: LinearBoundary, eps: float) -> RegionChoice:
    """Significance scan (paper §IV.B) over line directions around ``seed_line``."""
    tr = ctx.train
    mean, scale = ctx.plane_mean, ctx.plane_scale
    w, _ = seed_line.to_standardized(mean, scale)
    phi0 = np.arctan2(w[1], w[0])
    half = np.radians(ctx.config.scan_half_width_deg)
    phi = np.clip(phi0 + np.linspace(-half, half, ctx.config.scan_n_angles), 1e-3, np.pi - 1e-3)
    slopes = -np.cos(phi) / np.sin(phi) * scale[1] / scale[0]
    scan = scan_lines(tr.pt, tr.mzh, tr.s, tr.b, slopes, eps)
    line = LinearBoundary(scan.slope, scan.intercept_GeV)
    return RegionChoice(line=line, extra={"scan": scan, "seed": seed_line})


def svm_scan(ctx: SliceContext, done: dict) -> dict:
    return {eps: _scan_around(ctx, done["SVM"][eps].line, eps) for eps in ctx.epsilons}


def dnn_svm(ctx: SliceContext, done: dict) -> dict:
    """DNN score thresholds distilled into lines; the threshold maximising Z(train) is kept."""
    tr = ctx.train
    score = tr.scores["dnn"]
    weight = tr.w_sm + tr.w_eft
    levels = np.linspace(0.05, 0.95, ctx.config.dnn_thresholds)
    order = np.argsort(score)
    cdf = np.cumsum(weight[order]) / weight.sum()
    thresholds = score[order][np.minimum(np.searchsorted(cdf, levels), len(score) - 1)]
    distilled = distill_score(score, tr.pt, tr.mzh, weight, thresholds, random_state=ctx.seed)
    out = {}
    for eps in ctx.epsilons:
        z = np.array(
            [
                _z(tr, line.contains(tr.pt, tr.mzh), eps) if line is not None else np.nan
                for line in distilled.lines
            ]
        )
        if not np.any(np.isfinite(z)):
            raise NotEvaluable("no distilled line gives an evaluable region")
        best = int(np.nanargmax(z))
        out[eps] = RegionChoice(
            line=distilled.lines[best],
            threshold=None,
            extra={"dnn_threshold": float(thresholds[best]), "curve": (thresholds, z)},
        )
    return out


def dnn_svm_scan(ctx: SliceContext, done: dict) -> dict:
    return {eps: _scan_around(ctx, done["DNN+SVM"][eps].line, eps) for eps in ctx.epsilons}


def _threshold_method(ctx: SliceContext, score_name: str) -> dict:
    tr = ctx.train
    out = {}
    for eps in ctx.epsilons:
        res = best_threshold(tr.scores[score_name], tr.s, tr.b, eps)
        out[eps] = RegionChoice(threshold=float(res.threshold), score=score_name)
    return out


def dnn_threshold(ctx: SliceContext, done: dict) -> dict:
    """The learned optimum: the best threshold on the DNN score."""
    return _threshold_method(ctx, "dnn")


def oracle(ctx: SliceContext, done: dict) -> dict:
    """The Neyman–Pearson optimum: the best threshold on the true ratio w(c)/w_SM."""
    return _threshold_method(ctx, "ratio")


METHODS: dict[str, Callable[[SliceContext, dict], dict]] = {
    "STXS": stxs,
    "SVM": svm,
    "SVM+scan": svm_scan,
    "DNN+SVM": dnn_svm,
    "DNN+SVM+scan": dnn_svm_scan,
    "DNN-threshold": dnn_threshold,
    "oracle": oracle,
}
"""Method name → function, in evaluation order."""
