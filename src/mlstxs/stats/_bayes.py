"""Bayesian fit of Wilson coefficients by nested sampling (UltraNest), and a corner plot.

The posterior p(c | data) ∝ L(c) π(c), with π uniform on a box of bounds and ln L(c) =
−nll(c) for any batched ``nll(c_points (P, n)) -> (P,)`` returning −ln L, as
:meth:`mlstxs.stats.UnbinnedModel.nll` does (nested sampling of the unbinned likelihood
with uniform priors as in ML4EFT, arXiv:2211.02058; seed 004 §§3.3, 4.3.3, eqs. (3)–(11)).
Because that nll is −ln[L(c)/L(c_ref)], the evidence is Z = ∫ π(c) L(c)/L(c_ref) dc: ln Z
is the log Bayes factor of the box prior over the point hypothesis c = c_ref (the SM for a
reference at 0).

UltraNest (Buchner, arXiv:2101.09604) is an optional dependency (``pip install ultranest``,
which also brings ``corner``); it is imported on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_INVALID_LOGL = -1e100
"""ln L given to UltraNest where nll = +inf (r ≤ 0: no density); it needs finite values."""


@contextmanager
def _global_numpy_seed(seed: int) -> Iterator[None]:
    """Seed numpy's *global* RandomState, restoring the previous state on exit.

    UltraNest draws all its random numbers from ``np.random.*`` and takes no generator, so
    this is the one place mlstxs touches global RNG state: the only way to make a run
    reproducible. Not thread-safe (nothing using the global RNG is)."""
    state = np.random.get_state()  # noqa: NPY002 (UltraNest reads the global RNG)
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Keep UltraNest's INFO/DEBUG status lines off stdout (warnings still propagate).

    UltraNest attaches a stdout handler to the ``ultranest`` logger unless it has one; a
    NullHandler stands in for the run and the logger is restored afterwards."""
    logger = logging.getLogger(name)
    level, handlers = logger.level, list(logger.handlers)
    if not handlers:
        logger.addHandler(logging.NullHandler())
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.handlers[:] = handlers


@dataclass(frozen=True)
class CredibleInterval:
    """A 1-D marginal credible interval of one operator.

    Attributes
    ----------
    operator : str
    cl : float
        Posterior probability content.
    equal_tailed : (float, float)
        (1−cl)/2 and (1+cl)/2 quantiles of the marginal samples.
    highest_density : (float, float)
        The shortest interval holding a fraction cl of the samples (the highest-posterior-
        density interval of a unimodal marginal; for a multimodal one, the shortest single
        interval).
    median : float
    """

    operator: str
    cl: float
    equal_tailed: tuple[float, float]
    highest_density: tuple[float, float]
    median: float

    def __repr__(self) -> str:
        (a, b), (h, k) = self.equal_tailed, self.highest_density
        return (
            f"CredibleInterval({self.operator}, {100 * self.cl:g}%: equal-tailed "
            f"[{a:.4g}, {b:.4g}], HPD [{h:.4g}, {k:.4g}], median {self.median:.4g})"
        )

    def to_dict(self) -> dict:
        return {
            "operator": self.operator,
            "cl": self.cl,
            "equal_tailed": list(self.equal_tailed),
            "highest_density": list(self.highest_density),
            "median": self.median,
        }


def _shortest_interval(x: np.ndarray, cl: float) -> tuple[float, float]:
    """Shortest window [x_(i), x_(i+m−1)] of the sorted samples with m = ⌈cl·M⌉."""
    xs = np.sort(x)
    m = min(xs.size, int(np.ceil(cl * xs.size)))
    widths = xs[m - 1 :] - xs[: xs.size - m + 1]
    i = int(np.argmin(widths))
    return float(xs[i]), float(xs[i + m - 1])


