"""The event sample: per-event columns plus a weight polynomial in the Wilson coefficients.

On disk: ``<dir>/events/part-*.parquet`` and ``<dir>/metadata.json`` (``docs/sample_format.md``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .._output import staged_output
from ..observables._columns import COMPONENTS
from ..observables._columns import OBJECTS as MOMENTUM_OBJECTS
from ..physics import UnknownOperatorError, weight_term_names, weight_term_pairs
from ._metadata import SampleFormatError, SampleMetadata

STXS_PTZ_EDGES_GEV = (0.0, 75.0, 150.0, 250.0, 400.0, math.inf)
"""STXS stage-1.2 p_T(Z) bin edges of q q̄ → ZH(ℓℓ) in GeV (the first bin is [0, 75))."""


def momentum_column_names(prefix: str = "") -> list[str]:
    """Names of the four-momentum columns of the physics objects."""
    return [f"{prefix}{o}_{c}" for o in MOMENTUM_OBJECTS for c in COMPONENTS]


@dataclass(frozen=True)
class BinnedCrossSections:
    """Cross sections [pb] of weight terms in total and in bins of a variable.

    ``terms`` maps a term name to ``(total, error, bin_values, bin_errors)``; bin edges in GeV.
    """

    variable: str
    edges_GeV: tuple[float, ...]
    terms: dict[str, tuple[float, float, np.ndarray, np.ndarray]]

    def to_dict(self) -> dict:
        """JSON-ready form; an infinite bin edge is written as ``None``."""
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
        }


def mc_error(w: np.ndarray, n_trials: int) -> float:
    """MC error of Σw for weights normalised to n_trials drawn points: √(Σw² − (Σw)²/N)."""
    s, s2 = float(w.sum()), float(np.dot(w, w))
    return math.sqrt(max(s2 - s * s / n_trials, 0.0))


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
        return (
            f"EventSample({m.n_events} events, level={m.level}, operators={m.operators}, "
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

    def momentum(self, obj: str, prefix: str = "") -> np.ndarray:
        """Four-momenta (N, 4) of object ``obj`` (``lm``, ``lp``, ``b1``, ``b2``) in GeV."""
        return np.column_stack([self.columns[f"{prefix}{obj}_{c}"] for c in COMPONENTS])

    def ptz_GeV(self) -> np.ndarray:
        """p_T of the ℓ⁻ℓ⁺ system in GeV."""
        c = self.columns
        return np.hypot(c["lm_px"] + c["lp_px"], c["lm_py"] + c["lp_py"])

    # -- the weight polynomial --------------------------------------------------------
    def _check_point(self, c: Mapping[str, float]) -> None:
        missing = [op for op in c if op not in self.operators]
        if missing:
            raise UnknownOperatorError(
                f"the sample has no weights for {', '.join(missing)}; "
                f"it carries {', '.join(self.operators) or 'the SM only'}"
            )

    def weights(self, c: Mapping[str, float] | None = None) -> np.ndarray:
        """Per-event weights [pb] at Wilson coefficients ``c`` (missing entries are 0):
        w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab."""
        c = dict(c or {})
        self._check_point(c)
        vec = np.array([1.0] + [float(c.get(op, 0.0)) for op in self.operators])
        w = np.zeros(len(self))
        for name, (i, j) in zip(self.weight_terms, weight_term_pairs(self.operators), strict=False):
            coef = vec[i] * vec[j]
            if coef != 0.0:
                w += coef * self.columns[name]
        return w

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

    def _derived(self, columns: dict, note: str | None, scale: float = 1.0) -> EventSample:
        if scale != 1.0:
            columns = {k: (v * scale if k.startswith("w_") else v) for k, v in columns.items()}
        n = len(next(iter(columns.values()))) if columns else 0
        notes = [*self.metadata.notes, note] if note else list(self.metadata.notes)
        meta = self.metadata.model_copy(update={"n_events": n, "notes": notes})
        return EventSample(columns, meta)

    def split(
        self,
        fractions: Sequence[float] = (0.7, 0.1, 0.2),
        random_state: int | np.random.Generator | None = 0,
    ) -> SampleSplit:
        """Random train/val/test split; each subset's weights are divided by its fraction."""
        fr = tuple(float(f) for f in fractions)
        parts = split_indices(len(self), fr, np.random.default_rng(random_state))
        subsets = [
            self._derived({k: v[p] for k, v in self.columns.items()}, None, 1.0 / f)
            for p, f in zip(parts, fr, strict=True)
        ]
        seed = random_state if isinstance(random_state, int) else None
        return SampleSplit(*subsets, fractions=fr, seed=seed)

    # -- cross sections -------------------------------------------------------------------
    def cross_sections(
        self,
        edges_GeV: Sequence[float] = STXS_PTZ_EDGES_GEV,
        c: Mapping[str, float] | None = None,
    ) -> BinnedCrossSections:
        """σ [pb] and MC error of every weight term (and of w(c) if ``c`` is given), in total
        and per p_T(Z) bin. Bins are half-open [low, high)."""
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
        out = {}
        for name, w in series.items():
            w_in = w[inside]
            vals = np.bincount(idx_in, weights=w_in, minlength=nb)
            sq = np.bincount(idx_in, weights=w_in * w_in, minlength=nb)
            errs = np.sqrt(np.clip(sq - vals * vals / n, 0.0, None))
            out[name] = (float(w.sum()), mc_error(w, n), vals, errs)
        return BinnedCrossSections("pt_Z", tuple(float(e) for e in edges), out)

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
        return cls(columns, meta)


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


def validate_columns(columns: Mapping[str, np.ndarray], meta: SampleMetadata) -> None:
    """Check that columns match the metadata: names, lengths, finite and valid weights."""
    expected_terms = weight_term_names(meta.operators)
    if list(meta.weight_terms) != expected_terms:
        raise SampleFormatError(
            f"metadata weight_terms {meta.weight_terms} do not match operators {meta.operators}"
        )
    required = momentum_column_names() + expected_terms
    missing = [c for c in required if c not in columns]
    if missing:
        raise SampleFormatError(f"missing column '{missing[0]}' ({len(missing)} missing in all)")
    for name in required:
        col = columns[name]
        if col.ndim != 1 or col.shape[0] != meta.n_events:
            raise SampleFormatError(
                f"column '{name}' has shape {col.shape}, expected ({meta.n_events},)"
            )
        if not np.issubdtype(col.dtype, np.floating):
            raise SampleFormatError(f"column '{name}' has dtype {col.dtype}, expected float")
    for name in expected_terms:
        bad = ~np.isfinite(columns[name])
        if bad.any():
            raise SampleFormatError(
                f"column '{name}' has {int(bad.sum())} NaN or infinite weights "
                f"(first at event {int(np.argmax(bad))})"
            )
    neg = columns["w_sm"] < 0
    if neg.any():
        raise SampleFormatError(
            f"column 'w_sm' has {int(neg.sum())} negative SM weights "
            f"(first at event {int(np.argmax(neg))})"
        )
