"""Nested-sampling posterior: credible vs profile intervals on Gaussian toys, evidence,
reproducibility, the negative-density region, and the corner plot."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import chi2, norm

pytest.importorskip("ultranest")

from mlstxs.stats._bayes import Posterior, _shortest_interval, corner_plot, posterior
from mlstxs.stats._unbinned import unbinned_model

MU, SIGMA = 0.3, 0.5
MEAN2 = np.array([0.5, -1.0])
COV2 = np.array([[1.0, 0.6], [0.6, 2.0]])
BOUNDS2 = {"cHW": (-6.0, 6.0), "cHWB": (-8.0, 8.0)}
CL = {1.0: chi2.cdf(1.0, 1), chi2.ppf(0.95, 1): 0.95}  # Δ(−2 ln L) -> probability content


def gauss_1d(c: np.ndarray) -> np.ndarray:
    return 0.5 * ((c[:, 0] - MU) / SIGMA) ** 2


def gauss_2d(c: np.ndarray) -> np.ndarray:
    d = c - MEAN2
    return 0.5 * np.einsum("pi,ij,pj->p", d, np.linalg.inv(COV2), d)


def profile_interval_1d(nll, delta):
    """Roots of 2 (nll − min) = delta around the minimum (brentq on the callable)."""
    g = lambda x: 2 * nll(np.array([[x]]))[0] - delta  # noqa: E731
    return brentq(g, -10, MU), brentq(g, MU, 10)


def profile_interval_2d(op: int, delta: float):
    """Profile over the other coefficient on a fine grid, then interpolate the crossings."""
    grid = np.linspace(-6, 6, 1201)
    other = np.linspace(-10, 10, 2001)
    prof = np.empty(grid.size)
    for k, x in enumerate(grid):
        pts = np.empty((other.size, 2))
        pts[:, op], pts[:, 1 - op] = x, other
        prof[k] = 2 * gauss_2d(pts).min()
    prof -= prof.min()
    k0 = int(np.argmin(prof))
    lo = np.interp(delta, prof[:k0][::-1], grid[:k0][::-1])
    hi = np.interp(delta, prof[k0:], grid[k0:])
    return lo, hi


@pytest.fixture(scope="module")
def post_1d() -> Posterior:
    return posterior(
        gauss_1d, ["cHW"], {"cHW": (-5.0, 5.0)}, random_state=1, min_num_live_points=1000
    )


@pytest.fixture(scope="module")
def post_2d() -> Posterior:
    return posterior(gauss_2d, ["cHW", "cHWB"], BOUNDS2, random_state=2, min_num_live_points=1000)


def assert_close_intervals(got, expect, cl, ess):
    """Each end within 4σ of its sampling noise for a Gaussian marginal,
    σ = √(q(1−q)/ESS)/φ(z_q) in units of the marginal width, q = (1−cl)/2; that is ≲ 5% of
    the interval's width with 1000 live points (ESS ≈ 3000–4000)."""
    q = (1 - cl) / 2
    z = -norm.ppf(q)
    width = expect[1] - expect[0]
    tol = 4 * np.sqrt(q * (1 - q) / ess) / norm.pdf(z) * width / (2 * z)
    assert tol < 0.06 * width
    assert abs(got[0] - expect[0]) < tol and abs(got[1] - expect[1]) < tol, (got, expect, tol)


@pytest.mark.parametrize("delta", list(CL))
def test_1d_credible_intervals_match_profile_intervals(post_1d, delta):
    expect = profile_interval_1d(gauss_1d, delta)
    ci = post_1d.credible_interval("cHW", CL[delta])
    assert_close_intervals(ci.equal_tailed, expect, CL[delta], post_1d.ess)
    assert_close_intervals(ci.highest_density, expect, CL[delta], post_1d.ess)
    assert abs(ci.median - MU) < 0.05 * SIGMA * 2


@pytest.mark.parametrize("delta", list(CL))
@pytest.mark.parametrize("op", [0, 1])
def test_2d_marginal_credible_intervals_match_profile_intervals(post_2d, op, delta):
    expect = profile_interval_2d(op, delta)
    ci = post_2d.credible_interval(post_2d.operators[op], CL[delta])
    assert_close_intervals(ci.equal_tailed, expect, CL[delta], post_2d.ess)
    assert_close_intervals(ci.highest_density, expect, CL[delta], post_2d.ess)


def test_evidence_matches_the_gaussian_integral(post_1d, post_2d):
    z1 = np.log(SIGMA * np.sqrt(2 * np.pi) / 10.0)
    z2 = np.log(2 * np.pi * np.sqrt(np.linalg.det(COV2)) / (12.0 * 16.0))
    for post, z in ((post_1d, z1), (post_2d, z2)):
        assert abs(post.logz - z) < 3 * post.logz_error + 0.05
        assert post.n_invalid == 0 and post.n_calls > len(post.samples) > 1000


