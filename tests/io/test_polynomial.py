"""EventSample's weight polynomial: w(c) and the SMEFT excess against a direct numpy sum over
the stored columns at random points (seeded), and the polynomial's term conventions."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.physics import UnknownOperatorError, WeightPolynomial

from ..physics.polynomial_reference import direct_weights


@pytest.fixture(scope="module")
def sample(all_ops_sample):
    return all_ops_sample.select(np.arange(len(all_ops_sample)) < 3000)


def direct(sample, c: dict) -> np.ndarray:
    """The oracle at the point ``c`` (missing operators are 0)."""
    x = [c.get(op, 0.0) for op in sample.operators]
    return direct_weights(sample.columns, sample.operators, x)


def test_polynomial_describes_the_columns(sample):
    poly = sample.polynomial
    assert poly == WeightPolynomial(sample.operators, sample.metadata.lambda_TeV)
    assert list(poly.terms) == sample.weight_terms
    cols = sample.weight_columns()
    assert all(c is sample.columns[t] for c, t in zip(cols, poly.terms, strict=True))


def test_weights_match_direct_sum_at_random_points(sample):
    rng = np.random.default_rng(2024)
    ops = sample.operators
    for _ in range(5):
        chosen = rng.choice(len(ops), size=3, replace=False)
        c = {ops[k]: float(rng.normal(0.0, 0.5)) for k in chosen}
        w = sample.weights(c)
        ref = direct(sample, c)
        np.testing.assert_allclose(w, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
        np.testing.assert_array_equal(sample.eft_excess(c), w - sample.columns["w_sm"])
    points = rng.normal(0.0, 0.3, (4, len(ops)))
    batch = sample.polynomial.evaluate(sample.weight_columns(), points)
    for p, row in enumerate(points):
        ref = direct(sample, dict(zip(ops, row, strict=True)))
        np.testing.assert_allclose(batch[p], ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_sm_point_and_unknown_operator(sample):
    np.testing.assert_array_equal(sample.weights(), sample.columns["w_sm"])
    with pytest.raises(UnknownOperatorError, match="no weights for cXYZ"):
        sample.weights({"cXYZ": 1.0})
