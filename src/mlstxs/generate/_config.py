"""Typed, validated settings of the built-in LO generator."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..physics import OPERATORS, SMInputs, available_pdf_sets, validate_operators

LEPTON_PDG = {"e": 11, "mu": 13}

MIN_FIXED_SCALE_GEV = 1.0
"""Lowest fixed factorisation scale [GeV]. PDF grids start at Q of order 1 GeV (1 GeV for
NNPDF2.3, 1.65 GeV for NNPDF3.1, the lower Q edge of each ``lhagrid1`` file): below it the
PDFs are not evolved, only frozen at the edge, and perturbative factorisation does not hold.
A fixed scale must also reach the lower Q edge of the chosen set."""


class GeneratorConfig(BaseModel):
    """Settings of a generation run of p p → Z(→ℓ⁻ℓ⁺) H(→b b̄) at LO (spec §7).

    Every field is recorded in the sample metadata; the same settings and seed give an
    identical sample, whatever the number of workers. Numbers must be finite.

    Attributes
    ----------
    operators : tuple of str
        Wilson coefficients whose linear and quadratic weights are computed (spec §1.3).
    n_events : int
        Number of phase-space points drawn. Events removed by a generation cut or by the
        detector selection are dropped, so a sample may hold fewer rows; weights stay
        normalised to the drawn number.
    seed : int
        Seed of the run (numpy ``SeedSequence``; each chunk gets its own child stream).
    lambda_TeV : float
        New-physics scale Λ in TeV (the Lagrangian term is c/Λ² O).
    sqrt_s_GeV : float
        Proton–proton collision energy in GeV.
    pdf : str
        PDF set name (``mlstxs pdfs`` lists them).
    scale : "mzh" or float
        Factorisation scale: ``"mzh"`` (μ_F = m_ZH event by event, LHCHXSWG VH convention)
        or a fixed value in GeV, at least :data:`MIN_FIXED_SCALE_GEV` and the PDF grid's
        lower Q edge.
    flavours : 4 or 5
        Number of light quark flavours in the proton (5 adds b b̄ → ZH, about +1.6 %).
    lepton_flavours : tuple of "e", "mu"
        Z decay channels; with both, each event picks one with probability ½ (weight × 2).
    mll_window_GeV : (float, float)
        Generated range of m_ℓℓ in GeV (full Breit–Wigner inside it).
    ptz_min_GeV : float
        Generation cut on p_T(Z) in GeV (0 = none). The m_ZH range starts at the kinematic
        limit of the cut, and events below it are dropped.
    mzh_exponents : tuple of float
        Exponents a_i of the m_ZH sampling density, a mixture Σ_i (1/n) m^(−a_i)
        (multichannel; spec §7.3 recommends m⁻² for a well-populated p_T(Z) > 400 GeV tail).
    m_b_GeV : float
        b-quark mass used in the H → b b̄ decay kinematics.
    scheme : "mw" or "alpha"
        Electroweak input scheme (spec §1.4).
    level : "parton" or "detector"
        Parton level, or detector level with the fast simulation (truth kept as ``truth_*``).
    chunk_size : int
        Events per chunk (one Dask task and one Parquet file each).
    detector : dict
        Overrides of the fast-simulation settings (``mlstxs.detector.DetectorConfig``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    operators: tuple[str, ...] = ("cHW",)
    n_events: int = Field(100_000, gt=0)
    seed: int = Field(0, ge=0)
    lambda_TeV: float = Field(1.0, gt=0)
    sqrt_s_GeV: float = Field(13000.0, gt=0)
    pdf: str = "NNPDF31_lo_as_0118"
    scale: Literal["mzh"] | float = "mzh"
    flavours: Literal[4, 5] = 4
    lepton_flavours: tuple[Literal["e", "mu"], ...] = ("e", "mu")
    mll_window_GeV: tuple[float, float] = (66.0, 116.0)
    ptz_min_GeV: float = Field(0.0, ge=0)
    mzh_exponents: tuple[float, ...] = (2.0,)
    m_b_GeV: float = Field(4.18, ge=0)
    scheme: Literal["mw", "alpha"] = "mw"
    level: Literal["parton", "detector"] = "parton"
    chunk_size: int = Field(250_000, gt=0)
    detector: dict[str, Any] = Field(default_factory=dict)

    @field_validator("operators")
    @classmethod
    def _known_operators(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return validate_operators(v)

    @field_validator("scale", mode="before")
    @classmethod
    def _fixed_scale(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip() == "mzh":
            return "mzh"
        try:
            q = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"scale must be 'mzh' or a fixed value in GeV, got {v!r}") from None
        if not (math.isfinite(q) and q >= MIN_FIXED_SCALE_GEV):
            raise ValueError(
                f"a fixed scale must be a finite number >= {MIN_FIXED_SCALE_GEV:g} GeV "
                f"(PDF grids start at Q of order 1 GeV), got {v} GeV"
            )
        return q

    @field_validator("lepton_flavours")
    @classmethod
    def _leptons(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("at least one lepton flavour (e, mu) is needed")
        return tuple(f for f in ("e", "mu") if f in v)

    @field_validator("mzh_exponents")
    @classmethod
    def _exponents(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v or any(not math.isfinite(a) or a < 0 for a in v):
            raise ValueError(f"m_ZH sampling exponents must be finite and >= 0, got {v}")
        return v

    @field_validator("detector")
    @classmethod
    def _detector_settings(cls, v: dict[str, Any]) -> dict[str, Any]:
        from ..detector import DetectorConfig

        DetectorConfig.from_dict(v)  # raises a ValueError naming the bad field
        return v

    @model_validator(mode="after")
    def _scale_in_pdf_grid(self) -> GeneratorConfig:
        sets = {s.name: s for s in available_pdf_sets()}
        if self.scale != "mzh" and self.pdf in sets:  # an unknown set is refused on loading
            q_min = sets[self.pdf].q_range[0]
            if self.scale < q_min:
                raise ValueError(
                    f"a fixed scale of {self.scale:g} GeV is below the lowest Q = {q_min:g} GeV "
                    f"of the {self.pdf} grid (the PDFs are frozen, not evolved, below it)"
                )
        return self

    @model_validator(mode="after")
    def _kinematics(self) -> GeneratorConfig:
        lo, hi = self.mll_window_GeV
        if not 0 < lo < hi:
            raise ValueError(f"m_ll window must satisfy 0 < low < high, got {lo}, {hi} GeV")
        threshold = self.min_mzh_GeV()
        if self.sqrt_s_GeV <= threshold:
            raise ValueError(
                f"sqrt(s) = {self.sqrt_s_GeV} GeV is below the Z H threshold "
                f"{threshold:.2f} GeV of these settings (m_ll window, p_T(Z) cut)"
            )
        return self

    def min_mzh_GeV(self, mll_GeV: float | None = None) -> float:
        """Lowest m_ZH [GeV] reachable for a given m_ℓℓ (default: the window's lower edge)."""
        mll = self.mll_window_GeV[0] if mll_GeV is None else mll_GeV
        pt = self.ptz_min_GeV
        return math.hypot(mll, pt) + math.hypot(SMInputs().M_H, pt)

    @property
    def lepton_pdgs(self) -> tuple[int, ...]:
        """PDG ids of ℓ⁻ for the chosen lepton flavours."""
        return tuple(LEPTON_PDG[f] for f in self.lepton_flavours)

    def sm_inputs(self) -> SMInputs:
        """The SM inputs of this configuration."""
        return SMInputs(scheme=self.scheme)


__all__ = ["OPERATORS", "GeneratorConfig"]
