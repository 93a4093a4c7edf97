"""One chunk of weighted events: phase space × parton luminosities × |M|² polynomial."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import numpy as np

from ..io import COMPONENTS, momentum_column_names
from ..physics import (
    basis_coefficients,
    coupling_table,
    helicity_basis,
    load_pdf,
    weight_term_names,
)
from ._config import GeneratorConfig
from ._phasespace import PhaseSpacePoints, sample_phase_space

UP_TYPE = (2, 4)
DOWN_TYPE = (1, 3, 5)


@lru_cache(maxsize=16)
def _coefficients(
    operators: tuple[str, ...], lambda_TeV: float, scheme: Literal["mw", "alpha"]
) -> dict:
    """Transposed coefficient matrices (K, 40) per quark type, C-contiguous."""
    from ..physics import SMInputs

    table = coupling_table(operators, SMInputs(scheme=scheme), lambda_TeV)
    return {t: np.ascontiguousarray(basis_coefficients(table, t).T) for t in ("u", "d")}


def _beams(ps: PhaseSpacePoints, sqrt_s: float) -> tuple[np.ndarray, np.ndarray]:
    e = 0.5 * sqrt_s
    pa = np.zeros((ps.x1.shape[0], 4))
    pb = np.zeros_like(pa)
    pa[:, 0], pa[:, 3] = ps.x1 * e, ps.x1 * e
    pb[:, 0], pb[:, 3] = ps.x2 * e, -ps.x2 * e
    return pa, pb


def channel_luminosities(config: GeneratorConfig, ps: PhaseSpacePoints) -> dict:
    """Products f_q(x_1) f_q̄(x_2) and f_q̄(x_1) f_q(x_2) per quark flavour (PDG 1…5).

    Returns a dict {(q, orientation): array}; orientation +1 means the quark comes from
    beam A (+z). PDFs at μ_F = m_ZH or the fixed scale of the configuration. Negative grid
    values (NNPDF3.1 LO strange and sea quarks at large x) are set to zero, as Pythia 8 does,
    so that every weight w(c) stays non-negative.
    """
    quarks = tuple(range(1, config.flavours + 1))
    flav = quarks + tuple(-q for q in quarks)
    n = ps.x1.shape[0]
    mu = ps.sqrt_s_hat if config.scale == "mzh" else np.full(n, float(config.scale))
    x = np.concatenate([ps.x1, ps.x2])
    xf = load_pdf(config.pdf).xfxQ(flav, x, np.concatenate([mu, mu]), clip_negative=True)
    inv = 1.0 / (ps.x1 * ps.x2)
    nq = len(quarks)
    out = {}
    for i, q in enumerate(quarks):
        out[q, +1] = xf[i, :n] * xf[nq + i, n:] * inv
        out[q, -1] = xf[nq + i, :n] * xf[i, n:] * inv
    return out


def event_weights(config: GeneratorConfig, ps: PhaseSpacePoints, rng: np.random.Generator):
    """Weight-polynomial terms in pb, shape (K, N) (one contiguous row per term), and the
    initial-state label drawn per event.

    w = factor · Σ_{q,o} L_{q,o} Σ_σ|M|²_{type(q), o}  (spec §7.2), where the matrix element for
    orientation −1 is evaluated with the quark momentum from beam B.
    """
    coef = _coefficients(config.operators, config.lambda_TeV, config.scheme)
    sm = config.sm_inputs()
    pa, pb = _beams(ps, config.sqrt_s_GeV)
    lum = channel_luminosities(config, ps)
    weights = None
    labels, w0_parts = [], []
    for o, (p1, p2) in ((+1, (pa, pb)), (-1, (pb, pa))):
        basis_t = helicity_basis(p1, p2, ps.lm, ps.lp, ps.pH, sm.M_Z, sm.Gamma_Z).T
        for t, members in (("u", UP_TYPE), ("d", DOWN_TYPE)):
            qs = [q for q in members if q <= config.flavours]
            me = coef[t] @ basis_t
            for q in qs:
                labels.append(q * o)
                w0_parts.append(lum[q, o] * me[0])
            me *= sum(lum[q, o] for q in qs)
            if weights is None:
                weights = me
            else:
                weights += me
    weights *= ps.factor
    init_pdg = _draw_label(np.array(labels), np.vstack(w0_parts), rng)
    return weights, init_pdg


def _draw_label(labels: np.ndarray, parts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Initial-state channel drawn with probability ∝ its SM weight (for the record only)."""
    cum = np.cumsum(parts, axis=0)
    u = rng.random(parts.shape[1]) * cum[-1]
    idx = (cum < u[None, :]).sum(axis=0)
    return labels[np.minimum(idx, len(labels) - 1)].astype(np.int8)


