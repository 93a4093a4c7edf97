"""Nested-sampling posteriors of ``mlstxs limits`` (:func:`mlstxs.study.run_limits`).

The true-ratio unbinned Asimov likelihood is sampled with UltraNest
(:func:`mlstxs.stats.posterior`) on uniform priors: per operator over its 1-D scan range, and
for the first operator pair over the bounding box of its two-sided 5σ region Δ(−2 ln L) <
28.74, from an adaptive 2-D scan (:mod:`mlstxs.study._limits_grid`). The 1-D scan ranges
would cut the pair's posterior off along a direction its linear terms leave flat. After
sampling, the posterior mass next to each prior edge is recorded; a cut posterior gets a note.
"""

from __future__ import annotations

import numpy as np

from ._limits import _pair_scan, _unbinned_scan_2d
from ._limits_grid import Q5SIGMA, region_box

EDGE_BAND, EDGE_MASS_LIMIT = 0.02, 1e-3
"""A posterior holding more than EDGE_MASS_LIMIT of its samples within EDGE_BAND × the
prior's width of one of its edges is cut by the prior (a note says so)."""
PRIOR_MARGIN = 1.1
"""Margin on the bounding box of the 5σ region that sets the 2-D posterior's prior box."""


def _prior_box_2d(model, data, fisher, ops, pair, half, config) -> tuple[dict, dict]:
    """Uniform prior box of the 2-D posterior: the bounding box of the region Δ(−2 ln L) <
    28.74 (two-sided 5σ for two parameters) of the pair's adaptive 2-D scan, times
    PRIOR_MARGIN; and a record of how it was found."""

    def scan2d(p, ga, gb):
        return _unbinned_scan_2d(model, data, p, ga, gb)

    rec = _pair_scan(scan2d, fisher, ops, pair, half, config, threshold=Q5SIGMA)
    ga, gb = np.asarray(rec["grid_a"]), np.asarray(rec["grid_b"])
    inside = np.array(rec["delta"], dtype=float) < Q5SIGMA
    box = region_box(inside, ga, gb, PRIOR_MARGIN)
    how = {"threshold": Q5SIGMA, "margin": PRIOR_MARGIN, "touches_edge": rec["touches_edge"]}
    return {pair[0]: box[:2], pair[1]: box[2:]}, how


def _edge_check(post, what: str, notes: list[str]) -> dict:
    """Posterior mass at the prior's edges (:meth:`Posterior.edge_mass`); a note if a cut."""
    mass = post.edge_mass(EDGE_BAND)
    worst = max(max(m) for m in mass.values())
    if worst > EDGE_MASS_LIMIT:
        notes.append(
            f"{what}: {100 * worst:.2g} % of the posterior lies within {100 * EDGE_BAND:g} % "
            "of an edge of its uniform prior: the prior cuts the posterior off"
        )
    return {"band": EDGE_BAND, "mass": {op: list(m) for op, m in mass.items()}, "max": worst}


def posteriors(model, fisher, ops, half, pairs, config, notes: list[str]) -> dict:
    """Nested-sampling posteriors of the true-ratio unbinned Asimov likelihood (UltraNest):
    per operator with the others at 0 (uniform prior over the 1-D scan range), and for the
    first operator pair (uniform prior over its 5σ region, :func:`_prior_box_2d`). Each
    records its posterior mass at the prior's edges; a cut posterior gets a note."""
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
        } | {
            "logz": post.logz,
            "n_calls": post.n_calls,
            "edge_mass": _edge_check(post, f"1-D posterior of {op}", notes),
        }
    if pairs:
        pair = list(pairs[0])
        bounds, how = _prior_box_2d(model, data, fisher, ops, pairs[0], half, config)
        if how["touches_edge"]:
            notes.append(f"2-D posterior of {', '.join(pair)}: its 5σ region was not contained")
        post = posterior(restricted(pair), pair, bounds, random_state=config.seed)
        out["two_dimensional"] = post.to_dict() | {
            "prior_box": how,
            "edge_mass": _edge_check(post, f"2-D posterior of {', '.join(pair)}", notes),
        }
    return out
