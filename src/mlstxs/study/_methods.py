"""Region methods of the study, as data: a registry of :class:`Method` entries.

Each method's function returns, per ε, a :class:`RegionChoice` made on the training set of one
slice (a line, a score threshold or the whole slice); :func:`mlstxs.study.run_split` evaluates
every choice on the test set. :data:`METHODS` holds them in evaluation order: a method may
start from the choices of the earlier ones it ``needs`` (the scans start from the SVM and
DNN+SVM lines). The names are keys of stored study records and never change.

Kinds (:data:`KINDS`):

* ``slice``: the whole p_T(Z) slice, the vertical STXS cut (the baseline);
* ``line``: a straight line m_ZH > a·p_T^Z + b inside the slice (the records carry a and b).
  ``mZH-cut`` is a line of slope 0, m_ZH > b: the baseline that shows what the tilt adds;
* ``threshold``: a cut on a learned per-event score (the records carry the threshold);
* ``optimum``: the Neyman–Pearson reference, a cut on the true ratio w(c)/w_SM — the best
  single region of any shape, so every method is compared to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ..regions import (
    LinearBoundary,
    SVMBoundary,
    best_threshold,
    distill_score,
    scan_lines,
    sm_vs_eft_dataset,
)
from ..stats import NotEvaluable, asimov_z
from ._data import eft_class_weight
from ._paper import PAPER_BENCHMARK, PAPER_LAMBDA_TEV, paper_line
from ._subsets import SliceContext, Subset

KINDS: dict[str, str] = {
    "slice": "the whole p_T(Z) slice (the vertical STXS cut)",
    "line": "a straight line m_ZH > a·p_T^Z + b inside the slice",
    "threshold": "a cut on a learned per-event score",
    "optimum": "the Neyman–Pearson optimum, a cut on the true ratio w(c)/w_SM",
}
"""Kinds of region method (module docstring)."""


@dataclass(frozen=True)
class RegionChoice:
    """A region chosen on the training set. At most one of ``line`` / ``threshold`` is set,
    neither for the whole slice; ``score`` names the per-event score of a threshold; ``note``
    is copied into the records (empty when there is nothing to say)."""

    line: LinearBoundary | None = None
    threshold: float | None = None
    score: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def mask(self, sub: Subset) -> np.ndarray:
        """Boolean mask of the subset's events inside the region."""
        if self.line is not None:
            return self.line.contains(sub.pt, sub.mzh)
        if self.threshold is not None:
            if self.score is None:
                raise ValueError("a threshold region needs the name of its score")
            return sub.scores[self.score] > self.threshold
        return np.ones(len(sub.pt), dtype=bool)


MethodFunc = Callable[[SliceContext, dict], dict]
"""``func(ctx, done) -> {ε: RegionChoice}``; ``done`` maps earlier method names to theirs."""


@dataclass(frozen=True)
class Method:
    """One region method of the study.

    Attributes
    ----------
    name : str
        Key in :data:`METHODS` and in the stored records (never renamed).
    label : str
        Human-readable name for tables and figures.
    kind : str
        One of :data:`KINDS`.
    func : callable
        ``func(ctx, done) -> {ε: RegionChoice}`` for one slice of one split.
    description : str
        One line on what the method does.
    needs : tuple of str
        Earlier methods whose choices ``func`` reads from ``done``.
    uses_dnn : bool
        Whether ``func`` reads the DNN score.
    designed : bool
        Whether the region is designed on these events (False for the paper's published
        lines, which are evaluated but never become region cards).
    """

    name: str
    label: str
    kind: str
    func: MethodFunc = field(repr=False)
    description: str
    needs: tuple[str, ...] = ()
    uses_dnn: bool = False
    designed: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"method {self.name!r}: unknown kind {self.kind!r}")


def _z(sub: Subset, mask: np.ndarray, eps: float) -> float:
    return float(asimov_z(sub.s[mask].sum(), sub.b[mask].sum(), eps))


def stxs(ctx: SliceContext, done: dict) -> dict:
    """The vertical STXS region: the whole slice."""
    return {eps: RegionChoice() for eps in ctx.epsilons}


def svm(ctx: SliceContext, done: dict) -> dict:
    """Linear SVM on (p_T^Z, m_ZH), SM (w_SM) vs benchmark (w(c)) from the same events."""
    tr = ctx.train
    w_sm, w_eft = tr.w_sm, eft_class_weight(tr.w_eft)
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
    """The significance-optimal line scanned around the SVM line (paper §IV.B, Table II)."""
    return {eps: _scan_around(ctx, done["SVM"][eps].line, eps) for eps in ctx.epsilons}


