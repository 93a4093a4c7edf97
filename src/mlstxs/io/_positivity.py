"""Is a sample fit for inference in some operators: events, weight terms, a positive polynomial.

Per event the weight polynomial w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab
(``docs/sample_format.md``) is the quadratic form

    w(c) = (1, c)ᵀ M (1, c),   M_00 = w_sm,  M_0a = w_a/2,  M_aa = w_aa,  M_ab = w_ab/2 (a ≠ b)

with M symmetric, (K+1) × (K+1) for K operators. A squared amplitude summed over helicities
makes every M positive semi-definite (spec: the 14×14 matrix of each event is PSD), so
w(c) ≥ 0 for all c. An event with a negative eigenvalue has w(c) < 0 somewhere: expected
yields and log densities of the likelihoods break there (a silent "[+0, +0]" interval).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..physics import weight_term_names, weight_term_pairs
from ._sample import EventSample

PSD_RTOL = 1e-6
"""Tolerated smallest eigenvalue of M, relative to its largest |eigenvalue|: rounding of the
stored weights (LHE reweighting weights have 8 printed digits) makes a rank-deficient M
slightly indefinite, at the 1e-8 level."""

_BLOCK = 1 << 20
"""Matrix elements per batch of events (8 MiB of float64)."""


def weight_matrices(columns: Mapping[str, np.ndarray], operators: Sequence[str]) -> np.ndarray:
    """The matrices M of the module docstring, shape (N, K+1, K+1), in pb."""
    ops = tuple(operators)
    names, pairs = weight_term_names(ops), weight_term_pairs(ops)
    n = len(columns["w_sm"])
    m = np.zeros((n, len(ops) + 1, len(ops) + 1))
    for name, (i, j) in zip(names, pairs, strict=True):
        if i == j:
            m[:, i, i] = columns[name]
        else:
            m[:, i, j] = m[:, j, i] = 0.5 * np.asarray(columns[name])
    return m


def nonpositive_events(
    columns: Mapping[str, np.ndarray], operators: Sequence[str], rtol: float = PSD_RTOL
) -> tuple[np.ndarray, np.ndarray]:
    """Mask (N,) of events whose M has an eigenvalue below −rtol·max|eigenvalue|, and the
    smallest eigenvalue [pb] of every event. Batched ``eigvalsh``, no per-event loop."""
    n, k = len(columns["w_sm"]), len(operators) + 1
    names = weight_term_names(tuple(operators))
    lam_min = np.empty(n)
    lam_max = np.empty(n)
    step = max(1, _BLOCK // (k * k))
    for lo in range(0, n, step):
        sub = {name: np.asarray(columns[name])[lo : lo + step] for name in names}
        lam = np.linalg.eigvalsh(weight_matrices(sub, operators))
        lam_min[lo : lo + step] = lam[:, 0]
        lam_max[lo : lo + step] = np.abs(lam).max(axis=1)
    return lam_min < -rtol * lam_max, lam_min


def _label(point: Mapping[str, float]) -> str:
    return ",".join(f"{k}={v:g}" for k, v in point.items()) or "SM"


def check_weight_polynomial(
    sample: EventSample,
    operators: Iterable[str] | None = None,
    *,
    purpose: str,
    points: Iterable[Mapping[str, float]] = (),
) -> tuple[str, ...]:
    """Check that ``sample`` can carry an inference in ``operators``; return them.

    Refuses, with a one-line ``ValueError`` naming the reason: a sample without events; one
    without SMEFT terms, or without some of ``operators``; a weight polynomial in
    ``operators`` that is not positive for every c (module docstring; the first such event
    is named); and negative weights at any of ``points`` (exactly, no tolerance).

    Parameters
    ----------
    sample : EventSample
    operators : iterable of str, optional
        Operators of the inference (default: all of the sample's).
    purpose : str
        What the sample is for, a verb phrase for the messages (``"set limits"``).
    points : iterable of mapping
        Wilson-coefficient points where w(c) ≥ 0 must hold exactly (e.g. the benchmark).

    Returns
    -------
    tuple of str
        ``operators`` in the sample's (canonical) order.
    """
    if len(sample) == 0:
        raise ValueError(f"the sample holds no events (0 rows); cannot {purpose}")
    wanted = list(sample.operators if operators is None else operators)
    if not sample.operators:
        raise ValueError(
            f"the sample carries no operators (SM weights only); cannot {purpose} without "
            "SMEFT weight terms"
        )
    missing = [op for op in wanted if op not in sample.operators]
    if missing:
        raise ValueError(
            f"the sample has no weights for {', '.join(missing)}; "
            f"it carries {', '.join(sample.operators)}"
        )
    ops = tuple(op for op in sample.operators if op in wanted)
    bad, lam_min = nonpositive_events(sample.columns, ops)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"the weight polynomial in {', '.join(ops)} is not positive: w(c) < 0 for some c "
            f"in {int(bad.sum())} of {len(sample)} events (first: event {i}, eigenvalue "
            f"{lam_min[i]:.3g} pb of its quadratic form)"
        )
    for point in points:
        w = sample.weights(point)
        neg = w < 0
        if neg.any():
            i = int(np.argmax(neg))
            raise ValueError(
                f"negative weights at c = {_label(point)} in {int(neg.sum())} events (first: "
                f"event {i}, w = {w[i]:.3g} pb): the sample's polynomial is not positive"
            )
    return ops
