"""ZH helicity angles: analytic configurations, a slow explicit-boost oracle, symmetries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlstxs.observables import HELICITY_FEATURES, compute_observables, helicity_angles

M_Z, M_H = 91.1876, 125.0
COMPONENTS = ("E", "px", "py", "pz")


# --------------------------------------------------------------------------- helpers
def boost_matrix(beta):
    """Λ with Λ·p = p seen from a frame moving with velocity ``beta`` (3-vector)."""
    b2 = beta @ beta
    gamma = 1.0 / np.sqrt(1.0 - b2)
    lam = np.eye(4)
    lam[0, 0] = gamma
    lam[0, 1:] = lam[1:, 0] = -gamma * beta
    if b2 > 0:
        lam[1:, 1:] += (gamma - 1.0) * np.outer(beta, beta) / b2
    return lam


def unit(v):
    return v / np.linalg.norm(v)


def slow_angles(lm, lp, b1, b2):
    """Per-event reference: explicit boosts, Collins–Soper axis from the boosted beams."""
    z = lm + lp
    p = z + b1 + b2
    to_zh = boost_matrix(p[1:] / p[0])
    z_s, l_s = to_zh @ z, to_zh @ lm
    beam_a, beam_b = to_zh @ np.array([1.0, 0, 0, 1]), to_zh @ np.array([1.0, 0, 0, -1])
    axis = unit(unit(beam_a[1:]) - unit(beam_b[1:]))
    if p[3] < 0:
        axis = -axis
    z_hat = unit(z_s[1:])
    l_ss = boost_matrix(z_s[1:] / z_s[0]) @ l_s
    y = unit(np.cross(axis, z_hat))
    x = np.cross(y, z_hat)
    return (
        axis @ z_hat,
        unit(l_ss[1:]) @ z_hat,
        np.arctan2(l_ss[1:] @ y, l_ss[1:] @ x),
    )


def boost_z(vec, beta):
    """Boost four-vectors (stacked as (4, N)) to a frame moving with −beta along z."""
    gamma = 1.0 / np.sqrt(1.0 - beta**2)
    e, px, py, pz = vec
    return np.array([gamma * (e + beta * pz), px, py, gamma * (pz + beta * e)])


def decay(parent_rest_mass, direction, m_daughter=0.0):
    """Two-body decay products (4, N) in the parent rest frame along ±direction."""
    q = np.sqrt(parent_rest_mass**2 / 4 - m_daughter**2)
    e = np.full(direction.shape[1], parent_rest_mass / 2)
    return np.vstack([e, q * direction]), np.vstack([e, -q * direction])


def boost_from_rest(vec, parent):
    """Boost (4, N) vectors from the parent rest frame into the frame where it is ``parent``."""
    out = np.empty_like(vec)
    for i in range(vec.shape[1]):
        out[:, i] = boost_matrix(-parent[1:, i] / parent[0, i]) @ vec[:, i]
    return out


def to_columns(**objs):
    return {
        f"{k}_{c}": np.ascontiguousarray(v[i])
        for k, v in objs.items()
        for i, c in enumerate(COMPONENTS)
    }


def isotropic(rng, n):
    cos_t = rng.uniform(-1, 1, n)
    ph = rng.uniform(-np.pi, np.pi, n)
    sin_t = np.sqrt(1 - cos_t**2)
    return np.vstack([sin_t * np.cos(ph), sin_t * np.sin(ph), cos_t])


def analytic_events(rng, n, sqrt_s):
    """Events with known (cos Θ, cos θ, φ), built in the ZH frame with the beam along +z."""
    cos_big = rng.uniform(-1, 1, n)
    cos_small = rng.uniform(-1, 1, n)
    phi = rng.uniform(-np.pi, np.pi, n)
    sin_big, sin_small = np.sqrt(1 - cos_big**2), np.sqrt(1 - cos_small**2)
    z_axis = np.vstack([sin_big, np.zeros(n), cos_big])
    x_axis = np.vstack([cos_big, np.zeros(n), -sin_big])  # ŷ′ = +ŷ
    y_axis = np.vstack([np.zeros(n), np.ones(n), np.zeros(n)])
    n_lep = sin_small * np.cos(phi) * x_axis + sin_small * np.sin(phi) * y_axis + cos_small * z_axis
    e_z = (sqrt_s**2 + M_Z**2 - M_H**2) / (2 * sqrt_s)
    p_star = np.sqrt(e_z**2 - M_Z**2)
    z = np.vstack([np.full(n, e_z), p_star * z_axis])
    h = np.vstack([np.full(n, sqrt_s - e_z), -p_star * z_axis])
    lm, lp = (boost_from_rest(v, z) for v in decay(M_Z, n_lep))
    b1, b2 = (boost_from_rest(v, h) for v in decay(M_H, isotropic(rng, n), 4.7))
    return (lm, lp, b1, b2), (cos_big, cos_small, phi)


def wrapped(a, b):
    return np.angle(np.exp(1j * (a - b)))


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("beta_z", [0.0, 0.6, 0.97])
def test_analytic_configurations(beta_z):
    rng = np.random.default_rng(5)
    (lm, lp, b1, b2), (cos_big, cos_small, phi) = analytic_events(rng, 300, 700.0)
    objs = {k: boost_z(v, beta_z) for k, v in (("lm", lm), ("lp", lp), ("b1", b1), ("b2", b2))}
    ang = helicity_angles(to_columns(**objs))
    np.testing.assert_allclose(ang["cos_Theta"], cos_big, atol=1e-9)
    np.testing.assert_allclose(ang["cos_theta"], cos_small, atol=1e-9)
    np.testing.assert_allclose(wrapped(ang["phi"], phi), 0.0, atol=1e-7)


def test_matches_slow_explicit_boosts_with_transverse_recoil():
    """Generic events (ZH system with p_T and p_z) against the per-event reference."""
    rng = np.random.default_rng(9)
    n = 200
    (lm, lp, b1, b2), _ = analytic_events(rng, n, rng.uniform(300, 1500))
    # give the ZH system a random boost with transverse and longitudinal components
    for i in range(n):
        beta = rng.normal(0, 0.4, 3)
        beta *= min(1.0, 0.95 / np.linalg.norm(beta))
        lam = boost_matrix(beta)
        for v in (lm, lp, b1, b2):
            v[:, i] = lam @ v[:, i]
    ang = helicity_angles(to_columns(lm=lm, lp=lp, b1=b1, b2=b2))
    ref = np.array([slow_angles(lm[:, i], lp[:, i], b1[:, i], b2[:, i]) for i in range(n)])
    np.testing.assert_allclose(ang["cos_Theta"], ref[:, 0], atol=1e-9)
    np.testing.assert_allclose(ang["cos_theta"], ref[:, 1], atol=1e-9)
    np.testing.assert_allclose(wrapped(ang["phi"], ref[:, 2]), 0.0, atol=1e-7)


def test_matches_compute_observables():
    rng = np.random.default_rng(2)
    (lm, lp, b1, b2), _ = analytic_events(rng, 50, 500.0)
    cols = to_columns(lm=lm, lp=lp, b1=b1, b2=b2)
    full, hel = compute_observables(cols), helicity_angles(cols)
    for name in HELICITY_FEATURES:
        np.testing.assert_array_equal(full[name], hel[name])


def test_isotropic_decay_gives_flat_cos_theta_and_phi():
    """Z → ℓℓ isotropic in the Z frame reached directly from the lab; Z and H random."""
    rng = np.random.default_rng(12)
    n = 20_000
    pt = rng.uniform(50, 600, n)
    az = rng.uniform(-np.pi, np.pi, n)
    y_z, y_h = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    mt_z, mt_h = np.hypot(M_Z, pt), np.hypot(M_H, pt)
    z = np.vstack([mt_z * np.cosh(y_z), pt * np.cos(az), pt * np.sin(az), mt_z * np.sinh(y_z)])
    h = np.vstack([mt_h * np.cosh(y_h), -z[1], -z[2], mt_h * np.sinh(y_h)])
    lm, lp = (_boost_vectorised(v, z) for v in decay(M_Z, isotropic(rng, n)))
    b1, b2 = (_boost_vectorised(v, h) for v in decay(M_H, isotropic(rng, n)))
    ang = helicity_angles(to_columns(lm=lm, lp=lp, b1=b1, b2=b2))
    assert stats.kstest(ang["cos_theta"], stats.uniform(-1, 2).cdf).pvalue > 1e-3
    assert stats.kstest(ang["phi"], stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue > 1e-3


def _boost_vectorised(vec, parent):
    m = np.sqrt(parent[0] ** 2 - (parent[1:] ** 2).sum(axis=0))
    dot = (parent[1:] * vec[1:]).sum(axis=0)
    c = (dot / (parent[0] + m) + vec[0]) / m
    return np.vstack([(parent[0] * vec[0] + dot) / m, vec[1:] + c * parent[1:]])


def test_longitudinal_boost_invariance_and_axis_flip():
    rng = np.random.default_rng(4)
    (lm, lp, b1, b2), _ = analytic_events(rng, 400, 900.0)
    objs = {k: boost_z(v, 0.3) for k, v in (("lm", lm), ("lp", lp), ("b1", b1), ("b2", b2))}
    before = helicity_angles(to_columns(**objs))
    # a boost that keeps the sign of P_z leaves all angles unchanged
    same = helicity_angles(to_columns(**{k: boost_z(v, 0.8) for k, v in objs.items()}))
    np.testing.assert_allclose(same["cos_Theta"], before["cos_Theta"], atol=1e-9)
    np.testing.assert_allclose(same["cos_theta"], before["cos_theta"], atol=1e-9)
    np.testing.assert_allclose(wrapped(same["phi"], before["phi"]), 0.0, atol=1e-7)
    # reversing the ZH boost reverses the oriented axis: cos Θ → −cos Θ, φ → φ + π
    flip = helicity_angles(to_columns(**{k: boost_z(v, -0.6) for k, v in objs.items()}))
    np.testing.assert_allclose(flip["cos_Theta"], -before["cos_Theta"], atol=1e-9)
    np.testing.assert_allclose(flip["cos_theta"], before["cos_theta"], atol=1e-9)
    np.testing.assert_allclose(wrapped(flip["phi"], before["phi"] + np.pi), 0.0, atol=1e-7)


def test_zh_system_at_rest_uses_plus_z():
    rng = np.random.default_rng(8)
    (lm, lp, b1, b2), (cos_big, _, _) = analytic_events(rng, 20, 400.0)
    ang = helicity_angles(to_columns(lm=lm, lp=lp, b1=b1, b2=b2))
    np.testing.assert_allclose(ang["cos_Theta"], cos_big, atol=1e-12)
