"""SMEFT limits from every observable, side by side (binned and unbinned likelihoods).

Every observable of the same sample at the same luminosity becomes a likelihood:

* the STXS slices;
* the designed regions (each slice split by its line);
* a fine p_T(Z) binning;
* a 2-D (p_T^Z, m_ZH) grid;
* unbinned with learned ratios;
* unbinned with the true per-event ratio, the optimum.

Each gives expected (Asimov, c = 0) 68 % / 95 % CL intervals per operator (the others fixed
at 0), 2-D contours for pairs, and the fraction of the optimal Fisher information it keeps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io import EventSample, check_weight_polynomial, split_indices
from ..observables import FEATURES, compute_observables, region_observables
from ..physics import weight_term_names, weight_term_pairs
from ..regions import LinearBoundary
from ..stats import (
    Scan1D,
    asimov_data,
    binned_model,
    interval,
    profile_scan_1d,
    profile_scan_2d,
    unbinned_model,
)
from ._limits_grid import Q95, adaptive_scan_2d, fisher_box
from ._limits_result import LimitsResult
from ._observables import BINNINGS, Binning, binned_fisher, unbinned_fisher
from ._result import StudyResult

TRUTH, LEARNED = "unbinned (truth ratio)", "unbinned (learned ratio)"


class LimitsConfig(BaseModel):
    """Settings of ``mlstxs limits``.

    Attributes
    ----------
    luminosity_fb : float
        Integrated luminosity in fb⁻¹.
    epsilon : float
        Width of the per-bin background normalisation in the binned fits (0: statistics
        only, which makes binned and unbinned results directly comparable).
    operators : tuple or None
        Operators to constrain (default: every operator of the sample).
    pairs : tuple
        Operator pairs for 2-D contours (skipped where the sample lacks an operator).
    grid_points, grid_points_2d : int
        Scan resolution. The 1-D ranges are ± 6σ of the STXS Fisher information; each 2-D
        grid is set per observable from its own Fisher information on the pair, then
        widened or shrunk until the 95 % CL region lies inside it and covers at least
        ``min_fraction_2d`` of its cells (``max_rescans_2d`` rescans at most;
        :mod:`mlstxs.study._limits_grid`).
    learner : "trees", "network" or None
        Ratio learner of the learned unbinned likelihood (LightGBM boosted regression or
        the polynomial-head network), trained on ``train_fraction`` of the events.
    observed_seed : int or None
        Seed of one pseudo-experiment at c = 0 (Poisson counts per event, so every binning
        sees the same pseudo-data): "observed" intervals next to the expected ones.
    bayes : bool
        Also sample the posterior of the true-ratio unbinned likelihood with UltraNest:
        1-D per operator (uniform prior over the 1-D scan range), 2-D for the first pair
        (uniform prior over the region Δ(−2 ln L) < 28.7, two-sided 5σ, of its 2-D scan).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    luminosity_fb: float = Field(300.0, gt=0)
    epsilon: float = Field(0.0, ge=0)
    operators: tuple[str, ...] | None = None
    pairs: tuple[tuple[str, str], ...] = (("cHW", "cHWB"), ("cHW", "cHq3"))
    grid_points: int = Field(241, ge=11)
    grid_points_2d: int = Field(61, ge=11)
    min_fraction_2d: float = Field(0.08, gt=0, lt=0.5)
    max_rescans_2d: int = Field(6, ge=0)
    learner: Literal["trees", "network"] | None = "trees"
    bayes: bool = True
    observed_seed: int | None = 1
    train_fraction: float = Field(0.5, gt=0, lt=1)
    seed: int = Field(0, ge=0)


def _fisher_range(fisher_stxs: np.ndarray, ops: tuple[str, ...]) -> dict[str, float]:
    """Scan half-widths: 6/√I_aa of the STXS likelihood (the widest of the observables)."""
    return {op: 6.0 / math.sqrt(max(fisher_stxs[a, a], 1e-12)) for a, op in enumerate(ops)}


