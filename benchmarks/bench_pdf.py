"""Throughput of :meth:`mlstxs.physics._pdf.PDFSet.xfxQ` (8 quark flavours, one core).

Run as ``OMP_NUM_THREADS=1 python benchmarks/bench_pdf.py``; with pytest-benchmark installed,
``pytest benchmarks/bench_pdf.py`` times the 1e6-point case as well.
"""

from __future__ import annotations

import time

import numpy as np

from mlstxs.physics._pdf import DEFAULT_PDF, load_pdf

FLAVOURS = (1, 2, 3, 4, -1, -2, -3, -4)


def sample_points(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Points like the generator's: log-uniform 1e-4 < x < 0.8 and 100 < Q < 3000 GeV."""
    rng = np.random.default_rng(seed)
    x = np.exp(rng.uniform(np.log(1e-4), np.log(0.8), n))
    q = np.exp(rng.uniform(np.log(100.0), np.log(3000.0), n))
    return x, q


def best_time(n: int, repeat: int = 3) -> float:
    """Best wall time [s] of one ``xfxQ`` call for 8 flavours at ``n`` points."""
    pdf = load_pdf(DEFAULT_PDF)
    x, q = sample_points(n)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pdf.xfxQ(FLAVOURS, x, q)
        times.append(time.perf_counter() - start)
    return min(times)


def test_xfxq_1e6(benchmark) -> None:  # pragma: no cover - pytest-benchmark only
    pdf = load_pdf(DEFAULT_PDF)
    x, q = sample_points(1_000_000)
    benchmark(pdf.xfxQ, FLAVOURS, x, q)


def main() -> None:
    load_pdf(DEFAULT_PDF)  # parse the grid outside the timing
    for n in (1_000_000, 4_000_000):
        t = best_time(n)
        print(f"{DEFAULT_PDF}: 8 flavours, N = {n:.0e}: {t:.3f} s, {n / t:.3e} points/s")


if __name__ == "__main__":
    main()