def test_same_seed_same_samples_and_global_rng_restored():
    np.random.seed(123)  # noqa: NPY002 (checks that the run leaves the global RNG alone)
    expect_next = np.random.random()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    a = posterior(gauss_1d, ["cHW"], {"cHW": (-5.0, 5.0)}, random_state=7)
    assert np.random.random() == expect_next  # noqa: NPY002
    b = posterior(gauss_1d, ["cHW"], {"cHW": (-5.0, 5.0)}, random_state=7)
    c = posterior(gauss_1d, ["cHW"], {"cHW": (-5.0, 5.0)}, random_state=8)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.logz == b.logz and a.n_calls == b.n_calls
    assert a.samples.shape != c.samples.shape or not np.array_equal(a.samples, c.samples)
    g1, g2 = (
        posterior(gauss_1d, ["cHW"], {"cHW": (-5.0, 5.0)}, random_state=np.random.default_rng(3))
        for _ in range(2)
    )
    np.testing.assert_array_equal(g1.samples, g2.samples)


def test_negative_density_region_gets_no_posterior_mass():
    """r = 1 + c r1 with r1 ∈ [−1, 1]: invalid (nll = +inf) beyond |c| ≈ 1 inside the prior."""
    rng = np.random.default_rng(4)
    r = np.column_stack([rng.uniform(-1, 1, 2000), np.zeros(2000)])
    model = unbinned_model(r, np.full(2000, 1e-5), ("cHW",), 1.0)  # ν = 20 events: wide
    nll = model.as_nll_function(model.asimov_data(0.0))
    post = posterior(nll, ["cHW"], {"cHW": (-3.0, 3.0)}, random_state=5, min_num_live_points=200)
    assert post.n_invalid > 0
    assert np.isfinite(nll(post.samples)).all()
    bad = rng.uniform(-3, 3, (200, 1))
    assert np.isinf(nll(bad[np.abs(bad[:, 0]) > 1.0])).all()


def test_bad_likelihood_and_bounds_are_rejected():
    with pytest.raises(ValueError, match="finite or \\+inf"):
        posterior(lambda c: np.full(len(c), np.nan), ["cHW"], {"cHW": (0, 1)}, random_state=0)
    with pytest.raises(ValueError, match="bounds must name"):
        posterior(gauss_1d, ["cHW"], {"cHWB": (0, 1)}, random_state=0)
    with pytest.raises(ValueError, match="low < high"):
        posterior(gauss_1d, ["cHW"], {"cHW": (1, 0)}, random_state=0)
    with pytest.raises(TypeError, match="random_state"):
        posterior(gauss_1d, ["cHW"], {"cHW": (0, 1)}, random_state=None)


def test_edge_mass_tells_a_cut_posterior(post_1d, post_2d):
    """A box prior 10σ wide holds no mass at its edges; one ending at 1σ piles it up there."""
    for post in (post_1d, post_2d):
        assert all(m == (0.0, 0.0) for m in post.edge_mass(0.02).values())
    bounds = {"cHW": (MU - 2 * SIGMA, MU + SIGMA)}
    cut = posterior(gauss_1d, ["cHW"], bounds, random_state=3, min_num_live_points=1000)
    low, high = cut.edge_mass(0.02)["cHW"]
    # bands 0.06σ wide: [Φ(1) − Φ(0.94)]/[Φ(1) − Φ(−2)] = 0.018, [Φ(−1.94) − Φ(−2)]/… = 0.004
    assert high == pytest.approx(0.018, abs=0.008) and low == pytest.approx(0.004, abs=0.003)
    with pytest.raises(ValueError, match="band"):
        cut.edge_mass(0.6)


def test_shortest_interval_of_known_samples():
    x = np.concatenate([np.linspace(0, 1, 1001), [5.0, 6.0]])
    lo, hi = _shortest_interval(x, 0.9)
    assert hi - lo == pytest.approx(0.9, abs=0.01) and 0 <= lo and hi <= 1


def test_result_objects_and_corner_plot(post_2d, tmp_path):
    d = json.loads(json.dumps(post_2d.to_dict()))
    assert d["operators"] == ["cHW", "cHWB"] and len(d["credible_intervals"]) == 4
    assert "ln Z" in repr(post_2d) and "HPD" in repr(post_2d.credible_interval("cHW"))
    out = corner_plot(post_2d, tmp_path / "corner.png")
    assert out.exists() and out.stat().st_size > 10_000
    with pytest.raises(ValueError, match="cl"):
        post_2d.credible_interval("cHW", 1.5)
