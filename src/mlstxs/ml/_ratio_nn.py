"""Neural networks for the coefficient functions r_t(x) = E[w_t | x] / E[w_sm | x].

Two losses have r_t as population minimiser (w_sm, w_t: weight terms of event i):

``"mse"`` — weighted least squares, as for the boosted information trees,

    L[f] = Σ_i w_sm,i (f(x_i) − w_t,i / w_sm,i)²,

minimised pointwise by E[w_sm|x] f = E[w_t|x] (derivation in :mod:`._ratio_trees`).

``"bce"`` — the ML4EFT classifier (Ambrosio et al., arXiv:2211.02058), written as a weighted
binary cross-entropy: SM events (weight w_sm, label 0) against the same events at a value
c̄ of the single term t (weight w_sm + c̄ w_t, label 1),

    L[z] = Σ_i w_sm,i softplus(z_i) + (w_sm,i + c̄ w_t,i) softplus(−z_i),

minimised by e^{z(x)} = 1 + c̄ r_t(x), so f = expm1(z)/c̄. The logit is z = log(1 + c̄ m_t)
+ c̄ s_t g(x) with g the network output, so no positivity constraint is imposed on the network
and no clipping is needed. c̄ is chosen per term as
``bce_strength / max(RMS(r_t), max_i(−w_t,i/w_sm,i))``, so every label-1 weight is
≥ (1 − bce_strength) w_sm > 0 and the loss is bounded below. Expanding around the minimum,
the BCE excess is Σ_i w_sm,i (c̄²/2) (f − r_t)² / ((1 + c̄ r_t)(2 + c̄ r_t)): the weighted MSE
times c̄²/4 where |c̄ r_t| ≪ 1, a relative squared error (f − r_t)²/(2 r_t²) where c̄ r_t ≫ 1.
Same minimiser, different finite-sample weighting: the BCE damps the heavy tail of a
quadratic term (at parton level, w_aa/w_sm reaches 10⁵ where w_sm is tiny), which made it the
most precise learner for cHW² (weighted correlation 0.994 against 0.978 for "mse", see
``tests/ml/test_physics.py``). ``"mse"`` stays the default: it has no c̄ to choose, needs no
condition 1 + c̄ r_t(x) > 0 (single parton-level events with w_t/w_sm ≈ −150 force c̄ of a
linear term to be tiny, where the BCE is the MSE again), and no care with float32 round-off
(the BCE is evaluated as softplus(z) − log 2 via log1p(expm1(z)/2) for that reason).

:class:`RatioNetworkPerTerm` trains one network per term (ML4EFT); :class:`RatioNetworkPolynomial`
one network with a shared body and one output per term, trained with the sum over terms of the
weighted MSE of the standardised targets (r_t − m_t)/s_t. The terms' minimisers do not
interact (each output has its own minimiser r_t), so the sum keeps the exact per-term optimum,
and the standardisation gives each term equal say in the shared body. The alternative — the
full-ratio BCE at sampled c points — requires w(c) ≥ 0 at every sampled point, a sampling law
for c, and weighs the terms by c-dependent factors; its small-c limit is this loss again.

Features are standardised with w_sm-weighted means and standard deviations; events with
w_sm = 0 are dropped (counted in ``n_dropped_``); weights are divided by their mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._losses import HEADS, BCEHead, MSEHead, f32
from ._targets import (
    Array,
    Pair,
    RatioMixin,
    RatioTargets,
    check_features,
    resolve_terms,
    weighted_moments,
)
from ._torch_fit import (
    TrainingHistory,
    build_mlp,
    forward,
    network_settings,
    reduced,
    seeded,
    split_events,
    torch_settings,
    train_torch,
)


class _RatioNetwork(RatioMixin, BaseEstimator):
    """Shared ``fit``: validation, split, standardisation; subclasses train the networks."""

    networks_: list[nn.Module]
    heads_: list[MSEHead | BCEHead]

    def fit(
        self, X: ArrayLike, y: ArrayLike, *, terms: Sequence[str | Pair] | None = None
    ) -> _RatioNetwork:
        """Fit r_t(x) for every SMEFT column of the weight terms.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : array-like, shape (n_samples, K)
            Weight terms W per event, column 0 = w_sm ≥ 0 (any common unit); the sample
            weights are implied by it (no ``sample_weight`` argument).
        terms : sequence of str or (int, int), optional
            The term of each column of W; default all terms of ``operators``.

        Returns
        -------
        self
        """
        self._check_hyperparameters()
        X = check_features(X)
        data = RatioTargets(X, y)
        self.terms_ = resolve_terms(self.operators, terms, data.ratio.shape[1] + 1)
        rng = np.random.default_rng(self.random_state)
        train, val = split_events(data.X.shape[0], float(self.validation_fraction), rng)
        self.mean_, self.scale_ = weighted_moments(data.X[train], data.weight[train])
        self.target_mean_, self.target_scale_ = weighted_moments(
            data.ratio[train], data.weight[train]
        )
        (Xs,) = f32((data.X - self.mean_) / self.scale_)
        idx = (torch.from_numpy(train), torch.from_numpy(val))
        with torch_settings(int(self.n_threads)):
            self.history_ = self._fit_networks(Xs, data, idx, rng)
        self.n_epochs_ = [h.n_epochs for h in self.history_]
        self.n_dropped_ = data.n_dropped
        self.n_features_in_ = X.shape[1]
        return self

    def _check_hyperparameters(self) -> None:
        network_settings(self)

    def _train_one(
        self, head, width: int, Xs, tensors, idx, rng
    ) -> tuple[nn.Module, TrainingHistory]:
        """Build (seeded) and train one network with ``width`` outputs."""
        net = seeded(rng, lambda: build_mlp(Xs.shape[1], self.hidden_layers, width))
        train, val = ((Xs[i], *(t[i] for t in tensors)) for i in idx)
        settings = network_settings(self)
        return net, train_torch(net, reduced(head.loss), train, val, settings, rng)

    def predict_coefficients(self, X: ArrayLike) -> Array:
        """Learned r_t(x), shape (n_samples, K − 1), columns in the order of W's columns 1…."""
        check_is_fitted(self, "networks_")
        X = check_features(X, self.n_features_in_)
        (Xs,) = f32((X - self.mean_) / self.scale_)
        with torch_settings(int(self.n_threads)):
            outs = [forward(net, Xs).numpy().astype(np.float64) for net in self.networks_]
        return np.column_stack(
            [head.coefficients(o) for head, o in zip(self.heads_, outs, strict=True)]
        )


