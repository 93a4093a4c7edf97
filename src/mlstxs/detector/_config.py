"""Typed configuration of the fast detector simulation.

Defaults describe an ATLAS/CMS-like VH(bb̄) two-lepton analysis. Each value carries its
origin in a comment. The main reference for the selection is the ATLAS Run-2 VH(bb̄)
STXS measurement, arXiv:2007.02873 (Eur. Phys. J. C 81 (2021) 178), Sec. 4 (2-lepton
channel); for detector performance the ATLAS detector paper (JINST 3 (2008) S08003) and
the ATLAS electron, muon, jet and flavour-tagging performance papers cited below.

Load from a nested mapping or a YAML/JSON file; unknown keys and invalid values raise
:class:`pydantic.ValidationError` (a ``ValueError``) naming the offending field, e.g.
``bjet.resolution.stochastic``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Resolution(_Frozen):
    r"""Relative resolution σ(x)/x = N/x ⊕ S/√x ⊕ C ⊕ L·x (⊕: sum in quadrature).

    ``x`` is the true energy (``variable="E"``) or true transverse momentum
    (``variable="pt"``) in GeV. All terms default to 0; a resolution with every term 0
    reproduces the truth exactly. Negative terms are rejected.
    """

    variable: Literal["E", "pt"]
    noise: float = Field(default=0.0, ge=0.0, description="N, GeV")
    stochastic: float = Field(default=0.0, ge=0.0, description="S, GeV^1/2")
    constant: float = Field(default=0.0, ge=0.0, description="C, dimensionless")
    linear: float = Field(default=0.0, ge=0.0, description="L, GeV^-1 (sagitta term)")

    def relative_sigma(self, x: np.ndarray) -> np.ndarray:
        """σ(x)/x for true values ``x`` (GeV, shape (N,)); terms equal to 0 are skipped."""
        var = np.full(np.shape(x), self.constant**2)
        with np.errstate(divide="ignore"):  # x = 0 gives σ = inf: the object fails p_T cuts
            if self.stochastic:
                var += self.stochastic**2 / x
            if self.noise:
                var += (self.noise / x) ** 2
        if self.linear:
            var += (self.linear * x) ** 2
        return np.sqrt(var, out=var)


class LeptonConfig(_Frozen):
    """Resolution, efficiency and acceptance of one lepton flavour."""

    resolution: Resolution
    efficiency: float = Field(ge=0.0, le=1.0, description="reconstruction × ID × isolation")
    pt_min: float = Field(default=7.0, ge=0.0, description="GeV, every lepton")
    pt_min_leading: float = Field(default=27.0, ge=0.0, description="GeV, leading lepton")
    eta_max: float = Field(gt=0.0)


# ATLAS electrons, arXiv:2007.02873 Sec. 4: "loose" electrons p_T > 7 GeV, |η| < 2.47
# (calorimeter crack not modelled); the 2-lepton channel requires one lepton with p_T > 27
# GeV (single-lepton trigger plateau). Energy resolution: ATLAS EM calorimeter sampling
# term ≈ 10%/√E and constant term 0.7% (JINST 3 S08003; Run-2 calibration
# arXiv:1908.00005). Reconstruction (≈97-99%) × LooseLH identification (≈93%) ×
# isolation, ATLAS arXiv:1902.04655: 0.90 overall.
DEFAULT_ELECTRON = LeptonConfig(
    resolution=Resolution(variable="E", stochastic=0.10, constant=0.007),
    efficiency=0.90,
    pt_min=7.0,
    pt_min_leading=27.0,
    eta_max=2.47,
)

# Combined muons: σ(p_T)/p_T = 1.7% ⊕ 0.01%·p_T[GeV], i.e. ≈2% at 100 GeV and ≈10% at
# 1 TeV (ATLAS design goal, JINST 3 S08003; Run-2 performance arXiv:2012.00578).
# Loose/Medium reconstruction × ID ≈ 98-99% (arXiv:2012.00578): 0.98. Acceptance
# |η| < 2.5 (inner-detector coverage; ATLAS loose muons reach 2.7 with the spectrometer
# alone, CMS muons 2.4), p_T thresholds as for electrons (arXiv:2007.02873).
DEFAULT_MUON = LeptonConfig(
    resolution=Resolution(variable="pt", constant=0.017, linear=1.0e-4),
    efficiency=0.98,
    pt_min=7.0,
    pt_min_leading=27.0,
    eta_max=2.5,
)


class BJetConfig(_Frozen):
    """Energy response, resolution, b-tagging and acceptance of the two b-jets."""

    # σ(E)/E = 100%/√E ⊕ 5%: a hadron-calorimeter-like resolution that is deliberately
    # conservative for b-jets (semileptonic b decays and out-of-cone losses broaden it);
    # ≈11% at E = 100 GeV, close to the b-jet resolution after the ATLAS muon-in-jet and
    # PtReco corrections (arXiv:2007.02873 Sec. 5); light-jet JER: arXiv:2007.02645.
    resolution: Resolution = Resolution(variable="E", stochastic=1.0, constant=0.05)
    # Mean reco/true energy. 1.0 = fully calibrated b-jets (JES + muon-in-jet + PtReco
    # corrections restore the m_bb peak to ≈125 GeV in arXiv:2007.02873). Values of
    # ≈0.92-0.95 mimic uncorrected energy losses to neutrinos in semileptonic decays.
    response: float = Field(default=1.0, gt=0.0)
    # MV2c10 70% working point, calibrated in tt̄ events (ATLAS arXiv:1907.05120), as in
    # arXiv:2007.02873. Flat by default; a tuple gives a p_T-binned efficiency with one
    # more entry than ``btag_pt_edges`` (bins: (-inf, e0), [e0, e1), ..., [e_last, inf)).
    btag_efficiency: float | tuple[float, ...] = 0.70
    btag_pt_edges: tuple[float, ...] = ()
    # arXiv:2007.02873: central jets p_T > 20 GeV, |η| < 2.5; leading b-jet p_T > 45 GeV.
    pt_min: float = Field(default=20.0, ge=0.0)
    pt_min_leading: float = Field(default=45.0, ge=0.0)
    eta_max: float = Field(default=2.5, gt=0.0)
    # Anti-k_t radius R = 0.4: two b's closer than R end up in one jet and the event fails
    # the resolved two-jet selection (dominant loss at high p_T(H)).
    radius: float = Field(default=0.4, ge=0.0)

    @field_validator("btag_efficiency")
    @classmethod
    def _efficiency_in_unit_interval(cls, v: float | tuple[float, ...]) -> Any:
        values = v if isinstance(v, tuple) else (v,)
        for e in values:
            if not 0.0 <= e <= 1.0:
                raise ValueError(f"b-tagging efficiency must lie in [0, 1], got {e}")
        return v

    @model_validator(mode="after")
    def _binning_consistent(self) -> BJetConfig:
        edges, eff = self.btag_pt_edges, self.btag_efficiency
        if list(edges) != sorted(edges):
            raise ValueError(f"btag_pt_edges must be increasing, got {edges}")
        n_bins = len(edges) + 1
        n_eff = len(eff) if isinstance(eff, tuple) else 1
        if isinstance(eff, tuple) and n_eff != n_bins:
            raise ValueError(
                f"btag_efficiency has {n_eff} entries but btag_pt_edges define {n_bins} bins"
            )
        if not isinstance(eff, tuple) and edges:
            raise ValueError("btag_pt_edges given but btag_efficiency is a single number")
        return self

    def tag_efficiency(self, pt: np.ndarray) -> np.ndarray | float:
        """b-tagging efficiency at reconstructed p_T (GeV): an array, or a float if flat."""
        if not isinstance(self.btag_efficiency, tuple):
            return self.btag_efficiency
        table = np.asarray(self.btag_efficiency)
        return table[np.searchsorted(np.asarray(self.btag_pt_edges), pt, side="right")]


Window = tuple[float, float]


class SelectionConfig(_Frozen):
    """Event-level requirements beyond single-object acceptance."""

    # 81 < m_ll < 101 GeV: ATLAS 2-lepton Z window, arXiv:2007.02873 Sec. 4.
    m_ll_window: Window | None = (81.0, 101.0)
    # "Two b-tagged jets compatible with the Higgs decay" (paper Sec. III.B). Project
    # choice: 75 < m_bb < 145 GeV, m_H − 50/+20 GeV, keeps the low-side tail of real
    # b-jet pairs (FSR, neutrinos). ATLAS uses m_bb as a BDT input instead of a window
    # (arXiv:2007.02873); CMS uses m_jj windows in its signal regions. None disables.
    m_bb_window: Window | None = (75.0, 145.0)
    # Lepton–jet overlap removal / isolation: ΔR(ℓ, b) > 0.4 for all four pairs
    # (simplified from the ATLAS overlap-removal procedure, arXiv:2007.02873 Sec. 3).
    dr_lepton_jet_min: float = Field(default=0.4, ge=0.0)

    @field_validator("m_ll_window", "m_bb_window")
    @classmethod
    def _ordered(cls, v: Window | None) -> Window | None:
        if v is not None and not v[0] < v[1]:
            raise ValueError(f"window must satisfy low < high, got {v}")
        return v


class DetectorConfig(_Frozen):
    """Complete detector configuration: per-object performance plus selection.

    Examples
    --------
    >>> cfg = DetectorConfig.from_dict({"bjet": {"btag_efficiency": 0.77}})
    >>> cfg.bjet.btag_efficiency, cfg.muon.eta_max
    (0.77, 2.5)
    """

    electron: LeptonConfig = DEFAULT_ELECTRON
    muon: LeptonConfig = DEFAULT_MUON
    bjet: BJetConfig = BJetConfig()
    selection: SelectionConfig = SelectionConfig()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetectorConfig:
        """Build from a nested mapping; sub-mappings override the defaults field by field."""
        merged = _deep_merge(cls().model_dump(), data)
        return cls.model_validate(merged)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> DetectorConfig:
        """Load a YAML (``.yaml``/``.yml``) or JSON file holding a partial configuration."""
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
        return cls.from_dict(data or {})

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON/YAML-serialisable; tuples become lists)."""
        return self.model_dump(mode="json")


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(update, Mapping):
        raise ValueError(f"configuration must be a mapping, got {type(update).__name__}")
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
