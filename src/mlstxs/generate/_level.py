"""Parton level or detector level: what a chunk stores."""

from __future__ import annotations

import numpy as np

from ..io import momentum_column_names
from ._config import GeneratorConfig


def apply_level(config: GeneratorConfig, columns: dict, seed: np.random.SeedSequence) -> dict:
    """Return the chunk's columns at the configured level.

    Detector level: the fast simulation smears and selects; the reconstructed objects take the
    standard names, the parton-level ones are kept as ``truth_*``, and the weights of the
    selected events are multiplied by the efficiency factors.
    """
    if config.level == "parton":
        return columns
    from ..detector import DetectorConfig, simulate_detector

    det = simulate_detector(columns, DetectorConfig(**config.detector), np.random.default_rng(seed))
    mask = det.mask
    out = {}
    for name, col in columns.items():
        if name in _MOMENTA:
            out[f"truth_{name}"] = col[mask]
        elif name.startswith("w_"):
            out[name] = col[mask] * det.weight_factor
        else:
            out[name] = col[mask]
    out.update(det.columns)
    return out


_MOMENTA = frozenset(momentum_column_names())
