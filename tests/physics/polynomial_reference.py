"""The weight polynomial written out term by term from the column names, as an oracle."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np


def direct_weights(
    columns: Mapping[str, np.ndarray], operators: Sequence[str], c: Sequence[float]
) -> np.ndarray:
    """w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab for one point c (n,), from the
    columns ``w_sm``, ``w_<a>``, ``w_<a>_<b>`` (docs/sample_format.md), shape (N,)."""
    w = np.array(columns["w_sm"], dtype=float)
    for a, op in enumerate(operators):
        w += c[a] * columns[f"w_{op}"]
    for a, b in itertools.combinations_with_replacement(range(len(operators)), 2):
        w += c[a] * c[b] * columns[f"w_{operators[a]}_{operators[b]}"]
    return w
