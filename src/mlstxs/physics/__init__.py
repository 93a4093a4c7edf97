"""Physics model: SM inputs, SMEFT couplings, the closed-form |M|², PDFs, the weight
polynomial in the Wilson coefficients and the pb·fb⁻¹ → events conversion.

Conventions and benchmark numbers: ``physics_spec`` sections 1–6 (MW scheme by default,
SMEFTsim 3.0 conventions, Λ = 1 TeV by default).
"""

from ._amplitude import (
    CHIRALITY_PAIRS,
    basis_coefficients,
    helicity_basis,
    mdot,
    squared_me_terms,
)
from ._couplings import CouplingTable, coupling_table, effective_couplings
from ._inputs import GEV2_TO_PB, DerivedEW, SMInputs
from ._operators import (
    OPERATORS,
    UnknownOperatorError,
    validate_operators,
    weight_term_names,
    weight_term_pairs,
)
from ._pdf import PDFSetInfo, available_pdf_sets, load_pdf
from ._polynomial import (
    PB_TO_EVENTS_PER_FB,
    WeightPolynomial,
    check_luminosity,
    check_points,
    evaluate_terms,
    events_per_pb,
    expected_events,
    monomial_jacobian,
    monomials,
)

__all__ = [
    "CHIRALITY_PAIRS",
    "GEV2_TO_PB",
    "OPERATORS",
    "PB_TO_EVENTS_PER_FB",
    "CouplingTable",
    "DerivedEW",
    "PDFSetInfo",
    "SMInputs",
    "UnknownOperatorError",
    "WeightPolynomial",
    "available_pdf_sets",
    "basis_coefficients",
    "check_luminosity",
    "check_points",
    "coupling_table",
    "effective_couplings",
    "evaluate_terms",
    "events_per_pb",
    "expected_events",
    "helicity_basis",
    "load_pdf",
    "mdot",
    "monomial_jacobian",
    "monomials",
    "squared_me_terms",
    "validate_operators",
    "weight_term_names",
    "weight_term_pairs",
]
