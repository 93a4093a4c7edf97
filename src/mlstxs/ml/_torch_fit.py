"""The torch training core of the project's networks (ratio networks here, the region DNN of
:mod:`mlstxs.regions._dnn`): thread/determinism settings, seeded construction, the epoch loop
with early stopping (:func:`train_torch`), batched inference; and the ratio networks' MLP.

Conventions: one Adam optimiser; each epoch shuffles the training rows with the caller's
``numpy.random.Generator`` and runs contiguous mini-batches; the loss function returns one
(weighted) loss per row and a batch minimises their mean; after every epoch the validation loss
is computed in eval mode; training stops after ``patience`` epochs without a lower validation
loss and the weights of the best epoch are restored. For a fixed generator and thread count
the result is bit-identical on CPU (:func:`torch_settings`).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

_INFERENCE_BATCH = 65_536

RowLossFn = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], torch.Tensor]
"""(network output (n, m), batch tensors after X) → per-row weighted loss, shape (n,)."""

LossFn = Callable[[torch.Tensor, tuple[torch.Tensor, ...], str], torch.Tensor]
"""(network output (n, m), batch tensors after X, reduction) → the rows' weighted loss
reduced by ``reduction``, ``"mean"`` (a training batch) or ``"sum"`` (the validation set), as
the ``reduction`` of :mod:`torch.nn.functional` losses (0-d tensor)."""


def reduced(row_loss: RowLossFn) -> LossFn:
    """The :data:`LossFn` that takes the mean or the sum of ``row_loss`` over the rows."""

    def loss(out: torch.Tensor, batch: tuple[torch.Tensor, ...], reduction: str) -> torch.Tensor:
        rows = row_loss(out, batch)
        return rows.mean() if reduction == "mean" else rows.sum()

    return loss


@contextlib.contextmanager
def torch_settings(n_threads: int) -> Iterator[None]:
    """Set torch's intra-op threads and deterministic algorithms; restore both afterwards."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(n_threads)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def build_mlp(n_features: int, hidden_layers: Sequence[int], n_outputs: int) -> nn.Sequential:
    """(Linear → SiLU) per hidden layer, then Linear → ``n_outputs``.

    Unlike :func:`mlstxs.regions._dnn.build_network` there is no BatchNorm: its batch
    statistics add noise that, in regression of r_t, left a floor of ≈ 4–5 % (RMS error over
    the spread of the truth) on noise-free toy targets, against ≈ 0.5 % without it; SiLU
    instead of ReLU gave a further factor ≈ 1.5–2 and a smooth r_t(x).
    """
    layers: list[nn.Module] = []
    width = n_features
    for size in hidden_layers:
        layers += [nn.Linear(width, int(size)), nn.SiLU()]
        width = int(size)
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


def seeded(rng: np.random.Generator, make: Callable[[], nn.Module]) -> nn.Module:
    """Build a module with torch's RNG seeded from ``rng`` (global torch state untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(rng.integers(2**63 - 1)))
        return make()


def batch_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """Contiguous batches; a trailing batch of one row is merged into the previous one (a
    BatchNorm layer cannot train on a single row)."""
    starts = list(range(0, n, batch_size))
    if len(starts) > 1 and n - starts[-1] == 1:
        starts.pop()
    return list(zip(starts, [*starts[1:], n], strict=True))


def split_events(
    n: int, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random (train, validation) event indices, each sorted; ``fraction`` held out."""
    if not 0 < fraction < 1:
        raise ValueError(f"validation_fraction must lie in (0, 1), got {fraction}")
    n_val = max(1, round(fraction * n))
    if n - n_val < 2:
        raise ValueError(f"too few events ({n} with w_sm > 0) to hold out a validation set")
    perm = rng.permutation(n)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


@dataclass(frozen=True)
class TrainSettings:
    """Optimiser and stopping settings of :func:`train_torch`: the same-named hyperparameters
    of the estimators (Adam's learning rate, mini-batch size in rows, maximum epochs, epochs
    without a lower validation loss before stopping, per-epoch printout)."""

    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int
    verbose: bool = False


def network_settings(estimator: object) -> TrainSettings:
    """Validate the torch hyperparameters an estimator shares (``hidden_layers``,
    ``learning_rate``, ``batch_size``, ``max_epochs``, ``patience``, ``n_threads``,
    ``verbose``) and return its :class:`TrainSettings`; ``ValueError`` naming a bad one."""
    est: Any = estimator
    if not (len(est.hidden_layers) > 0 and all(int(h) >= 1 for h in est.hidden_layers)):
        raise ValueError(f"hidden_layers must be positive widths, got {est.hidden_layers}")
    for name in ("batch_size", "max_epochs", "patience", "n_threads"):
        if int(getattr(est, name)) < 1:
            raise ValueError(f"{name} must be ≥ 1, got {getattr(est, name)}")
    if not est.learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {est.learning_rate}")
    return TrainSettings(
        float(est.learning_rate),
        int(est.batch_size),
        int(est.max_epochs),
        int(est.patience),
        bool(est.verbose),
    )


