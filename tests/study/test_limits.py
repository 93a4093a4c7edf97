"""SMEFT limits from every observable: information ordering, intervals, errors."""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.regions import LinearBoundary
from mlstxs.study._limits import LEARNED, TRUTH, LimitsConfig, run_limits
from mlstxs.study._observables import BINNINGS

LINES = [
    LinearBoundary(1.34, 364.0),
    LinearBoundary(1.66, 356.0),
    LinearBoundary(1.75, 340.0),
    LinearBoundary(1.41, 502.0),
]


@pytest.fixture(scope="module")
def limits():
    sample = generate(
        GeneratorConfig(
            operators=("cHW", "cHWB", "cHq3"), n_events=80_000, seed=6, level="detector"
        )
    )
    cfg = LimitsConfig(grid_points=61, grid_points_2d=61, learner="trees")
    return run_limits(sample, cfg, LINES)


def width95(limits, op, obs):
    pieces = limits.intervals[op][obs]["0.95"]["pieces"]
    return sum(b - a for a, b in pieces)


def test_every_observable_is_fitted(limits):
    assert limits.observables == [*BINNINGS, TRUTH, LEARNED]
    for op in ("cHW", "cHWB", "cHq3"):
        for obs in limits.observables:
            iv = limits.intervals[op][obs]["0.95"]
            assert iv["low"] < 0 < iv["high"], (op, obs, iv)
    assert set(limits.scans_2d) == {"cHW,cHWB", "cHW,cHq3"}


def test_information_ordering(limits):
    """Refinements of the STXS binning keep at least its information; nothing beats the
    per-event ratio (data-processing inequality)."""
    f = limits.fisher_fraction
    assert f[TRUTH] == 1.0
    for obs in ("ML regions", "fine pT(Z)", "2-D (pT, m_ZH)"):
        assert f["STXS"] <= f[obs] + 1e-12 <= 1.0 + 1e-12
    for obs in BINNINGS:
        assert width95(limits, "cHW", TRUTH) <= width95(limits, "cHW", obs) * (1 + 1e-6)


def test_learned_ratio_approaches_the_truth(limits):
    assert limits.fisher_fraction[LEARNED] == pytest.approx(1.0, abs=0.1)
    assert width95(limits, "cHW", LEARNED) == pytest.approx(width95(limits, "cHW", TRUTH), rel=0.1)


def test_asimov_scans_have_their_minimum_at_the_sm(limits):
    for op, per in limits.scans_1d.items():
        for obs, scan in per.items():
            delta = np.array([np.inf if d is None else d for d in scan["delta"]])
            grid = np.asarray(scan["grid"])
            assert abs(grid[np.argmin(delta)]) <= 2 * (grid[1] - grid[0]), (op, obs)


def test_every_contour_is_resolved_on_its_own_grid(limits):
    """Each observable's 2-D grid holds its 95 % CL region: hundreds of cells inside, none on
    the edge (a common Fisher-sized range left 3–5 of 61 × 61 cells inside for cHW–cHWB)."""
    for pair, per in limits.scans_2d.items():
        assert list(per) == limits.observables, pair
        for obs, scan in per.items():
            delta = np.array(scan["delta"], dtype=float)
            inside = delta < 5.991
            assert scan["n_cells"] == delta.size == 61 * 61
            assert scan["n_inside"]["0.95"] == inside.sum() >= 298, (pair, obs)
            assert 0 < scan["n_inside"]["0.68"] < scan["n_inside"]["0.95"]
            edge = inside[0].any() | inside[-1].any() | inside[:, 0].any() | inside[:, -1].any()
            assert not edge and not scan["touches_edge"], (pair, obs)
            assert scan["grid_a"][0] < 0 < scan["grid_a"][-1], (pair, obs)
    assert not [n for n in limits.notes if "grid" in n]


def test_the_2d_prior_holds_the_posterior(limits):
    """The prior box of the 2-D posterior comes from the 5σ region of the truth's 2-D scan,
    not the 1-D ranges, so no posterior mass piles up at its edges."""
    post = limits.bayes["two_dimensional"]
    assert post["prior_box"]["threshold"] == pytest.approx(28.74, abs=0.01)
    assert not post["prior_box"]["touches_edge"]
    assert post["edge_mass"]["max"] <= 1e-3
    samples = np.asarray(post["samples"])
    for k, op in enumerate(post["operators"]):
        lo, hi = post["bounds"][op]
        assert lo < samples[:, k].min() and samples[:, k].max() < hi
        # wider than the 1-D scan range along the flat direction of the pair
        half = limits.scans_1d[op]["STXS"]["grid"][-1]
        assert hi - lo > 2 * half, op
        for iv in limits.bayes["one_dimensional"].values():
            assert iv["edge_mass"]["max"] <= 1e-3
    assert not [n for n in limits.notes if "posterior" in n]


def test_a_cut_posterior_gets_a_note():
    from mlstxs.stats import posterior
    from mlstxs.study._limits_bayes import _edge_check

    post = posterior(
        lambda c: 0.5 * (c[:, 0] / 0.1) ** 2, ["cHW"], {"cHW": (-0.1, 0.1)}, random_state=0
    )
    notes: list[str] = []
    rec = _edge_check(post, "1-D posterior of cHW", notes)
    assert rec["max"] > 1e-3 and rec["band"] == 0.02
    assert len(notes) == 1 and "cuts the posterior off" in notes[0]


def test_every_observable_has_an_observed_interval(limits):
    """The learned ratio is evaluated on the same pseudo-data as the others."""
    for op in ("cHW", "cHWB", "cHq3"):
        per = limits.observed["intervals"][op]
        assert list(per) == limits.observables
        truth, learned = per[TRUTH]["0.95"], per[LEARNED]["0.95"]
        width = truth["high"] - truth["low"]
        assert learned["low"] == pytest.approx(truth["low"], abs=0.2 * width), op
        assert learned["high"] == pytest.approx(truth["high"], abs=0.2 * width), op


def test_unknown_operator_is_refused():
    sample = generate(
        GeneratorConfig(operators=("cHW",), n_events=20_000, seed=1, level="detector")
    )
    with pytest.raises(ValueError, match="no weights for cHq3"):
        run_limits(sample, LimitsConfig(operators=("cHq3",)))
    with pytest.raises(ValueError, match="one line per slice"):
        BINNINGS["ML regions"](np.ones(3), np.ones(3), lines=None)


def test_malformed_configuration_is_refused():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="grid_points"):
        LimitsConfig(grid_points=3)
    with pytest.raises(ValidationError, match="learner"):
        LimitsConfig(learner="forest")
    with pytest.raises(ValidationError, match="extra"):
        LimitsConfig(luminosity=300)
