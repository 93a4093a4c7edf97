"""WeightPolynomial: term conventions, point validation, and monomials, Jacobian and w(c)
against a direct numpy evaluation of w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab at random
points; the pb·fb⁻¹ → events conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlstxs.physics import (
    OPERATORS,
    PB_TO_EVENTS_PER_FB,
    UnknownOperatorError,
    WeightPolynomial,
    check_luminosity,
    events_per_pb,
    expected_events,
    monomial_jacobian,
    monomials,
    weight_term_names,
    weight_term_pairs,
)

from .polynomial_reference import direct_weights

OPS = ("cHW", "cHWB", "cHq3")


def random_terms(poly: WeightPolynomial, n_events: int, rng: np.random.Generator) -> dict:
    """Per-event terms by name [pb], w_sm > 0, the others of either sign."""
    terms = {name: rng.normal(0.0, 1e-3, n_events) for name in poly.terms}
    terms["w_sm"] = rng.uniform(0.5, 1.5, n_events) * 1e-3
    return terms


def test_terms_pairs_and_orders():
    poly = WeightPolynomial(OPS, lambda_TeV=2.0)
    assert poly.terms == tuple(weight_term_names(OPS))
    assert poly.pairs == tuple(weight_term_pairs(OPS))
    assert poly.n_terms == 1 + 3 + 6 and poly.n_operators == 3
    assert poly.orders.tolist() == [0, 1, 1, 1, 2, 2, 2, 2, 2, 2]
    assert poly.lambda_TeV == 2.0
    assert WeightPolynomial(()).terms == ("w_sm",)
    assert len(WeightPolynomial(OPERATORS).terms) == 1 + 13 + 13 * 14 // 2


@pytest.mark.parametrize("ops", [("cHW",), OPS, ("cHq3", "cHbox", "cHW", "cHB", "cll1")])
def test_evaluate_matches_direct_sum_at_random_points(ops):
    rng = np.random.default_rng(20240611)
    poly = WeightPolynomial(ops)
    terms = random_terms(poly, 257, rng)
    columns = [terms[name] for name in poly.terms]
    points = rng.normal(0.0, 2.0, (11, len(ops)))
    batch = poly.evaluate(columns, points)
    assert batch.shape == (11, 257)
    expect = np.array([direct_weights(terms, ops, c) for c in points])
    np.testing.assert_allclose(batch, expect, rtol=1e-12, atol=1e-18)
    # the same numbers as a (K, N) matrix, point by point, and as a mapping
    np.testing.assert_array_equal(poly.evaluate(np.stack(columns), points), batch)
    for p, c in enumerate(points):
        np.testing.assert_array_equal(poly.evaluate(columns, c), batch[p])
        point = dict(zip(ops, c, strict=True))
        np.testing.assert_array_equal(poly.evaluate(columns, point), batch[p])


def test_evaluate_by_order_splits_interference_and_square():
    rng = np.random.default_rng(7)
    poly = WeightPolynomial(OPS)
    terms = random_terms(poly, 100, rng)
    columns = [terms[name] for name in poly.terms]
    c = rng.normal(size=3)
    lin = sum(c[a] * terms[f"w_{op}"] for a, op in enumerate(OPS))
    np.testing.assert_allclose(poly.evaluate(columns, c, order=1), lin, rtol=1e-12)
    np.testing.assert_array_equal(poly.evaluate(columns, c, order=0), terms["w_sm"])
    total = sum(poly.evaluate(columns, c, order=k) for k in (0, 1, 2))
    np.testing.assert_allclose(total, poly.evaluate(columns, c), rtol=1e-12)


def test_missing_operators_are_zero_and_sm_point():
    poly = WeightPolynomial(OPS)
    terms = random_terms(poly, 50, np.random.default_rng(3))
    columns = [terms[name] for name in poly.terms]
    np.testing.assert_array_equal(poly.evaluate(columns, {}), terms["w_sm"])
    np.testing.assert_array_equal(poly.evaluate(columns, 0.0), terms["w_sm"])
    np.testing.assert_array_equal(
        poly.evaluate(columns, {"cHWB": 0.4}), poly.evaluate(columns, [0.0, 0.4, 0.0])
    )


def test_monomials_against_direct_products():
    rng = np.random.default_rng(11)
    poly = WeightPolynomial(OPS)
    points = rng.uniform(-3, 3, (20, 3))
    m = poly.monomials(points)
    assert m.shape == (20, poly.n_terms)
    ext = np.column_stack([np.ones(20), points])
    for t, (i, j) in enumerate(weight_term_pairs(OPS)):
        np.testing.assert_array_equal(m[:, t], ext[:, i] * ext[:, j])
    np.testing.assert_array_equal(monomials(points), m)  # default: all pairs
    sub = [(0, 2), (1, 3)]
    np.testing.assert_array_equal(monomials(points, sub), m[:, [2, 6]])
    assert poly.monomials({"cHW": 2.0}).tolist() == [[1, 2, 0, 0, 4, 0, 0, 0, 0, 0]]


def test_jacobian_against_finite_differences():
    rng = np.random.default_rng(5)
    poly = WeightPolynomial(OPS)
    c = rng.normal(size=3)
    h = 1e-6
    num = np.array(
        [(poly.monomials(c + h * e) - poly.monomials(c - h * e))[0] / (2 * h) for e in np.eye(3)]
    )
    np.testing.assert_allclose(poly.jacobian(c), num, atol=1e-8)
    np.testing.assert_array_equal(monomial_jacobian(c), poly.jacobian(c))


def test_point_validation():
    poly = WeightPolynomial(OPS)
    np.testing.assert_array_equal(poly.validate_point({"cHq3": 2}), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(poly.validate_point(0.5), [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(poly.validate_point([[1, 2, 3]]), [1.0, 2.0, 3.0])
    with pytest.raises(UnknownOperatorError, match="no weights for cHB; this model has cHW"):
        poly.validate_point({"cHB": 1.0})
    with pytest.raises(ValueError, match="NaN or inf"):
        poly.validate_point({"cHW": math.nan})
    with pytest.raises(ValueError, match=r"a point must have shape \(3,\)"):
        poly.validate_point(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"c_points must have shape \(P, 3\)"):
        poly.validate_points(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        poly.validate_points([[0.0, np.inf, 0.0]])
    with pytest.raises(ValueError, match="need 10 weight terms"):
        poly.evaluate([np.ones(3)] * 4, {})


def test_operator_validation():
    with pytest.raises(UnknownOperatorError, match="cXYZ"):
        WeightPolynomial(("cHW", "cXYZ"))
    with pytest.raises(ValueError, match="unique"):
        WeightPolynomial(("cHW", "cHW"))
    with pytest.raises(TypeError, match="sequence of names"):
        WeightPolynomial("cHW")
    with pytest.raises(ValueError, match="lambda_TeV"):
        WeightPolynomial(OPS, lambda_TeV=0.0)
    assert WeightPolynomial(["cHq3", "cHW"]).operators == ("cHq3", "cHW")  # order kept


def test_expected_events():
    assert PB_TO_EVENTS_PER_FB == 1000.0
    assert events_per_pb(300.0) == 3e5
    np.testing.assert_array_equal(expected_events([1.0, 2e-3], 139.0), [139e3, 278.0])
    assert check_luminosity(1) == 1.0
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="luminosity_fb must be positive and finite"):
            check_luminosity(bad)