_COMMON_PARAMETERS = """
    operators : sequence of str
        Wilson coefficients of the weight polynomial (columns of the c points, in this order).
    hidden_layers : sequence of int
        Hidden widths of the MLP (Linear → SiLU per layer, then Linear; see
        :func:`._torch_fit.build_mlp` for why there is no BatchNorm).
    learning_rate : float
        Adam learning rate.
    batch_size : int
        Training mini-batch size (events).
    max_epochs : int
        Maximum passes over the training events.
    patience : int
        Stop after this many epochs without a lower validation loss; the best epoch's weights
        are restored.
    validation_fraction : float
        Fraction of the events (w_sm > 0) held out at random for early stopping.
    random_state : int, numpy.random.Generator or None
        Seeds initialisation (forked torch RNG), split and shuffling: for a fixed seed and
        ``n_threads`` the predictions are bit-identical on CPU.
    n_threads : int
        Torch intra-op threads inside ``fit``/``predict_*`` (restored afterwards).
    verbose : bool
        Print the losses after every epoch."""

_COMMON_ATTRIBUTES = """
    terms_ : list of (int, int)
        Term pair of each column of W; ``terms_[0] == (0, 0)``.
    mean_, scale_ : ndarray, shape (n_features,)
        w_sm-weighted mean and standard deviation of the training features.
    target_mean_, target_scale_ : ndarray, shape (K − 1,)
        w_sm-weighted mean (σ_t/σ_sm) and standard deviation of w_t/w_sm on the training set.
    networks_ : list of torch.nn.Sequential
        Trained networks in eval mode.
    history_ : list of TrainingHistory
        Per network: ``train_loss``, ``val_loss`` (per-event weighted mean of the loss
        minimised: weighted MSE of the standardised target; for "bce" the BCE minus its
        value at z = 0, times 4/(c̄ s_t)²) and ``best_epoch``.
    n_epochs_ : list of int
    n_dropped_ : int
        Training events with w_sm = 0 (dropped).
    n_features_in_ : int"""


