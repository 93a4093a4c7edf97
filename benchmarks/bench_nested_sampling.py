"""Nested sampling (UltraNest) of the 2-D unbinned likelihood of a 1e5-event sample.

Run as ``OMP_NUM_THREADS=1 python benchmarks/bench_nested_sampling.py [n_events] [live]``.

The synthetic sample of ``bench_unbinned.py`` (2 operators, ν_SM = 2000 events), Asimov data
at the SM, uniform priors c ∈ [−1, 1]² (≈ ±40σ; the likelihood is a density everywhere, so
no point is rejected). Reports wall time, likelihood evaluations (points), the effective
sample size, ln Z, and the 95% intervals against the Fisher (Gaussian) expectation ±1.96/√I.
For a Gaussian likelihood ln Z ≈ ln[2π/(√det I · 4)] (the box has area 4).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from bench_unbinned import OPS, synthetic_model

from mlstxs.stats._bayes import posterior
from mlstxs.stats._unbinned import fisher_information


def main(n_events: int = 100_000, live: int = 400) -> None:
    model = synthetic_model(n_events)
    nll = model.as_nll_function(model.asimov_data([0.0, 0.0]))
    fisher = fisher_information(model)
    start = time.perf_counter()
    post = posterior(
        nll, OPS, {o: (-1.0, 1.0) for o in OPS}, random_state=1, min_num_live_points=live
    )
    wall = time.perf_counter() - start
    per_call = 1e6 * wall / post.n_calls
    print(f"{n_events} events, 2 operators, {live} live points, one core")
    print(
        f"wall {wall:.1f} s, {post.n_calls} likelihood evaluations ({per_call:.0f} µs each, "
        f"all included), ESS {post.ess:.0f}, {len(post.samples)} samples"
    )
    gauss = np.log(2 * np.pi / (np.sqrt(np.linalg.det(fisher)) * 4.0))
    print(f"ln Z = {post.logz:.3f} ± {post.logz_error:.3f} (Gaussian approximation {gauss:.3f})")
    for k, op in enumerate(OPS):
        ci = post.credible_interval(op, 0.95)
        print(f"{ci!r}; Fisher ±{1.96 / np.sqrt(fisher[k, k]):.4f}")


if __name__ == "__main__":
    main(*(int(v) for v in sys.argv[1:3]))
