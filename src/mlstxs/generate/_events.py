"""One chunk of weighted events: phase space × parton luminosities × |M|² polynomial."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..physics import basis_coefficients, coupling_table, helicity_basis, weight_term_names
from ..physics._pdf import load_pdf
from ._config import GeneratorConfig
from ._phasespace import PhaseSpacePoints, sample_phase_space

UP_TYPE = (2, 4)
DOWN_TYPE = (1, 3, 5)
MOMENTUM_OBJECTS = ("lm", "lp", "b1", "b2")
COMPONENTS = ("E", "px", "py", "pz")


@lru_cache(maxsize=16)
def _coefficients(operators: tuple[str, ...], lambda_TeV: float, scheme: str) -> np.ndarray:
    """Stacked (160, K) coefficients for the blocks (u,+), (d,+), (u,−), (d,−)."""
    from ..physics import SMInputs

    table = coupling_table(operators, SMInputs(scheme=scheme), lambda_TeV)
    cu, cd = basis_coefficients(table, "u"), basis_coefficients(table, "d")
    return np.vstack([cu, cd, cu, cd])


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
    xf = load_pdf(config.pdf).xfxQ(flav, np.concatenate([ps.x1, ps.x2]), np.concatenate([mu, mu]))
    np.maximum(xf, 0.0, out=xf)
    inv = 1.0 / (ps.x1 * ps.x2)
    nq = len(quarks)
    out = {}
    for i, q in enumerate(quarks):
        out[q, +1] = xf[i, :n] * xf[nq + i, n:] * inv
        out[q, -1] = xf[nq + i, :n] * xf[i, n:] * inv
    return out


def event_weights(config: GeneratorConfig, ps: PhaseSpacePoints, rng: np.random.Generator):
    """Weight-polynomial columns (N, K) in pb and the drawn initial-state label per event.

    w = factor · Σ_{q,o} L_{q,o} Σ_σ|M|²_{type(q), o}  (spec §7.2), where the matrix element for
    orientation −1 is evaluated with the quark momentum from beam B.
    """
    coef = _coefficients(config.operators, config.lambda_TeV, config.scheme)
    sm = config.sm_inputs()
    pa, pb = _beams(ps, config.sqrt_s_GeV)
    lum = channel_luminosities(config, ps)
    blocks, labels, w0_parts = [], [], []
    for o, (p1, p2) in ((+1, (pa, pb)), (-1, (pb, pa))):
        basis = helicity_basis(p1, p2, ps.lm, ps.lp, ps.pH, sm.M_Z, sm.Gamma_Z)
        for t, members in (("u", UP_TYPE), ("d", DOWN_TYPE)):
            qs = [q for q in members if q <= config.flavours]
            lum_t = sum(lum[q, o] for q in qs)
            blocks.append(basis * lum_t[:, None])
            c0 = coef[:40, 0] if t == "u" else coef[40:80, 0]
            me0 = basis @ c0
            for q in qs:
                labels.append(q * o)
                w0_parts.append(lum[q, o] * me0)
    weights = np.hstack(blocks) @ coef
    weights *= ps.factor[:, None]
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
    """Generate one chunk of n drawn events; returns the parton-level columns of the kept ones.

    The chunk's random streams derive from ``seed`` only, so a chunk is reproducible on its own.
    """
    rng = np.random.default_rng(seed)
    ps = sample_phase_space(config, n, config.n_events, rng)
    if not ps.keep.all():
        ps = ps.subset(ps.keep)
    weights, init_pdg = event_weights(config, ps, rng)
    b1, b2 = _pt_order(ps.b, ps.bbar)
    cols = momentum_columns({"lm": ps.lm, "lp": ps.lp, "b1": b1, "b2": b2})
    m = ps.x1.shape[0]
    lep_pdgs = np.array(config.lepton_pdgs, dtype=np.int8)
    cols["x1"], cols["x2"] = ps.x1, ps.x2
    cols["mu_GeV"] = ps.sqrt_s_hat if config.scale == "mzh" else np.full(m, float(config.scale))
    cols["init_pdg"] = init_pdg
    cols["lep_pdg"] = lep_pdgs[rng.integers(len(lep_pdgs), size=m)]
    for name, col in zip(weight_term_names(config.operators), weights.T, strict=False):
        cols[name] = np.ascontiguousarray(col)
    return cols
