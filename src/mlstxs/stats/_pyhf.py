"""The binned SMEFT likelihood as a pyhf workspace, and a cross-check against pyhf.

pyhf (Heinrich, Feickert, Stark, Cranmer, JOSS 6 (2021) 2823; HistFactory, CERN-OPEN-2012-016)
is optional: it is imported inside the functions here, never by ``import mlstxs.stats``.

Mapping of eq. (2) of :mod:`mlstxs.stats._binned` onto HistFactory. pyhf has no per-bin
``normsys``, and ``shapesys`` is Poisson-constrained, so the per-bin normalisations θ_k are
``histosys`` modifiers ``bkg_norm_<k>``, one per bin with ε_k > 0, whose up/down templates
differ from the nominal b only in bin k: hi_k = b_k(1 + ε_k), lo_k = b_k(1 − ε_k). With
interpolation code 0 (piecewise linear, pyhf's default for histosys) the background in bin k
is exactly b_k + θ_k ε_k b_k, and the constraint is N(0 | θ_k, 1). Their bounds are
[−1/ε_k, 50]: the lower one is the physical domain b_k(1 + ε_k θ_k) ≥ 0 of our model.
The signal is the EFT excess at a benchmark point, s_k = ν_k(c_b) − b_k, times the POI
``mu`` (a ``normfactor``): ν_k = b_k(1 + ε_k θ_k) + mu s_k equals our ν_k(mu c_b, θ) exactly
when the yield is linear along c_b (no quadratic terms there), which :func:`pyhf_crosscheck`
requires.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from ._binned import BinnedData, BinnedPolynomialModel, Point

WORKSPACE_VERSION = "1.0.0"
POI_BOUNDS = (-50.0, 50.0)
THETA_HIGH = 50.0


def _signal(model: BinnedPolynomialModel, c_benchmark: Point) -> tuple[np.ndarray, np.ndarray]:
    """(c_b (n_ops,), s (n_bins,)): the benchmark point and its EFT excess ν(c_b) − b."""
    c = model.point(c_benchmark)
    if not np.any(c != 0):
        raise ValueError("c_benchmark must differ from the SM (it sets the signal template)")
    s = model.expected(c)[0] - model.background
    if not np.any(s != 0):
        raise ValueError(f"c_benchmark {c_benchmark!s} gives no EFT excess in any bin")
    return c, s


def to_pyhf_workspace(
    model: BinnedPolynomialModel, data: BinnedData | ArrayLike, c_benchmark: Point
) -> dict:
    """A pyhf JSON workspace (schema v1.0.0) of eq. (2) with the signal s = ν(c_b) − b × mu.

    Returns the JSON-ready dict, validated with ``pyhf.schema.validate``. The counts become
    the channel's observations; global observables θ⁰ ≠ 0 (pseudo-experiments) have no place
    in a workspace and go into the data vector at fit time (see :func:`pyhf_crosscheck`).
    """
    import pyhf  # optional dependency

    n = model.counts(data)
    _, s = _signal(model, c_benchmark)
    b = model.background
    modifiers, parameters = [], [{"name": "mu", "bounds": [list(POI_BOUNDS)]}]
    for k in np.flatnonzero(model.epsilon > 0):
        eps = float(model.epsilon[k])
        hi, lo = b.copy(), b.copy()
        hi[k], lo[k] = b[k] * (1.0 + eps), b[k] * (1.0 - eps)
        name = f"bkg_norm_{model.bins[k]}"
        modifiers.append(
            {
                "name": name,
                "type": "histosys",
                "data": {"hi_data": hi.tolist(), "lo_data": lo.tolist()},
            }
        )
        parameters.append({"name": name, "bounds": [[-1.0 / eps, THETA_HIGH]]})
    spec = {
        "channels": [
            {
                "name": "smeft",
                "samples": [
                    {"name": "background", "data": b.tolist(), "modifiers": modifiers},
                    {
                        "name": "signal",
                        "data": s.tolist(),
                        "modifiers": [{"name": "mu", "type": "normfactor", "data": None}],
                    },
                ],
            }
        ],
        "observations": [{"name": "smeft", "data": n.tolist()}],
        "measurements": [{"name": "smeft", "config": {"poi": "mu", "parameters": parameters}}],
        "version": WORKSPACE_VERSION,
    }
    with _quiet():
        pyhf.schema.validate(spec, "workspace.json")
    return spec


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence jsonschema's RefResolver deprecation, raised inside pyhf's schema validation."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pyhf\.")
        yield


@dataclass(frozen=True, eq=False)
class PyhfCrosscheck:
    """Δ(−2 ln L)(mu) along c = mu c_b from pyhf and from :class:`BinnedPolynomialModel`."""

    mu: np.ndarray
    delta_ours: np.ndarray
    delta_pyhf: np.ndarray
    mu_hat_ours: float
    mu_hat_pyhf: float

    @property
    def max_rel_diff(self) -> float:
        """max |Δ_pyhf − Δ_ours| / max(Δ_ours, 1)."""
        diff = np.abs(self.delta_pyhf - self.delta_ours) / np.maximum(self.delta_ours, 1.0)
        return float(diff.max())

    def to_dict(self) -> dict:
        return {
            "mu": self.mu.tolist(),
            "delta_ours": self.delta_ours.tolist(),
            "delta_pyhf": self.delta_pyhf.tolist(),
            "mu_hat_ours": self.mu_hat_ours,
            "mu_hat_pyhf": self.mu_hat_pyhf,
            "max_rel_diff": self.max_rel_diff,
        }


def pyhf_crosscheck(
    model: BinnedPolynomialModel,
    data: BinnedData | ArrayLike,
    c_benchmark: Point,
    mu: Sequence[float],
    tolerance: float = 1e-8,
) -> PyhfCrosscheck:
    """Profile likelihood Δ(−2 ln L)(mu) of pyhf (numpy backend, MINUIT) vs. ours at c = mu c_b.

    Both profile every θ_k; pyhf with MIGRAD, we in closed form. The yield must be linear
    along c_b (pyhf's ``mu`` scales the signal template linearly); ValueError otherwise.
    """
    import pyhf  # optional dependency

    c_b, s = _signal(model, c_benchmark)
    nu2 = model.expected(2.0 * c_b)[0] - model.background
    if not np.allclose(nu2, 2.0 * s, rtol=1e-10, atol=1e-12 * np.abs(model.coefficients).max()):
        raise ValueError(
            "the yield is not linear along c_benchmark (quadratic terms): pyhf's normfactor "
            "mu cannot express it; cross-check with a linear model or direction"
        )
    n, aux = model.observations(data)
    mus = np.asarray(mu, dtype=float)
    ours = model.nll(mus[:, None] * c_b[None, :], data)
    best = minimize_scalar(
        lambda m: model.nll(m * c_b, data)[0],
        bounds=_domain(model.background, s),
        method="bounded",
        options={"xatol": 1e-10},
    )
    with _quiet():
        ws = pyhf.Workspace(to_pyhf_workspace(model, n, c_b))
    saved = pyhf.get_backend()
    pyhf.set_backend("numpy", pyhf.optimize.minuit_optimizer(tolerance=tolerance))
    try:
        with _quiet():
            pdf = ws.model()
        aux_by_name = {f"bkg_norm_{b}": float(v) for b, v in zip(model.bins, aux, strict=True)}
        obs = list(n) + [aux_by_name[name] for name in pdf.config.auxdata_order]
        fit, twice_min = pyhf.infer.mle.fit(obs, pdf, return_fitted_val=True)
        twice = [pyhf.infer.mle.fixed_poi_fit(m, obs, pdf, return_fitted_val=True)[1] for m in mus]
    finally:
        pyhf.set_backend(*saved)
    return PyhfCrosscheck(
        mus,
        2.0 * (ours - min(best.fun, ours.min())),
        np.asarray(twice, dtype=float) - float(twice_min),
        float(best.x),
        float(fit[pdf.config.poi_index]),
    )


def _domain(b: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """The mu ∈ POI_BOUNDS where every ν_k = b_k + mu s_k ≥ 0 (−ln L finite)."""
    with np.errstate(divide="ignore"):
        edge = -b / s
    low = max([POI_BOUNDS[0], *edge[s > 0].tolist()])
    high = min([POI_BOUNDS[1], *edge[s < 0].tolist()])
    return low, high