def _pair_scan(scan2d, fisher: np.ndarray, ops, pair, half, config, threshold=Q95) -> dict:
    """The 2-D scan of one observable over ``pair`` on its own adaptive grid: first the
    ellipse Δ = ``threshold`` of its Fisher information ``fisher`` restricted to the pair,
    then rescans until the region Δ < ``threshold`` is resolved
    (:func:`mlstxs.study._limits_grid.adaptive_scan_2d`). ``scan2d(pair, grid_a, grid_b)``
    returns the scan's record; ``half`` (the 1-D half-widths) stands in for a singular F."""
    idx = [ops.index(o) for o in pair]
    box = fisher_box(fisher[np.ix_(idx, idx)], threshold, (half[pair[0]], half[pair[1]]))
    return adaptive_scan_2d(
        lambda ga, gb: scan2d(pair, ga, gb),
        box,
        config.grid_points_2d,
        threshold=threshold,
        min_fraction=config.min_fraction_2d,
        max_rescans=config.max_rescans_2d,
    )


def _unresolved_2d(scans_2d: dict, config) -> list[str]:
    """Notes on the 2-D scans whose 95 % CL region the adaptive grid could not resolve."""
    notes = []
    for pair, per in scans_2d.items():
        for name, rec in per.items():
            n95, n = rec["n_inside"]["0.95"], rec["n_cells"]
            if rec["touches_edge"]:
                notes.append(f"{pair}, {name}: the 95 % CL region reaches the grid's edge")
            elif n95 < config.min_fraction_2d * n:
                notes.append(
                    f"{pair}, {name}: the 95 % CL region covers only {n95} of {n} grid cells "
                    "(a narrow band along a correlated direction)"
                )
    return notes


def _unbinned_scan_1d(model, data, op: str, grid: np.ndarray) -> Scan1D:
    a = model.operators.index(op)
    pts = np.zeros((grid.size, len(model.operators)))
    pts[:, a] = grid
    nll = model.nll(pts, data)  # −ln λ
    k = int(np.argmin(nll))
    delta = np.maximum(2.0 * (nll - nll[k]), 0.0)
    best = dict.fromkeys(model.operators, 0.0) | {op: float(grid[k])}
    return Scan1D(op, grid, delta, pts, best, float(nll[k]), False)


def _unbinned_scan_2d(model, data, pair, ga: np.ndarray, gb: np.ndarray) -> dict:
    ia, ib = (model.operators.index(op) for op in pair)
    pts = np.zeros((ga.size * gb.size, len(model.operators)))
    pts[:, ia], pts[:, ib] = np.repeat(ga, gb.size), np.tile(gb, ga.size)
    nll = model.nll(pts, data).reshape(ga.size, gb.size)  # −ln λ
    delta = 2.0 * (nll - nll[np.isfinite(nll)].min())
    return {
        "grid_a": ga.tolist(),
        "grid_b": gb.tolist(),
        "delta": [[None if not np.isfinite(v) else float(v) for v in row] for row in delta],
    }


def _intervals(scan: Scan1D) -> dict:
    out: dict[str, Any] = {str(cl): interval(scan, cl).to_dict() for cl in (0.68, 0.95)}
    excluded = int(np.sum(~np.isfinite(scan.delta)))
    if excluded:
        out["note"] = (
            f"{excluded} of {scan.grid.size} scan points have no valid likelihood "
            "(a negative predicted density or yield); the interval stops there"
        )
    return out


def _learned_ratio(config, features, terms, operators, train):
    """The ratio learner trained on the events ``train``, and its training time [s]."""
    from ..ml import RatioNetworkPolynomial, RatioTreeRegressor

    cls = RatioTreeRegressor if config.learner == "trees" else RatioNetworkPolynomial
    learner = cls(operators=operators, random_state=config.seed)
    t0 = time.perf_counter()
    learner.fit(features[train], terms[:, train].T)
    return learner, time.perf_counter() - t0


