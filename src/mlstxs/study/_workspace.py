"""The pyhf workspace of the STXS binned model of a sample (``stats`` extra)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..io import EventSample
from ..observables import region_observables
from ..physics import weight_term_names
from ..stats import asimov_data, binned_model, to_pyhf_workspace
from ._observables import stxs_binning


def stxs_pyhf_workspace(
    sample: EventSample, operators: tuple[str, ...] | None, luminosity_fb: float, epsilon: float
) -> dict[str, Any] | None:
    """The STXS p_T(Z) binned model as a pyhf workspace, with Asimov data at c = 0 and the
    signal at c = 1 of the first operator; a background normalisation per bin of width ε when
    ε > 0 (:func:`mlstxs.stats.to_pyhf_workspace`). None when pyhf is not installed.

    Parameters
    ----------
    operators : tuple of str or None
        Operators of the model (default: all of the sample's), in the sample's order.
    luminosity_fb : float
        Integrated luminosity [fb⁻¹].
    epsilon : float
        Fractional background uncertainty per bin.
    """
    try:
        import pyhf  # noqa: F401
    except ImportError:
        return None
    wanted = operators or sample.operators
    ops = tuple(op for op in sample.operators if op in wanted)
    obs = region_observables(sample.columns)
    b = stxs_binning(obs["pt_Z"], obs["m_ZH"])
    terms = np.array([sample.columns[n] for n in weight_term_names(ops)])
    model = binned_model(b.index, b.n_bins, terms, ops, luminosity_fb, epsilon)
    return to_pyhf_workspace(model, asimov_data(model), {ops[0]: 1.0})
