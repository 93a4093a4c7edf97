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
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io import EventSample, split_indices
from ..observables import FEATURES, compute_observables
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
from ._observables import BINNINGS, Binning, binned_fisher, unbinned_fisher

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
        Scan resolution; ranges are set from the STXS Fisher information (± 6σ).
    learner : "trees", "network" or None
        Ratio learner of the learned unbinned likelihood (LightGBM boosted regression or
        the polynomial-head network), trained on ``train_fraction`` of the events.
    observed_seed : int or None
        Seed of one pseudo-experiment at c = 0 (Poisson counts per event, so every binning
        sees the same pseudo-data): "observed" intervals next to the expected ones.
    bayes : bool
        Also sample the posterior of the true-ratio unbinned likelihood with UltraNest
        (uniform priors over the scan ranges): 1-D per operator, 2-D for the first pair.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    luminosity_fb: float = Field(300.0, gt=0)
    epsilon: float = Field(0.0, ge=0)
    operators: tuple[str, ...] | None = None
    pairs: tuple[tuple[str, str], ...] = (("cHW", "cHWB"), ("cHW", "cHq3"))
    grid_points: int = Field(241, ge=11)
    grid_points_2d: int = Field(61, ge=11)
    learner: Literal["trees", "network"] | None = "trees"
    bayes: bool = True
    observed_seed: int | None = 1
    train_fraction: float = Field(0.5, gt=0, lt=1)
    seed: int = Field(0, ge=0)


def _fisher_range(fisher_stxs: np.ndarray, ops: tuple[str, ...]) -> dict[str, float]:
    """Scan half-widths: 6/√I_aa of the STXS likelihood (the widest of the observables)."""
    return {op: 6.0 / math.sqrt(max(fisher_stxs[a, a], 1e-12)) for a, op in enumerate(ops)}


def _pair_ranges(fisher_stxs: np.ndarray, ops: tuple[str, ...], pair) -> tuple[float, float]:
    """2-D scan half-widths: 4 × the marginal σ of each operator of the pair in the STXS
    Fisher matrix restricted to the pair (wide along strongly correlated directions)."""
    idx = [ops.index(o) for o in pair]
    sub = fisher_stxs[np.ix_(idx, idx)]
    try:
        cov = np.linalg.inv(sub)
        widths = 4.0 * np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        widths = np.array([np.inf, np.inf])
    fallback = [6.0 / math.sqrt(max(sub[k, k], 1e-12)) for k in range(2)]
    return tuple(
        float(w) if np.isfinite(w) and w > 0 else f for w, f in zip(widths, fallback, strict=True)
    )


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
    out = {str(cl): interval(scan, cl).to_dict() for cl in (0.68, 0.95)}
    excluded = int(np.sum(~np.isfinite(scan.delta)))
    if excluded:
        out["note"] = (
            f"{excluded} of {scan.grid.size} scan points have no valid likelihood "
            "(a negative predicted density or yield); the interval stops there"
        )
    return out


def _learned_ratio(config, features, terms, operators, train, test):
    from ..ml import RatioNetworkPolynomial, RatioTreeRegressor

    cls = RatioTreeRegressor if config.learner == "trees" else RatioNetworkPolynomial
    learner = cls(operators=operators, random_state=config.seed)
    t0 = time.perf_counter()
    learner.fit(features[train], terms[:, train].T)
    return learner.predict_coefficients(features[test]), time.perf_counter() - t0


