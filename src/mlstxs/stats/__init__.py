"""Statistics: single-region Asimov significance, binned and unbinned SMEFT likelihoods,
profile-likelihood intervals, pyhf export, nested-sampling posteriors."""

from ._asimov import NotEvaluable, RegionSignificance, asimov_z, region_significance
from ._bayes import CredibleInterval, Posterior, corner_plot, posterior
from ._binned import BinnedData, BinnedPolynomialModel, NLLEvaluation, binned_model
from ._intervals import (
    FitResult,
    Interval,
    Scan1D,
    Scan2D,
    asimov_data,
    fit,
    interval,
    profile_scan_1d,
    profile_scan_2d,
    pseudo_data,
)
from ._pyhf import PyhfCrosscheck, pyhf_crosscheck, to_pyhf_workspace
from ._unbinned import (
    EventData,
    NegativeDensityError,
    UnbinnedModel,
    UnbinnedNLL,
    binned_fisher_information,
    fisher_information,
    unbinned_model,
)

__all__ = [
    "BinnedData",
    "BinnedPolynomialModel",
    "CredibleInterval",
    "EventData",
    "FitResult",
    "Interval",
    "NLLEvaluation",
    "NegativeDensityError",
    "NotEvaluable",
    "Posterior",
    "PyhfCrosscheck",
    "RegionSignificance",
    "Scan1D",
    "Scan2D",
    "UnbinnedModel",
    "UnbinnedNLL",
    "asimov_data",
    "asimov_z",
    "binned_fisher_information",
    "binned_model",
    "corner_plot",
    "fisher_information",
    "fit",
    "interval",
    "posterior",
    "profile_scan_1d",
    "profile_scan_2d",
    "pseudo_data",
    "pyhf_crosscheck",
    "region_significance",
    "to_pyhf_workspace",
    "unbinned_model",
]