@dataclass(frozen=True, eq=False)
class Posterior:
    """Result of :func:`posterior`.

    Attributes
    ----------
    operators : tuple of str
    samples : ndarray, shape (M, n_ops)
        Equally weighted posterior samples of c.
    logz, logz_error : float
        ln Z (see the module docstring) and its 1σ error (bootstrap ⊕ remainder).
    bounds : dict
        operator -> (low, high) of the uniform prior.
    n_calls : int
        Likelihood evaluations (points, not batches).
    n_invalid : int
        Of those, points where nll = +inf (negative density): excluded from the posterior.
    ess : float
        Effective sample size of the weighted run (the samples repeat points: the noise of a
        quantile q is ≈ √(q(1−q)/ess)/pdf).
    max_likelihood_point : ndarray, shape (n_ops,)
        The point of largest ln L found.
    """

    operators: tuple[str, ...]
    samples: np.ndarray
    logz: float
    logz_error: float
    bounds: dict[str, tuple[float, float]]
    n_calls: int
    n_invalid: int
    ess: float
    max_likelihood_point: np.ndarray

    def credible_interval(self, operator: str, cl: float = 0.95) -> CredibleInterval:
        """Equal-tailed and highest-density marginal intervals of ``operator`` at ``cl``."""
        if not 0 < cl < 1:
            raise ValueError(f"cl must be in (0, 1), got {cl}")
        x = self.samples[:, self.operators.index(operator)]
        lo, med, hi = np.quantile(x, [(1 - cl) / 2, 0.5, (1 + cl) / 2])
        hpd = _shortest_interval(x, cl)
        return CredibleInterval(operator, cl, (float(lo), float(hi)), hpd, float(med))

    def edge_mass(self, band: float = 0.02) -> dict[str, tuple[float, float]]:
        """Posterior mass within ``band`` × (high − low) of each prior edge, per operator:
        (at the low edge, at the high edge), fractions of the samples.

        ≈ 0 where the prior box contains the posterior; of order ``band`` times the
        marginal density there in units of the box when the box cuts the posterior off.
        """
        if not 0 < band < 0.5:
            raise ValueError(f"band must be in (0, 0.5), got {band}")
        out = {}
        for k, op in enumerate(self.operators):
            lo, hi = self.bounds[op]
            x, width = self.samples[:, k], band * (hi - lo)
            out[op] = (float(np.mean(x < lo + width)), float(np.mean(x > hi - width)))
        return out

    def __repr__(self) -> str:
        means = ", ".join(
            f"{o} = {m:.4g} ± {s:.2g}"
            for o, m, s in zip(
                self.operators, self.samples.mean(0), self.samples.std(0), strict=True
            )
        )
        return (
            f"Posterior({means}; ln Z = {self.logz:.3f} ± {self.logz_error:.3f}, "
            f"{len(self.samples)} samples, {self.n_calls} likelihood calls)"
        )

    def to_dict(self) -> dict:
        return {
            "operators": list(self.operators),
            "samples": self.samples.tolist(),
            "logz": self.logz,
            "logz_error": self.logz_error,
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "n_calls": self.n_calls,
            "n_invalid": self.n_invalid,
            "ess": self.ess,
            "max_likelihood_point": self.max_likelihood_point.tolist(),
            "credible_intervals": [
                self.credible_interval(o, cl).to_dict()
                for o in self.operators
                for cl in (0.68, 0.95)
            ],
        }


def _seed_from(random_state: int | np.random.Generator) -> int:
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    raise TypeError(f"random_state must be an int or a numpy Generator, got {random_state!r}")


