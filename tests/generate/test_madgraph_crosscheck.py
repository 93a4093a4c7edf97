"""Hadronic cross sections against the shared MadGraph5_aMC@NLO + SMEFTsim samples.

Settings of those runs (shared/data/README.md): NNPDF2.3 LO (nn23lo1), 4 flavours,
μ_F = m_ZH, |m − M| < 15 Γ for the Z and the H, BR(H → b b̄) from the model's LO Yukawa
(m_b = 4.18 GeV, Γ_H fixed at 4.07 MeV).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.physics import SMInputs

from ..madgraph_data import CHW_FILE, SM_FILE, ptz, read_events

SM = SMInputs()
MG_SIGMA_SM_PB = (0.039052, 1.8669e-5)  # the files' <init> blocks
MG_SIGMA_CHW1_PB = (0.077219, 4.54306e-5)


def madgraph_normalisation() -> float:
    """Factor from our σ × BR(H→bb̄) = 0.5809 to MadGraph's σ: its H → b b̄ partial width over
    the fixed Γ_H, and the part of the H Breit–Wigner inside |m − M_H| < 15 Γ_H."""
    mb, mh = 4.18, SM.M_H
    beta3 = (1 - 4 * mb**2 / mh**2) ** 1.5
    gamma_bb = 3 * 1.166379e-5 * mh * mb**2 * beta3 / (4 * math.sqrt(2) * math.pi)
    window = 2 / math.pi * math.atan(2 * 15)
    return gamma_bb / SM.Gamma_H * window / SM.br_hbb


@pytest.fixture(scope="module")
def matched():
    z_window = (SM.M_Z - 15 * SM.Gamma_Z, SM.M_Z + 15 * SM.Gamma_Z)
    cfg = GeneratorConfig(
        operators=("cHW",),
        n_events=600_000,
        seed=21,
        pdf="NNPDF23_lo_as_0130_qed",
        flavours=4,
        mll_window_GeV=z_window,
        level="parton",
    )
    return generate(cfg)


def test_absolute_cross_sections_match_madgraph(matched):
    x = matched.metadata.xsec
    f = madgraph_normalisation()
    sm, sm_err = x["w_sm"].xsec_pb * f, x["w_sm"].error_pb * f
    assert abs(sm - MG_SIGMA_SM_PB[0]) < 4 * math.hypot(sm_err, MG_SIGMA_SM_PB[1])
    at1 = (x["w_sm"].xsec_pb + x["w_cHW"].xsec_pb + x["w_cHW_cHW"].xsec_pb) * f
    w = matched.weights({"cHW": 1.0})
    err1 = math.sqrt(max(np.dot(w, w) - w.sum() ** 2 / matched.metadata.n_trials, 0)) * f
    assert abs(at1 - MG_SIGMA_CHW1_PB[0]) < 4 * math.hypot(err1, MG_SIGMA_CHW1_PB[1])


def test_ptz_shape_matches_madgraph_sm_sample(matched):
    """Fractions of σ_SM in the STXS p_T(Z) bins vs the unweighted MadGraph SM events."""
    mg = ptz(read_events(SM_FILE))
    t = matched.cross_sections().terms["w_sm"]
    ours = t[2] / t[0]
    edges = (0, 75, 150, 250, 400, np.inf)
    counts = np.histogram(mg, bins=edges)[0]
    frac = counts / len(mg)
    err = np.sqrt(frac * (1 - frac) / len(mg))
    np.testing.assert_array_less(np.abs(ours - frac), 4 * np.hypot(err, t[3] / t[0]) + 1e-12)


def test_eft_ratios_per_bin_match_madgraph_reweighting(matched):
    """Linear and quadratic cHW terms over SM per STXS bin, vs MadGraph's reweighting
    (importance-sampled at cHW = 1; errors by bootstrap over its events)."""
    ev = read_events(CHW_FILE)
    pt = ptz(ev)
    w0 = ev["w_cHW_0p0"]
    lin = (ev["w_cHW_p1p0_check"] - ev["w_cHW_m1p0"]) / 2
    quad = (ev["w_cHW_p1p0_check"] + ev["w_cHW_m1p0"]) / 2 - w0
    t = matched.cross_sections().terms
    rng = np.random.default_rng(0)
    edges = (0, 75, 150, 250, 400, np.inf)
    for b, (lo, hi) in enumerate(itertools.pairwise(edges)):
        idx = np.flatnonzero((pt >= lo) & (pt < hi))
        boot = rng.choice(idx, size=(300, len(idx)))
        for term, mg in (("w_cHW", lin), ("w_cHW_cHW", quad)):
            ratio_mg = mg[idx].sum() / w0[idx].sum()
            spread = np.std(mg[boot].sum(axis=1) / w0[boot].sum(axis=1))
            ours = t[term][2][b] / t["w_sm"][2][b]
            assert abs(ours - ratio_mg) < 4 * spread + 0.01 * abs(ratio_mg), (
                term,
                lo,
                ours,
                ratio_mg,
            )