class RatioNetworkPerTerm(_RatioNetwork):
    __doc__ = f"""One MLP per coefficient function r_t(x) (the ML4EFT set-up).

    Parameters
    ----------{_COMMON_PARAMETERS}
    loss : "mse" or "bce"
        Weighted least squares, or the ML4EFT weighted BCE at a small c̄ (module docstring).
    bce_strength : float
        For ``loss="bce"``: c̄ = bce_strength / max(RMS(w_t/w_sm), max(−w_t/w_sm)), in (0, 1).

    Attributes
    ----------{_COMMON_ATTRIBUTES}
    heads_ : list of MSEHead or BCEHead
        Output maps per term (``BCEHead.cbar`` is the c̄ used).
    """

    def __init__(
        self,
        operators: Sequence[str] = ("cHW",),
        hidden_layers: Sequence[int] = (64, 64),
        learning_rate: float = 1e-3,
        batch_size: int = 512,
        max_epochs: int = 100,
        patience: int = 8,
        validation_fraction: float = 0.2,
        random_state: int | np.random.Generator | None = None,
        n_threads: int = 1,
        verbose: bool = False,
        loss: str = "mse",
        bce_strength: float = 0.1,
    ) -> None:
        self.operators = operators
        self.hidden_layers = hidden_layers
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose
        self.loss = loss
        self.bce_strength = bce_strength

    def _check_hyperparameters(self) -> None:
        super()._check_hyperparameters()
        if self.loss not in HEADS:
            raise ValueError(
                f"loss must be one of {', '.join(map(repr, HEADS))}, got {self.loss!r}"
            )
        if not 0 < self.bce_strength < 1:
            raise ValueError(f"bce_strength must lie in (0, 1), got {self.bce_strength}")

    def _fit_networks(self, Xs, data: RatioTargets, idx, rng) -> list[TrainingHistory]:
        self.networks_, self.heads_, history = [], [], []
        make_head = HEADS[self.loss]
        for t in range(data.ratio.shape[1]):
            ratio = data.ratio[:, t : t + 1]
            head = make_head(
                ratio,
                data.weight[:, None],
                self.target_mean_[t : t + 1],
                self.target_scale_[t : t + 1],
                float(self.bce_strength),
            )
            net, result = self._train_one(head, 1, Xs, head.tensors(data.weight, ratio), idx, rng)
            self.networks_.append(net)
            self.heads_.append(head)
            history.append(result)
        return history


class RatioNetworkPolynomial(_RatioNetwork):
    __doc__ = f"""One MLP with a shared body and K − 1 outputs, one per coefficient function.

    Trained with Σ_t Σ_i w_sm,i (g_t(x_i) − (w_t,i/w_sm,i − m_t)/s_t)², r_t = m_t + s_t g_t
    (module docstring for the choice of loss).

    Parameters
    ----------{_COMMON_PARAMETERS}

    Attributes
    ----------{_COMMON_ATTRIBUTES}
    heads_ : list of one MSEHead
    """

    def __init__(
        self,
        operators: Sequence[str] = ("cHW",),
        hidden_layers: Sequence[int] = (64, 64),
        learning_rate: float = 1e-3,
        batch_size: int = 512,
        max_epochs: int = 100,
        patience: int = 8,
        validation_fraction: float = 0.2,
        random_state: int | np.random.Generator | None = None,
        n_threads: int = 1,
        verbose: bool = False,
    ) -> None:
        self.operators = operators
        self.hidden_layers = hidden_layers
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_threads = n_threads
        self.verbose = verbose

    def _fit_networks(self, Xs, data: RatioTargets, idx, rng) -> list[TrainingHistory]:
        head = MSEHead(self.target_mean_, self.target_scale_)
        tensors = head.tensors(data.weight, data.ratio)
        net, result = self._train_one(head, data.ratio.shape[1], Xs, tensors, idx, rng)
        self.networks_, self.heads_ = [net], [head]
        return [result]