def dnn_quantile_grid(n: int, tail: float) -> np.ndarray:
    """Coarse grid of DNN+SVM threshold levels: weighted quantiles q = 1 − geomspace(0.95,
    tail, n), i.e. weight fractions 0.95 … ``tail`` above the threshold, dense in the tail
    where the best regions (1–2 % of the weight) lie. Increasing, shape (n,)."""
    return 1.0 - np.geomspace(0.95, tail, n)


def _refine(levels: list[float], k: int) -> list[float]:
    """Bisect the brackets on both sides of ``levels[k]`` (geometric mean of the tail
    fractions 1 − q, the grid's own spacing)."""
    q = levels[k]
    sides = [j for j in (k - 1, k + 1) if 0 <= j < len(levels)]
    new = [1.0 - np.sqrt((1.0 - q) * (1.0 - levels[j])) for j in sides]
    return sorted({*levels, *new})


class _DistilledLines:
    """DNN+SVM lines of one training subset, fitted on demand per weighted quantile level q of
    the DNN score (weights w_SM + w(c)) and kept, so that the ε values share the fits."""

    def __init__(self, sub: Subset, seed: int) -> None:
        self.sub, self.seed = sub, seed
        self.score = sub.scores["dnn"]
        self.weight = sub.w_sm + eft_class_weight(sub.w_eft)
        self.order = np.argsort(self.score)
        self.cdf = np.cumsum(self.weight[self.order]) / self.weight.sum()
        self.lines: dict[float, LinearBoundary | None] = {}

    def threshold(self, q: float) -> float:
        """The DNN score below which a weight fraction q of the subset lies."""
        i = min(int(np.searchsorted(self.cdf, q)), len(self.score) - 1)
        return float(self.score[self.order][i])

    def line(self, q: float) -> LinearBoundary | None:
        """The line distilled from the events with score above :meth:`threshold` (q)."""
        if q not in self.lines:
            sub, t = self.sub, np.array([self.threshold(q)])
            fit = distill_score(self.score, sub.pt, sub.mzh, self.weight, t, random_state=self.seed)
            self.lines[q] = fit.lines[0]
        return self.lines[q]

    def best(self, levels: list[float], eps: float) -> tuple[int, np.ndarray]:
        """Index of the level whose line has the largest Z(train), and Z of every level."""
        z = np.array([np.nan] * len(levels))
        for i, q in enumerate(levels):
            line = self.line(q)
            if line is not None:
                z[i] = _z(self.sub, line.contains(self.sub.pt, self.sub.mzh), eps)
        if not np.any(np.isfinite(z)):
            raise NotEvaluable("no distilled line gives an evaluable region")
        return int(np.nanargmax(z)), z


def dnn_svm(ctx: SliceContext, done: dict) -> dict:
    """DNN score thresholds distilled into lines (paper §IV.C); the line maximising
    Z(train) is kept.

    Thresholds are weighted quantiles q of the DNN score (weights w_SM + w(c)): the coarse
    grid :func:`dnn_quantile_grid`, then ``dnn_refine_rounds`` bisections around the best
    level per ε. Each level costs one SVM fit, shared between the ε values.
    """
    cfg = ctx.config
    family = _DistilledLines(ctx.train, ctx.seed)
    coarse = dnn_quantile_grid(cfg.dnn_thresholds, cfg.dnn_tail_fraction).tolist()
    out = {}
    for eps in ctx.epsilons:
        levels = coarse
        for _ in range(cfg.dnn_refine_rounds):
            levels = _refine(levels, family.best(levels, eps)[0])
        k, z = family.best(levels, eps)
        out[eps] = RegionChoice(
            line=family.lines[levels[k]],
            note=_edge_note(k, levels, z),
            extra={
                "dnn_threshold": family.threshold(levels[k]),
                "dnn_quantile": levels[k],
                "curve": (np.array([family.threshold(q) for q in levels]), z),
            },
        )
    return out


def _edge_note(k: int, levels: list[float], z: np.ndarray) -> str:
    """Why the best DNN+SVM line may fall short: the best level is at an end of the grid."""
    if k == len(levels) - 1:
        return (
            f"DNN+SVM: Z(train) is largest at the highest DNN threshold (weight fraction "
            f"{1 - levels[k]:.3g} above it): lower dnn_tail_fraction"
        )
    if k == 0 and np.isfinite(z).sum() > 1:
        return (
            f"DNN+SVM: the best distilled line is that of the lowest DNN threshold (weighted "
            f"quantile {levels[k]:.3g}): no region of higher DNN score does better here"
        )
    return ""


def dnn_svm_scan(ctx: SliceContext, done: dict) -> dict:
    """The significance scan around the DNN+SVM line (paper Table IV)."""
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


def mzh_cut(ctx: SliceContext, done: dict) -> dict:
    """The best cut m_ZH > b alone (a line of slope 0), exact over all intercepts."""
    tr = ctx.train
    return {
        eps: RegionChoice(line=scan_lines(tr.pt, tr.mzh, tr.s, tr.b, [0.0], eps).boundary())
        for eps in ctx.epsilons
    }


