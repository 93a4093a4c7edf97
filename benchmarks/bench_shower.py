"""Speed of the showered path: Pythia 8 shower + hadronisation, anti-k_t jets, b-tagging.

Generates a parton-level SM sample, showers the first ``--n`` events with
``mlstxs.detector._shower.shower_sample`` and reports events/s of the event loop
(Pythia's init and the LHE writing excluded) and the wall time of the whole call.

    OMP_NUM_THREADS=1 python benchmarks/bench_shower.py --n 1000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

try:
    from mlstxs.detector._shower import shower_sample
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from mlstxs.detector._shower import shower_sample

from mlstxs.generate import GeneratorConfig, generate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="events to shower (default 1000)")
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--mpi", action="store_true", help="multiparton interactions on")
    a = ap.parse_args(argv)

    sample = generate(GeneratorConfig(n_events=a.n, seed=a.seed, flavours=5, level="parton"))
    t0 = time.perf_counter()
    res = shower_sample(sample, n_events=a.n, random_state=a.seed, mpi=a.mpi)
    wall = time.perf_counter() - t0
    print(res)
    print(f"events/s (loop): {res.events_per_s:.1f}; whole call {wall:.2f} s for {a.n} events")


if __name__ == "__main__":
    main()
