"""SMEFTsim 3.0 (U35) operator names as WCxf SMEFT Warsaw-basis parameters.

SMEFTsim writes the dimension-six Lagrangian as Σ_a c_a/Λ² O_a with dimensionless c_a
(arXiv:2012.11343); WCxf (arXiv:1712.05298) as Σ_i C_i O_i with C_i in GeV⁻², summed over all
flavour indices (redundant index orderings carry the value of the non-redundant key). In the
U35 model (U(3)⁵ flavour symmetry) a fermion-current coefficient is flavour universal: c_Hq3
sets C_phiq3_11 = C_phiq3_22 = C_phiq3_33 = c_Hq3/Λ², and c_ll1, the coefficient of
Σ_{p,r} (l̄_p γ_μ l_r)(l̄_r γ^μ l_p), sets C_ll,prst = c_ll1 δ_pt δ_rs/Λ², i.e. the WCxf keys
ll_1111, ll_2222, ll_3333, ll_1221, ll_1331 and ll_2332 (ll_1221 enters G_F:
δG_F ∝ C_phil3_11 + C_phil3_22 − C_ll_1221 = 2 c_Hl3 − c_ll1 in units of 1/Λ²).

A POPxf parameter is therefore a WCxf name where a single WCxf coefficient carries the
operator (the bosonic ones) and a custom name ``<stem>_U35`` for a flavour-universal
direction, described in ``metadata.basis.custom``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WCxfParameter:
    """A SMEFTsim 3.0 (U35) coefficient as a POPxf parameter in WCxf normalisation.

    Attributes
    ----------
    smeftsim : str
        SMEFTsim name (``cHq3``): the coefficient c of c/Λ² O, dimensionless.
    name : str
        POPxf parameter name: the WCxf name if one WCxf coefficient carries the operator,
        else ``<stem>_U35``.
    wcxf : tuple of str
        WCxf SMEFT Warsaw coefficients that all equal the parameter, C_w = C = c/Λ² [GeV⁻²];
        all other WCxf coefficients are 0.
    """

    smeftsim: str
    name: str
    wcxf: tuple[str, ...]

    @property
    def in_wcxf(self) -> bool:
        """Whether the parameter is itself a WCxf coefficient."""
        return self.wcxf == (self.name,)

    def to_dict(self) -> dict[str, Any]:
        """The record of ``metadata.basis.custom.parameters``."""
        if self.in_wcxf:
            what = f"the WCxf SMEFT Warsaw coefficient {self.name}"
        else:
            what = (
                f"the common value of the WCxf SMEFT Warsaw coefficients "
                f"{' = '.join(self.wcxf)} (U(3)^5 flavour universality), all others 0"
            )
        return {
            "smeftsim": self.smeftsim,
            "wcxf": {w: 1.0 for w in self.wcxf},
            "definition": f"{what}, in GeV^-2; SMEFTsim {self.smeftsim} = {self.name} * Lambda^2",
        }


def _universal(smeftsim: str, stem: str) -> WCxfParameter:
    return WCxfParameter(smeftsim, f"{stem}_U35", tuple(f"{stem}_{g}{g}" for g in "123"))


WCXF_PARAMETERS: dict[str, WCxfParameter] = {
    p.smeftsim: p
    for p in (
        WCxfParameter("cHbox", "phiBox", ("phiBox",)),
        WCxfParameter("cHDD", "phiD", ("phiD",)),
        WCxfParameter("cHW", "phiW", ("phiW",)),
        WCxfParameter("cHB", "phiB", ("phiB",)),
        WCxfParameter("cHWB", "phiWB", ("phiWB",)),
        _universal("cHq1", "phiq1"),
        _universal("cHq3", "phiq3"),
        _universal("cHu", "phiu"),
        _universal("cHd", "phid"),
        _universal("cHl1", "phil1"),
        _universal("cHl3", "phil3"),
        _universal("cHe", "phie"),
        # Σ_{p,r} (l̄_p γ l_r)(l̄_r γ l_p): C_ll,prst = c δ_pt δ_rs; WCxf keeps prst of prst~stpr
        WCxfParameter(
            "cll1",
            "ll1_U35",
            ("ll_1111", "ll_1221", "ll_1331", "ll_2222", "ll_2332", "ll_3333"),
        ),
    )
}
"""SMEFTsim operator name → POPxf parameter (the table of ``docs/popxf.md``)."""


def popxf_basis(operators: Sequence[str]) -> dict[str, Any]:
    """``metadata.basis``: WCxf SMEFT Warsaw, with the parameters of ``operators`` described
    (and the U35 ones defined) in ``custom``."""
    return {
        "wcxf": {"eft": "SMEFT", "basis": "Warsaw"},
        "custom": {
            "name": "SMEFTsim 3.0 U35 coefficients in WCxf normalisation",
            "references": ["SMEFTsim 3.0, arXiv:2012.11343", "WCxf, arXiv:1712.05298"],
            "convention": "L = L_SM + sum_i C_i O_i, O_i the WCxf SMEFT Warsaw operators, C_i "
            "in GeV^-2 at the scale metadata.scale. A parameter sets every WCxf coefficient "
            "of its 'wcxf' list to its value; coefficients of no listed parameter are 0.",
            "sign_conventions": "no operator here has an odd number of field strengths, so "
            "the sign of the covariant derivative does not enter",
            "parameters": {
                WCXF_PARAMETERS[op].name: WCXF_PARAMETERS[op].to_dict() for op in operators
            },
        },
    }