def run_limits(
    sample: EventSample, config: LimitsConfig, lines: list[LinearBoundary] | None = None
) -> LimitsResult:
    """Intervals, contours and Fisher fractions of every observable.

    Raises
    ------
    ValueError
        If the sample holds no events, carries no operators or not all of
        ``config.operators``, or its weight polynomial in them is not positive
        (:func:`mlstxs.io.check_weight_polynomial`); if a learner is set for a
        production-level sample (the learned ratio needs the ℓ/b observables).
    """
    if config.learner:
        sample.require_decay_products(
            f"the learned-ratio likelihood (learner '{config.learner}'; --learner none skips it)"
        )
    # the polynomial restricted to the chosen operators, in sample order
    ops = check_weight_polynomial(sample, config.operators or None, purpose="set limits")
    names = weight_term_names(ops)
    terms = np.array([sample.columns[n] for n in names])
    obs = region_observables(sample.columns)
    pt, mzh, w_sm = obs["pt_Z"], obs["m_ZH"], sample.columns["w_sm"]
    lin = terms[1 : 1 + len(ops)]
    in_slices = pt >= 75.0
    binnings: dict[str, Binning] = {}
    for name, make in BINNINGS.items():
        if name == "ML regions" and lines is None:
            continue
        binnings[name] = make(pt, mzh, lines=lines, weights=w_sm)
    optimum = unbinned_fisher(lin, w_sm, config.luminosity_fb, in_slices)
    fisher = {
        name: binned_fisher(b.index, b.n_bins, lin, w_sm, config.luminosity_fb)
        for name, b in binnings.items()
    }
    fisher[TRUTH] = optimum
    half = _fisher_range(fisher["STXS"], ops)
    grids = {op: np.linspace(-half[op], half[op], config.grid_points) for op in ops}
    scans_1d: dict = {op: {} for op in ops}
    scans_2d: dict = {}
    pairs = [tuple(p) for p in config.pairs if p[0] in ops and p[1] in ops]
    for name, b in binnings.items():
        model = binned_model(b.index, b.n_bins, terms, ops, config.luminosity_fb, config.epsilon)
        data = asimov_data(model)
        for op in ops:
            scans_1d[op][name] = profile_scan_1d(model, data, op, grids[op], profile_others=False)

        def scan2d(pair, ga, gb, model=model, data=data):
            return profile_scan_2d(model, data, pair, ga, gb, profile_others=False).to_dict()

        for pair in pairs:
            scans_2d.setdefault(",".join(pair), {})[name] = _pair_scan(
                scan2d, fisher[name], ops, pair, half, config
            )
    # unbinned likelihoods, on events in the slices
    idx = np.flatnonzero(in_slices & (w_sm > 0))
    ratio = (terms[1:, idx] / w_sm[idx]).T
    # observable -> (model, ratio coefficients of the events idx[k] for positions k)
    unbinned: dict[str, tuple[Any, Callable[[Any], Any]]] = {
        TRUTH: (unbinned_model(ratio, w_sm[idx], ops, config.luminosity_fb), lambda k: ratio[k])
    }
    notes, timing = [], {}
    if config.learner:
        rng = np.random.default_rng(config.seed)
        train, _, test = split_indices(
            len(idx), (config.train_fraction, 1e-9, 1 - config.train_fraction - 1e-9), rng
        )
        every = compute_observables(sample.columns)
        feats = np.column_stack([every[f] for f in FEATURES])[idx]
        learner, seconds = _learned_ratio(config, feats, terms[:, idx], ops, train)
        timing["learner_fit_s"] = seconds
        from ..ml import project_positive

        def learned_ratio(k, learner=learner, feats=feats):  # of the events idx[k]
            return project_positive(learner.predict_coefficients(feats[k]), ops)

        proj = learned_ratio(test)
        learned = proj.coefficients
        share = (
            f"{proj.n_modified} of {proj.n_events} events ({100 * proj.fraction_modified:.1f} %)"
        )
        notes.append(f"learned ratios projected onto positive quadratic forms for {share}")
        frac = len(test) / len(idx)
        learned_model = unbinned_model(learned, w_sm[idx][test] / frac, ops, config.luminosity_fb)
        unbinned[LEARNED] = (learned_model, lambda k: learned_ratio(k).coefficients)
        lin_l = learned[:, : len(ops)].T * (w_sm[idx][test] / frac)
        fisher[LEARNED] = unbinned_fisher(lin_l, w_sm[idx][test] / frac, config.luminosity_fb)
        notes.append(
            f"learned ratios: {config.learner}, trained on {len(train)} events, "
            f"evaluated on {len(test)}"
        )
    for name, (model, _) in unbinned.items():
        data = model.asimov_data(np.zeros(len(ops)))
        for op in ops:
            scans_1d[op][name] = _unbinned_scan_1d(model, data, op, grids[op])

        def scan2d(pair, ga, gb, model=model, data=data):
            return _unbinned_scan_2d(model, data, pair, ga, gb)

        for pair in pairs:
            scans_2d.setdefault(",".join(pair), {})[name] = _pair_scan(
                scan2d, fisher[name], ops, pair, half, config
            )
    notes += _unresolved_2d(scans_2d, config)
    observed = None
    if config.observed_seed is not None:
        if config.learner:
            notes.append(
                "observed interval of the learned ratio: the learned ratio of every pseudo-"
                "data event, the training half included (in-sample predictions there)"
            )
        observed = _observed(unbinned, binnings, idx, terms, ops, grids, config)
    bayes = None
    if config.bayes:
        from ._limits_bayes import posteriors  # imports this module's scans

        bayes = posteriors(unbinned[TRUTH][0], fisher[TRUTH], ops, half, pairs, config, notes)
    key = "cHW" if "cHW" in ops else ops[0]
    a = ops.index(key)
    record = {
        "format": "mlstxs.limits",
        "format_version": 1,
        "settings": config.model_dump(mode="json"),
        "sample": {
            "n_events": len(sample),
            "operators": list(sample.operators),
            "lambda_TeV": sample.metadata.lambda_TeV,
            "sqrt_s_GeV": sample.metadata.sqrt_s_GeV,
            "level": sample.metadata.level,
        },
        "operators": list(ops),
        "observables": list(scans_1d[ops[0]]),
        "intervals": {
            op: {n: _intervals(s) for n, s in per.items()} for op, per in scans_1d.items()
        },
        "scans_1d": {op: {n: s.to_dict() for n, s in per.items()} for op, per in scans_1d.items()},
        "scans_2d": scans_2d,
        "fisher_operator": key,
        "fisher_fraction": {n: float(f[a, a] / optimum[a, a]) for n, f in fisher.items()},
        "fisher": {n: f.tolist() for n, f in fisher.items()},
        "term_pairs": [list(p) for p in weight_term_pairs(ops)],
        "observed": observed,
        "bayes": bayes,
        "notes": notes,
        "timing": timing,
    }
    return LimitsResult.from_dict(record)


