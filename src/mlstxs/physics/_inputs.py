"""Electroweak input parameters and derived quantities (spec §1.4).

Two input schemes, as in SMEFTsim 3.0:

* ``"mw"`` (default, SMEFTsim ``MwScheme``): inputs {G_F, M_Z, M_W};
* ``"alpha"`` (SMEFTsim ``alphaScheme``): inputs {α_EW, G_F, M_Z}.

All masses and widths in GeV, G_F in GeV⁻².
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

GEV2_TO_PB = 0.3893793721e9
"""Conversion of a cross section from GeV⁻² to pb."""

Scheme = Literal["mw", "alpha"]


@dataclass(frozen=True)
class SMInputs:
    """Standard Model inputs of the LO calculation.

    Parameters
    ----------
    scheme : {"mw", "alpha"}
        Electroweak input scheme.
    G_F : float
        Fermi constant in GeV⁻².
    M_Z, M_W, M_H : float
        Pole masses in GeV. ``M_W`` is an input only in the MW scheme.
    Gamma_Z, Gamma_H : float
        Fixed widths in GeV (not modified by SMEFT, SMEFTsim default).
    alpha_inv : float
        1/α_EW, an input only in the α scheme.
    br_hbb : float
        BR(H → b b̄), held fixed (LHCHXSWG YR4 at M_H = 125.09 GeV).
    """

    scheme: Scheme = "mw"
    G_F: float = 1.1663787e-5
    M_Z: float = 91.1876
    M_W: float = 80.387
    M_H: float = 125.09
    Gamma_Z: float = 2.4952
    Gamma_H: float = 4.07e-3
    alpha_inv: float = 127.950
    br_hbb: float = 0.5809
    derived: DerivedEW = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.scheme not in ("mw", "alpha"):
            raise ValueError(f"unknown input scheme {self.scheme!r}; choose 'mw' or 'alpha'")
        for name in ("G_F", "M_Z", "M_W", "M_H", "Gamma_Z", "alpha_inv", "br_hbb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"SM input {name} must be positive, got {getattr(self, name)}")
        object.__setattr__(self, "derived", DerivedEW.from_inputs(self))


@dataclass(frozen=True)
class DerivedEW:
    """Derived electroweak quantities of an :class:`SMInputs` (spec §1.4).

    Attributes: ``vev`` = v̂ = (√2 G_F)^(-1/2) [GeV], ``sw2``, ``sw``, ``cw`` (sine and cosine of
    the weak angle), ``e`` (electric charge), ``gZ`` = ĝ_Z = e/(s_w c_w), ``g_hZZ`` = 2M_Z²/v̂
    [GeV], ``M_W`` [GeV].
    """

    vev: float
    sw2: float
    sw: float
    cw: float
    e: float
    gZ: float
    g_hZZ: float
    M_W: float

    @classmethod
    def from_inputs(cls, p: SMInputs) -> DerivedEW:
        vev = (math.sqrt(2.0) * p.G_F) ** -0.5
        if p.scheme == "mw":
            sw2 = 1.0 - p.M_W**2 / p.M_Z**2
            alpha = math.sqrt(2.0) * p.G_F * p.M_W**2 * sw2 / math.pi
            m_w = p.M_W
        else:
            alpha = 1.0 / p.alpha_inv
            disc = 1.0 - 4.0 * math.pi * alpha / (math.sqrt(2.0) * p.G_F * p.M_Z**2)
            if disc < 0:
                raise ValueError("α-scheme inputs admit no real weak mixing angle")
            sw2 = 0.5 - 0.5 * math.sqrt(disc)
            m_w = p.M_Z * math.sqrt(1.0 - sw2)
        sw, cw = math.sqrt(sw2), math.sqrt(1.0 - sw2)
        e = math.sqrt(4.0 * math.pi * alpha)
        return cls(
            vev=vev,
            sw2=sw2,
            sw=sw,
            cw=cw,
            e=e,
            gZ=e / (sw * cw),
            g_hZZ=2.0 * p.M_Z**2 / vev,
            M_W=m_w,
        )
