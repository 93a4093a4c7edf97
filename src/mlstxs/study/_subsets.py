"""Train/test subsets of one slice in one ensemble split, in expected events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..physics import events_per_pb
from ..regions import PtSlice
from ._config import StudyConfig
from ._data import StudyData, eft_class_weight


@dataclass(frozen=True)
class Subset:
    """Events of one subset within one slice. ``s`` and ``b`` are expected signal
    (w_eft − w_SM) and background (w_SM) yields per event [events] at the full luminosity:
    the weights [pb] are divided by the subset's fraction of the sample. ``w_lin`` and
    ``w_quad`` are the benchmark's O(Λ⁻²) and O(Λ⁻⁴) weight terms [pb] (:class:`StudyData`),
    ``lambda_GeV`` the sample's Λ. ``scores`` holds the oracle ``ratio`` w_eft/w_SM and the
    ``dnn`` score."""

    pt: np.ndarray
    mzh: np.ndarray
    w_sm: np.ndarray
    w_eft: np.ndarray
    s: np.ndarray
    b: np.ndarray
    scores: dict[str, np.ndarray]
    w_lin: np.ndarray
    w_quad: np.ndarray
    lambda_GeV: float


def make_subset(
    data: StudyData, idx: np.ndarray, fraction: float, lumi_fb: float, dnn_score: np.ndarray | None
) -> Subset:
    scale = events_per_pb(lumi_fb) / fraction
    w_sm, w_eft = data.w_sm[idx], data.w_eft[idx]
    # w_eft/w_SM (1 + c·w_lin/w_SM in linear-only mode, negative where c·w_lin < −w_SM);
    # where w_SM = 0 the event's sign of w_eft (±∞) or 1 (no yield at all), as oracle_region
    ratio = np.where(w_eft > 0, np.inf, np.where(w_eft < 0, -np.inf, 1.0))
    np.divide(w_eft, w_sm, out=ratio, where=w_sm > 0)
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
        w_lin=data.w_lin[idx],
        w_quad=data.w_quad[idx],
        lambda_GeV=data.lambda_GeV,
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
    """Weighted mean and standard deviation of (p_T, m_ZH), weights w_SM + w(c) (w(c)
    clipped at 0, :func:`eft_class_weight`)."""
    X = np.column_stack([sub.pt, sub.mzh])
    w = sub.w_sm + eft_class_weight(sub.w_eft)
    mean = np.average(X, axis=0, weights=w)
    std = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=w))
    return mean, np.where(std > 0, std, 1.0)
