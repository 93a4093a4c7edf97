"""Positive learned ratios: the nearest positive semi-definite quadratic form per event.

The true ratio r(x, c) = w(c)/w_sm = (1, c)ᵀ M(x) (1, c) comes from a positive semi-definite
matrix M (spec: the 14×14 matrix of each event is PSD), so r ≥ 0 for every c. Learned
coefficient functions need not respect this, and r(x, c) ≤ 0 then makes the unbinned
likelihood undefined at moderate c (the negative-density problem of ML4EFT). Projecting each
event's M onto the PSD cone (clipping negative eigenvalues) and rescaling so that M₀₀ = 1
(r(x, 0) = 1) gives the nearest admissible ratio; events that need it are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..physics import weight_term_pairs


@dataclass(frozen=True)
class Projection:
    """Projected coefficients (N, K−1) and how many events were changed."""

    coefficients: np.ndarray
    n_modified: int
    n_events: int

    @property
    def fraction_modified(self) -> float:
        return self.n_modified / max(self.n_events, 1)


def _matrices(coef: np.ndarray, pairs: list[tuple[int, int]], n: int) -> np.ndarray:
    """M (N, n+1, n+1) with r(c) = (1, c)ᵀ M (1, c); off-diagonal terms carry half the
    coefficient (the stored w_ab, a < b, multiplies c_a c_b once)."""
    M = np.zeros((coef.shape[0], n + 1, n + 1))
    M[:, 0, 0] = 1.0
    for t, (i, j) in enumerate(pairs[1:]):
        half = 1.0 if i == j else 0.5
        M[:, i, j] += half * coef[:, t]
        if i != j:
            M[:, j, i] += half * coef[:, t]
    return M


def project_positive(coef: np.ndarray, operators, tolerance: float = 1e-12) -> Projection:
    """Nearest positive semi-definite ratio per event (eigenvalue clipping, then M₀₀ = 1).

    ``coef`` holds r_t(x) for the non-SM terms in ``weight_term_pairs(operators)`` order.
    Events whose form is already PSD are returned unchanged.
    """
    coef = np.asarray(coef, dtype=float)
    pairs = weight_term_pairs(tuple(operators))
    if coef.ndim != 2 or coef.shape[1] != len(pairs) - 1:
        raise ValueError(f"expected coefficients of shape (N, {len(pairs) - 1}), got {coef.shape}")
    M = _matrices(coef, pairs, len(operators))
    vals, vecs = np.linalg.eigh(M)
    bad = vals.min(axis=1) < -tolerance * np.maximum(1.0, np.abs(vals).max(axis=1))
    out = coef.copy()
    if bad.any():
        fixed = np.einsum("nij,nj,nkj->nik", vecs[bad], np.clip(vals[bad], 0.0, None), vecs[bad])
        fixed /= np.maximum(fixed[:, :1, :1], 1e-300)
        for t, (i, j) in enumerate(pairs[1:]):
            out[bad, t] = fixed[:, i, j] * (1.0 if i == j else 2.0)
    return Projection(out, int(bad.sum()), coef.shape[0])
