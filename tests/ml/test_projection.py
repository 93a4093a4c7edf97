"""Projection of learned ratios onto positive quadratic forms."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.ml._projection import project_positive
from mlstxs.ml._targets import term_coefficients


def ratio(coef, c, ops):
    from mlstxs.physics import weight_term_pairs

    pairs = weight_term_pairs(ops)[1:]
    return 1.0 + coef @ term_coefficients(np.atleast_2d(c), pairs, len(ops)).T


def test_positive_forms_are_unchanged_and_bad_ones_become_positive():
    ops = ("cHW", "cHWB", "cHq3")
    rng = np.random.default_rng(0)
    n = 2000
    # random PSD forms: r(c) = |1 + c·u|² + |c·v|² expanded into the coefficients
    u, v = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    from mlstxs.physics import weight_term_pairs

    pairs = weight_term_pairs(ops)[1:]
    good = np.empty((n, len(pairs)))
    for t, (i, j) in enumerate(pairs):
        if i == 0:
            good[:, t] = 2 * u[:, j - 1]
        else:
            q = u[:, i - 1] * u[:, j - 1] + v[:, i - 1] * v[:, j - 1]
            good[:, t] = q if i == j else 2 * q
    proj = project_positive(good, ops)
    assert proj.n_modified == 0
    np.testing.assert_array_equal(proj.coefficients, good)
    bad = good.copy()
    bad[:500, 3] = -np.abs(bad[:500, 3]) - 1.0  # negative cHW² coefficient
    proj = project_positive(bad, ops)
    assert proj.n_modified == 500 and proj.fraction_modified == pytest.approx(0.25)
    c = rng.uniform(-30, 30, size=(300, 3))
    assert np.all(ratio(proj.coefficients, c, ops) >= -1e-9)
    np.testing.assert_allclose(ratio(proj.coefficients, np.zeros(3), ops), 1.0)
    np.testing.assert_array_equal(proj.coefficients[500:], bad[500:])


def test_shape_error():
    with pytest.raises(ValueError, match="shape"):
        project_positive(np.zeros((3, 4)), ("cHW",))
