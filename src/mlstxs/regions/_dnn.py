"""Feed-forward DNN separating SM (y = 0) from SMEFT-benchmark (y = 1) events (paper §IV.C).

Architecture (paper §IV.C): hidden layers (126, 84, 42), each Linear → BatchNorm1d → ReLU,
then Linear → one logit z; s_DNN(x) = σ(z) ∈ [0, 1] (Eq. 11). Adam with learning rate 10⁻⁴
minimises the weighted binary cross-entropy

    L = Σ_i w_i [softplus(z_i) − y_i z_i] / Σ_i w_i,

whose minimiser is s(x) = w₁(x) / (w₀(x) + w₁(x)); for the design samples, where the same
events enter once with the SM weight (y = 0) and once with the benchmark weight w(c) (y = 1),
this is r/(1 + r) with r(x) = w(c)/w_SM, monotonic in the likelihood ratio.

Event weights are divided by one common factor (their mean over the training set), so the
relative class weights stay physical (paper §III.C) and the optimisation does not depend on the
units of the weights (pb per event are ~10⁻⁸). Features are standardised with the weighted mean
and standard deviation of the training set. Early stopping monitors the weighted validation
loss (the paper monitors the validation accuracy; the loss is smooth and is what is minimised)
and restores the weights of the best epoch. The epoch loop is the project's torch training
core, :func:`mlstxs.ml.train_torch`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F

from ..ml import (
    check_features,
    forward,
    network_settings,
    seeded,
    torch_settings,
    train_torch,
)

Array = NDArray[np.float64]


def build_network(n_features: int, hidden_layers: Sequence[int]) -> nn.Sequential:
    """(Linear → BatchNorm1d → ReLU) per hidden layer, then Linear → 1 logit."""
    layers: list[nn.Module] = []
    width = n_features
    for size in hidden_layers:
        layers += [nn.Linear(width, size), nn.BatchNorm1d(size), nn.ReLU()]
        width = size
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


def _check_target(X: Array, y: ArrayLike, w: ArrayLike | None, name: str) -> tuple[Array, Array]:
    """Labels (float64, values 0/1) and weights (non-negative, positive sum) for ``X``."""
    n = X.shape[0]
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y{name} must have shape ({n},), got {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y{name} must contain only the labels 0 (SM) and 1 (SMEFT)")
    w = np.ones(n) if w is None else np.asarray(w, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"sample_weight{name} must have shape ({n},), got {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError(f"sample_weight{name} contains NaN or inf")
    if (w < 0).any():
        raise ValueError(f"sample_weight{name} has negative entries")
    if not w.sum() > 0:
        raise ValueError(f"sample_weight{name} sums to zero")
    return y.astype(np.float64), w


def weighted_bce(
    logits: torch.Tensor, batch: tuple[torch.Tensor, ...], reduction: str
) -> torch.Tensor:
    """Σ_i or mean_i of w_i [softplus(z_i) − y_i z_i] for logits (n, 1) and ``batch = (y, w)``
    (the loss of the module docstring before the division by Σ w)."""
    y, w = batch
    return F.binary_cross_entropy_with_logits(logits.squeeze(1), y, weight=w, reduction=reduction)


class DNNClassifier(ClassifierMixin, BaseEstimator):
    """Weighted DNN classifier, SM (0) vs SMEFT benchmark (1), with early stopping.

    Parameters
    ----------
    hidden_layers : sequence of int
        Widths of the hidden layers.
    learning_rate : float
        Adam learning rate.
    batch_size : int
        Training mini-batch size (rows).
    max_epochs : int
        Maximum number of passes over the training set.
    patience : int
        Stop after this many epochs without a decrease of the validation loss.
    validation_fraction : float
        Fraction of the rows held out at random for early stopping, used only when ``fit``
        gets no ``eval_set``. Rows are split independently: when the same event enters with
        both labels, pass an event-wise split as ``eval_set`` instead.
    random_state : int, numpy.random.Generator or None
        Seeds the initialisation (torch, in a forked RNG: the global state is untouched), the
        validation split and the per-epoch shuffling (numpy). For a fixed seed and
        ``n_threads`` the predictions are bit-identical on CPU.
    n_threads : int
        Torch intra-op threads inside ``fit``/``predict*`` (restored afterwards).
    verbose : bool
        Print the losses after every epoch.

    Attributes
    ----------
    mean_, scale_ : ndarray, shape (n_features,)
        Weighted mean and standard deviation of the training features (1 where constant).
    model_ : torch.nn.Sequential
        The network with the weights of ``best_epoch_``, in eval mode.
    history_ : dict
        ``train_loss`` and ``val_loss``: weighted mean BCE per epoch (training loss averaged
        over the epoch's batches in train mode; validation loss in eval mode).
    n_epochs_ : int
        Epochs run.
    best_epoch_ : int
        0-based index of the restored epoch in ``history_`` lists.
    classes_ : ndarray
        ``array([0, 1])``.
    n_features_in_ : int
    """

    def __init__(
        self,
        hidden_layers: Sequence[int] = (126, 84, 42),
        learning_rate: float = 1e-4,
        batch_size: int = 1024,
        max_epochs: int = 200,
        patience: int = 3,
        validation_fraction: float = 0.1,
        random_state: int | np.random.Generator | None = None,
        n_threads: int = 1,
        verbose: bool = False,
    ) -> None:
        self.hidden_layers = hidden_layers
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        *,
        eval_set: tuple[ArrayLike, ArrayLike, ArrayLike | None] | None = None,
    ) -> DNNClassifier:
        """Train on features ``X`` (n, n_features), labels ``y`` ∈ {0, 1}, event weights.

        ``eval_set = (X_val, y_val, w_val)`` (``w_val`` may be None) is the early-stopping set;
        without it a random ``validation_fraction`` of the rows is held out. Returns ``self``.
        """
        settings = network_settings(self)
        X = check_features(X)
        y, w = _check_target(X, y, sample_weight, "")
        rng = np.random.default_rng(self.random_state)
        train, val = self._split(X, y, w, eval_set, rng)
        if np.unique(train[1]).size < 2:
            raise ValueError("the training set must contain both classes 0 and 1")
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.array([0, 1])
        wt = train[2]
        self.mean_ = np.average(train[0], axis=0, weights=wt)
        scale = np.sqrt(np.average((train[0] - self.mean_) ** 2, axis=0, weights=wt))
        self.scale_ = np.where(scale > 0, scale, 1.0)
        with torch_settings(self.n_threads):
            self.model_ = seeded(rng, lambda: build_network(X.shape[1], self.hidden_layers))
            val_t = self._tensors(*val)
            history = train_torch(
                self.model_,
                weighted_bce,
                self._tensors(*train),
                val_t,
                settings,
                rng,
                val_normalisation=float(val_t[2].sum()),
            )
        self.history_ = {"train_loss": history.train_loss, "val_loss": history.val_loss}
        self.best_epoch_, self.n_epochs_ = history.best_epoch, history.n_epochs
        return self

    def _split(self, X, y, w, eval_set, rng) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
        """(X, y, w) of the training and of the validation set."""
        if eval_set is not None:
            if len(eval_set) != 3:
                raise ValueError("eval_set must be a tuple (X_val, y_val, w_val)")
            X_val = check_features(eval_set[0], X.shape[1], "X_val")
            return (X, y, w), (X_val, *_check_target(X_val, eval_set[1], eval_set[2], "_val"))
        if not 0 < self.validation_fraction < 1:
            raise ValueError(
                f"validation_fraction must lie in (0, 1), got {self.validation_fraction}"
            )
        n_val = max(1, round(self.validation_fraction * X.shape[0]))
        if n_val >= X.shape[0] - 1:
            raise ValueError("too few rows to hold out a validation set")
        perm = rng.permutation(X.shape[0])
        val, train = perm[:n_val], perm[n_val:]
        if not w[val].sum() > 0:
            raise ValueError("the validation set has zero total weight")
        return (X[train], y[train], w[train]), (X[val], y[val], w[val])

    def _tensors(self, X: Array, y: Array, w: Array) -> tuple[torch.Tensor, ...]:
        """Standardised float32 features, labels, and weights normalised to mean 1."""
        return (
            self._standardise(X),
            torch.from_numpy(y.astype(np.float32)),
            torch.from_numpy((w / w.mean()).astype(np.float32)),
        )

    def _standardise(self, X: Array) -> torch.Tensor:
        return torch.from_numpy(((X - self.mean_) / self.scale_).astype(np.float32))

    def decision_function(self, X: ArrayLike) -> Array:
        """Logit z(x), shape (n,); s_DNN = σ(z)."""
        check_is_fitted(self, "model_")
        X = check_features(X, self.n_features_in_)
        with torch_settings(self.n_threads):
            return forward(self.model_, self._standardise(X)).squeeze(1).numpy().astype(np.float64)

    def predict_proba(self, X: ArrayLike) -> Array:
        """Class probabilities, shape (n, 2): columns (SM, SMEFT); column 1 is s_DNN(x)."""
        z = self.decision_function(X)
        return np.stack([expit(-z), expit(z)], axis=1)

    def predict(self, X: ArrayLike) -> NDArray[np.int64]:
        """Most probable class (0 or 1) per row."""
        z = self.decision_function(X)
        return self.classes_[(z > 0).astype(np.int64)]

    def __sklearn_tags__(self):
        """Binary classifier with the labels 0 (SM) and 1 (SMEFT) only."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
