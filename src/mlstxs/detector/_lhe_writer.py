"""Write generated parton-level ZH → ℓ⁻ℓ⁺bb̄ events as a Les Houches event file.

The format follows the Les Houches accord for event files (Alwall et al., hep-ph/0609017):
an ``<init>`` block with the beams and one process, then one ``<event>`` block per event
with the HEPEUP record. Pythia 8 reads it with ``Beams:frameType = 4``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlstxs.io import EventSample

RandomState = int | np.random.Generator | np.random.SeedSequence | None

PROTON, Z_BOSON, HIGGS, B_QUARK = 2212, 23, 25, 5
IDWTUP = -4  # weighted events, weights (pb) passed on as they are, either sign allowed
_FMT = "{:>9d} {:>2d} {:>4d} {:>4d} {:>4d} {:>4d} {:.10e} {:.10e} {:.10e} {:.10e} {:.10e} 0. 9.\n"


def _momenta(sample: EventSample, obj: str, rows: slice) -> np.ndarray:
    return sample.momentum(obj)[rows]


def _mass(p: np.ndarray) -> np.ndarray:
    """Invariant mass √max(E² − |p|², 0) of (N, 4) momenta (E, px, py, pz), GeV."""
    m2 = p[:, 0] ** 2 - p[:, 1] ** 2 - p[:, 2] ** 2 - p[:, 3] ** 2
    return np.sqrt(np.maximum(m2, 0.0))


def event_records(
    sample: EventSample, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HEPEUP particle table of the first ``n`` events.

    Returns
    -------
    ints : numpy.ndarray of int64, shape (n, 8, 6)
        IDUP, ISTUP, MOTHUP(1), MOTHUP(2), ICOLUP(1), ICOLUP(2) of the 8 entries
        (q/q̄ from beam A, q̄/q from beam B, Z, H, ℓ⁻, ℓ⁺, b, b̄ in that order).
    mom : numpy.ndarray of float64, shape (n, 8, 5)
        px, py, pz, E, m in GeV.
    b_is_b1 : numpy.ndarray of bool, shape (n,)
        Whether the b quark (PDG +5) is ``b1`` (else it is ``b2``); drawn with ``rng``.
    """
    rows = slice(0, n)
    e_beam = 0.5 * sample.metadata.sqrt_s_GeV
    c = sample.columns
    x1, x2 = c["x1"][rows], c["x2"][rows]
    init = c["init_pdg"][rows].astype(np.int64)
    lep = c["lep_pdg"][rows].astype(np.int64)
    lm, lp = _momenta(sample, "lm", rows), _momenta(sample, "lp", rows)
    b1, b2 = _momenta(sample, "b1", rows), _momenta(sample, "b2", rows)
    b_is_b1 = rng.random(n) < 0.5
    pb = np.where(b_is_b1[:, None], b1, b2)
    pbbar = np.where(b_is_b1[:, None], b2, b1)
    pa = np.zeros((n, 4))
    pa[:, 0] = pa[:, 3] = x1 * e_beam
    pbm = np.zeros((n, 4))
    pbm[:, 0], pbm[:, 3] = x2 * e_beam, -x2 * e_beam
    four = np.stack([pa, pbm, lm + lp, pb + pbbar, lm, lp, pb, pbbar], axis=1)
    mom = np.empty((n, 8, 5))
    mom[:, :, :3] = four[:, :, 1:]
    mom[:, :, 3] = four[:, :, 0]
    mom[:, :, 4] = _mass(four.reshape(-1, 4)).reshape(n, 8)
    mom[:, (0, 1, 4, 5), 4] = 0.0  # incoming partons and leptons massless
    quark_a = init > 0
    ints = np.zeros((n, 8, 6), dtype=np.int64)
    ints[:, 0, 0], ints[:, 1, 0] = init, -init
    ints[:, :2, 1] = -1
    ints[:, 0, 4] = np.where(quark_a, 501, 0)
    ints[:, 0, 5] = np.where(quark_a, 0, 501)
    ints[:, 1, 4] = np.where(quark_a, 0, 501)
    ints[:, 1, 5] = np.where(quark_a, 501, 0)
    ints[:, 2:4, 0] = (Z_BOSON, HIGGS)
    ints[:, 2:4, 1] = 2
    ints[:, 2:4, 2:4] = (1, 2)
    ints[:, 4, 0], ints[:, 5, 0] = lep, -lep
    ints[:, 6, 0], ints[:, 7, 0] = B_QUARK, -B_QUARK
    ints[:, 4:, 1] = 1
    ints[:, 4:6, 2:4] = 3
    ints[:, 6:8, 2:4] = 4
    ints[:, 6, 4] = ints[:, 7, 5] = 502
    return ints, mom, b_is_b1


def write_lhe(
    sample: EventSample,
    path: str | Path,
    *,
    max_events: int | None = None,
    random_state: RandomState = 0,
) -> np.ndarray:
    """Write the first ``max_events`` events of a parton-level sample as an LHE file.

    Parameters
    ----------
    sample : EventSample
        Parton-level sample (``lm, lp, b1, b2`` momenta, ``x1, x2, mu_GeV, init_pdg,
        lep_pdg, w_sm``; GeV, beam A along +z).
    path : str or pathlib.Path
        Output file (overwritten).
    max_events : int, optional
        Number of leading events to write (default: all).
    random_state : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Seed for the b/b̄ assignment of ``b1, b2`` (the charge is not stored).

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        Whether ``b1`` was written as the b quark (PDG +5) in each event.

    Notes
    -----
    Colour flow of q q̄ → Z H: the quark carries colour 501 and the antiquark anticolour 501;
    H → b b̄ has b colour 502 and b̄ anticolour 502. ``IDWTUP = -4``: XWGTUP = ``w_sm`` (pb),
    XSECUP = Σ w_sm over the written events, SCALUP = ``mu_GeV``, AQEDUP/AQCDUP = -1
    (Pythia's own couplings).
    """
    sample.require_decay_products("write_lhe (an ℓ⁻ℓ⁺bb̄ event record)")
    n = len(sample) if max_events is None else min(int(max_events), len(sample))
    if sample.metadata.level != "parton":
        raise ValueError(
            f"write_lhe needs a parton-level sample, got level={sample.metadata.level}"
        )
    ints, mom, b_is_b1 = event_records(sample, n, np.random.default_rng(random_state))
    w = np.asarray(sample["w_sm"][:n], dtype=np.float64)
    scale = np.asarray(sample["mu_GeV"][:n], dtype=np.float64)
    e_beam = 0.5 * sample.metadata.sqrt_s_GeV
    xsec = float(w.sum())
    err = float(np.sqrt(np.dot(w, w)))
    with open(path, "w", encoding="ascii") as f:
        f.write('<LesHouchesEvents version="1.0">\n<header>\n')
        f.write(f"<!-- mlstxs parton-level pp -> Z(l-l+) H(bb~), {n} weighted events -->\n")
        f.write("</header>\n<init>\n")
        f.write(f"{PROTON} {PROTON} {e_beam:.10e} {e_beam:.10e} 0 0 0 0 {IDWTUP} 1\n")
        f.write(f"{xsec:.10e} {err:.10e} {float(np.abs(w).max(initial=0.0)):.10e} 1\n</init>\n")
        for i in range(n):
            f.write("<event>\n")
            f.write(f"8 1 {w[i]:.10e} {scale[i]:.10e} -1.0 -1.0\n")
            for k in range(8):
                f.write(_FMT.format(*ints[i, k], *mom[i, k]))
            f.write("</event>\n")
        f.write("</LesHouchesEvents>\n")
    return b_is_b1