def posterior(
    nll_function: Callable[[np.ndarray], np.ndarray],
    operators: Sequence[str],
    bounds: Mapping[str, tuple[float, float]],
    *,
    random_state: int | np.random.Generator,
    min_num_live_points: int = 400,
    min_ess: int = 400,
    dlogz: float = 0.5,
    max_ncalls: int | None = None,
) -> Posterior:
    """Sample p(c | data) ∝ exp(−nll(c)) on a uniform box prior (UltraNest, vectorised).

    Parameters
    ----------
    nll_function : callable
        ``nll(c_points (P, n_ops)) -> (P,)``, −ln L up to a constant (e.g.
        :meth:`UnbinnedModel.as_nll_function`); +inf marks points outside the model's
        validity (negative density), which get zero posterior density. NaN or −inf raise.
    operators : sequence of str
        Names of the columns of ``c_points``.
    bounds : mapping
        operator -> (low, high) of the uniform prior, for every operator.
    random_state : int or numpy.random.Generator
        Seed of the run: the same seed gives identical samples. UltraNest uses numpy's
        global RNG; it is seeded for the run and restored afterwards.
    min_num_live_points, min_ess, dlogz, max_ncalls
        Passed to ``ReactiveNestedSampler.run``: live points (more: finer posterior, ESS ≈
        4 × live points for a Gaussian), target effective sample size, target error of ln Z,
        a cap on likelihood calls.

    Returns
    -------
    Posterior
    """
    import ultranest  # optional dependency: imported here, not with the package

    ops = tuple(operators)
    if set(bounds) != set(ops):
        raise ValueError(f"bounds must name exactly the operators {ops}, got {sorted(bounds)}")
    lo, hi = (np.array([float(bounds[o][k]) for o in ops]) for k in (0, 1))
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (hi > lo).all()):
        raise ValueError(f"each prior needs finite low < high: {dict(bounds)}")
    n_invalid = 0

    def loglike(points: np.ndarray) -> np.ndarray:
        nonlocal n_invalid
        nll = np.asarray(nll_function(points), dtype=float)
        if nll.shape != (len(points),) or np.isnan(nll).any() or (nll == -np.inf).any():
            raise ValueError(
                f"nll_function must return finite or +inf values, shape ({len(points)},)"
            )
        invalid = nll == np.inf
        n_invalid += int(invalid.sum())
        return np.where(invalid, _INVALID_LOGL, -nll)

    def transform(cube: np.ndarray) -> np.ndarray:
        return lo + cube * (hi - lo)

    with _global_numpy_seed(_seed_from(random_state)), _quiet_logger("ultranest"):
        sampler = ultranest.ReactiveNestedSampler(
            list(ops), loglike, transform, log_dir=None, vectorized=True
        )
        result = sampler.run(
            min_num_live_points=min_num_live_points,
            min_ess=min_ess,
            dlogz=dlogz,
            max_ncalls=max_ncalls,
            show_status=False,
            viz_callback=False,
        )
    return Posterior(
        operators=ops,
        samples=np.asarray(result["samples"], dtype=float),
        logz=float(result["logz"]),
        logz_error=float(result["logzerr"]),
        bounds={o: (float(a), float(b)) for o, a, b in zip(ops, lo, hi, strict=True)},
        n_calls=int(result["ncall"]),
        n_invalid=n_invalid,
        ess=float(result["ess"]),
        max_likelihood_point=np.asarray(result["maximum_likelihood"]["point"], dtype=float),
    )


def corner_plot(
    posterior: Posterior, path: str | Path, *, levels: Sequence[float] = (0.68, 0.95)
) -> Path:
    """Write a corner plot of ``posterior`` to ``path`` (format from the suffix).

    1-D marginal histograms on the diagonal (dashed: 68% equal-tailed interval and median),
    2-D histograms below it with the highest-density contours holding ``levels`` of the
    2-D posterior mass. Drawn with the ``corner`` package (installed with UltraNest).
    """
    import corner
    import matplotlib.pyplot as plt

    fig = corner.corner(
        posterior.samples,
        labels=list(posterior.operators),
        range=[0.999] * len(posterior.operators),  # central 99.9% of each marginal
        bins=40,
        levels=tuple(levels),
        quantiles=(0.16, 0.5, 0.84),
        plot_datapoints=False,
        fill_contours=True,
    )
    fig.suptitle(f"ln Z = {posterior.logz:.2f} ± {posterior.logz_error:.2f}")
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
