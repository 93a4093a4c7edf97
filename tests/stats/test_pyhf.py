"""The pyhf workspace of the binned SMEFT likelihood, and the profile likelihood against pyhf."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlstxs.stats._binned import BinnedData, binned_model
from mlstxs.stats._intervals import asimov_data, pseudo_data
from mlstxs.stats._pyhf import pyhf_crosscheck, to_pyhf_workspace

pyhf = pytest.importorskip("pyhf")
pytest.importorskip("iminuit")
pytestmark = pytest.mark.filterwarnings(  # raised by jsonschema inside pyhf's validation
    "ignore:jsonschema.RefResolver is deprecated:DeprecationWarning"
)


def linear_model(eps=(0.05, 0.1, 0.0, 0.2)):
    """Four bins (one dropped: empty), cHW and cHWB with linear terms only [events at 1 fb⁻¹]."""
    sm = [100.0, 200.0, 0.0, 300.0, 50.0]
    l1, l2 = [20.0, -10.0, 0.0, 40.0, 10.0], [5.0, 15.0, 0.0, -8.0, 3.0]
    terms = np.array([sm, l1, l2, [0.0] * 5, [0.0] * 5, [0.0] * 5]) / 1000.0
    return binned_model(np.arange(5), 5, terms, ("cHW", "cHWB"), 1.0, [eps[0], *eps])


def test_workspace_validates_and_reproduces_the_yields():
    m = linear_model()
    data = pseudo_data(m, {"cHW": 0.5}, 3)
    spec = to_pyhf_workspace(m, data, {"cHW": 1.0, "cHWB": 0.5})
    pyhf.schema.validate(json.loads(json.dumps(spec)), "workspace.json")
    pdf = pyhf.Workspace(spec).model()
    assert pdf.config.poi_name == "mu"
    assert sorted(pdf.config.par_names) == ["bkg_norm_0", "bkg_norm_1", "bkg_norm_4", "mu"]
    pars = np.array(pdf.config.suggested_init())
    names = pdf.config.par_names

    def expected_pyhf(mu, theta):
        p = pars.copy()
        p[names.index("mu")] = mu
        for name, t in theta.items():
            p[names.index(name)] = t
        return pdf.expected_actualdata(p)

    mu = 1.7
    c = mu * np.array([1.0, 0.5])
    np.testing.assert_allclose(expected_pyhf(mu, {}), m.expected(c)[0], rtol=1e-12)
    for k, name in enumerate(("bkg_norm_0", "bkg_norm_1", "bkg_norm_4")):
        for t in (-0.7, 1.3):
            theta = np.zeros(m.n_bins)
            theta[[0, 1, 3][k]] = t
            ours = (
                m.evaluate(c[None], data, profile=False).expected[0]
                + m.epsilon * m.background * theta
            )
            np.testing.assert_allclose(expected_pyhf(mu, {name: t}), ours, rtol=1e-12)
    assert spec["observations"][0]["data"] == data.counts.tolist()


@pytest.mark.parametrize("fluctuate_aux", [False, True])
def test_profile_likelihood_matches_pyhf(fluctuate_aux):
    m = linear_model()
    data = pseudo_data(m, {"cHW": 0.5, "cHWB": -0.3}, 11, fluctuate_aux=fluctuate_aux)
    res = pyhf_crosscheck(m, data, {"cHW": 1.0, "cHWB": -0.6}, [-2.0, -1.0, 0.0, 0.4, 1.0, 2.5])
    assert res.max_rel_diff < 1e-4
    np.testing.assert_allclose(res.delta_pyhf, res.delta_ours, rtol=1e-4, atol=1e-6)
    assert res.mu_hat_pyhf == pytest.approx(res.mu_hat_ours, abs=1e-3)
    assert res.delta_ours.max() > 5.0  # the comparison spans a real range of Δ
    json.dumps(res.to_dict())


def test_asimov_crosscheck_and_pyhf_backend_restored():
    m = linear_model(eps=(0.3, 0.3, 0.3, 0.3))
    before = pyhf.get_backend()
    res = pyhf_crosscheck(m, asimov_data(m), {"cHWB": 1.0}, [-3.0, -1.0, 1.0, 3.0])
    assert res.max_rel_diff < 1e-4 and abs(res.mu_hat_ours) < 1e-6
    assert type(pyhf.get_backend()[1]) is type(before[1])


def test_crosscheck_refuses_quadratic_directions_and_the_sm():
    terms = np.array(
        [[0.1, 0.2], [0.02, -0.01], [0.01, 0.03], [0.005, 0.001], [0.0, 0.0], [0.0, 0.0]]
    )
    m = binned_model(np.arange(2), 2, terms, ("cHW", "cHWB"), 1.0, 0.1)
    data = BinnedData(np.array([100.0, 200.0]))
    with pytest.raises(ValueError, match="not linear along c_benchmark"):
        pyhf_crosscheck(m, data, {"cHW": 1.0}, [0.0, 1.0])
    res = pyhf_crosscheck(m, data, {"cHWB": 1.0}, [0.0, 1.0])  # cHWB enters linearly only
    assert res.max_rel_diff < 1e-4
    with pytest.raises(ValueError, match="must differ from the SM"):
        to_pyhf_workspace(m, data, {})
    flat = binned_model(
        np.arange(2), 2, terms * [[1], [0], [0], [1], [0], [0]], ("cHW", "cHWB"), 1.0
    )
    with pytest.raises(ValueError, match="no EFT excess"):
        to_pyhf_workspace(flat, data, {"cHWB": 1.0})


def test_physical_domain_clip_matches_pyhf_parameter_bounds():
    """At large mu the profiled background of bin 0 wants to go negative: we clip θ at −1/ε,
    pyhf stops at the same bound (set in the workspace)."""
    m = linear_model(eps=(0.8, 0.1, 0.0, 0.7))
    data = pseudo_data(m, {}, 11)
    mu = np.array([-1.0, 0.0, 2.0, 4.0, 6.0])
    theta = m.evaluate(mu[:, None] * [1.0, 0.0], data).theta
    assert theta[-1, 0] == -1.0 / 0.8 and np.all(theta[:-1, 0] > -1.0 / 0.8)
    res = pyhf_crosscheck(m, data, {"cHW": 1.0}, mu)
    assert res.max_rel_diff < 1e-4
