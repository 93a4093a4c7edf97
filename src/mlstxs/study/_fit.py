"""Fits of the Wilson coefficients to pseudo-data generated at a chosen point."""

from __future__ import annotations

import numpy as np

from ..io import EventSample, check_weight_polynomial
from ..observables import region_observables
from ..physics import weight_term_names
from ..stats import binned_model, fit, pseudo_data
from ._observables import BINNINGS


def fit_pseudo_data(
    sample: EventSample,
    point: dict[str, float],
    *,
    observable: str = "STXS",
    operators: tuple[str, ...] | None = None,
    luminosity_fb: float = 300.0,
    epsilon: float = 0.0,
    random_state: int = 0,
) -> dict:
    """Generate Poisson pseudo-data of a binned observable at ``point`` and fit every operator
    (MIGRAD + HESSE). Returns the truth, the best fit, its errors and the pulls.

    Raises
    ------
    ValueError
        For an unknown observable, a non-finite point, luminosity or ε, a sample without
        events or without the operators, or a weight polynomial that is not positive
        (:func:`mlstxs.io.check_weight_polynomial`).
    """
    if observable not in BINNINGS or observable == "ML regions":
        choices = [b for b in BINNINGS if b != "ML regions"]
        raise ValueError(f"unknown observable {observable!r}; choose one of {', '.join(choices)}")
    bad = [f"{k}={v}" for k, v in point.items() if not np.isfinite(v)]
    if bad:
        raise ValueError(f"the point must be finite, got {', '.join(bad)}")
    if not (np.isfinite(luminosity_fb) and luminosity_fb > 0):
        raise ValueError(f"luminosity_fb = {luminosity_fb} must be finite and > 0")
    if not (np.isfinite(epsilon) and epsilon >= 0):
        raise ValueError(f"epsilon = {epsilon} must be finite and >= 0")
    ops = check_weight_polynomial(sample, operators or None, purpose="fit Wilson coefficients")
    unknown = sorted(set(point) - set(ops))
    if unknown:
        raise ValueError(
            f"the point names {', '.join(unknown)}, not among the fitted operators {', '.join(ops)}"
        )
    obs = region_observables(sample.columns)
    b = BINNINGS[observable](obs["pt_Z"], obs["m_ZH"], weights=sample.columns["w_sm"])
    terms = np.array([sample.columns[n] for n in weight_term_names(ops)])
    model = binned_model(b.index, b.n_bins, terms, ops, luminosity_fb, epsilon)
    data = pseudo_data(model, point, random_state)
    res = fit(model, data)
    truth = {op: float(point.get(op, 0.0)) for op in ops}
    return {
        "observable": observable,
        "luminosity_fb": luminosity_fb,
        "epsilon": epsilon,
        "seed": random_state,
        "truth": truth,
        "best_fit": res.values,
        "errors": res.errors,
        "pulls": {op: (res.values[op] - truth[op]) / res.errors[op] for op in ops},
        "valid": res.valid,
        "n_observed": float(np.sum(model.counts(data))),
    }
