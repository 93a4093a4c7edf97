"""The weight polynomial w(c) of each event from MadGraph reweighting weights.

MadGraph's reweighting module stores, per event, the weight w(c_p) at a few points c_p of the
Wilson coefficients. Because the amplitude is linear in c (dimension-six, one insertion),

    w(c) = w_sm + Σ_a c_a w_a + Σ_{a≤b} c_a c_b w_ab                                (1)

(the polynomial of ``docs/sample_format.md``). With the design matrix A (n_points × K) whose row
p holds the monomials (1, c_a, c_a c_b) of eq. (1) at c_p, the K coefficients of all N events
solve W ≈ X Aᵀ with W (N × n_points): one least-squares problem with N right-hand sides,
exact when A is square and invertible, over-determined otherwise.

Weight ids of the form ``<op>_[m|p]<int>p<frac>`` (``cHW_m1p0`` is cHW = −1.0, ``cHW_p2p5`` is
cHW = +2.5, ``cHW_0p0`` is cHW = 0) are recognised automatically; several ``<op>_<value>``
pairs may follow one another (``cHW_p1p0_cHB_m1p0``), and trailing tokens that are not an
operator/value pair form a tag (``cHW_p1p0_check``). Operators not named in an id are 0 at
that point. Ids whose tag contains ``check`` are held out of the fit by default and used only
to test its prediction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..physics import OPERATORS, WeightPolynomial, validate_operators, weight_term_names
from ._metadata import SampleFormatError

_VALUE = re.compile(r"^(?P<sign>[mp]?)(?P<int>\d+)p(?P<frac>\d+)$")


def parse_weight_id(weight_id: str) -> dict[str, float] | None:
    """The point c encoded in a MadGraph weight id, or ``None`` if it encodes none.

    ``cHW_m1p0`` → ``{"cHW": -1.0}``; ``cHW_p1p0_check`` → ``{"cHW": 1.0}``;
    ``cHW_p1p0_cHB_m0p5`` → ``{"cHW": 1.0, "cHB": -0.5}``; ``dyn_scale`` → ``None``.
    """
    tokens = weight_id.split("_")
    point: dict[str, float] = {}
    i = 0
    while i + 1 < len(tokens) and tokens[i] in OPERATORS:
        m = _VALUE.match(tokens[i + 1])
        if m is None:
            break
        value = float(f"{m['int']}.{m['frac']}")
        point[tokens[i]] = -value if m["sign"] == "m" else value
        i += 2
    return point or None


def detect_reweighting(weight_ids: Iterable[str]) -> dict[str, dict[str, float]]:
    """Map every weight id that encodes a point (see :func:`parse_weight_id`) to that point."""
    out = {}
    for wid in weight_ids:
        point = parse_weight_id(wid)
        if point is not None:
            out[wid] = point
    return out


def design_matrix(points: Sequence[Mapping[str, float]], operators: Sequence[str]) -> np.ndarray:
    """Monomials of eq. (1) at each point: shape (n_points, K), K = len(weight_term_names).

    Entries of a point for operators outside ``operators`` are ignored (the caller refuses
    non-zero ones); missing operators are 0 (:meth:`WeightPolynomial.monomials`)."""
    ops = tuple(operators)
    pts = np.array([[float(c.get(op, 0.0)) for op in ops] for c in points], dtype=float)
    return WeightPolynomial(ops).monomials(pts.reshape(len(points), len(ops)))


def _undetermined_terms(a: np.ndarray, names: list[str]) -> list[str]:
    """Terms with a component in the null space of ``a`` (not fixed by the points)."""
    _, s, vt = np.linalg.svd(a, full_matrices=True)
    tol = max(a.shape) * np.finfo(float).eps * (s[0] if len(s) else 1.0)
    null = vt[int(np.sum(s > tol)) :]
    return [n for k, n in enumerate(names) if np.any(np.abs(null[:, k]) > 1e-8)]


def solve_polynomial(
    weights: Mapping[str, np.ndarray],
    reweighting: Mapping[str, Mapping[str, float]],
    operators: Sequence[str],
    holdout: Sequence[str] = (),
) -> tuple[dict[str, np.ndarray], dict]:
    """Per-event coefficients of eq. (1) from the weights at the reweighting points.

    Parameters
    ----------
    weights : mapping of str to ndarray
        Weight id → per-event weights (N,) [pb]; must hold every id of ``reweighting``.
    reweighting : mapping of str to mapping of str to float
        Weight id → point c (operator → value; missing operators are 0).
    operators : sequence of str
        The operators of the polynomial (canonical order is applied).
    holdout : sequence of str
        Ids left out of the fit and only predicted (closure check).

    Returns
    -------
    coefficients : dict of str to ndarray
        ``weight_term_names(operators)`` → (N,) [pb].
    closure : dict
        ``fit_max_rel``/``fit_rms_rel``: relative residuals |ŵ − w|/|w| at the fitted points;
        ``holdout``: id → {"point", "max_rel", "rms_rel"} for each held-out id; ``n_fit``, ``K``.

    Raises
    ------
    SampleFormatError
        If the fitted points cannot determine all K coefficients (names the missing terms).
    """
    ops = validate_operators(operators)
    names = weight_term_names(ops)
    ignored = sorted({op for c in reweighting.values() for op, v in c.items() if v} - set(ops))
    if ignored:
        raise SampleFormatError(
            f"reweighting points vary {', '.join(ignored)}, which is not among the operators "
            f"{list(ops)} of the polynomial; add it to the operators"
        )
    fit_ids = [w for w in reweighting if w not in set(holdout)]
    a = design_matrix([reweighting[w] for w in fit_ids], ops)
    rank = np.linalg.matrix_rank(a) if a.size else 0
    if rank < len(names):
        missing = _undetermined_terms(a, names) if a.size else names
        raise SampleFormatError(
            f"the {len(fit_ids)} fitted reweighting point(s) {fit_ids} determine only {rank} of "
            f"the {len(names)} terms {names} of the weight polynomial; not fixed separately: "
            f"{', '.join(missing)} (add points with other values of the operators involved, "
            f"e.g. two non-zero values per operator for its square and one with both "
            f"operators non-zero per cross term)"
        )
    w_fit = np.column_stack([weights[w] for w in fit_ids])  # (N, P)
    coef, *_ = np.linalg.lstsq(a, w_fit.T, rcond=None)  # (K, N)
    rel = _relative(coef.T @ a.T, w_fit)
    closure: dict = {
        "n_fit": len(fit_ids),
        "K": len(names),
        "fit_ids": fit_ids,
        "fit_max_rel": float(rel.max()) if rel.size else 0.0,
        "fit_rms_rel": float(np.sqrt(np.mean(rel**2))) if rel.size else 0.0,
        "holdout": {},
    }
    for wid in holdout:
        pred = coef.T @ design_matrix([reweighting[wid]], ops)[0]
        r = _relative(pred, weights[wid])
        closure["holdout"][wid] = {
            "point": dict(reweighting[wid]),
            "max_rel": float(r.max()),
            "rms_rel": float(np.sqrt(np.mean(r**2))),
        }
    return dict(zip(names, coef, strict=True)), closure


def _relative(pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|pred − ref| / |ref| (a zero reference weight compares absolutely)."""
    den = np.where(ref == 0.0, 1.0, np.abs(ref))
    return np.abs(pred - ref) / den