def paper_lines(ctx: SliceContext, done: dict, *, table: str) -> dict:
    """The paper's published line of ``table`` (a method name of
    :data:`mlstxs.study._paper.PAPER_LINE_TABLES`) for this slice and the nearest published ε,
    applied unchanged to these events (nothing is fitted)."""
    bench = dict(ctx.config.benchmark)
    other = (
        ""
        if bench == PAPER_BENCHMARK and ctx.train.lambda_GeV == 1000.0 * PAPER_LAMBDA_TEV
        else f"the paper's lines are for c_HW = 1 at Λ = 1 TeV, this study's benchmark is "
        f"{bench} at Λ = {ctx.train.lambda_GeV / 1000:g} TeV"
    )
    out = {}
    for eps in ctx.epsilons:
        try:
            line, note = paper_line(table, ctx.slice.label, eps)
        except KeyError as exc:
            raise NotEvaluable(exc.args[0]) from None
        out[eps] = RegionChoice(
            line=line.boundary(),
            note="; ".join(n for n in (note, other) if n),
            extra={"paper": line},
        )
    return out


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("STXS", "STXS", "slice", stxs, "the whole slice: the vertical STXS cut"),
        Method(
            "mZH-cut",
            "m_ZH cut",
            "line",
            mzh_cut,
            "the best threshold m_ZH > b alone (slope 0) on the training set",
        ),
        Method(
            "SVM", "linear SVM", "line", svm, "linear SVM line, SM vs benchmark (ε-independent)"
        ),
        Method(
            "SVM+scan",
            "SVM + scan",
            "line",
            svm_scan,
            "the significance-optimal line scanned around the SVM line",
            needs=("SVM",),
        ),
        Method(
            "DNN+SVM",
            "DNN + SVM",
            "line",
            dnn_svm,
            "the DNN high-score region distilled into a line; best threshold on training Z",
            uses_dnn=True,
        ),
        Method(
            "DNN+SVM+scan",
            "DNN + SVM + scan",
            "line",
            dnn_svm_scan,
            "the significance scan around the DNN+SVM line",
            needs=("DNN+SVM",),
            uses_dnn=True,
        ),
        Method(
            "DNN-threshold",
            "DNN threshold",
            "threshold",
            dnn_threshold,
            "the learned optimum: the best threshold on the DNN score",
            uses_dnn=True,
        ),
        Method(
            "paper-lines",
            "paper lines (Table II)",
            "line",
            partial(paper_lines, table="SVM+scan"),
            "the paper's significance-optimised SVM lines (its Table II), applied unchanged",
            designed=False,
        ),
        Method(
            "paper-dnn-lines",
            "paper DNN lines (Table IV)",
            "line",
            partial(paper_lines, table="DNN+SVM+scan"),
            "the paper's DNN-distilled and scanned lines (its Table IV), applied unchanged",
            designed=False,
        ),
        Method(
            "oracle",
            "oracle w(c)/w_SM",
            "optimum",
            oracle,
            "the Neyman–Pearson optimum: the best threshold on the true ratio w(c)/w_SM",
        ),
    )
}
"""Method name → :class:`Method`, in evaluation order."""


def _check_order(methods: dict[str, Method]) -> None:
    seen: set[str] = set()
    for name, m in methods.items():
        missing = [n for n in m.needs if n not in seen]
        if missing:
            raise ValueError(f"method {name!r} needs {missing}, which do not come before it")
        seen.add(name)


_check_order(METHODS)


def methods_of_kind(*kinds: str) -> tuple[str, ...]:
    """Names of the methods of the given kinds, in evaluation order."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown method kind(s) {unknown}; valid: {', '.join(KINDS)}")
    return tuple(n for n, m in METHODS.items() if m.kind in kinds)


def line_methods() -> tuple[str, ...]:
    """Methods whose region is a line m_ZH > a·p_T^Z + b (records carry slope, intercept)."""
    return methods_of_kind("line")


def designed_line_methods() -> tuple[str, ...]:
    """The line methods that design their region on the study's events (not the paper's)."""
    return tuple(n for n in line_methods() if METHODS[n].designed)


def reference_method() -> str:
    """The baseline every gain is quoted against: the STXS slice (kind ``slice``)."""
    return methods_of_kind("slice")[0]


def optimum_method() -> str:
    """The Neyman–Pearson optimum (kind ``optimum``): the denominator of "fraction of the
    optimum"."""
    return methods_of_kind("optimum")[0]


def method_labels() -> dict[str, str]:
    """Method name → human-readable label, in evaluation order."""
    return {n: m.label for n, m in METHODS.items()}
