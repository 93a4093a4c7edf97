"""The fast detector simulation: smearing, selection and efficiency weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mlstxs.observables import _kinematics as kin

from ..observables import (
    COMPONENTS,
    MOMENTUM_COLUMNS,
    OBJECTS,
    FourVector,
    check_columns,
    four_vector,
)
from ._config import DetectorConfig
from ._selection import CUTS, evaluate_cuts
from ._smearing import btag_weight, lepton_sigma, lepton_weight, relative_sigma, truncate_scales

RandomState = int | np.random.Generator | np.random.SeedSequence | None

_CHUNK = 65_536  # events per block; fixed so results never depend on it
_FLAVOURS = (11, 13)


@dataclass(frozen=True, repr=False)
class DetectorResult:
    """Output of :func:`simulate_detector`.

    Attributes
    ----------
    columns : dict[str, numpy.ndarray]
        Reconstructed ``lm_*, lp_*, b1_*, b2_*`` four-momentum columns (GeV, float64) of
        the M passing events, b-jets re-ordered by reconstructed p_T.
    mask : numpy.ndarray of bool, shape (N,)
        Which input events pass the selection.
    weight_factor : numpy.ndarray of float64, shape (M,)
        ε_ℓ(ℓ⁻) ε_ℓ(ℓ⁺) ε_b(b₁) ε_b(b₂) of each passing event: multiply event weights by it.
    cutflow : dict[str, int]
        Number of events after each cumulative step, starting with ``"all"``.
    weighted_cutflow : dict[str, float] or None
        With ``weights`` given: sum of weights after each step, plus a final
        ``"efficiencies"`` entry Σ w · weight_factor (the expected yield). Else None.
    """

    columns: dict[str, np.ndarray]
    mask: NDArray[np.bool_]
    weight_factor: NDArray[np.float64]
    cutflow: dict[str, int]
    weighted_cutflow: dict[str, float] | None = field(default=None)

    @property
    def n_events(self) -> int:
        """Number of input events N."""
        return int(self.mask.shape[0])

    @property
    def n_pass(self) -> int:
        """Number of passing events M."""
        return int(self.weight_factor.shape[0])

    def select(self, values: np.ndarray) -> np.ndarray:
        """Restrict a per-input-event array (shape (N, ...)) to the passing events."""
        values = np.asarray(values)
        if values.shape[:1] != self.mask.shape:
            raise ValueError(f"expected {self.n_events} rows, got shape {values.shape}")
        return values[self.mask]

    def to_dict(self) -> dict[str, Any]:
        """All fields as a plain dict (arrays are not copied)."""
        return {
            "columns": self.columns,
            "mask": self.mask,
            "weight_factor": self.weight_factor,
            "cutflow": dict(self.cutflow),
            "weighted_cutflow": None
            if self.weighted_cutflow is None
            else dict(self.weighted_cutflow),
        }

    def __repr__(self) -> str:
        flow = ", ".join(f"{k}={v}" for k, v in self.cutflow.items())
        mean_wf = float(self.weight_factor.mean()) if self.n_pass else float("nan")
        return (
            f"DetectorResult(n_events={self.n_events}, n_pass={self.n_pass}, "
            f"mean_weight_factor={mean_wf:.4f}, cutflow={{{flow}}})"
        )


def simulate_detector(
    events: Mapping[str, np.ndarray],
    config: DetectorConfig | None = None,
    random_state: RandomState = None,
    *,
    weights: np.ndarray | None = None,
) -> DetectorResult:
    """Smear, select and weight N parton-level ℓ⁻ℓ⁺bb̄ events.

    Parameters
    ----------
    events : Mapping[str, numpy.ndarray]
        Truth columns ``lm_*, lp_*, b1_*, b2_*`` (E, px, py, pz; GeV, lab frame; finite,
        E > 0) and ``lep_pdg`` (11 or 13), shape (N,) each.
    config : DetectorConfig, optional
        Detector and selection parameters; defaults to ``DetectorConfig()``.
    random_state : int, numpy.random.Generator, numpy.random.SeedSequence or None
        Seed or generator for the smearing (``numpy.random.default_rng`` semantics; a
        passed Generator is advanced). The same seed gives identical output.
    weights : numpy.ndarray, optional
        Event weights, shape (N,), used only for :attr:`DetectorResult.weighted_cutflow`.

    Returns
    -------
    DetectorResult

    Raises
    ------
    ValueError
        Missing column (named), NaN/inf in momenta, non-positive energy, unknown
        ``lep_pdg``, or weights of the wrong length.

    Notes
    -----
    The smearing model and truth tagging are described in :mod:`._smearing`, the cuts in
    :mod:`._selection`. Random numbers: one standard normal per object and event, drawn
    as a (4, N) block in the order ℓ⁻, ℓ⁺, b₁, b₂, then redraws for truncation.
    """
    config = DetectorConfig() if config is None else config
    n = check_columns(events, (*MOMENTUM_COLUMNS, "lep_pdg"), finite=MOMENTUM_COLUMNS)
    truth = {c: np.asarray(events[c], dtype=np.float64) for c in MOMENTUM_COLUMNS}
    is_electron = _check_flavour(events["lep_pdg"])
    _check_energies(truth)
    w = _check_weights(weights, n)

    rng = np.random.default_rng(random_state)
    scales = _draw_scales(truth, is_electron, config, rng, n)

    cumulative = {name: np.empty(n, dtype=bool) for name in CUTS}
    pieces: list[tuple[dict[str, np.ndarray], np.ndarray]] = []
    for sl in _chunks(n):
        reco = {
            obj: FourVector(*(truth[f"{obj}_{c}"][sl] * scales[k, sl] for c in COMPONENTS))
            for k, obj in enumerate(OBJECTS)
        }
        passed = np.ones(sl.stop - sl.start, dtype=bool)
        for name, cut in evaluate_cuts(reco, is_electron[sl], config).items():
            passed &= cut
            cumulative[name][sl] = passed
        pieces.append(_selected_block(reco, passed, is_electron[sl], config))

    if not pieces:  # no events at all
        pieces.append(({c: np.empty(0) for c in MOMENTUM_COLUMNS}, np.empty(0)))
    columns = {c: np.concatenate([p[0][c] for p in pieces]) for c in MOMENTUM_COLUMNS}
    factor = np.concatenate([p[1] for p in pieces])
    mask = cumulative[CUTS[-1]]
    return DetectorResult(columns, mask, factor, *_cutflows(cumulative, n, w, factor))


def _draw_scales(
    truth: dict[str, np.ndarray],
    is_electron: NDArray[np.bool_],
    config: DetectorConfig,
    rng: np.random.Generator,
    n: int,
) -> np.ndarray:
    """Scale factors r(1+δ) of shape (4, N), rows ℓ⁻, ℓ⁺, b₁, b₂ (see :mod:`._smearing`)."""
    scales = rng.standard_normal((len(OBJECTS), n))

    def sigma(k: int, sl: slice | np.ndarray) -> np.ndarray:
        v = four_vector(truth, OBJECTS[k], sl)
        if k < 2:
            return lepton_sigma(v, is_electron[sl], config.electron, config.muon)
        return relative_sigma(config.bjet.resolution, v)

    for sl in _chunks(n):
        for k in range(len(OBJECTS)):
            block = scales[k, sl]
            block *= sigma(k, sl)
            block += 1.0
    truncate_scales(scales, sigma, rng)
    if config.bjet.response != 1.0:
        scales[2:] *= config.bjet.response
    return scales


def _selected_block(
    reco: dict[str, FourVector],
    passed: NDArray[np.bool_],
    is_electron: NDArray[np.bool_],
    config: DetectorConfig,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Compress one block to its passing events, p_T-order the b-jets, compute weights."""
    idx = np.flatnonzero(passed)
    out = {f"{o}_{c}": getattr(reco[o], c)[idx] for o in OBJECTS for c in COMPONENTS}
    b1 = FourVector(*(out[f"b1_{c}"] for c in COMPONENTS))
    b2 = FourVector(*(out[f"b2_{c}"] for c in COMPONENTS))
    pt1, pt2 = kin.pt(b1), kin.pt(b2)
    swap = pt2 > pt1
    if swap.any():
        for c, x1, x2 in zip(COMPONENTS, b1, b2, strict=True):
            out[f"b1_{c}"], out[f"b2_{c}"] = np.where(swap, x2, x1), np.where(swap, x1, x2)
        pt1, pt2 = np.maximum(pt1, pt2), np.minimum(pt1, pt2)
    factor = lepton_weight(is_electron[idx], config.electron, config.muon)
    factor *= btag_weight(config.bjet, pt1, pt2)
    return out, factor


