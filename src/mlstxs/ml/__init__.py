"""Learned likelihood ratios r(x, c) = 1 + Σ_t k_t(c) r_t(x) from polynomial event weights.

The coefficient functions r_t(x) = E[w_t | x] / E[w_sm | x] are learned from features x and the
weight terms W (column 0 = w_sm) of each event, behind the scikit-learn estimator API
(``fit(X, y=W, terms=...)``, ``predict_coefficients``, ``predict_ratio``):

- :class:`RatioTreeRegressor` — boosted information trees (LightGBM, weighted least squares);
- :class:`RatioNetworkPerTerm` — one MLP per term (ML4EFT), weighted MSE or weighted BCE;
- :class:`RatioNetworkPolynomial` — one MLP with one output per term;
- :func:`fit_replicas` — bootstrap + reseeded replicas with median and 68 % bands;
- :func:`negative_density_report` — events with r(x, c) ≤ 0 per c point.

The torch training core shared with :class:`mlstxs.regions.DNNClassifier`:
:func:`train_torch` (Adam, mini-batches, early stopping with best-weights restore) with
:class:`TrainSettings` → :class:`TrainingHistory`, :func:`network_settings` (validated
hyperparameters), :func:`torch_settings` (threads, determinism), :func:`seeded` (seeded
construction), :func:`forward` (batched inference) and :func:`reduced` (a loss from per-row
losses); :func:`check_features` validates feature arrays for both.
"""

from ._positivity import NegativeDensityReport, negative_density_report
from ._projection import Projection, project_positive
from ._ratio_nn import RatioNetworkPerTerm, RatioNetworkPolynomial
from ._ratio_trees import RatioTreeRegressor
from ._replicas import ReplicaBand, ReplicaEnsemble, fit_replicas
from ._targets import RatioPositivityError, check_features, term_coefficients
from ._torch_fit import (
    TrainingHistory,
    TrainSettings,
    forward,
    network_settings,
    reduced,
    seeded,
    torch_settings,
    train_torch,
)

__all__ = [
    "NegativeDensityReport",
    "Projection",
    "RatioNetworkPerTerm",
    "RatioNetworkPolynomial",
    "RatioPositivityError",
    "RatioTreeRegressor",
    "ReplicaBand",
    "ReplicaEnsemble",
    "TrainSettings",
    "TrainingHistory",
    "check_features",
    "fit_replicas",
    "forward",
    "negative_density_report",
    "network_settings",
    "project_positive",
    "reduced",
    "seeded",
    "term_coefficients",
    "torch_settings",
    "train_torch",
]
