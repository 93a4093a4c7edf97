"""Ratios σ_t/σ_SM with their event-by-event correlated MC error (``mlstxs.io.mc_ratio``):
oracles (per-bin direct sums, the parametrisation formula, a bootstrap over events) and the
naive uncorrelated propagation it improves on (``mlstxs info``: tests/cli/test_cli.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import mc_error, mc_ratio


@pytest.fixture(scope="module")
def sample():
    return generate(GeneratorConfig(operators=("cHW",), n_events=20_000, seed=3, level="parton"))


@pytest.fixture(scope="module")
def table(sample):
    return sample.cross_sections()


def _bins(sample, edges) -> np.ndarray:
    return np.digitize(sample.ptz_GeV(), edges) - 1


def test_binned_ratio_equals_the_formula_bin_by_bin(sample, table):
    """δR_b = √[Σ_{i∈b} (x_i − R_b y_i)²] / Σ_{i∈b} y_i, R_b = Σx/Σy over the bin."""
    x, y, n = sample["w_cHW"], sample["w_sm"], sample.metadata.n_trials
    idx = _bins(sample, table.edges_GeV)
    r = table.ratios["w_cHW"]
    for b in range(len(table.edges_GeV) - 1):
        xb, yb = x[idx == b], y[idx == b]
        rb = xb.sum() / yb.sum()
        assert r.bins_value[b] == pytest.approx(rb, rel=1e-12)
        assert r.bins_error[b] == pytest.approx(math.sqrt(np.sum((xb - rb * yb) ** 2)) / yb.sum())
        assert r.bins_error[b] == pytest.approx(mc_error(xb - rb * yb, n) / yb.sum(), rel=1e-9)
    assert r.value == x.sum() / y.sum()
    assert r.error == mc_error(x - r.value * y, n) / y.sum()
    assert set(table.ratios) == {"w_cHW", "w_cHW_cHW"}  # every term but w_sm


def test_ratio_error_is_zero_for_a_term_proportional_to_sm_and_nan_without_sm():
    y = np.random.default_rng(1).exponential(size=1000)
    r = mc_ratio(0.25 * y, y, 5000, np.repeat([0, 1], 500), 3)
    np.testing.assert_allclose(r.value[:2], 0.25, rtol=1e-14)
    assert np.all(r.error[:2] < 1e-15) and np.isnan(r.value[2]) and np.isnan(r.error[2])
    assert all(math.isnan(v) for v in mc_ratio(y, np.zeros(1000), 1000))


def test_ratio_errors_agree_with_a_bootstrap_over_events(sample, table):
    """The spread of R_b over 400 resamplings of the events (seeded) against δR_b."""
    rng = np.random.default_rng(20240611)
    x, y = sample["w_cHW"], sample["w_sm"]
    idx, nb = _bins(sample, table.edges_GeV), len(table.edges_GeV) - 1
    boot = []
    for _ in range(400):
        pick = rng.integers(0, len(x), len(x))
        sx = np.bincount(idx[pick], weights=x[pick], minlength=nb)
        sy = np.bincount(idx[pick], weights=y[pick], minlength=nb)
        boot.append(sx / sy)
    spread = np.std(boot, axis=0, ddof=1)
    # 400 replicas know a standard deviation to ~4 %; the delta method is good to a few %
    np.testing.assert_allclose(spread, table.ratios["w_cHW"].bins_error, rtol=0.2)


def test_naive_propagation_overstates_the_error(table):
    """δR_naive = √(δX² + R² δY²)/Y ignores that w_cHW and w_SM move together event by
    event: it is larger than the correlated error, by ≥ 2 in some bin (2.8–5.9 here)."""
    r, x, y = table.ratios["w_cHW"], table.terms["w_cHW"], table.terms["w_sm"]
    naive = np.sqrt(x[3] ** 2 + r.bins_value**2 * y[3] ** 2) / y[2]
    assert np.all(naive > r.bins_error)
    assert np.max(naive / r.bins_error) >= 2.0


def test_undefined_ratio_is_null_in_json(sample):
    empty = sample.cross_sections((1e5, 2e5)).to_dict()  # no event above 100 TeV
    assert empty["ratios"]["w_cHW"]["bins_value"] == [None]
    assert empty["ratios"]["w_cHW"]["bins_error"] == [None]
