"""Checks of a sample's numbers where it enters: finite values, and metadata against events.

The metadata record (``metadata.json``) states, per weight term t, the cross section
σ_t = Σ_i w_ti [pb] and its error δσ_t [pb] with

    δσ_t² = Σ_i w_ti² − (Σ_i w_ti)²/N  +  (σ_t r)²                                      (1)

where N = ``n_trials`` is the number of phase-space points the weights are normalised to and
r = ``xsec_norm_rel_error`` a relative error of the overall normalisation shared by all terms
(0 for the built-in generator; δσ_init/σ_init of the ``<init>`` block for an LHE import).
:func:`term_cross_sections` computes (1) for every writer, :func:`check_cross_sections`
recomputes it on load.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from ._metadata import SampleFormatError, SampleMetadata, TermCrossSection

XSEC_RTOL = 1e-6
"""Relative tolerance of the metadata cross-check. Weights are float64 on disk, so sums agree
to ~1e-15 up to the summation order; the tolerance is relative to Σ|w| (to Σw² for the squared
error), which is also the absolute floor where Σw cancels (interference terms)."""


def check_finite(
    columns: Mapping[str, np.ndarray], names: Iterable[str], what: str = "column"
) -> None:
    """Raise :class:`SampleFormatError` if a float column holds NaN or ±inf.

    The message names the earliest bad event (0-based row index), its column, the value and
    how many values of that column are bad. One ``np.isfinite`` per column; non-float
    columns are skipped.
    """
    first: tuple[int, str, float, int] | None = None
    for name in names:
        col = np.asarray(columns[name])
        if not np.issubdtype(col.dtype, np.floating):
            continue
        bad = ~np.isfinite(col)
        if bad.any():
            i = int(np.argmax(bad))
            if first is None or i < first[0]:
                first = (i, name, float(col[i]), int(bad.sum()))
    if first is not None:
        i, name, value, n = first
        raise SampleFormatError(
            f"{what} '{name}' has {n} NaN or infinite value{'s' if n > 1 else ''} "
            f"(first at event {i}: {value})"
        )


def term_cross_sections(
    columns: Mapping[str, np.ndarray],
    terms: Iterable[str],
    n_trials: int,
    norm_rel_error: float | None = 0.0,
) -> dict[str, TermCrossSection]:
    """σ_t = Σw [pb] and δσ_t of eq. (1) for each term, as stored in ``SampleMetadata.xsec``.

    Parameters
    ----------
    columns : mapping of str to ndarray (N_rows,)
        Weight columns [pb per event].
    terms : iterable of str
        Weight-term names.
    n_trials : int
        Number of phase-space points N the weights are normalised to.
    norm_rel_error : float or None
        Relative normalisation error r of eq. (1) (``None`` counts as 0).
    """
    r = norm_rel_error or 0.0
    out = {}
    for t in terms:
        w = np.asarray(columns[t], dtype=np.float64)
        s, s2 = float(w.sum()), float(np.dot(w, w))
        mc2 = max(s2 - s * s / n_trials, 0.0)
        out[t] = TermCrossSection(xsec_pb=s, error_pb=math.sqrt(mc2 + (s * r) ** 2))
    return out


def _inferred_norm_error(w_sm: np.ndarray, meta: SampleMetadata) -> float:
    """r of eq. (1) from the SM term, for records written before it was stored."""
    s, s2 = float(w_sm.sum()), float(np.dot(w_sm, w_sm))
    excess = meta.xsec["w_sm"].error_pb ** 2 - max(s2 - s * s / meta.n_trials, 0.0)
    return math.sqrt(excess) / abs(s) if excess > 0 and s != 0 else 0.0


def check_cross_sections(columns: Mapping[str, np.ndarray], meta: SampleMetadata) -> float:
    """Recompute eq. (1) from the events and compare with the metadata record.

    Returns the normalisation error r used (inferred from the SM term when the record
    predates ``xsec_norm_rel_error``, which is then ``None``).

    Raises
    ------
    SampleFormatError
        If the record's terms differ from the weight terms, or a cross section or error
        differs by more than :data:`XSEC_RTOL` (relative to Σ|w|, resp. Σw²); the message
        names the field and both values.
    """
    terms = list(meta.weight_terms)
    if sorted(meta.xsec) != sorted(terms):
        extra = sorted(set(meta.xsec) ^ set(terms))
        raise SampleFormatError(
            f"metadata xsec has terms {sorted(meta.xsec)}, expected the weight terms {terms} "
            f"(differ in {', '.join(extra)})"
        )
    r = meta.xsec_norm_rel_error
    if r is None:
        r = _inferred_norm_error(np.asarray(columns["w_sm"], dtype=np.float64), meta)
    n = meta.n_trials
    for t in terms:
        w = np.asarray(columns[t], dtype=np.float64)
        s, s2, a = float(w.sum()), float(np.dot(w, w)), float(np.abs(w).sum())
        rec = meta.xsec[t]
        if abs(rec.xsec_pb - s) > XSEC_RTOL * (a + abs(rec.xsec_pb)) + 1e-300:
            raise SampleFormatError(
                f"metadata xsec.{t}.xsec_pb = {rec.xsec_pb:.9g} pb does not match the events: "
                f"Σw = {s:.9g} pb"
            )
        expected2 = max(s2 - s * s / n, 0.0) + (s * r) ** 2
        if abs(rec.error_pb**2 - expected2) > XSEC_RTOL * (s2 + (s * r) ** 2) + 1e-300:
            raise SampleFormatError(
                f"metadata xsec.{t}.error_pb = {rec.error_pb:.6g} pb does not match the events: "
                f"√(Σw² − (Σw)²/n_trials) = {math.sqrt(expected2):.6g} pb with n_trials = {n}"
                + (f" and normalisation error {r:.3g}" if r else "")
            )
    return r
