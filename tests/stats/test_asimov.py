"""Asimov significance: closed forms, limits, high precision, and a direct likelihood fit."""

from __future__ import annotations

import json
import time
import warnings

import numpy as np
import pytest

from mlstxs.stats import NotEvaluable, RegionSignificance, asimov_z, region_significance


def z_mpmath(s: float, b: float, eps: float, dps: int = 60) -> float:
    """Eq. (8) (eq. (7) for ε = 0) as printed, in 60-digit arithmetic (arXiv:1007.1727)."""
    mp = pytest.importorskip("mpmath")  # not a dependency; present with the dev tools
    with mp.workdps(dps):
        s, b, eps = mp.mpf(s), mp.mpf(b), mp.mpf(eps)
        if eps == 0:
            q0 = 2 * ((s + b) * mp.log(1 + s / b) - s)
        else:
            v = (eps * b) ** 2
            q0 = 2 * (
                (s + b) * mp.log((s + b) * (b + v) / (b * b + (s + b) * v))
                - b * b / v * mp.log(1 + v * s / (b * (b + v)))
            )
        z = mp.sqrt(q0)
        return float(-z if s < 0 else z)


def test_matches_mpmath_over_the_whole_range():
    ratios = [*np.logspace(-8, 4, 25), -1e-8, -1e-5, -9.99e-4, -1.01e-3, -0.3, -0.999]
    grid = [
        (x * b, b, e)
        for x in ratios
        for b in np.logspace(-3, 9, 13)
        for e in (0.0, 1e-9, 1e-6, 1e-3, 0.1, 0.5, 1.0, 2.0)
    ]
    s, b, e = (np.array(v) for v in zip(*grid, strict=True))
    ref = np.array([z_mpmath(*p) for p in grid])
    z = asimov_z(s, b, e)
    np.testing.assert_allclose(z, ref, rtol=1e-11, atol=0)


def z_eq7(s, b):
    return np.sqrt(2 * ((s + b) * np.log1p(s / b) - s))


@pytest.mark.parametrize(("s", "b"), [(1.0, 10.0), (10.0, 3.0), (0.5, 1e4), (50.0, 200.0)])
def test_eq8_tends_to_eq7(s, b):
    for eps in (1e-6, 1e-8):
        assert asimov_z(s, b, eps) == pytest.approx(z_eq7(s, b), rel=1e-8)
    assert asimov_z(s, b, 0.0) == pytest.approx(z_eq7(s, b), rel=1e-14)


@pytest.mark.parametrize("b", [1.0, 1e3, 1e7])
@pytest.mark.parametrize("eps", [0.0, 0.01, 0.5, 2.0])
def test_small_signal_limit(b, eps):
    s = 1e-6 * b
    assert asimov_z(s, b, eps) == pytest.approx(s / np.sqrt(b + (eps * b) ** 2), rel=1e-5)


def test_monotonic_in_signal_and_uncertainty():
    s = np.linspace(-9.0, 50.0, 60)
    z = asimov_z(s, 10.0, 0.3)
    assert np.all(np.diff(z) > 0)
    assert np.all(np.diff(asimov_z(5.0, 10.0, np.linspace(0, 2, 30))) < 0)


def test_sign_convention():
    assert asimov_z(0.0, 5.0, 0.3) == 0.0
    zp, zm = asimov_z(2.0, 5.0, 0.3), asimov_z(-2.0, 5.0, 0.3)
    assert zp > 0 > zm
    s, b, v = -2.0, 5.0, (0.3 * 5.0) ** 2  # −√q₀ with q₀ of eq. (8) as printed
    q0 = 2 * ((s + b) * np.log((s + b) * (b + v) / (b * b + (s + b) * v)))
    q0 -= 2 * b * b / v * np.log(1 + v * s / (b * (b + v)))
    assert zm == pytest.approx(-np.sqrt(q0), rel=1e-12)


def test_not_evaluable_inputs_give_nan_without_warnings():
    s = [1.0, 1.0, -1.0, -2.0, np.nan, 1.0, np.inf, 1.0, 0.0]
    b = [0.0, -1.0, 1.0, 1.0, 1.0, np.inf, 1.0, 1.0, 0.0]
    e = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.1, 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = asimov_z(s, b, e)
    assert np.isnan(z).all()
    assert asimov_z(1.0, 0.0).shape == () and np.isnan(asimov_z(1.0, 0.0))


