"""Train/test subsets of one slice in one ensemble split, in expected events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..regions import PtSlice
from ._config import StudyConfig
from ._data import StudyData

PB_TO_EVENTS_PER_FB = 1000.0
"""σ [pb] × 1000 × L [fb⁻¹] = expected events."""


@dataclass(frozen=True)
class Subset:
    """Events of one subset within one slice. ``s`` and ``b`` are expected signal
    (w(c) − w_SM) and background (w_SM) yields per event at the full luminosity: the weights
    are divided by the subset's fraction of the sample."""

    pt: np.ndarray
    mzh: np.ndarray
    w_sm: np.ndarray
    w_eft: np.ndarray
    s: np.ndarray
    b: np.ndarray
    scores: dict[str, np.ndarray]


def make_subset(
    data: StudyData, idx: np.ndarray, fraction: float, lumi_fb: float, dnn_score: np.ndarray | None
) -> Subset:
    scale = PB_TO_EVENTS_PER_FB * lumi_fb / fraction
    w_sm, w_eft = data.w_sm[idx], data.w_eft[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w_sm > 0, w_eft / np.where(w_sm > 0, w_sm, 1.0), np.inf)
    scores = {"ratio": ratio}
    if dnn_score is not None:
        scores["dnn"] = dnn_score[idx]
    return Subset(
        pt=data.pt[idx],
        mzh=data.mzh[idx],
        w_sm=w_sm,
        w_eft=w_eft,
        s=(w_eft - w_sm) * scale,
        b=w_sm * scale,
        scores=scores,
    )


@dataclass(frozen=True)
class SliceContext:
    """Everything a region method needs for one slice of one split."""

    slice: PtSlice
    train: Subset
    test: Subset
    config: StudyConfig
    seed: int
    plane_mean: np.ndarray  # weighted mean of (p_T, m_ZH) of the training events [GeV]
    plane_scale: np.ndarray  # weighted standard deviation [GeV]

    @property
    def epsilons(self) -> tuple[float, ...]:
        return self.config.epsilons


def plane_standardisation(sub: Subset) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean and standard deviation of (p_T, m_ZH), weights w_SM + w(c)."""
    X = np.column_stack([sub.pt, sub.mzh])
    w = sub.w_sm + sub.w_eft
    mean = np.average(X, axis=0, weights=w)
    std = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
    return mean, np.where(std > 0, std, 1.0)
