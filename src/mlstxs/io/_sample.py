"""The event sample: per-event columns plus a weight polynomial in the Wilson coefficients.

On disk: ``<dir>/events/part-*.parquet`` and ``<dir>/metadata.json`` (``docs/sample_format.md``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._output import staged_output
from ..observables import COMPONENTS, PRODUCTION_OBJECTS
from ..observables import OBJECTS as MOMENTUM_OBJECTS
from ..physics import WeightPolynomial, weight_term_names
from ._checks import check_cross_sections, check_finite, term_cross_sections
from ._metadata import SampleFormatError, SampleMetadata

STXS_PTZ_EDGES_GEV = (0.0, 75.0, 150.0, 250.0, 400.0, math.inf)
"""STXS stage-1.2 p_T(Z) bin edges of q q̄ → ZH(ℓℓ) in GeV (the first bin is [0, 75))."""


def momentum_column_names(prefix: str = "", objects: Sequence[str] = MOMENTUM_OBJECTS) -> list[str]:
    """Names of the four-momentum columns of the physics objects (default: the decay
    products ``lm``, ``lp``, ``b1``, ``b2``; ``PRODUCTION_OBJECTS`` for Z and H)."""
    return [f"{prefix}{o}_{c}" for o in objects for c in COMPONENTS]


DECAY_OBJECTS = {"llbb": MOMENTUM_OBJECTS, "undecayed": PRODUCTION_OBJECTS}
"""Four-momentum objects stored per value of the metadata field ``decays``."""

PRODUCTION_LEVEL_USES = (
    "info, fit, limits --learner none, and design/publish with features [pt_Z, m_ZH]"
)
"""What a production-level sample (``decays = "undecayed"``) supports: the p_T^Z, m_ZH plane."""


class BinnedRatio(NamedTuple):
    """A ratio of two cross sections, in total and per bin, with MC errors (dimensionless)."""

    value: float
    error: float
    bins_value: np.ndarray
    bins_error: np.ndarray


@dataclass(frozen=True)
class BinnedCrossSections:
    """Cross sections [pb] of weight terms in total and in bins of a variable.

    ``terms`` maps a term name to ``(total, error, bin_values, bin_errors)``; bin edges in GeV.
    ``ratios`` maps every term but ``w_sm`` to its ratio σ_t/σ_SM (A_a, B_ab, or σ(c)/σ_SM
    for a point) with the correlated MC error of :func:`mc_ratio`; NaN where σ_SM = 0.
    """

    variable: str
    edges_GeV: tuple[float, ...]
    terms: dict[str, tuple[float, float, np.ndarray, np.ndarray]]
    ratios: dict[str, BinnedRatio] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready form; an infinite bin edge and an undefined ratio (NaN, where the SM
        cross section is 0) are written as ``None``."""
        return {
            "variable": self.variable,
            "bins_GeV": [None if math.isinf(e) else e for e in self.edges_GeV],
            "terms": {
                name: {
                    "xsec_pb": tot,
                    "error_pb": err,
                    "bins_xsec_pb": vals.tolist(),
                    "bins_error_pb": errs.tolist(),
                }
                for name, (tot, err, vals, errs) in self.terms.items()
            },
            "ratios": {
                name: {
                    "value": _finite_or_none(r.value),
                    "error": _finite_or_none(r.error),
                    "bins_value": [_finite_or_none(v) for v in r.bins_value],
                    "bins_error": [_finite_or_none(v) for v in r.bins_error],
                }
                for name, r in self.ratios.items()
            },
        }


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def mc_error(w: np.ndarray, n_trials: int) -> float:
    """MC error of Σw for weights normalised to n_trials drawn points: √(Σw² − (Σw)²/N)."""
    s, s2 = float(w.sum()), float(np.dot(w, w))
    return math.sqrt(max(s2 - s * s / n_trials, 0.0))


class RatioEstimate(NamedTuple):
    """R = Σx/Σy and its MC error δR (floats, or arrays of shape (n_bins,) per bin)."""

    value: float | np.ndarray
    error: float | np.ndarray


