"""Output heads of the ratio networks: target tensors, per-event loss, output → r_t(x).

Losses and their minimisers are derived in :mod:`._ratio_nn`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.nn import functional as F

from ._targets import Array


def f32(*arrays: Array) -> tuple[torch.Tensor, ...]:
    return tuple(torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)) for a in arrays)


class MSEHead:
    """Weighted MSE of the standardised targets; f = m + s·g. Works for T ≥ 1 outputs."""

    def __init__(self, mean: Array, scale: Array) -> None:
        self.mean, self.scale = mean, scale

    def tensors(self, weight: Array, ratio: Array) -> tuple[torch.Tensor, ...]:
        return f32(weight[:, None], (ratio - self.mean) / self.scale)

    @staticmethod
    def loss(out: torch.Tensor, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        w, y = batch
        return (w * (out - y) ** 2).sum(dim=1)

    def coefficients(self, out: Array) -> Array:
        return self.mean + self.scale * out


def _half_softplus_excess(z: torch.Tensor) -> torch.Tensor:
    """softplus(z) − log 2, accurate in float32 for small |z| (≈ z/2 + z²/8)."""
    small = z.clamp(-1.0, 1.0)
    return torch.where(
        z.abs() < 1.0, torch.log1p(torch.expm1(small) / 2), F.softplus(z) - np.log(2)
    )


class BCEHead:
    """ML4EFT weighted BCE of SM vs. c̄-shifted weights, logit z = log(1 + c̄m) + c̄s·g."""

    def __init__(self, mean: Array, scale: Array, cbar: float) -> None:
        self.mean, self.scale, self.cbar = mean, scale, cbar

    def tensors(self, weight: Array, ratio: Array) -> tuple[torch.Tensor, ...]:
        return f32(weight[:, None], weight[:, None] * (1 + self.cbar * ratio))

    def offset_slope(self) -> tuple[float, float]:
        return float(np.log1p(self.cbar * self.mean[0])), float(self.cbar * self.scale[0])

    def loss(self, out: torch.Tensor, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """BCE − its value at z = 0, times 4/(c̄ s)²: ≈ w (g − ĝ)² + const near the minimum,
        the scale of :class:`MSEHead` (gradients of O(c̄²) would fall below Adam's ε)."""
        w0, w1 = batch
        a, b = self.offset_slope()
        z = a + b * out
        bce = w0 * _half_softplus_excess(z) + w1 * _half_softplus_excess(-z)
        return bce.sum(dim=1) * (4.0 / b**2)

    def coefficients(self, out: Array) -> Array:
        a, b = self.offset_slope()
        return np.expm1(a + b * out) / self.cbar


def _mse_head(ratio: Array, weight: Array, mean: Array, scale: Array, strength: float) -> MSEHead:
    return MSEHead(mean, scale)


def _bce_head(ratio: Array, weight: Array, mean: Array, scale: Array, strength: float) -> BCEHead:
    """c̄ = strength / max(RMS(r_t), max(−r_t)): every label-1 weight ≥ (1 − strength) w_sm."""
    rms = float(np.sqrt(np.average(ratio**2, weights=weight)))
    most_negative = float(max(-ratio.min(), 0.0))
    return BCEHead(mean, scale, strength / max(rms, most_negative, np.finfo(float).tiny))


HEADS: dict[str, Callable[..., MSEHead | BCEHead]] = {"mse": _mse_head, "bce": _bce_head}
"""Loss name → head factory of :class:`RatioNetworkPerTerm`."""
