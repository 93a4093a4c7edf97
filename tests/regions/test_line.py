"""Lines in (p_T^Z, m_ZH): physical-unit conversion, selection, slices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlstxs.regions import LinearBoundary, pt_slices


@pytest.mark.parametrize("above", [True, False])
def test_standardised_round_trip(above):
    rng = np.random.default_rng(1)
    for _ in range(50):
        line = LinearBoundary(rng.normal(0, 50), rng.normal(0, 5000), above)
        mean, scale = rng.uniform(50, 900, 2), rng.uniform(10, 500, 2)
        w, c = line.to_standardized(mean, scale)
        back = LinearBoundary.from_standardized(w, c, mean, scale)
        assert back.above == above
        assert back.slope == pytest.approx(line.slope, rel=1e-12, abs=1e-12)
        assert back.intercept_GeV == pytest.approx(line.intercept_GeV, rel=1e-10, abs=1e-8)


def test_standardised_region_equals_physical_region():
    rng = np.random.default_rng(2)
    pt, m = rng.uniform(75, 1500, 5000), rng.uniform(200, 4000, 5000)
    mean, scale = np.array([300.0, 900.0]), np.array([150.0, 600.0])
    line = LinearBoundary(1.3, 250.0)
    w, c = line.to_standardized(mean, scale)
    z = (np.column_stack([pt, m]) - mean) / scale
    np.testing.assert_array_equal(z @ w + c > 0, line.contains(pt, m))
    assert np.array_equal(line.contains(pt, m), m > 1.3 * pt + 250.0)


def test_vertical_boundary_and_bad_values():
    with pytest.raises(ValueError, match="vertical"):
        LinearBoundary.from_standardized(np.array([1.0, 0.0]), 0.0, np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="finite"):
        LinearBoundary(math.nan, 1.0)


def test_slices():
    s = pt_slices()
    assert [x.label for x in s] == ["[75,150]", "[150,250]", "[250,400]", "[400,inf]"]
    assert s[-1].contains(np.array([400.0, 1e5, 399.9])).tolist() == [True, True, False]
    assert s[0].to_dict() == {"variable": "pt_Z", "low_GeV": 75.0, "high_GeV": 150.0}
    with pytest.raises(ValueError, match="increasing"):
        pt_slices((100, 50))


def test_falling_paper_line_selects_the_hard_corner():
    """The paper's lines (Table I, [75,150]: a = −87, b = 9700 GeV) fall steeply: above
    them lie the events hard in p_T^Z or in m_ZH, below them the soft corner."""
    line = LinearBoundary(-87.0, 9700.0)
    pt = np.array([100.0, 100.0, 120.0, 80.0])
    mzh = np.array([1001.0, 999.0, 250.0, 2500.0])  # line at 1000, −740 and 2740 GeV
    assert line.contains(pt, mzh).tolist() == [True, False, True, False]
    assert not LinearBoundary(-87.0, 9700.0, above=False).contains(pt, mzh)[0]
