"""Observables of pp → ZH → ℓ⁻ℓ⁺bb̄: the paper's feature set and the ZH helicity angles.

``compute_observables(events)`` maps the four-momentum columns of the sample format
(``lm_*, lp_*, b1_*, b2_*``) to the named float64 arrays of :data:`FEATURES`; units and
definitions are in :data:`FEATURE_INFO`. (p_T^Z, m_ZH) — :data:`REGION_PLANE` — is the
plane in which the regions are designed; ``region_observables(events)`` computes only that
plane, also for production-level events (undecayed Z and H, :data:`PRODUCTION_COLUMNS`), on
which :func:`compute_observables` raises a ``ValueError`` saying so.
"""

from ._columns import (
    COMPONENTS,
    MOMENTUM_COLUMNS,
    OBJECTS,
    PRODUCTION_COLUMNS,
    PRODUCTION_OBJECTS,
    FourVector,
    add,
    check_columns,
    four_vector,
    is_production_level,
)
from ._features import (
    FEATURE_INFO,
    FEATURES,
    HELICITY_FEATURES,
    PAPER_FEATURES,
    REGION_PLANE,
    UNITS,
    FeatureInfo,
    compute_observables,
    helicity_angles,
    region_observables,
)

__all__ = [
    "COMPONENTS",
    "FEATURES",
    "FEATURE_INFO",
    "HELICITY_FEATURES",
    "MOMENTUM_COLUMNS",
    "OBJECTS",
    "PAPER_FEATURES",
    "PRODUCTION_COLUMNS",
    "PRODUCTION_OBJECTS",
    "REGION_PLANE",
    "UNITS",
    "FeatureInfo",
    "FourVector",
    "add",
    "check_columns",
    "compute_observables",
    "four_vector",
    "helicity_angles",
    "is_production_level",
    "region_observables",
]
