"""Unbinned extended likelihood: −ln λ of 1e5 events at 1e4 parameter points (one core).

Run as ``OMP_NUM_THREADS=1 python benchmarks/bench_unbinned.py [n_events] [n_points]``.

Synthetic sample with 2 operators (5 ratio columns): per event r(x, c) = (1 + a·c)² + (b·c)²
with Gaussian a, b (a density for every c). Times :meth:`UnbinnedModel.nll` (the fast path:
one BLAS product, log1p and a weighted sum per 2 MiB block of the N × P ratio matrix) and
:meth:`UnbinnedModel.nll_with_diagnostics` (adds the per-point minimum ratio and the count of
r ≤ 0) on Asimov data, best of 3 (the machine may be shared). The peak of extra memory is
measured with tracemalloc (numpy reports its buffers to it).
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np

from mlstxs.stats._unbinned import fisher_information, unbinned_model

OPS = ("cHW", "cHWB")


def synthetic_model(n_events: int, seed: int = 1):
    """r = (1 + a·c)² + (b·c)², a ~ N(0, 0.5), b ~ N(0, 0.2); ν_SM = 2000 events at 10 fb⁻¹."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 0.5, (n_events, 2))
    b = rng.normal(0.0, 0.2, (n_events, 2))
    r = np.column_stack(
        [
            2 * a[:, 0],
            2 * a[:, 1],
            a[:, 0] ** 2 + b[:, 0] ** 2,
            2 * (a[:, 0] * a[:, 1] + b[:, 0] * b[:, 1]),
            a[:, 1] ** 2 + b[:, 1] ** 2,
        ]
    )
    w_sm = rng.uniform(0.5, 1.5, n_events)
    w_sm *= 2000.0 / (1e4 * w_sm.sum())
    return unbinned_model(r, w_sm, OPS, 10.0)


def best_of(repeat: int, func, *args):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(n_events: int = 100_000, n_points: int = 10_000) -> None:
    model = synthetic_model(n_events)
    data = model.asimov_data([0.0, 0.0])
    points = np.random.default_rng(2).uniform(-0.5, 0.5, (n_points, 2))
    print(f"{n_events} events x {n_points} points, 2 operators (5 ratio terms), one core")
    t_fast, values = best_of(3, model.nll, points, data)
    ns = 1e9 * t_fast / (n_events * n_points)
    print(f"nll:                  {t_fast:.2f} s  ({ns:.2f} ns per event x point)")
    t_diag, res = best_of(3, model.nll_with_diagnostics, points, data)
    print(f"nll_with_diagnostics: {t_diag:.2f} s  -> {res!r}")
    assert np.array_equal(values, res.values)
    tracemalloc.start()
    model.nll(points, data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak extra memory of one nll call: {peak / 2**20:.1f} MiB")
    t_fisher, fisher = best_of(3, fisher_information, model)
    print(f"fisher_information:   {1e3 * t_fisher:.1f} ms, σ(c) = {np.diag(fisher) ** -0.5}")


if __name__ == "__main__":
    main(*(int(v) for v in sys.argv[1:3]))
