"""DNN-score distillation into straight lines (paper §IV.C, Tables III–IV, Fig. 3)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._line import LinearBoundary
from ._svm import SVMBoundary


@dataclass(frozen=True)
class DistilledLines:
    """One line per score threshold: the linear SVM separating events with score > t from
    events below it in the (p_T^Z, m_ZH) plane. ``lines[i]`` is None where the threshold
    leaves one side empty or the fit is degenerate."""

    thresholds: np.ndarray
    lines: tuple[LinearBoundary | None, ...]
    notes: tuple[str, ...] = field(default=())


def distill_score(
    score: np.ndarray,
    pt: np.ndarray,
    mzh: np.ndarray,
    weight: np.ndarray,
    thresholds: np.ndarray,
    *,
    random_state: int | None = None,
) -> DistilledLines:
    """Distil the high-score region of a classifier into lines, one per threshold.

    Parameters
    ----------
    score : ndarray (N,)
        Classifier score per event.
    pt, mzh : ndarray (N,)
        p_T^Z and m_ZH in GeV.
    weight : ndarray (N,)
        Event weights of the SVM fit (the study uses w_SM + w(c): the density of the
        training sample the classifier saw).
    thresholds : ndarray
        Score thresholds t.
    """
    X = np.column_stack([pt, mzh])
    lines: list[LinearBoundary | None] = []
    notes = []
    for t in np.asarray(thresholds, dtype=float):
        y = (score > t).astype(int)
        if y.min() == y.max():
            lines.append(None)
            notes.append(f"threshold {t:.4g}: all events on one side")
            continue
        try:
            svm = SVMBoundary(random_state=random_state).fit(X, y, sample_weight=weight)
        except ValueError as exc:
            lines.append(None)
            notes.append(f"threshold {t:.4g}: {exc}")
            continue
        lines.append(svm.boundary_)
    return DistilledLines(np.asarray(thresholds, dtype=float), tuple(lines), tuple(notes))
