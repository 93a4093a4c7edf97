"""Training time of the ratio learners of ``mlstxs.ml`` on parton-level p p → ZH (cHW).

10⁵ generated events (seed 3), the full observable set less p_T(ZH) (28 features, GeV-valued
ones as log), weight terms (w_sm, w_cHW, w_cHW_cHW): two coefficient functions. Default
hyperparameters, one thread. Prints the fit time, the epochs run and, on an independent
sample (seed 4), the w_sm-weighted correlation of learned and true w_t/w_sm and the relative
error of the cross-section-weighted mean of r_t (σ_t/σ_sm closure).

Usage: python benchmarks/bench_ratio_learners.py [--events 100000] [--threads 1]
Record results with the machine in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import lightgbm
import numpy as np
import torch

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.ml import RatioNetworkPerTerm, RatioNetworkPolynomial, RatioTreeRegressor
from mlstxs.observables import UNITS, compute_observables


def dataset(n_events: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    sample = generate(
        GeneratorConfig(operators=("cHW",), n_events=n_events, seed=seed, level="parton")
    )
    obs = compute_observables(sample.columns)
    X = np.column_stack(
        [np.log(v) if UNITS[k] == "GeV" else v for k, v in obs.items() if k != "pt_ZH"]
    )
    return X, np.column_stack([sample.columns[n] for n in sample.weight_terms])


def weighted_corr(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    a, b = a - np.average(a, weights=w), b - np.average(b, weights=w)
    return float(
        np.average(a * b, weights=w)
        / np.sqrt(np.average(a**2, weights=w) * np.average(b**2, weights=w))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, W = dataset(args.events, seed=3)
    Xt, Wt = dataset(20_000, seed=4)
    truth = Wt[:, 1:] / Wt[:, :1]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"lightgbm {lightgbm.__version__}, {args.threads} thread(s); "
        f"{X.shape[0]} events × {X.shape[1]} features, 2 coefficient functions"
    )
    learners = {
        "RatioTreeRegressor (300 trees × 2)": RatioTreeRegressor(n_jobs=args.threads),
        "RatioNetworkPerTerm mse (64-64 × 2)": RatioNetworkPerTerm(),
        "RatioNetworkPerTerm bce (64-64 × 2)": RatioNetworkPerTerm(loss="bce"),
        "RatioNetworkPolynomial (64-64, 2 outputs)": RatioNetworkPolynomial(),
    }
    for name, model in learners.items():
        model.set_params(random_state=0)
        if "n_threads" in model.get_params():
            model.set_params(n_threads=args.threads)
        t0 = time.perf_counter()
        model.fit(X, W)
        seconds = time.perf_counter() - t0
        pred = model.predict_coefficients(Xt)
        corr = [weighted_corr(pred[:, t], truth[:, t], Wt[:, 0]) for t in range(2)]
        mean = np.average(pred, axis=0, weights=Wt[:, 0]) / (Wt[:, 1:].sum(0) / Wt[:, 0].sum())
        epochs = getattr(model, "n_epochs_", "-")
        print(
            f"{name:42s} {seconds:6.1f} s  epochs {epochs}  corr {np.round(corr, 4)}  "
            f"<r_t> closure {np.round(mean - 1, 4)}"
        )


if __name__ == "__main__":
    main()
