"""Generation speed and memory: events/s per core in-process, and the full ``mlstxs generate``
command (local Dask cluster, Parquet output) for 2×10⁶ detector-level events.

Usage: python benchmarks/bench_generate.py [--events 2000000] [--skip-cli]
Record results with the machine in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import psutil

os.environ.setdefault("OMP_NUM_THREADS", "1")

from mlstxs.generate import GeneratorConfig, generate_chunk
from mlstxs.physics import OPERATORS


def per_core_rate(operators, level: str, n: int = 250_000, repeat: int = 3) -> float:
    cfg = GeneratorConfig(operators=operators, n_events=n, level=level, chunk_size=n)
    generate_chunk(cfg, 1000, np.random.SeedSequence(0))  # warm caches (PDF grid, couplings)
    best = np.inf
    for r in range(repeat):
        seed = np.random.SeedSequence(r)
        t0 = time.perf_counter()
        generate_chunk(cfg, n, seed)
        best = min(best, time.perf_counter() - t0)
    return n / best


class PeakMemory:
    """Peak summed RSS of this process and all its children, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in procs if p.is_running())
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def cli_run(operators: str, events: int) -> tuple[float, float]:
    out = tempfile.mkdtemp(prefix="mlstxs-bench-")
    cmd = [
        sys.executable,
        "-m",
        "mlstxs.cli",
        "generate",
        "--operators",
        operators,
        "--events",
        str(events),
        "--seed",
        "1",
        "--level",
        "detector",
        "--out",
        f"{out}/s",
        "--no-progress",
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    with PeakMemory(proc.pid) as mem:
        proc.wait()
    wall = time.perf_counter() - t0
    shutil.rmtree(out)
    if proc.returncode:
        raise SystemExit(f"generate failed with exit code {proc.returncode}")
    return wall, mem.peak / 2**30


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--skip-cli", action="store_true")
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
    for label, ops in (("cHW", ("cHW",)), ("all 13 operators", OPERATORS)):
        for level in ("parton", "detector"):
            rate = per_core_rate(ops, level)
            print(f"in-process, one core, {label:16s} {level:8s}: {rate:10.0f} events/s")
    if args.skip_cli:
        return
    for label, ops in (("cHW", "cHW"), ("all 13 operators", "all")):
        wall, peak = cli_run(ops, args.events)
        print(
            f"mlstxs generate --level detector, {args.events} events, {label}: "
            f"{wall:.1f} s wall, peak RSS {peak:.2f} GiB (all processes)"
        )


if __name__ == "__main__":
    main()
