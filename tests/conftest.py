"""Shared fixtures: small generated samples, made once per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.physics import OPERATORS


@pytest.fixture(scope="session")
def all_ops_sample():
    """Parton-level sample with all 13 operators (5 flavours, e and μ)."""
    cfg = GeneratorConfig(
        operators=OPERATORS,
        n_events=40_000,
        seed=11,
        flavours=5,
        level="parton",
        chunk_size=20_000,
    )
    return generate(cfg)


@pytest.fixture(scope="session")
def chw_sample():
    """Parton-level cHW sample large enough for cross-section checks at the per-mille level."""
    cfg = GeneratorConfig(
        operators=("cHW", "cHq3"), n_events=400_000, seed=5, flavours=5, level="parton"
    )
    return generate(cfg)