@dataclass
class TrainingHistory:
    """Loss history of :func:`train_torch` and the restored epoch.

    Attributes
    ----------
    train_loss, val_loss : list of float
        Per epoch: the mean training loss over the epoch's batches (train mode), and the
        validation loss (eval mode); both per-row weighted means (see :func:`train_torch`).
    best_epoch : int
        0-based epoch whose weights were restored (lowest ``val_loss``).
    """

    train_loss: list[float]
    val_loss: list[float]
    best_epoch: int

    @property
    def n_epochs(self) -> int:
        """Epochs run."""
        return len(self.val_loss)

    def to_dict(self) -> dict:
        return {
            "train_loss": list(self.train_loss),
            "val_loss": list(self.val_loss),
            "best_epoch": self.best_epoch,
        }


def forward(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Network output in eval mode, no gradients, in batches of 65 536 rows."""
    net.eval()
    with torch.no_grad():
        return torch.cat(
            [net(X[i : i + _INFERENCE_BATCH]) for i in range(0, X.shape[0], _INFERENCE_BATCH)]
        )


def _train_epoch(
    net: nn.Module,
    optimiser: torch.optim.Optimizer,
    loss_fn: LossFn,
    shuffled: list[torch.Tensor],
    bounds: list[tuple[int, int]],
) -> float:
    """One pass over the shuffled rows in train mode; the row-weighted mean batch loss."""
    net.train()
    total = torch.zeros(())
    for start, stop in bounds:
        optimiser.zero_grad(set_to_none=True)
        batch = tuple(t[start:stop] for t in shuffled)
        loss = loss_fn(net(batch[0]), batch[1:], "mean")
        loss.backward()
        optimiser.step()
        total += loss.detach() * (stop - start)
    return float(total) / shuffled[0].shape[0]


def train_torch(
    net: nn.Module,
    loss_fn: LossFn,
    train: tuple[torch.Tensor, ...],
    val: tuple[torch.Tensor, ...],
    settings: TrainSettings,
    rng: np.random.Generator,
    *,
    val_normalisation: float | None = None,
) -> TrainingHistory:
    """Train ``net`` with Adam and early stopping; restore the best epoch's weights.

    Parameters
    ----------
    net : torch.nn.Module
        Trained in place; left in eval mode with the weights of ``best_epoch``.
    loss_fn : callable
        ``loss_fn(net(X), targets, reduction)``: mean (``"mean"``) or sum (``"sum"``) over
        the rows of their (weighted) losses ℓ_i; :func:`reduced` makes one from per-row
        losses, a :mod:`torch.nn.functional` loss with weights is one.
    train, val : tuple of torch.Tensor
        ``(X, *targets)``, each tensor with the rows along dimension 0.
    settings : TrainSettings
    rng : numpy.random.Generator
        Draws the permutation of the training rows of every epoch.
    val_normalisation : float, optional
        D of the validation loss below; default the number of validation rows.

    Returns
    -------
    TrainingHistory

    Notes
    -----
    A batch B minimises (1/|B|) Σ_{i∈B} ℓ_i (with weights normalised to mean 1 an unbiased
    estimate of the population loss); the epoch's training loss is Σ_B |B| L_B / n. The
    validation loss, in eval mode without gradients, is Σ_i ℓ_i / D. Stops after
    ``settings.patience`` epochs without a lower validation loss, or after
    ``settings.max_epochs``; ``RuntimeError`` if no validation loss was finite.
    """
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.learning_rate)
    bounds = batch_bounds(train[0].shape[0], settings.batch_size)
    norm = val[0].shape[0] if val_normalisation is None else val_normalisation
    history = TrainingHistory([], [], -1)
    best_loss, best_state, wait = np.inf, None, 0
    for epoch in range(settings.max_epochs):
        perm = torch.from_numpy(rng.permutation(train[0].shape[0]))
        train_loss = _train_epoch(net, optimiser, loss_fn, [t[perm] for t in train], bounds)
        with torch.no_grad():
            val_loss = float(loss_fn(forward(net, val[0]), val[1:], "sum")) / norm
        history.train_loss.append(train_loss)
        history.val_loss.append(val_loss)
        if settings.verbose:
            print(
                f"epoch {epoch}: train_loss {train_loss:.6g}  val_loss {val_loss:.6g}", flush=True
            )
        if val_loss < best_loss:
            best_loss, history.best_epoch, wait = val_loss, epoch, 0
            best_state = copy.deepcopy(net.state_dict())
        else:
            wait += 1
            if wait >= settings.patience:
                break
    if best_state is None:
        raise RuntimeError("training diverged: the validation loss is not finite")
    net.load_state_dict(best_state)
    net.eval()
    return history
