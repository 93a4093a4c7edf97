"""Merging an inclusive and an enriched sample into one with correct weights.

Two runs of the built-in generator that differ only in their m_ZH sampling density, their
p_T(Z) generation cut, seed and size sample the same integrand with densities N_A g_A and
N_B g_B. Giving every event of the union the weight f / (N_A g_A + N_B g_B) — the multichannel
("balance heuristic") combination — is unbiased everywhere, including where only one of them
populates the phase space (below the enriched sample's cut).
"""

from __future__ import annotations

import numpy as np

from ..io import EventSample, SampleMetadata, term_cross_sections
from ._config import GeneratorConfig
from ._phasespace import mzh_density, mzh_lower_bound

_MAY_DIFFER = {"n_events", "seed", "ptz_min_GeV", "mzh_exponents", "chunk_size"}


def _truth(sample: EventSample) -> str:
    return "truth_" if sample.metadata.level == "detector" else ""


def _density(config: GeneratorConfig, sample: EventSample) -> np.ndarray:
    """N·g(m_ZH | m_ℓℓ)·1[p_T(Z) ≥ cut] of ``config`` at the (truth) events of ``sample``."""
    pre = _truth(sample)
    lep = sample.momentum("lm", pre) + sample.momentum("lp", pre)
    zh = lep + sample.momentum("b1", pre) + sample.momentum("b2", pre)
    mll2 = lep[:, 0] ** 2 - (lep[:, 1:] ** 2).sum(axis=1)
    m = np.sqrt(zh[:, 0] ** 2 - (zh[:, 1:] ** 2).sum(axis=1))
    ptz = np.hypot(lep[:, 1], lep[:, 2])
    m_min = mzh_lower_bound(mll2, config.ptz_min_GeV, config.sm_inputs().M_H)
    inside = ptz >= config.ptz_min_GeV
    g = mzh_density(np.maximum(m, m_min), m_min, config.sqrt_s_GeV, config.mzh_exponents)
    return np.where(inside, config.n_events * g, 0.0)


def merge_samples(a: EventSample, b: EventSample) -> EventSample:
    """Merge two generator samples (e.g. inclusive + p_T(Z)-enriched) with multichannel weights.

    Raises
    ------
    ValueError
        If the samples were not made by the built-in generator with compatible settings
        (everything but size, seed, m_ZH sampling and p_T(Z) cut must agree) or share a seed.
    """
    if a.metadata.generator is None or b.metadata.generator is None:
        raise ValueError("only samples of the built-in generator can be merged")
    ca = GeneratorConfig(**a.metadata.generator)
    cb = GeneratorConfig(**b.metadata.generator)
    da, db = ca.model_dump(), cb.model_dump()
    differ = sorted(k for k in da if da[k] != db[k] and k not in _MAY_DIFFER)
    if differ:
        raise ValueError(f"samples differ in {', '.join(differ)}; they cannot be merged")
    if ca.seed == cb.seed:
        raise ValueError("samples share the seed; merge statistically independent samples")
    parts = []
    for s, own in ((a, ca), (b, cb)):
        ratio = _density(own, s) / (_density(ca, s) + _density(cb, s))
        parts.append({k: (v * ratio if k.startswith("w_") else v) for k, v in s.columns.items()})
    columns = {k: np.concatenate([parts[0][k], parts[1][k]]) for k in parts[0]}
    n = ca.n_events + cb.n_events
    xsec = term_cross_sections(columns, a.weight_terms, n)
    meta: SampleMetadata = a.metadata.model_copy(
        update={
            "n_trials": n,
            "n_events": len(columns["w_sm"]),
            "seed": None,
            "xsec": xsec,
            "xsec_norm_rel_error": 0.0,
            "generator": None,
            "notes": [
                *a.metadata.notes,
                "merged (multichannel weights) from runs: "
                + "; ".join(c.model_dump_json() for c in (ca, cb)),
            ],
        }
    )
    return EventSample(columns, meta)