def run_limits(
    sample: EventSample, config: LimitsConfig, lines: list[LinearBoundary] | None = None
) -> dict:
    """Intervals, contours and Fisher fractions of every observable (JSON-ready dict)."""
    ops = config.operators or sample.operators
    missing = [op for op in ops if op not in sample.operators]
    if missing:
        raise ValueError(
            f"the sample has no weights for {', '.join(missing)}; "
            f"it carries {', '.join(sample.operators)}"
        )
    # the polynomial restricted to the chosen operators, in sample order
    ops = tuple(op for op in sample.operators if op in ops)
    names = weight_term_names(ops)
    terms = np.array([sample.columns[n] for n in names])
    obs = compute_observables(sample.columns)
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
    ranges_2d = {p: _pair_ranges(fisher["STXS"], ops, p) for p in pairs}
    for name, b in binnings.items():
        model = binned_model(b.index, b.n_bins, terms, ops, config.luminosity_fb, config.epsilon)
        data = asimov_data(model)
        for op in ops:
            scans_1d[op][name] = profile_scan_1d(model, data, op, grids[op], profile_others=False)
        for pair in pairs:
            ga, gb = (np.linspace(-h, h, config.grid_points_2d) for h in ranges_2d[pair])
            s2 = profile_scan_2d(model, data, pair, ga, gb, profile_others=False)
            scans_2d.setdefault(",".join(pair), {})[name] = s2.to_dict()
    # unbinned likelihoods, on events in the slices
    idx = np.flatnonzero(in_slices & (w_sm > 0))
    ratio = (terms[1:, idx] / w_sm[idx]).T
    unbinned = {TRUTH: (unbinned_model(ratio, w_sm[idx], ops, config.luminosity_fb), None)}
    notes, timing = [], {}
    if config.learner:
        rng = np.random.default_rng(config.seed)
        train, _, test = split_indices(
            len(idx), (config.train_fraction, 1e-9, 1 - config.train_fraction - 1e-9), rng
        )
        feats = np.column_stack([obs[f] for f in FEATURES])[idx]
        learned, seconds = _learned_ratio(config, feats, terms[:, idx], ops, train, test)
        timing["learner_fit_s"] = seconds
        from ..ml._projection import project_positive

        proj = project_positive(learned, ops)
        learned = proj.coefficients
        share = (
            f"{proj.n_modified} of {proj.n_events} events ({100 * proj.fraction_modified:.1f} %)"
        )
        notes.append(f"learned ratios projected onto positive quadratic forms for {share}")
        frac = len(test) / len(idx)
        model = unbinned_model(learned, w_sm[idx][test] / frac, ops, config.luminosity_fb)
        unbinned[LEARNED] = (model, None)
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
        for pair in pairs:
            ga, gb = (np.linspace(-h, h, config.grid_points_2d) for h in ranges_2d[pair])
            scans_2d.setdefault(",".join(pair), {})[name] = _unbinned_scan_2d(
                model, data, pair, ga, gb
            )
    observed = None
    if config.observed_seed is not None:
        observed = _observed(unbinned[TRUTH][0], binnings, idx, terms, ops, grids, config)
    bayes = _bayes(unbinned[TRUTH][0], ops, half, pairs, config) if config.bayes else None
    key = "cHW" if "cHW" in ops else ops[0]
    a = ops.index(key)
    return {
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


def _observed(truth_model, binnings, idx, terms, ops, grids, config) -> dict:
    """Intervals from one pseudo-experiment at c = 0: per-event Poisson counts, summed into
    the bins of every binned observable (so all observables see the same pseudo-data)."""
    from ..stats import BinnedData, EventData

    c0 = np.zeros(len(ops))
    w = truth_model.event_weights(c0)
    nu = truth_model.expected_events(c0[None])[0]
    # per-event counts n_i ~ Pois(ν w_i/Σw), as UnbinnedModel.pseudo_data, keeping the indices
    n_i = np.random.default_rng(config.observed_seed).poisson(nu * w / w.sum())
    keep = n_i > 0
    data = EventData(truth_model.ratio_coefficients[keep], n_i[keep], reference=c0)
    intervals: dict = {op: {} for op in ops}
    for name, b in binnings.items():
        model = binned_model(b.index, b.n_bins, terms, ops, config.luminosity_fb, config.epsilon)
        inside = b.index[idx] >= 0
        counts = np.bincount(b.index[idx][inside], weights=n_i[inside], minlength=b.n_bins)
        bdata = BinnedData(np.rint(counts), kind="observed", seed=config.observed_seed)
        for op in ops:
            scan = profile_scan_1d(model, bdata, op, grids[op], profile_others=False)
            intervals[op][name] = _intervals(scan)
    for op in ops:
        intervals[op][TRUTH] = _intervals(_unbinned_scan_1d(truth_model, data, op, grids[op]))
    return {"seed": config.observed_seed, "n_observed": int(n_i.sum()), "intervals": intervals}


def _bayes(model, ops, half, pairs, config) -> dict:
    """Nested-sampling posteriors of the true-ratio unbinned Asimov likelihood (UltraNest,
    uniform priors over the scan ranges): per operator with the others at 0, and for the
    first operator pair."""
    from ..stats import posterior

    data = model.asimov_data(np.zeros(len(ops)))
    full = model.as_nll_function(data)

    def restricted(names):
        cols = [ops.index(o) for o in names]

        def nll(points):
            pts = np.zeros((len(points), len(ops)))
            pts[:, cols] = points
            return full(pts)

        return nll

    out: dict = {"one_dimensional": {}, "two_dimensional": None}
    for op in ops:
        post = posterior(
            restricted([op]), [op], {op: (-half[op], half[op])}, random_state=config.seed
        )
        out["one_dimensional"][op] = {
            str(cl): post.credible_interval(op, cl).to_dict() for cl in (0.68, 0.95)
        } | {"logz": post.logz, "n_calls": post.n_calls}
    if pairs:
        pair = list(pairs[0])
        post = posterior(
            restricted(pair), pair, {o: (-half[o], half[o]) for o in pair}, random_state=config.seed
        )
        out["two_dimensional"] = post.to_dict()
    return out


def lines_from_study(
    study: dict, method: str = "SVM+scan", epsilon: float = 0.5
) -> list[LinearBoundary]:
    """The ensemble-mean line of ``method`` at the ε closest to ``epsilon``, one per slice,
    from a region study (``study.json``)."""
    eps = min(study["epsilons"], key=lambda e: abs(e - epsilon))
    lines = []
    for sl in study["slices"]:
        recs = [
            r
            for r in study["records"]
            if r["slice"] == sl["label"]
            and r["method"] == method
            and r["epsilon"] == eps
            and r["evaluable"]
            and r["slope"] is not None
        ]
        if not recs:
            raise ValueError(f"the study has no evaluable {method} line in slice {sl['label']}")
        lines.append(
            LinearBoundary(
                float(np.mean([r["slope"] for r in recs])),
                float(np.mean([r["intercept_GeV"] for r in recs])),
            )
        )
    return lines
