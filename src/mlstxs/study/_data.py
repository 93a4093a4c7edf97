"""The arrays a region study works on, built once per sample."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..io import EventSample, check_weight_polynomial
from ..observables import REGION_PLANE, compute_observables, region_observables
from ._config import StudyConfig


@dataclass(frozen=True)
class StudyData:
    """Per-event arrays of a sample: features, the region plane and the weights [pb].

    At the benchmark c the weight polynomial is w(c) = w_SM + w_lin + w_quad with
    w_lin = Σ_a c_a w_a (the O(Λ⁻²) interference) and w_quad = Σ_{a≤b} c_a c_b w_ab (the
    O(Λ⁻⁴) square). ``w_eft`` is the benchmark weight of the study's ``eft_order``: w(c)
    ("quadratic") or w_SM + w_lin ("linear", which may be negative). The signal of the study
    is w_eft − w_SM, the background w_SM.
    """

    features: np.ndarray  # (N, F)
    feature_names: tuple[str, ...]
    pt: np.ndarray  # p_T(Z) [GeV]
    mzh: np.ndarray  # m_ZH [GeV]
    w_sm: np.ndarray  # SM weight [pb]
    w_eft: np.ndarray  # weight at the benchmark point, of the study's eft_order [pb]
    w_lin: np.ndarray  # Σ_a c_a w_a at the benchmark [pb]
    w_quad: np.ndarray  # Σ_{a≤b} c_a c_b w_ab at the benchmark [pb]
    lambda_GeV: float  # the SMEFT scale Λ of the sample's weights [GeV]

    def __len__(self) -> int:
        return len(self.pt)


def eft_class_weight(w_eft: np.ndarray) -> np.ndarray:
    """Weights of the SMEFT class in the classifier fits (SVM, DNN, distillation): w_eft
    clipped at 0. Only the linear-only mode can have w_SM + c·w_lin < 0; a classifier cannot
    take negative weights, while the significances use the exact signal w_eft − w_SM."""
    return np.maximum(w_eft, 0.0)


def benchmark_terms(sample: EventSample, c: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(w_lin, w_quad) [pb] of the sample's weight polynomial at ``c``: Σ_a c_a w_a and
    Σ_{a≤b} c_a c_b w_ab (operators missing from ``c`` are 0), each of shape (N,): the terms
    of order 1 and 2 of :meth:`mlstxs.physics.WeightPolynomial.evaluate`."""
    poly, cols = sample.polynomial, sample.weight_columns()
    return poly.evaluate(cols, c, order=1), poly.evaluate(cols, c, order=2)


def study_data(sample: EventSample, config: StudyConfig) -> StudyData:
    """Observables and benchmark weights of a sample.

    The benchmark weight follows ``config.eft_order``: w(c) = w_SM + w_lin + w_quad
    ("quadratic") or w_SM + w_lin ("linear", :class:`StudyData`). With ``config.mzh_cap_GeV``
    set, events with m_ZH > cap are removed (an EFT-validity prescription): the study,
    its splits and its yields then cover the phase space m_ZH ≤ cap only.

    Raises
    ------
    ValueError
        If the sample holds no events, lacks a benchmark operator, or its weight polynomial
        in the benchmark operators is not positive (:func:`mlstxs.io.check_weight_polynomial`),
        or no event passes the m_ZH cap; or if the sample is production level (undecayed Z
        and H) and ``config.features`` go beyond ``pt_Z``, ``m_ZH``.
    """
    plane_only = set(config.features) <= set(REGION_PLANE)
    if not plane_only:
        sample.require_decay_products(
            f"designing regions with the {len(config.features)} DNN features of the study "
            f"config (features)"
        )
    check_weight_polynomial(
        sample, config.benchmark, purpose="design regions", points=[config.benchmark]
    )
    obs = (region_observables if plane_only else compute_observables)(sample.columns)
    w_sm = sample.columns["w_sm"]
    w_lin, w_quad = benchmark_terms(sample, config.benchmark)
    linear = config.eft_order == "linear"
    w_eft = w_sm + w_lin if linear else sample.weights(config.benchmark)
    cap = config.mzh_cap_GeV
    keep = np.ones(len(w_sm), dtype=bool) if cap is None else obs["m_ZH"] <= cap
    if not keep.any():
        raise ValueError(f"no event has m_ZH ≤ mzh_cap_GeV = {cap:g} GeV")
    return StudyData(
        features=np.column_stack([obs[f] for f in config.features])[keep],
        feature_names=tuple(config.features),
        pt=obs["pt_Z"][keep],
        mzh=obs["m_ZH"][keep],
        w_sm=w_sm[keep],
        w_eft=w_eft[keep],
        w_lin=w_lin[keep],
        w_quad=w_quad[keep],
        lambda_GeV=1000.0 * float(sample.metadata.lambda_TeV),
    )


@lru_cache(maxsize=2)
def _cached_sample(path: str, mtime: float) -> EventSample:
    return EventSample.load(path)


def load_sample_cached(path: str | Path) -> EventSample:
    """Load a sample once per process (ensemble tasks on one worker share it)."""
    p = Path(path)
    return _cached_sample(str(p.resolve()), (p / "metadata.json").stat().st_mtime)
