"""The arrays a region study works on, built once per sample."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..io import EventSample
from ..observables import compute_observables
from ._config import StudyConfig


@dataclass(frozen=True)
class StudyData:
    """Per-event arrays of a sample: features, the region plane and the two weights [pb]."""

    features: np.ndarray  # (N, F)
    feature_names: tuple[str, ...]
    pt: np.ndarray  # p_T(Z) [GeV]
    mzh: np.ndarray  # m_ZH [GeV]
    w_sm: np.ndarray  # SM weight [pb]
    w_eft: np.ndarray  # weight at the benchmark point [pb]

    def __len__(self) -> int:
        return len(self.pt)


def study_data(sample: EventSample, config: StudyConfig) -> StudyData:
    """Observables and benchmark weights of a sample (raises if the benchmark operators are
    missing from the sample's weight polynomial)."""
    obs = compute_observables(sample.columns)
    w_eft = sample.weights(config.benchmark)
    if np.any(w_eft < 0):
        raise ValueError(
            "negative weights at the benchmark point: the sample's polynomial is not positive"
        )
    return StudyData(
        features=np.column_stack([obs[f] for f in config.features]),
        feature_names=tuple(config.features),
        pt=obs["pt_Z"],
        mzh=obs["m_ZH"],
        w_sm=sample.columns["w_sm"],
        w_eft=w_eft,
    )


@lru_cache(maxsize=2)
def _cached_sample(path: str, mtime: float) -> EventSample:
    return EventSample.load(path)


def load_sample_cached(path: str | Path) -> EventSample:
    """Load a sample once per process (ensemble tasks on one worker share it)."""
    p = Path(path)
    return _cached_sample(str(p.resolve()), (p / "metadata.json").stat().st_mtime)
