"""Sorted-sweep slope–intercept scan against a brute-force grid (one core).

Run as ``OMP_NUM_THREADS=1 python benchmarks/bench_scan.py [n_events] [n_slopes]``.

The sweep (:func:`mlstxs.regions._scan.scan_lines`) finds the exactly optimal intercept of
every slope: it resolves every distinct region, i.e. as many intercepts as there are events
(one argsort + cumulative sums per slope, eq. (8) on the prefixes a branch and bound keeps).
The brute force is what a straightforward scan does: for each (slope, intercept) grid point
mask the events and sum the yields (``s[mask].sum()``), here with 2000 intercepts per slope
(the resolution of a fine hand-made grid, far coarser than the sweep's). It is timed on a few
slopes and extrapolated linearly to all of them; the machine may be shared, so the sweep is the
best of 3. Also times eq. (8) on 1e7 regions.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from mlstxs.regions._scan import scan_lines
from mlstxs.stats import asimov_z

N_INTERCEPTS = 2000
BRUTE_SLOPES = 3
EPSILON = 0.5


def toy_events(n: int, seed: int = 1) -> tuple[np.ndarray, ...]:
    """Events like the highest p_T(Z) slice: s/b grows along the correlated hard tail."""
    rng = np.random.default_rng(seed)
    pt = 400.0 + rng.exponential(150.0, n)
    mzh = 1.2 * pt + 250.0 + rng.exponential(350.0, n)
    b = rng.exponential(1.0, n) * 2e4 / n
    s = b * 0.05 * ((pt / 600.0) * (mzh / 1200.0)) ** 3
    return pt, mzh, s, b


def brute_force_scan(pt, mzh, s, b, slopes, intercepts, epsilon) -> np.ndarray:
    """Z on the grid slopes × intercepts: one mask and two sums per grid point."""
    out = np.empty((len(slopes), len(intercepts)))
    for i, a in enumerate(slopes):
        u = mzh - a * pt
        for j, c in enumerate(intercepts):
            mask = u > c
            out[i, j] = asimov_z(s[mask].sum(), b[mask].sum(), epsilon)
    return out


def best_of(repeat: int, func, *args, **kwargs):
    """(best wall time [s], result) of ``repeat`` calls: robust to a busy machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(n_events: int = 200_000, n_slopes: int = 200) -> None:
    pt, mzh, s, b = toy_events(n_events)
    slopes = np.linspace(-15.0, 0.0, n_slopes)
    print(f"{n_events} events x {n_slopes} slopes, one core, best of 3 for the sweep")
    t_eps0, _ = best_of(3, scan_lines, pt, mzh, s, b, slopes, 0.0)
    print(f"sweep, eps = 0: {t_eps0:.3f} s")
    t_sweep, res = best_of(3, scan_lines, pt, mzh, s, b, slopes, EPSILON)
    print(f"sweep, eps = {EPSILON} (exact optimum per slope): {t_sweep:.3f} s  -> {res!r}")

    sub = slopes[np.linspace(0, n_slopes - 1, BRUTE_SLOPES).astype(int)]
    lo = (mzh - sub.max() * pt).min() if sub.max() >= 0 else mzh.min() - sub.max() * pt.max()
    intercepts = np.linspace(lo, (mzh - sub.min() * pt).max(), N_INTERCEPTS)
    t_sub, grid = best_of(1, brute_force_scan, pt, mzh, s, b, sub, intercepts, EPSILON)
    t_brute = t_sub * n_slopes / BRUTE_SLOPES
    print(
        f"brute force, eps = {EPSILON}, {N_INTERCEPTS} intercepts/slope: {t_sub:.2f} s for "
        f"{BRUTE_SLOPES} slopes, extrapolated to {n_slopes} slopes: {t_brute:.0f} s"
    )
    print(
        f"speed-up at eps = {EPSILON}: {t_brute / t_sweep:.0f}x (eps = 0: {t_brute / t_eps0:.0f}x)"
    )
    print(
        f"  at equal resolution ({n_events} intercepts/slope, every distinct region) the brute "
        f"force would take ~{t_brute * n_events / N_INTERCEPTS:.0f} s: "
        f"{t_brute * n_events / N_INTERCEPTS / t_sweep:.0f}x"
    )
    idx = np.searchsorted(slopes, sub)
    gain = res.best_z[idx] - np.nanmax(grid, axis=1)
    print(f"sweep Z - grid Z on those slopes (>= 0 expected): {np.array2string(gain, precision=3)}")

    rng = np.random.default_rng(2)
    sz, bz = rng.uniform(0.0, 100.0, 10_000_000), rng.uniform(1.0, 1e4, 10_000_000)
    t_z, _ = best_of(3, asimov_z, sz, bz, EPSILON)
    print(f"asimov_z on 1e7 regions: {t_z:.2f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
