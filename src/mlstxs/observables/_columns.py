"""Column conventions and input validation for event mappings.

Events are passed between stages as a ``Mapping[str, numpy.ndarray]`` of equal-length
columns following ``docs/sample_format.md``: for each object ``obj`` in :data:`OBJECTS`
the float64 four-momentum columns ``obj_E, obj_px, obj_py, obj_pz`` (GeV, laboratory
frame, beam A along +z). Production-level events (undecayed Z and H, e.g. MadGraph
``p p > z h``) hold the objects of :data:`PRODUCTION_OBJECTS` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

OBJECTS: tuple[str, ...] = ("lm", "lp", "b1", "b2")
"""Physics objects of the ℓ⁻ℓ⁺bb̄ final state: ℓ⁻, ℓ⁺ and the two b's ordered in p_T."""

COMPONENTS: tuple[str, ...] = ("E", "px", "py", "pz")
"""Four-momentum components, in the order of the column suffixes."""

MOMENTUM_COLUMNS: tuple[str, ...] = tuple(f"{o}_{c}" for o in OBJECTS for c in COMPONENTS)
"""All sixteen four-momentum column names, object-major."""

PRODUCTION_OBJECTS: tuple[str, ...] = ("Z", "H")
"""Objects of a production-level (undecayed) event: the Z and the Higgs boson."""

PRODUCTION_COLUMNS: tuple[str, ...] = tuple(
    f"{o}_{c}" for o in PRODUCTION_OBJECTS for c in COMPONENTS
)
"""The eight four-momentum columns of production-level events (``Z_E``, …, ``H_pz``)."""


class FourVector(NamedTuple):
    """Four-momenta of N objects as four arrays of shape (N,), in GeV."""

    E: NDArray[np.float64]
    px: NDArray[np.float64]
    py: NDArray[np.float64]
    pz: NDArray[np.float64]


def add(a: FourVector, b: FourVector) -> FourVector:
    """Sum of two four-momenta, component by component."""
    return FourVector(a.E + b.E, a.px + b.px, a.py + b.py, a.pz + b.pz)


def four_vector(
    events: Mapping[str, np.ndarray], obj: str, sl: slice | np.ndarray = slice(None)
) -> FourVector:
    """Four-momentum columns of ``obj``, restricted to ``sl`` (a slice gives views)."""
    return FourVector(*(events[f"{obj}_{c}"][sl] for c in COMPONENTS))


def check_columns(
    events: Mapping[str, np.ndarray],
    columns: Iterable[str] = MOMENTUM_COLUMNS,
    *,
    finite: Iterable[str] = MOMENTUM_COLUMNS,
) -> int:
    """Validate that ``events`` holds the given columns, all 1-D and of one length.

    Parameters
    ----------
    events : Mapping[str, numpy.ndarray]
        Column mapping.
    columns : iterable of str
        Required column names.
    finite : iterable of str
        Columns that must be real-valued and free of NaN/inf.

    Returns
    -------
    int
        The common number of events N.

    Raises
    ------
    ValueError
        Naming every missing column, the first column of wrong shape or length, or the
        first column holding a non-finite value (with the index of the first bad event).
    """
    columns = tuple(columns)
    missing = [c for c in columns if c not in events]
    if missing and set(missing) & set(MOMENTUM_COLUMNS) and is_production_level(events):
        raise ValueError(
            "production-level events (undecayed Z and H): the decay products ℓ⁻, ℓ⁺, b₁, b₂ "
            "needed here are absent; only p_T^Z and m_ZH can be computed (region_observables)"
        )
    if missing:
        raise ValueError(f"events lack required column(s): {', '.join(missing)}")
    n = None
    for name in columns:
        arr = np.asarray(events[name])
        if arr.ndim != 1:
            raise ValueError(f"column {name!r} must be 1-D, got shape {arr.shape}")
        if n is None:
            n = arr.shape[0]
        elif arr.shape[0] != n:
            raise ValueError(f"column {name!r} has length {arr.shape[0]}, expected {n}")
    for name in finite:
        _check_finite(name, np.asarray(events[name]))
    return 0 if n is None else int(n)


def is_production_level(events: Mapping[str, np.ndarray]) -> bool:
    """Whether ``events`` are production level: Z and H columns, no decay products."""
    return all(c in events for c in PRODUCTION_COLUMNS) and not any(
        c in events for c in MOMENTUM_COLUMNS
    )


def _check_finite(name: str, arr: np.ndarray) -> None:
    if not np.issubdtype(arr.dtype, np.floating) and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"column {name!r} must be numeric, got dtype {arr.dtype}")
    # Fast path: a single reduction is NaN/inf iff some entry is (overflow aside).
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, dtype=np.float64)
    if np.isfinite(total):
        return
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(
            f"column {name!r} holds {bad.size} non-finite value(s) (NaN or inf), "
            f"first at event {bad[0]}"
        )
