"""The slow, realistic path: Pythia 8 shower + hadronisation, anti-k_t jets, b-tagging.

``shower_sample`` writes the parton-level events as a Les Houches file
(:func:`._lhe_writer.write_lhe`), showers and hadronises them with Pythia 8 (module
``pythia8mc``), clusters the visible final state with FastJet and returns a detector-level
:class:`~mlstxs.io.EventSample` with the same weight columns. Per-event Python loops remain
only where Pythia and FastJet need them.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mlstxs.io import EventSample, momentum_column_names, term_cross_sections

from ._lhe_writer import RandomState, write_lhe

CUTFLOW = ("all", "showered", "2 leptons", ">=2 b-jets")
_Z_ROW = 5  # the Z in the hard process (system, 2 beams, 2 incoming partons, Z, H)
_SEED_MAX = 900_000_000  # Pythia's Random:seed range


@dataclass(frozen=True, repr=False)
class ShowerResult:
    """Output of :func:`shower_sample`.

    Attributes
    ----------
    sample : EventSample
        Level ``"detector"``: ``lm, lp`` (bare leptons after QED FSR), ``b1, b2`` (the two
        leading b-tagged jets by p_T), ``truth_*`` parton-level momenta, the input's other
        per-event columns and weight columns (GeV, pb), for the M selected events.
    mask : numpy.ndarray of bool, shape (n,)
        Which of the n showered input events (the first n rows) were selected.
    cutflow : dict[str, int]
        Events after each cumulative step (:data:`CUTFLOW`).
    seconds : float
        Wall-clock time of the shower + clustering loop (without Pythia's init).
    """

    sample: EventSample
    mask: NDArray[np.bool_]
    cutflow: dict[str, int]
    seconds: float

    @property
    def events_per_s(self) -> float:
        """Input events processed per wall-clock second."""
        return self.cutflow["all"] / self.seconds if self.seconds > 0 else math.inf

    def to_dict(self) -> dict[str, Any]:
        """Fields as a plain dict (columns not copied)."""
        return {
            "columns": self.sample.columns,
            "mask": self.mask,
            "cutflow": dict(self.cutflow),
            "seconds": self.seconds,
            "events_per_s": self.events_per_s,
        }

    def __repr__(self) -> str:
        flow = ", ".join(f"{k}={v}" for k, v in self.cutflow.items())
        return f"ShowerResult(cutflow={{{flow}}}, events_per_s={self.events_per_s:.1f})"


def is_b_hadron(pdg: NDArray[np.integer]) -> NDArray[np.bool_]:
    """Hadrons with a b (anti)quark: |id| mesons ``..5..`` (500–599) or baryons ``.5...``."""
    a = np.abs(np.asarray(pdg, dtype=np.int64)) % 10_000
    return ((a // 100 % 10 == 5) & (a < 1000)) | (a // 1000 % 10 == 5)


def pythia_settings(lhe_path: Path, seed: int, mpi: bool) -> list[str]:
    """Pythia 8 settings for showering an LHE file (quiet, seeded, MPI on/off)."""
    return [
        "Beams:frameType = 4",
        f"Beams:LHEF = {lhe_path}",
        "Random:setSeed = on",
        f"Random:seed = {seed}",
        f"PartonLevel:MPI = {'on' if mpi else 'off'}",
        "Next:numberCount = 0",
        "Next:numberShowEvent = 0",
        "Next:numberShowProcess = 0",
        "Next:numberShowInfo = 0",
        "Next:numberShowLHA = 0",
        "Init:showProcesses = off",
        "Init:showChangedSettings = off",
        "Init:showChangedParticleData = off",
    ]


def _make_pythia(settings: list[str]) -> Any:
    import pythia8mc

    py = pythia8mc.Pythia("", False)
    for line in settings:
        if not py.readString(line):
            raise ValueError(f"Pythia rejected setting {line!r}")
    if not py.init():
        raise RuntimeError("Pythia initialisation failed")
    return py


def _z_leptons(ev: Any) -> list[Any]:
    """The ℓ⁻ and ℓ⁺ from the Z decay, followed to their last copies (bare, after QED FSR)."""
    z = ev[_Z_ROW]
    if z.id() != 23:
        raise RuntimeError(f"expected the Z at row {_Z_ROW} of the event record, got {z.id()}")
    z = ev[z.iBotCopyId()]
    leps = sorted((ev[d] for d in z.daughterList()), key=lambda p: -p.id())
    return [ev[p.iBotCopyId()] for p in leps if p.isLepton() and p.isCharged()]


def _event_content(ev: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final visible particles (N, 4: px, py, pz, E) without the Z leptons; last B-hadrons
    (K, 2: η, φ); the two Z leptons (2, 4: E, px, py, pz) after FSR."""
    leptons = _z_leptons(ev)
    skip = {p.index() for p in leptons}
    vis, bhad = [], []
    for i in range(ev.size()):
        p = ev[i]
        if p.isFinal():
            if p.isVisible() and i not in skip:
                vis.append((p.px(), p.py(), p.pz(), p.e()))
        elif p.isHadron() and is_b_hadron(p.id()):
            daughters = [ev[d].id() for d in p.daughterList()]
            if not is_b_hadron(np.array(daughters, dtype=np.int64)).any():
                bhad.append((p.eta(), p.phi()))
    lep = np.array([(p.e(), p.px(), p.py(), p.pz()) for p in leptons])
    return np.array(vis).reshape(-1, 4), np.array(bhad).reshape(-1, 2), lep


def _btagged_jets(
    vis: np.ndarray, bhad: np.ndarray, jet_def: Any, pt_min: float, dr_max: float
) -> np.ndarray:
    """Anti-k_t jets with p_T > pt_min that lie within ΔR < dr_max of a last B-hadron,
    ordered by p_T; returns (J, 4) momenta (E, px, py, pz)."""
    import fastjet

    if vis.shape[0] == 0 or bhad.shape[0] == 0:
        return np.empty((0, 4))
    parts = [fastjet.PseudoJet(*row) for row in vis.tolist()]
    seq = fastjet.ClusterSequence(parts, jet_def)
    jets = fastjet.sorted_by_pt(seq.inclusive_jets(pt_min))
    if not jets:
        return np.empty((0, 4))
    kin = np.array([(j.eta(), j.phi(), j.e(), j.px(), j.py(), j.pz()) for j in jets])
    dphi = np.angle(np.exp(1j * (kin[:, None, 1] - bhad[None, :, 1])))
    dr2 = (kin[:, None, 0] - bhad[None, :, 0]) ** 2 + dphi**2
    return kin[(dr2 < dr_max**2).any(axis=1), 2:]


def _output_sample(
    sample: EventSample, n: int, mask: np.ndarray, reco: dict[str, np.ndarray], notes: dict
) -> EventSample:
    """Selected rows of the first n input events as a detector-level EventSample.

    Weights are scaled by len(sample)/n so that Σw still estimates the cross section when
    only a leading subset is showered (n_trials scaled accordingly)."""
    scale = len(sample) / n
    moments = set(momentum_column_names())
    cols = {}
    for k, v in sample.columns.items():
        if k.startswith("truth_"):
            continue
        sel = np.asarray(v[:n])[mask]
        cols[f"truth_{k}" if k in moments else k] = sel
    for t in sample.weight_terms:
        cols[t] = cols[t] * scale
    cols.update(reco)
    meta = sample.metadata
    n_trials = max(1, round(meta.n_trials / scale))
    xsec = term_cross_sections(cols, sample.weight_terms, n_trials, meta.xsec_norm_rel_error)
    new = meta.model_copy(
        update={
            "level": "detector",
            "n_events": int(mask.sum()),
            "n_trials": n_trials,
            "xsec": xsec,
            "detector": {"shower": notes},
            "notes": [*meta.notes, f"showered with Pythia 8 ({n} of {len(sample)} events)"],
        }
    )
    return EventSample(cols, new)


def shower_sample(
    sample: EventSample,
    *,
    n_events: int | None = None,
    random_state: RandomState,
    jet_radius: float = 0.4,
    jet_pt_min_GeV: float = 20.0,
    btag_dr: float = 0.4,
    mpi: bool = False,
    workdir: str | Path | None = None,
) -> ShowerResult:
    """Shower, hadronise, cluster and b-tag the first ``n_events`` events of a sample.

    Parameters
    ----------
    sample : EventSample
        Parton-level ZH → ℓ⁻ℓ⁺bb̄ sample.
    n_events : int, optional
        Number of leading events to shower (default: all).
    random_state : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Seeds the b/b̄ assignment and Pythia's ``Random:seed``; same seed, same output.
    jet_radius : float
        Anti-k_t radius R (Cacciari, Salam, Soyez, arXiv:0802.1189).
    jet_pt_min_GeV : float
        Minimum jet p_T in GeV.
    btag_dr : float
        A jet is b-tagged if a last B-hadron (no b-hadron daughter) lies within
        ΔR = √(Δη² + Δφ²) < btag_dr of its axis.
    mpi : bool
        Multiparton interactions on (default off, for speed).
    workdir : str or pathlib.Path, optional
        Folder for the intermediate ``shower.lhe``; default: a temporary folder, removed.

    Returns
    -------
    ShowerResult
        Events with two Z leptons and ≥ 2 b-tagged jets; jets are the visible final-state
        particles except the two Z leptons (neutrinos excluded).

    Raises
    ------
    ValueError
        If ``n_events`` is not positive, the sample holds no events or no decay products
        (a production-level sample).
    """
    sample.require_decay_products("showering (Pythia 8 from the ℓ⁻ℓ⁺bb̄ final state)")
    if n_events is not None and not n_events >= 1:
        raise ValueError(f"n_events must be a positive number of events, got {n_events}")
    if len(sample) == 0:
        raise ValueError("the sample holds no events (0 rows); nothing to shower")
    n = len(sample) if n_events is None else min(int(n_events), len(sample))
    rng = np.random.default_rng(random_state)
    seed = int(rng.integers(1, _SEED_MAX))
    with tempfile.TemporaryDirectory() as tmp:
        lhe = Path(workdir or tmp) / "shower.lhe"
        write_lhe(sample, lhe, max_events=n, random_state=rng)
        py = _make_pythia(pythia_settings(lhe, seed, mpi))
        t0 = time.perf_counter()
        mask, reco, flow = _run(py, sample, n, jet_radius, jet_pt_min_GeV, btag_dr)
        seconds = time.perf_counter() - t0
    notes = {
        "pythia8mc": version("pythia8mc"),
        "fastjet": version("fastjet"),
        "pythia_seed": seed,
        "jet_radius": jet_radius,
        "jet_pt_min_GeV": jet_pt_min_GeV,
        "btag_dr": btag_dr,
        "mpi": mpi,
        "cutflow": flow,
    }
    out = _output_sample(sample, n, mask, reco, notes)
    return ShowerResult(sample=out, mask=mask, cutflow=flow, seconds=seconds)


def _run(
    py: Any, sample: EventSample, n: int, radius: float, pt_min: float, dr: float
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, int]]:
    """The event loop: one ``pythia.next()`` per LHE event, checked against x1."""
    import fastjet

    jet_def = fastjet.JetDefinition(fastjet.antikt_algorithm, radius)
    x1 = sample["x1"]
    mask = np.zeros(n, dtype=bool)
    objs = np.zeros((n, 4, 4))  # lm, lp, b1, b2 (E, px, py, pz)
    counts = dict.fromkeys(CUTFLOW, 0)
    for i in range(n):
        counts["all"] += 1
        ok = py.next()
        info = py.infoPython()  # a fresh view per event
        if not ok:
            if info.atEndOfFile():
                raise RuntimeError(f"LHE file ended after {i} of {n} events")
            continue
        if not math.isclose(info.x1(), x1[i], rel_tol=1e-8):
            raise RuntimeError(f"event {i}: Pythia x1 {info.x1()} != {x1[i]}")
        counts["showered"] += 1
        vis, bhad, lep = _event_content(py.event)
        if lep.shape != (2, 4):
            continue
        counts["2 leptons"] += 1
        bjets = _btagged_jets(vis, bhad, jet_def, pt_min, dr)
        if bjets.shape[0] < 2:
            continue
        counts[">=2 b-jets"] += 1
        mask[i] = True
        objs[i, :2], objs[i, 2:] = lep, bjets[:2]
    reco = {
        f"{o}_{c}": np.ascontiguousarray(objs[mask, k, j])
        for k, o in enumerate(("lm", "lp", "b1", "b2"))
        for j, c in enumerate(("E", "px", "py", "pz"))
    }
    return mask, reco, counts
