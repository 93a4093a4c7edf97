"""The amplitude against MadGraph5_aMC@NLO + SMEFTsim, event by event.

MadGraph's reweighting evaluates |M(c)|² at each event's own helicities. For massless fermions
a helicity configuration is one chirality pair (σ_q, σ_ℓ), so the ratios of the per-chirality
terms of our closed form must equal MadGraph's w(±1)/w(0) ratios per event.
"""

from __future__ import annotations

import numpy as np

from mlstxs.physics import (
    CHIRALITY_PAIRS,
    SMInputs,
    basis_coefficients,
    coupling_table,
    helicity_basis,
)

from ..madgraph_data import CHW_FILE, read_events


def test_per_helicity_ratios_equal_madgraph_reweighting():
    ev = read_events(CHW_FILE, max_events=3000)
    sm = SMInputs()
    table = coupling_table(("cHW",))
    basis = helicity_basis(ev["q"], ev["qbar"], ev["lm"], ev["lp"], ev["h"], sm.M_Z, sm.Gamma_Z)
    basis = basis.reshape(len(basis), 4, -1)
    pair = np.array(
        [CHIRALITY_PAIRS.index(hel) for hel in zip(ev["hel_q"], ev["hel_lm"], strict=True)]
    )
    me = np.empty((len(pair), 3))
    for quark, ids in (("u", (2, 4)), ("d", (1, 3))):
        coef = basis_coefficients(table, quark).reshape(4, -1, 3)
        sel = np.isin(ev["q_pdg"], ids)
        me[sel] = np.einsum("nb,nbk->nk", basis[sel, pair[sel]], coef[pair[sel]])
    w0, wm, wp = ev["w_cHW_0p0"], ev["w_cHW_m1p0"], ev["w_cHW_p1p0_check"]
    lin_mg = (wp - wm) / 2 / w0
    quad_mg = ((wp + wm) / 2 - w0) / w0
    # the LHE file prints weights with 7-8 significant digits
    np.testing.assert_allclose(me[:, 1] / me[:, 0], lin_mg, rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(me[:, 2] / me[:, 0], quad_mg, rtol=2e-5, atol=2e-6)
