"""Settings of the region study (typed, validated, loadable from YAML/JSON)."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..observables import PAPER_FEATURES
from ..physics import validate_operators

DEFAULT_LUMINOSITY_FB = 300.0
"""Default integrated luminosity in fb⁻¹: LHC Run 2 + Run 3 (13–13.6 TeV), about 300 fb⁻¹."""


class StudyConfig(BaseModel):
    """Settings of ``mlstxs design`` (paper §III–IV).

    Attributes
    ----------
    benchmark : dict
        Wilson coefficients of the SMEFT benchmark (paper eq. (6): c_HW = 1 at Λ = 1 TeV).
    luminosity_fb : float
        Integrated luminosity in fb⁻¹ that turns weights [pb] into expected events.
    slice_edges_GeV : tuple
        p_T(Z) slice edges in GeV; ``None`` as the last edge means an open slice (∞).
    epsilons : tuple
        Fractional background uncertainties ε = σ_b/b of eq. (8); ε = 0 is eq. (7), the
        significance without background uncertainty (the paper's three values and 0).
        Regions without expected background (b ≤ 0) are never chosen, at any ε.
    eft_order : {"quadratic", "linear"}
        Order of the benchmark weight in 1/Λ²: w(c) = w_SM + c·w_lin + c²·w_quad
        ("quadratic", the full SMEFTsim square) or w_SM + c·w_lin ("linear", O(Λ⁻²) only).
        The signal is w(c) − w_SM in both; with "linear" it may be negative per event, and the
        classifiers are then trained on its positive part (``eft_class_weight``).
    mzh_cap_GeV : float or None
        EFT-validity cap: events with m_ZH above it [GeV] are removed from the study (all
        splits, all methods). None keeps every event.
    n_splits, fractions, seed :
        The ensemble: ``n_splits`` random train/validation/test partitions with these
        fractions; split i uses child i of ``SeedSequence(seed)``.
    features : tuple
        DNN input features (names of ``mlstxs.observables.FEATURES``).
    balance_classes : bool
        Equalise the SM and SMEFT class totals per slice in the SVM fits (physical weights
        within each class). Without it the hinge-loss optimum in slices where σ(c) ≫ σ_SM is
        the trivial all-SMEFT region.
    scan_half_width_deg, scan_n_angles :
        The significance scan: line directions within ± this angle of the seed, in
        standardised (p_T, m_ZH) coordinates, so that steep and negative slopes are reachable.
    dnn_* :
        The classifier of paper §IV.C.
    dnn_thresholds : int
        Number of DNN-score thresholds distilled into lines on the coarse grid: weighted
        quantiles q = 1 − geomspace(0.95, dnn_tail_fraction, n) of w_SM + w(c), dense in the
        tail where the best regions (1–2 % of the weight) lie.
    dnn_tail_fraction : float
        Weight fraction above the highest threshold of that grid.
    dnn_refine_rounds : int
        Bisections of the grid around the best threshold, per ε (two SVM fits each).

    Numbers must be finite (an infinite last slice edge is read as ``None``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    benchmark: dict[str, float] = Field(default_factory=lambda: {"cHW": 1.0})
    luminosity_fb: float = Field(DEFAULT_LUMINOSITY_FB, gt=0)
    slice_edges_GeV: tuple[float | None, ...] = (75.0, 150.0, 250.0, 400.0, None)
    epsilons: tuple[float, ...] = (0.0, 0.3, 0.5, 1.0)
    eft_order: Literal["quadratic", "linear"] = "quadratic"
    mzh_cap_GeV: float | None = Field(None, gt=0)
    n_splits: int = Field(10, gt=0)
    fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)
    seed: int = Field(0, ge=0)
    features: tuple[str, ...] = PAPER_FEATURES
    svm_C: float = Field(1.0, gt=0)
    svm_tol: float = Field(1e-4, gt=0)
    svm_max_iter: int = Field(100_000, gt=0)
    balance_classes: bool = True
    scan_half_width_deg: float = Field(45.0, gt=0, lt=90)
    scan_n_angles: int = Field(121, ge=3)
    dnn_hidden: tuple[int, ...] = (126, 84, 42)
    dnn_learning_rate: float = Field(1e-4, gt=0)
    dnn_batch_size: int = Field(1024, gt=0)
    dnn_max_epochs: int = Field(200, gt=0)
    dnn_patience: int = Field(3, gt=0)
    dnn_thresholds: int = Field(25, ge=2)
    dnn_tail_fraction: float = Field(0.002, gt=0, lt=0.95)
    dnn_refine_rounds: int = Field(3, ge=0)

    @field_validator("benchmark")
    @classmethod
    def _operators(cls, v: dict[str, float]) -> dict[str, float]:
        validate_operators(v)
        if not any(x != 0 for x in v.values()):
            raise ValueError("the benchmark needs at least one non-zero Wilson coefficient")
        return v

    @field_validator("slice_edges_GeV", mode="before")
    @classmethod
    def _open_last_edge(cls, v: Any) -> Any:
        if isinstance(v, list | tuple) and v and v[-1] == math.inf:
            return (*v[:-1], None)
        return v

    @field_validator("epsilons")
    @classmethod
    def _eps(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v or any(not (math.isfinite(e) and e >= 0) for e in v):
            raise ValueError(f"epsilons must be finite and >= 0, got {v}")
        return v

    @field_validator("features")
    @classmethod
    def _features(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from ..observables import FEATURES

        unknown = [f for f in v if f not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; valid: {', '.join(FEATURES)}")
        return v

    @model_validator(mode="after")
    def _checks(self) -> StudyConfig:
        from ..regions import pt_slices

        pt_slices(self.edges_GeV())
        if abs(sum(self.fractions) - 1) > 1e-9 or min(self.fractions) <= 0:
            raise ValueError(f"fractions must be positive and sum to 1, got {self.fractions}")
        return self

    def edges_GeV(self) -> tuple[float, ...]:
        """Slice edges with ∞ for an open last slice."""
        return tuple(math.inf if e is None else float(e) for e in self.slice_edges_GeV)


PRESETS: dict[str, dict[str, Any]] = {
    "quick": {
        "n_splits": 2,
        "dnn_max_epochs": 4,
        "dnn_thresholds": 6,
        "scan_n_angles": 31,
    },
    "default": {},
    "paper": {"n_splits": 20},
}
"""Named settings: ``quick`` for a smoke run (CI), ``paper`` for the paper's ensemble."""

EVENTS_FOR_PRESET = {"quick": 150_000, "default": 1_000_000, "paper": 6_000_000}
"""Events drawn by ``mlstxs reproduce`` per preset (about a third pass the selection; the
paper preset gives the paper's 2×10⁶ selected events)."""
