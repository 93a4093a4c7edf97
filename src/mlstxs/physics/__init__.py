"""Physics model: SM inputs, SMEFT couplings, the closed-form |M|², PDFs.

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

__all__ = [
    "CHIRALITY_PAIRS",
    "GEV2_TO_PB",
    "OPERATORS",
    "CouplingTable",
    "DerivedEW",
    "PDFSetInfo",
    "SMInputs",
    "UnknownOperatorError",
    "available_pdf_sets",
    "basis_coefficients",
    "coupling_table",
    "effective_couplings",
    "helicity_basis",
    "load_pdf",
    "mdot",
    "squared_me_terms",
    "validate_operators",
    "weight_term_names",
    "weight_term_pairs",
]
