"""Learned likelihood ratios r(x, c) = 1 + Σ_t k_t(c) r_t(x) from polynomial event weights.

The coefficient functions r_t(x) = E[w_t | x] / E[w_sm | x] are learned from features x and the
weight terms W (column 0 = w_sm) of each event, behind the scikit-learn estimator API
(``fit(X, y=W, terms=...)``, ``predict_coefficients``, ``predict_ratio``):

- :class:`RatioTreeRegressor` — boosted information trees (LightGBM, weighted least squares);
- :class:`RatioNetworkPerTerm` — one MLP per term (ML4EFT), weighted MSE or weighted BCE;
- :class:`RatioNetworkPolynomial` — one MLP with one output per term;
- :func:`fit_replicas` — bootstrap + reseeded replicas with median and 68 % bands;
- :func:`negative_density_report` — events with r(x, c) ≤ 0 per c point.
"""

from ._positivity import NegativeDensityReport, negative_density_report
from ._ratio_nn import RatioNetworkPerTerm, RatioNetworkPolynomial
from ._ratio_trees import RatioTreeRegressor
from ._replicas import ReplicaBand, ReplicaEnsemble, fit_replicas
from ._targets import RatioPositivityError, term_coefficients

__all__ = [
    "NegativeDensityReport",
    "RatioNetworkPerTerm",
    "RatioNetworkPolynomial",
    "RatioPositivityError",
    "RatioTreeRegressor",
    "ReplicaBand",
    "ReplicaEnsemble",
    "fit_replicas",
    "negative_density_report",
    "term_coefficients",
]