def _observed(unbinned: dict, binnings, idx, terms, ops, grids, config) -> dict:
    """Intervals from one pseudo-experiment at c = 0: per-event Poisson counts of the events
    ``idx``, summed into the bins of every binned observable and given to every unbinned
    likelihood, so all observables see the same pseudo-data. ``unbinned`` maps an observable
    to (model, ratio_of): the model's ν(c) and ratio_of(k), the ratio coefficients of the
    events idx[k] (evaluated on the pseudo-data events only)."""
    from ..stats import BinnedData, EventData

    c0 = np.zeros(len(ops))
    truth_model = unbinned[TRUTH][0]
    w = truth_model.event_weights(c0)
    nu = truth_model.expected_events(c0[None])[0]
    # per-event counts n_i ~ Pois(ν w_i/Σw), as UnbinnedModel.pseudo_data, keeping the indices
    n_i = np.random.default_rng(config.observed_seed).poisson(nu * w / w.sum())
    keep = np.flatnonzero(n_i > 0)
    intervals: dict = {op: {} for op in ops}
    for name, b in binnings.items():
        model = binned_model(b.index, b.n_bins, terms, ops, config.luminosity_fb, config.epsilon)
        inside = b.index[idx] >= 0
        counts = np.bincount(b.index[idx][inside], weights=n_i[inside], minlength=b.n_bins)
        bdata = BinnedData(np.rint(counts), kind="observed", seed=config.observed_seed)
        for op in ops:
            scan = profile_scan_1d(model, bdata, op, grids[op], profile_others=False)
            intervals[op][name] = _intervals(scan)
    for name, (model, ratio_of) in unbinned.items():
        data = EventData(ratio_of(keep), n_i[keep], reference=c0)
        for op in ops:
            intervals[op][name] = _intervals(_unbinned_scan_1d(model, data, op, grids[op]))
    return {"seed": config.observed_seed, "n_observed": int(n_i.sum()), "intervals": intervals}


def lines_from_study(
    study: StudyResult, method: str = "SVM+scan", epsilon: float = 0.5
) -> list[LinearBoundary]:
    """The ensemble-mean line of ``method`` at the ε closest to ``epsilon``, one per slice,
    from a region study."""
    ix = study.index
    eps = min(ix.epsilons, key=lambda e: abs(e - epsilon))
    lines = []
    for label in ix.slice_labels:
        recs = [
            r
            for r in ix.records(method, label, eps).values()
            if r["evaluable"] and r.get("slope") is not None
        ]
        if not recs:
            raise ValueError(f"the study has no evaluable {method} line in slice {label}")
        lines.append(
            LinearBoundary(
                float(np.mean([r["slope"] for r in recs])),
                float(np.mean([r["intercept_GeV"] for r in recs])),
            )
        )
    return lines
