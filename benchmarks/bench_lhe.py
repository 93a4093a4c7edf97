"""Throughput of :func:`mlstxs.io._lhe.read_lhe` on the shared 20k-event MadGraph files.

Run as ``OMP_NUM_THREADS=1 python benchmarks/bench_lhe.py``. Prints events/s of the whole read
(gzip + XML parsing by pylhe, conversion to awkward, particle selection, polynomial fit) and of
pylhe's parsing + ``to_awkward`` alone, best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pylhe

from mlstxs.io._lhe import read_lhe

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILES = ("ZH_llbb_SM_13TeV_LO_20k.lhe.gz", "ZH_llbb_cHW1_rwgt_13TeV_LO_20k.lhe.gz")


def best_time(func, repeat: int) -> float:
    """Best wall time [s] of ``func()`` over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name in FILES:
        path = DATA / name
        if not path.is_file():
            print(f"{name}: not available, skipped")
            continue
        n = len(read_lhe(path).sample)
        t_all = best_time(lambda p=path: read_lhe(p), args.repeat)
        t_pylhe = best_time(lambda p=path: pylhe.to_awkward(pylhe.LHEFile.fromfile(p)), args.repeat)
        print(
            f"{name}: {n} events; read_lhe {t_all:.2f} s = {n / t_all:,.0f} events/s; "
            f"pylhe parse + to_awkward {t_pylhe:.2f} s = {n / t_pylhe:,.0f} events/s"
        )


if __name__ == "__main__":
    main()
