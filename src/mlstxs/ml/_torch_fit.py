"""Torch plumbing of the ratio networks: the MLP, thread/determinism settings, the epoch loop
with early stopping, batched inference. Same conventions as :mod:`mlstxs.regions._dnn`."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

_INFERENCE_BATCH = 65_536

LossFn = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], torch.Tensor]
"""(network output (n, m), batch tensors after X) → per-event weighted loss, shape (n,)."""


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
    """Contiguous batches; a trailing batch of one row is merged into the previous one."""
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
    """Optimiser and stopping settings (the estimators' hyperparameters)."""

    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int
    verbose: bool


@dataclass
class TrainResult:
    """Loss history (per-event weighted mean losses) and the restored epoch."""

    train_loss: list[float]
    val_loss: list[float]
    best_epoch: int

    @property
    def n_epochs(self) -> int:
        return len(self.val_loss)


def forward(net: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Network output in eval mode, no gradients, in batches of 65 536 rows."""
    net.eval()
    with torch.no_grad():
        return torch.cat(
            [net(X[i : i + _INFERENCE_BATCH]) for i in range(0, X.shape[0], _INFERENCE_BATCH)]
        )


def train_network(
    net: nn.Module,
    loss_fn: LossFn,
    train: tuple[torch.Tensor, ...],
    val: tuple[torch.Tensor, ...],
    settings: TrainSettings,
    rng: np.random.Generator,
) -> TrainResult:
    """Adam epochs over shuffled ``train = (X, *targets)``; stop after ``patience`` epochs
    without a lower validation loss and restore the best weights (net left in eval mode).

    The training loss of a batch is the mean of ``loss_fn`` over its rows (weights normalised
    to mean 1 make it an unbiased estimate of the population loss); the validation loss is the
    sum over ``val`` divided by its number of rows.
    """
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.learning_rate)
    bounds = batch_bounds(train[0].shape[0], settings.batch_size)
    result = TrainResult([], [], -1)
    best_loss, best_state, wait = np.inf, None, 0
    for epoch in range(settings.max_epochs):
        perm = torch.from_numpy(rng.permutation(train[0].shape[0]))
        shuffled = [t[perm] for t in train]
        net.train()
        total = torch.zeros(())
        for start, stop in bounds:
            optimiser.zero_grad(set_to_none=True)
            batch = tuple(t[start:stop] for t in shuffled)
            loss = loss_fn(net(batch[0]), batch[1:]).mean()
            loss.backward()
            optimiser.step()
            total += loss.detach() * (stop - start)
        with torch.no_grad():
            val_loss = float(loss_fn(forward(net, val[0]), val[1:]).sum()) / val[0].shape[0]
        result.train_loss.append(float(total) / train[0].shape[0])
        result.val_loss.append(val_loss)
        if settings.verbose:
            print(f"epoch {epoch}: train {result.train_loss[-1]:.6g}  val {val_loss:.6g}")
        if val_loss < best_loss:
            best_loss, result.best_epoch, wait = val_loss, epoch, 0
            best_state = copy.deepcopy(net.state_dict())
        else:
            wait += 1
            if wait >= settings.patience:
                break
    if best_state is None:
        raise RuntimeError("training diverged: the validation loss is not finite")
    net.load_state_dict(best_state)
    net.eval()
    return result
