"""Per-bin SMEFT parametrisations: mlstxs sample vs the MadGraph + SMEFTsim file."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import read_lhe
from mlstxs.physics import SMInputs
from mlstxs.publish import region_parametrisation

from ..madgraph_data import CHW_FILE, read_events

EDGES = (0.0, 75.0, 150.0, 250.0, 400.0, math.inf)


@pytest.mark.slow
def test_a_and_b_agree_with_madgraph_in_every_stxs_bin():
    read_events(CHW_FILE, max_events=1)  # skips without the shared file
    mg = read_lhe(CHW_FILE).sample
    sm = SMInputs()
    ours = generate(
        GeneratorConfig(
            operators=("cHW",),
            n_events=400_000,
            seed=31,
            pdf="NNPDF23_lo_as_0130_qed",
            flavours=4,
            level="parton",
            mll_window_GeV=(sm.M_Z - 15 * sm.Gamma_Z, sm.M_Z + 15 * sm.Gamma_Z),
        )
    )
    for lo, hi in itertools.pairwise(EDGES):
        name = f"[{lo:g},{hi:g})"
        p_mg = region_parametrisation(mg, (mg.ptz_GeV() >= lo) & (mg.ptz_GeV() < hi), name)
        p_us = region_parametrisation(ours, (ours.ptz_GeV() >= lo) & (ours.ptz_GeV() < hi), name)
        for coef, err in (("A", "A_err"), ("B", "B_err")):
            for key, value in getattr(p_mg, coef).items():
                ref = getattr(p_us, coef)[key]
                sigma = np.hypot(getattr(p_mg, err)[key], getattr(p_us, err)[key])
                assert abs(value - ref) < 4 * sigma, (name, coef, key, value, ref, sigma)