def _pt_order(b: np.ndarray, bbar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pt_b = b[:, 1] ** 2 + b[:, 2] ** 2
    pt_bbar = bbar[:, 1] ** 2 + bbar[:, 2] ** 2
    first = (pt_b >= pt_bbar)[:, None]
    return np.where(first, b, bbar), np.where(first, bbar, b)


def momentum_columns(objects: dict[str, np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    """Flatten (N, 4) momenta into ``<prefix><obj>_<E|px|py|pz>`` columns."""
    return {
        f"{prefix}{name}_{c}": np.ascontiguousarray(p[:, i])
        for name, p in objects.items()
        for i, c in enumerate(COMPONENTS)
    }


def generate_chunk(config: GeneratorConfig, n: int, seed: np.random.SeedSequence) -> dict:
    """Generate one chunk of n drawn events and return the columns of the events kept.

    The phase space is sampled first; at detector level the fast simulation then selects
    events, and PDFs and matrix elements are evaluated only for those (the selection depends on
    kinematics alone, efficiencies multiply the weights). The chunk's random streams derive from
    ``seed`` only, so a chunk is reproducible on its own, and the parton-level and
    detector-level runs of one seed share their phase-space points.
    """
    gen_seed, det_seed = seed.spawn(2)
    rng = np.random.default_rng(gen_seed)
    ps = sample_phase_space(config, n, config.n_events, rng)
    lep_pdgs = np.array(config.lepton_pdgs, dtype=np.int8)
    lep = lep_pdgs[rng.integers(len(lep_pdgs), size=n)]
    if not ps.keep.all():
        lep = lep[ps.keep]
        ps = ps.subset(ps.keep)
    b1, b2 = _pt_order(ps.b, ps.bbar)
    cols = momentum_columns({"lm": ps.lm, "lp": ps.lp, "b1": b1, "b2": b2})
    cols["lep_pdg"] = lep
    factor = None
    if config.level == "detector":
        det = select_detector_level(config, cols, det_seed)
        cols = {f"truth_{k}" if k in _MOMENTA else k: v[det.mask] for k, v in cols.items()}
        cols.update(det.columns)
        ps = ps.subset(det.mask)
        factor = det.weight_factor
    weights, init_pdg = event_weights(config, ps, rng)
    if factor is not None:
        weights *= factor
    m = ps.x1.shape[0]
    cols["x1"], cols["x2"] = ps.x1, ps.x2
    cols["mu_GeV"] = ps.sqrt_s_hat if config.scale == "mzh" else np.full(m, float(config.scale))
    cols["init_pdg"] = init_pdg
    for name, row in zip(weight_term_names(config.operators), weights, strict=True):
        cols[name] = row
    return cols


def select_detector_level(config: GeneratorConfig, columns: dict, seed: np.random.SeedSequence):
    """Run the fast detector simulation with the configured settings (``config.detector``)."""
    from ..detector import DetectorConfig, simulate_detector

    det_config = DetectorConfig.from_dict(config.detector)
    return simulate_detector(columns, det_config, np.random.default_rng(seed))


_MOMENTA = frozenset(momentum_column_names())