def _cutflows(
    cumulative: dict[str, np.ndarray], n: int, w: np.ndarray | None, factor: np.ndarray
) -> tuple[dict[str, int], dict[str, float] | None]:
    counts = {"all": n} | {k: int(np.count_nonzero(m)) for k, m in cumulative.items()}
    if w is None:
        return counts, None
    sums = {"all": float(w.sum())} | {k: float(w[m].sum()) for k, m in cumulative.items()}
    sums["efficiencies"] = float(np.dot(w[cumulative[CUTS[-1]]], factor)) if n else 0.0
    return counts, sums


def _chunks(n: int) -> list[slice]:
    return [slice(s, min(s + _CHUNK, n)) for s in range(0, n, _CHUNK)]


def _check_flavour(pdg: np.ndarray) -> NDArray[np.bool_]:
    pdg = np.asarray(pdg)
    if not np.issubdtype(pdg.dtype, np.integer):
        raise ValueError(f"column 'lep_pdg' must be integer (int8), got dtype {pdg.dtype}")
    is_electron = pdg == 11
    bad = np.flatnonzero(~(is_electron | (pdg == 13)))
    if bad.size:
        raise ValueError(f"column 'lep_pdg' must be 11 or 13, got {pdg[bad[0]]} at event {bad[0]}")
    return is_electron


def _check_energies(truth: Mapping[str, np.ndarray]) -> None:
    for obj in OBJECTS:
        e = truth[f"{obj}_E"]
        if e.size and not e.min() > 0.0:
            first = int(np.flatnonzero(e <= 0.0)[0])
            raise ValueError(f"column '{obj}_E' must be positive, got {e[first]} at event {first}")


def _check_weights(weights: np.ndarray | None, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"weights must have shape ({n},), got {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError("weights hold NaN or inf")
    return w
