"""DNN training speed: seconds per epoch and training rows/s of ``DNNClassifier``.

Paper-sized setup (§III.C, §IV.C): 25 features, hidden layers (126, 84, 42), batch 1024,
one torch thread; 140k and 280k training rows (the 70 % training share of 2×10⁵ events,
without and with the SM/benchmark duplication), plus a validation set of 1/7 of the training
rows evaluated after every epoch (included in the timing, as in real training).

Usage: python benchmarks/bench_dnn.py [--rows 140000 280000] [--epochs 5] [--threads 1]
Record results with the machine in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch

from mlstxs.regions._dnn import DNNClassifier


def toy(n_rows: int, n_features: int, rng: np.random.Generator):
    """Same events twice (SM weight, benchmark weight w₀·r), r rising with an energy-like x₀."""
    n = n_rows // 2
    X = rng.normal(size=(n, n_features))
    X[:, 0] = rng.exponential(1.0, n)
    w0 = rng.uniform(0.5, 1.5, n) * 1e-8
    r = 1 + 0.3 * X[:, 0] + 0.3 * X[:, 0] ** 2
    return np.vstack([X, X]), np.r_[np.zeros(n), np.ones(n)], np.r_[w0, w0 * r]


def seconds_per_epoch(n_rows: int, n_features: int, epochs: int, threads: int) -> float:
    rng = np.random.default_rng(0)
    X, y, w = toy(n_rows, n_features, rng)
    val = toy(n_rows // 7, n_features, rng)
    clf = DNNClassifier(max_epochs=epochs, patience=epochs, random_state=0, n_threads=threads)
    t0 = time.perf_counter()
    clf.fit(X, y, w, eval_set=val)
    return (time.perf_counter() - t0) / clf.n_epochs_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[140_000, 280_000])
    parser.add_argument("--features", type=int, default=25)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"{args.threads} thread(s), batch 1024, {args.features} features"
    )
    seconds_per_epoch(10_000, args.features, 1, args.threads)  # warm-up: first-call overheads
    for n_rows in args.rows:
        s = seconds_per_epoch(n_rows, args.features, args.epochs, args.threads)
        print(f"{n_rows:8d} training rows: {s:6.2f} s/epoch, {n_rows / s:9.0f} rows/s")


if __name__ == "__main__":
    main()