def mc_ratio(
    x: np.ndarray,
    y: np.ndarray,
    n_trials: int,
    index: np.ndarray | None = None,
    n_bins: int = 1,
) -> RatioEstimate:
    """Ratio R = Σx/Σy of two sums over the same events and its correlated MC error.

    With d_i = x_i − R y_i, Var(R) ≈ Var(Σd)/Y² (delta method) and the N-aware estimator of
    :func:`mc_error`, Var(Σd) = Σd² − (Σd)²/N = Σd² since Σd = 0:

        δR = √[Σ_i (x_i − R y_i)²] / Σ_i y_i

    (``mlstxs.publish._parametrisation`` derives it). It keeps the event-by-event
    correlation of x and y: propagating δX and δY as if independent misstates it (for A_cHW
    per STXS bin 2.8–5.9× too large on a generated sample), and a term ∝ w_SM event by event
    has δR = 0.

    Parameters
    ----------
    x, y : numpy.ndarray, shape (N,)
        Per-event weights of numerator and denominator [pb] (y ≥ 0, e.g. w_SM).
    n_trials : int
        Number of phase-space points the weights are normalised to.
    index : numpy.ndarray of int, shape (N,), optional
        Bin of each event; events outside [0, n_bins) are left out. Default: one sum over all
        events, returned as floats (summed as :func:`mc_error` does).
    n_bins : int
        Number of bins (with ``index``).

    Returns
    -------
    RatioEstimate
        R and δR (floats, or arrays (n_bins,) with ``index``); NaN where Σy ≤ 0.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if index is None:
        y_sum = float(y.sum())
        if not y_sum > 0.0:
            return RatioEstimate(math.nan, math.nan)
        ratio = float(x.sum()) / y_sum
        return RatioEstimate(ratio, mc_error(x - ratio * y, n_trials) / y_sum)
    inside = (index >= 0) & (index < n_bins)
    idx, x, y = np.asarray(index)[inside], x[inside], y[inside]
    sx = np.bincount(idx, weights=x, minlength=n_bins)
    sy = np.bincount(idx, weights=y, minlength=n_bins)
    ok = sy > 0.0
    r = np.divide(sx, sy, out=np.full(n_bins, np.nan), where=ok)
    d = x - np.where(ok, r, 0.0)[idx] * y
    sd = np.bincount(idx, weights=d, minlength=n_bins)
    sd2 = np.bincount(idx, weights=d * d, minlength=n_bins)
    var = np.clip(sd2 - sd * sd / n_trials, 0.0, None)
    return RatioEstimate(r, np.divide(np.sqrt(var), sy, out=np.full(n_bins, np.nan), where=ok))


@dataclass(frozen=True)
class SampleSplit:
    """Disjoint train/validation/test subsets; weights rescaled by 1/fraction so that each
    subset estimates the cross sections of the whole sample."""

    train: EventSample
    val: EventSample
    test: EventSample
    fractions: tuple[float, float, float]
    seed: int | None


class EventSample:
    """Weighted events whose weights are a polynomial in the Wilson coefficients.

    Parameters
    ----------
    columns : mapping of str to ndarray
        Per-event columns (``docs/sample_format.md``); weights in pb per event.
    metadata : SampleMetadata
        The sample's metadata record.
    """

    def __init__(self, columns: Mapping[str, np.ndarray], metadata: SampleMetadata) -> None:
        self.columns = {k: np.asarray(v) for k, v in columns.items()}
        self.metadata = metadata
        validate_columns(self.columns, metadata)

    # -- basic properties -------------------------------------------------------------
    def __len__(self) -> int:
        return self.metadata.n_events

    def __repr__(self) -> str:
        m = self.metadata
        sm = m.xsec.get("w_sm")
        xs = f", σ_SM = {sm.xsec_pb:.6g} ± {sm.error_pb:.2g} pb" if sm else ""
        level = m.level if self.decayed else f"{m.level} (production, undecayed Z and H)"
        return (
            f"EventSample({m.n_events} events, level={level}, operators={m.operators}, "
            f"Λ = {m.lambda_TeV} TeV{xs})"
        )

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def operators(self) -> tuple[str, ...]:
        return tuple(self.metadata.operators)

    @property
    def weight_terms(self) -> list[str]:
        return list(self.metadata.weight_terms)

    @property
    def decayed(self) -> bool:
        """Whether the events carry the Z → ℓℓ, H → b b̄ decay products (metadata ``decays``);
        a production-level sample (``"undecayed"``) carries the Z and H momenta instead."""
        return self.metadata.decays == "llbb"

    def require_decay_products(self, purpose: str) -> None:
        """Raise a one-line ``ValueError`` if the sample is production level (no ℓ/b momenta).

        ``purpose`` names what needs them, e.g. ``"the detector simulation"``.
        """
        if not self.decayed:
            raise ValueError(
                f"{purpose} needs the Z → ℓℓ and H → b b̄ decay products, absent in this "
                f"production-level sample (undecayed Z and H); it supports "
                f"{PRODUCTION_LEVEL_USES} only"
            )

    def momentum(self, obj: str, prefix: str = "") -> np.ndarray:
        """Four-momenta (N, 4) of object ``obj`` (``lm``, ``lp``, ``b1``, ``b2``; ``Z``, ``H``
        in a production-level sample) in GeV."""
        return np.column_stack([self.columns[f"{prefix}{obj}_{c}"] for c in COMPONENTS])

    def ptz_GeV(self) -> np.ndarray:
        """p_T of the Z in GeV: of the ℓ⁻ℓ⁺ system, or of the stored Z (production level)."""
        c = self.columns
        if not self.decayed:
            return np.hypot(c["Z_px"], c["Z_py"])
        return np.hypot(c["lm_px"] + c["lp_px"], c["lm_py"] + c["lp_py"])

    # -- the weight polynomial --------------------------------------------------------
    @property
    def polynomial(self) -> WeightPolynomial:
        """The weight polynomial of the sample's operators at its Λ (term conventions)."""
        return WeightPolynomial(self.operators, self.metadata.lambda_TeV)

    def weight_columns(self) -> list[np.ndarray]:
        """The K weight-term columns w_t (N,) [pb], in :attr:`weight_terms` order (not copied)."""
        return [self.columns[name] for name in self.weight_terms]

    def weights(self, c: Mapping[str, float] | None = None) -> np.ndarray:
        """Per-event weights [pb] at Wilson coefficients ``c`` (missing entries are 0):
        w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab (:meth:`WeightPolynomial.evaluate`),
        shape (N,)."""
        return self.polynomial.evaluate(self.weight_columns(), dict(c or {}))

    def sm_weights(self) -> np.ndarray:
        """SM weights w_sm [pb]."""
        return self.columns["w_sm"].copy()

    def eft_excess(self, c: Mapping[str, float]) -> np.ndarray:
        """SMEFT excess w(c) − w_sm [pb] (the signal of the region study)."""
        return self.weights(c) - self.columns["w_sm"]

    # -- selections and splits ----------------------------------------------------------
    def select(self, mask: np.ndarray, note: str | None = None) -> EventSample:
        """A new sample with the events where ``mask`` is true (weights unchanged)."""
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (len(self),):
            raise ValueError(f"selection mask must be a boolean array of length {len(self)}")
        return self._derived({k: v[mask] for k, v in self.columns.items()}, note)

    def _derived(
        self, columns: dict, note: str | None, scale: float = 1.0, n_trials: int | None = None
    ) -> EventSample:
        """A sample of other rows, weights × ``scale``, normalised to ``n_trials`` points
        (default: unchanged), with its cross sections recomputed (``term_cross_sections``)."""
        if scale != 1.0:
            columns = {k: (v * scale if k.startswith("w_") else v) for k, v in columns.items()}
        n = len(next(iter(columns.values()))) if columns else 0
        notes = [*self.metadata.notes, note] if note else list(self.metadata.notes)
        n_trials = self.metadata.n_trials if n_trials is None else n_trials
        xsec = term_cross_sections(
            columns, self.weight_terms, n_trials, self.metadata.xsec_norm_rel_error
        )
        update = {"n_events": n, "n_trials": n_trials, "xsec": xsec, "notes": notes}
        return EventSample(columns, self.metadata.model_copy(update=update))

    def split(
        self,
        fractions: Sequence[float] = (0.7, 0.1, 0.2),
        random_state: int | np.random.Generator | None = 0,
    ) -> SampleSplit:
        """Random train/val/test split; each subset's weights are divided by its fraction f
        and normalised to f·n_trials points (its cross sections recomputed accordingly)."""
        fr = tuple(float(f) for f in fractions)
        parts = split_indices(len(self), fr, np.random.default_rng(random_state))
        n_trials = self.metadata.n_trials
        subsets = [
            self._derived(
                {k: v[p] for k, v in self.columns.items()},
                None,
                1.0 / f,
                n_trials=max(1, round(f * n_trials)),
            )
            for p, f in zip(parts, fr, strict=True)
        ]
        seed = random_state if isinstance(random_state, int) else None
        train, val, test = subsets
        return SampleSplit(train, val, test, fractions=(fr[0], fr[1], fr[2]), seed=seed)

    # -- cross sections -------------------------------------------------------------------
    def cross_sections(
        self,
        edges_GeV: Sequence[float] = STXS_PTZ_EDGES_GEV,
        c: Mapping[str, float] | None = None,
    ) -> BinnedCrossSections:
        """σ [pb] and MC error of every weight term (and of w(c) if ``c`` is given), in total
        and per p_T(Z) bin, and the ratio of each to σ_SM with its correlated MC error
        (:func:`mc_ratio`). Bins are half-open [low, high)."""
        edges = np.asarray(edges_GeV, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("bin edges must be strictly increasing, at least two of them")
        nb = len(edges) - 1
        idx = np.digitize(self.ptz_GeV(), edges) - 1
        inside = (idx >= 0) & (idx < nb)
        idx_in = idx[inside]
        series = {name: self.columns[name] for name in self.weight_terms}
        if c:
            label = ",".join(f"{k}={v:g}" for k, v in c.items())
            series[f"w({label})"] = self.weights(c)
        n = self.metadata.n_trials
        out, ratios = {}, {}
        w_sm = self.columns["w_sm"]
        for name, w in series.items():
            w_in = w[inside]
            vals = np.bincount(idx_in, weights=w_in, minlength=nb)
            sq = np.bincount(idx_in, weights=w_in * w_in, minlength=nb)
            errs = np.sqrt(np.clip(sq - vals * vals / n, 0.0, None))
            out[name] = (float(w.sum()), mc_error(w, n), vals, errs)
            if name != "w_sm":
                total, binned = mc_ratio(w, w_sm, n), mc_ratio(w, w_sm, n, idx, nb)
                ratios[name] = BinnedRatio(
                    float(total.value),
                    float(total.error),
                    np.asarray(binned.value),
                    np.asarray(binned.error),
                )
        return BinnedCrossSections("pt_Z", tuple(float(e) for e in edges), out, ratios)

    # -- persistence ---------------------------------------------------------------------
    def save(
        self, path: str | Path, overwrite: bool = False, inputs: Iterable[str | Path] = ()
    ) -> Path:
        """Write the sample as a directory (Parquet + metadata.json), never half-written.

        An existing sample is replaced only with ``overwrite``, only if mlstxs wrote it, and only
        once the new one is complete; ``path`` may not overlap any of ``inputs``.
        """
        path = Path(path)
        identity = {"metadata": self.metadata.model_dump(mode="json")}
        with staged_output(
            path,
            kind="sample",
            identity=identity,
            overwrite=overwrite,
            inputs=inputs,
            resumable=False,
        ) as stage:
            (stage.work / "events").mkdir()
            write_part(stage.work / "events" / "part-00000.parquet", self.columns)
            self.metadata.write(stage.work / "metadata.json")
        return path

    @classmethod
    def load(cls, path: str | Path) -> EventSample:
        """Read and validate a sample directory written by mlstxs."""
        path = Path(path)
        if not path.is_dir():
            raise SampleFormatError(f"{path}: no such sample directory")
        meta = SampleMetadata.read(path / "metadata.json")
        parts = sorted((path / "events").glob("part-*.parquet"))
        if not parts:
            raise SampleFormatError(f"{path}: no event files under events/")
        tables = [read_part(p) for p in parts]
        try:
            table = pa.concat_tables(tables)
        except pa.ArrowInvalid as exc:
            raise SampleFormatError(f"{path}: event files have different schemas ({exc})") from None
        columns = {name: table.column(name).to_numpy() for name in table.column_names}
        try:
            sample = cls(columns, meta)
            r = check_cross_sections(sample.columns, meta)
        except SampleFormatError as exc:
            raise SampleFormatError(f"{path}: {exc}") from None
        if meta.xsec_norm_rel_error is None:  # a record older than the field: keep r found
            sample.metadata = meta.model_copy(update={"xsec_norm_rel_error": r})
        return sample


def split_indices(
    n: int, fractions: Sequence[float], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted event indices of a random three-way partition with the given fractions."""
    fr = tuple(float(f) for f in fractions)
    if len(fr) != 3 or any(f <= 0 for f in fr) or abs(sum(fr) - 1.0) > 1e-9:
        raise ValueError(f"split fractions must be three positive numbers summing to 1, got {fr}")
    perm = rng.permutation(n)
    n_train, n_val = round(fr[0] * n), round(fr[1] * n)
    train, val, test = np.split(perm, [n_train, n_train + n_val])
    return np.sort(train), np.sort(val), np.sort(test)


def write_part(path: Path, columns: Mapping[str, np.ndarray]) -> None:
    """Write one Parquet file atomically (temporary name, then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.table(dict(columns)), tmp, compression="zstd", compression_level=1)
    tmp.replace(path)


def read_part(path: Path) -> pa.Table:
    """Read one Parquet event file; a truncated or foreign file raises SampleFormatError."""
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SampleFormatError(f"{path}: not a readable Parquet event file ({exc})") from None


_FINITE_COLUMNS = frozenset(
    [
        *momentum_column_names(),
        *momentum_column_names("truth_"),
        *momentum_column_names(objects=PRODUCTION_OBJECTS),
        "x1",
        "x2",
        "mu_GeV",
    ]
)
"""Columns that must be finite besides the weights (``w_*``): momenta (reconstructed, truth,
or Z and H at production level), x1, x2 and μ_F."""


def validate_columns(columns: Mapping[str, np.ndarray], meta: SampleMetadata) -> None:
    """Check that columns match the metadata: names, lengths, NaN/inf-free momenta and weights
    (the earliest bad event is named), non-negative SM weights. The cross sections are
    checked by :func:`mlstxs.io.check_cross_sections` (on load)."""
    expected_terms = weight_term_names(meta.operators)
    if list(meta.weight_terms) != expected_terms:
        raise SampleFormatError(
            f"metadata weight_terms {meta.weight_terms} do not match operators {meta.operators}"
        )
    required = momentum_column_names(objects=DECAY_OBJECTS[meta.decays]) + expected_terms
    missing = [c for c in required if c not in columns]
    if missing:
        kind = "" if meta.decays == "llbb" else " of a production-level sample"
        raise SampleFormatError(
            f"missing column '{missing[0]}'{kind} ({len(missing)} missing in all)"
        )
    shapes = {np.shape(columns[name]) for name in required}
    if len(shapes) == 1 and len(shape := shapes.pop()) == 1 and shape[0] != meta.n_events:
        raise SampleFormatError(
            f"metadata n_events = {meta.n_events}, but the events hold {shape[0]} rows"
        )
    for name in required:
        col = columns[name]
        if col.ndim != 1 or col.shape[0] != meta.n_events:
            raise SampleFormatError(
                f"column '{name}' has shape {col.shape}, expected ({meta.n_events},)"
            )
        if not np.issubdtype(col.dtype, np.floating):
            raise SampleFormatError(f"column '{name}' has dtype {col.dtype}, expected float")
    check_finite(columns, [c for c in columns if c in _FINITE_COLUMNS or c.startswith("w_")])
    neg = columns["w_sm"] < 0
    if neg.any():
        raise SampleFormatError(
            f"column 'w_sm' has {int(neg.sum())} negative SM weights "
            f"(first at event {int(np.argmax(neg))})"
        )
