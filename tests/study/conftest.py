"""Shared small samples for the region-study tests."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.study import StudyConfig
from mlstxs.study._data import StudyData
from mlstxs.study._subsets import SliceContext, make_subset, plane_standardisation


@pytest.fixture(scope="session")
def small_sample():
    """About 10⁴ detector-level events with the cHW weight polynomial (Λ = 1 TeV)."""
    return generate(GeneratorConfig(n_events=30_000, seed=4, level="detector"))


def make_context(data: StudyData, config: StudyConfig, sl, dnn_score=None, seed: int = 7):
    """A SliceContext whose training and test sets are both all events of slice ``sl``
    (fraction 1: yields at the full luminosity)."""
    idx = np.flatnonzero(sl.contains(data.pt))
    tr = make_subset(data, idx, 1.0, config.luminosity_fb, dnn_score)
    mean, scale = plane_standardisation(tr)
    return SliceContext(sl, tr, tr, config, seed, mean, scale)


def synthetic_data(pt, mzh, w_sm, w_lin, w_quad=None, linear=False) -> StudyData:
    """StudyData from arrays [GeV, pb]; w_eft = w_SM + w_lin (+ w_quad unless ``linear``)."""
    pt, mzh, w_sm, w_lin = (np.asarray(a, dtype=float) for a in (pt, mzh, w_sm, w_lin))
    w_quad = np.zeros_like(w_sm) if w_quad is None else np.asarray(w_quad, dtype=float)
    return StudyData(
        features=np.column_stack([pt, mzh]),
        feature_names=("pt_Z", "m_ZH"),
        pt=pt,
        mzh=mzh,
        w_sm=w_sm,
        w_eft=w_sm + w_lin + (0.0 if linear else w_quad),
        w_lin=w_lin,
        w_quad=w_quad,
        lambda_GeV=1000.0,
    )