def test_broadcasting_and_shapes():
    z = asimov_z(np.arange(1.0, 4.0)[:, None], np.array([1.0, 10.0, 100.0, 1e3]), 0.2)
    assert z.shape == (3, 4)
    assert z[1, 2] == asimov_z(2.0, 100.0, 0.2)
    assert asimov_z(1.0, 2.0).shape == ()
    eps = np.array([0.0, 0.5])
    np.testing.assert_array_equal(asimov_z(3.0, 7.0, eps), [asimov_z(3.0, 7.0, e) for e in eps])


def test_one_million_regions_are_fast():
    rng = np.random.default_rng(3)
    s, b = rng.uniform(-1, 100, 1_000_000), rng.uniform(2, 1e4, 1_000_000)
    asimov_z(s[:1000], b[:1000], 0.5)
    start = time.perf_counter()
    z = asimov_z(s, b, 0.5)
    assert time.perf_counter() - start < 1.5  # ~0.05 s on one core: no Python loop
    assert np.isfinite(z).all()


# -- a direct profile-likelihood fit of the one-bin counting model --------------------------


def q0_fit(s: float, b: float, eps: float) -> float:
    """q₀ = −2 ln[L(0, β̂̂)/L(μ̂, β̂)] of n ~ Pois(μs + β), m ~ Pois(τβ), τ = b/σ_b², minimised
    with iminuit on the Asimov data n = s + b, m = τb (Poisson-only for ε = 0)."""
    iminuit = pytest.importorskip("iminuit")
    n = s + b

    def pois(lam, k):  # −ln Pois(k | lam) minus its saturated value (≥ 0)
        return lam - k + k * np.log(k / lam)

    if eps == 0:

        def nll(mu):
            return pois(mu * s + b, n)

        fit = iminuit.Minuit(nll, mu=0.3)
        fit.limits["mu"] = (-0.99 * b / abs(s), None) if s > 0 else (None, -0.99 * b / s)
    else:
        tau = 1.0 / (eps * eps * b)
        m = tau * b

        def nll(mu, beta):
            return pois(mu * s + beta, n) + pois(tau * beta, m)

        fit = iminuit.Minuit(nll, mu=0.3, beta=1.3 * b)
        fit.limits["beta"] = (1e-9 * b, None)
    fit.errordef = iminuit.Minuit.LIKELIHOOD
    fit.strategy = 2
    fit.tol = 1e-8
    fit.migrad()
    assert fit.valid
    nll_free = fit.fval
    if eps == 0:
        return 2 * (nll(0.0) - nll_free)
    cond = iminuit.Minuit(lambda beta: nll(0.0, beta), beta=0.7 * b)
    cond.errordef, cond.strategy, cond.tol = iminuit.Minuit.LIKELIHOOD, 2, 1e-8
    cond.limits["beta"] = (1e-9 * b, None)
    cond.migrad()
    assert cond.valid
    return 2 * (cond.fval - nll_free)


@pytest.mark.parametrize(
    ("s", "b", "eps"),
    [
        (5.0, 100.0, 0.3),
        (20.0, 50.0, 0.1),
        (3.0, 1000.0, 0.02),
        (100.0, 10.0, 1.0),
        (50.0, 400.0, 0.5),
        (-8.0, 100.0, 0.2),
        (12.0, 30.0, 0.0),
        (400.0, 2000.0, 0.0),
        (-3.0, 40.0, 0.0),
    ],
)
def test_agrees_with_profile_likelihood_fit(s, b, eps):
    z_fit = np.sign(s) * np.sqrt(q0_fit(s, b, eps))
    assert asimov_z(s, b, eps) == pytest.approx(z_fit, rel=1e-6)


# -- one region -------------------------------------------------------------------------------


def test_region_significance_result():
    r = region_significance(10, 100, 0.3)
    assert isinstance(r, RegionSignificance)
    assert r.z == asimov_z(10.0, 100.0, 0.3)
    assert json.loads(json.dumps(r.to_dict())) == {"s": 10.0, "b": 100.0, "epsilon": 0.3, "z": r.z}
    assert "Z = " in repr(r) and "ε = 0.3" in repr(r)
    with pytest.raises(AttributeError):
        r.z = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("s", "b", "eps", "message"),
    [
        (0.0, 0.0, 0.3, "empty region"),
        (3.0, 0.0, 0.3, "zero expected background"),
        (3.0, -1.0, 0.3, "negative expected background"),
        (-5.0, 2.0, 0.3, "s \\+ b"),
        (np.nan, 2.0, 0.3, "non-finite"),
        (1.0, np.inf, 0.3, "non-finite"),
        (1.0, 2.0, -0.1, "negative"),
    ],
)
def test_region_significance_not_evaluable(s, b, eps, message):
    with pytest.raises(NotEvaluable, match=message):
        region_significance(s, b, eps)
    assert issubclass(NotEvaluable, ValueError)
