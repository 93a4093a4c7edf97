"""The published numbers of the reference paper, as data.

D. Conde, M. G. Folgado, V. Sanz, "Machine-Learning-Inspired SMEFT Simplified Template Cross
Sections: A Case Study in ZH Production" (no arXiv number in the copy we hold), §IV–V:
the line parameters of its Tables I–IV and the Asimov significances of its Tables V–VII, per
STXS p_T(Z) slice and fractional background uncertainty ε ∈ {0.3, 0.5, 1.0}, for the
benchmark c_HW/Λ² = 1 TeV⁻² (its eq. (6)) at √s = 13 TeV.

Transcribed from the OCR'd text of the paper (``shared/seeds/000_*.txt``), every value checked
by hand against it. The OCR turns "±" into "+", "£", "=", "4£", "4+" or "%£" and "−" into
"—", "=" or "~": e.g. "—87+5" is −87 ± 5, "=9.14+0.1" is −9.1 ± 0.1, "~11.24£0.9" is
−11.2 ± 0.9 and "1.5614 £0.051" is 1.561 ± 0.051 (the stray "4" is the "±"). The
[250,400] ε = 0.3 rows of Tables II and IV ("[250,400] 0.3 | —33+£3 12000+ 1000") are printed
out of order after the [400,∞] rows. Uncertainties are the paper's spread over its ensemble
of resampled splits.

Every line is the region m_ZH > a·p_T^Z + b (paper eq. (10): "one side of the line
m_ZH > f is defined as the EFT-enriched region"), a dimensionless, b in GeV. The slopes are
negative (a ≈ −9 … −96, b ≈ 6000–16000 GeV): the line falls steeply across the slice and the
region above it is the high-p_T^Z / high-m_ZH corner, i.e. ``LinearBoundary(a, b, above=True)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..regions import LinearBoundary

PAPER_BENCHMARK: dict[str, float] = {"cHW": 1.0}
"""The paper's benchmark (eq. (6)): c_HW = 1 at Λ = 1 TeV, all other coefficients 0."""
PAPER_LAMBDA_TEV = 1.0
"""Λ [TeV] of the paper's benchmark."""
PAPER_SLICES: tuple[str, ...] = ("[75,150]", "[150,250]", "[250,400]", "[400,inf]")
"""The paper's STXS p_T(Z) slices (its eq. (5)), labelled as :func:`mlstxs.regions.pt_slices`
labels them; the paper's "Bin 1 … Bin 4" of Tables V–VII."""
PAPER_EPSILONS: tuple[float, ...] = (0.3, 0.5, 1.0)
"""The paper's fractional background uncertainties ε = σ_b/b (its eq. (9))."""


@dataclass(frozen=True)
class Measured:
    """A published value with its uncertainty (the spread over the paper's ensemble)."""

    value: float
    error: float

    def __repr__(self) -> str:
        return f"{self.value:g} ± {self.error:g}"


@dataclass(frozen=True)
class PaperLine:
    """A published line m_ZH > a·p_T^Z + b: slope a (dimensionless), intercept b [GeV]."""

    slope: Measured
    intercept_GeV: Measured

    def boundary(self) -> LinearBoundary:
        """The central line as a region, above the line (the paper's EFT-enriched side)."""
        return LinearBoundary(self.slope.value, self.intercept_GeV.value, above=True)


def _lines(rows: tuple[tuple, ...]) -> dict:
    """(slice, ε, a, σ_a, b, σ_b) rows → {(slice, ε): PaperLine}."""
    return {
        (sl, eps): PaperLine(Measured(a, da), Measured(b, db)) for sl, eps, a, da, b, db in rows
    }


TABLE_I: dict[str, PaperLine] = {
    sl: PaperLine(Measured(a, da), Measured(b, db))
    for sl, a, da, b, db in (
        ("[75,150]", -87.0, 5.0, 9700.0, 500.0),
        ("[150,250]", -59.0, 4.0, 11700.0, 700.0),
        ("[250,400]", -28.6, 0.6, 9500.0, 200.0),
        ("[400,inf]", -9.1, 0.1, 6020.0, 50.0),  # OCR "=9.14+0.1"
    )
}
"""Table I: linear-SVM lines per slice (ε-independent), slice label → line."""

TABLE_II: dict[tuple[str, float], PaperLine] = _lines(
    (
        ("[75,150]", 0.3, -78.0, 7.0, 11600.0, 900.0),
        ("[75,150]", 0.5, -80.0, 10.0, 12000.0, 2000.0),
        ("[75,150]", 1.0, -59.0, 10.0, 11000.0, 1000.0),
        ("[150,250]", 0.3, -61.0, 6.0, 15000.0, 1000.0),
        ("[150,250]", 0.5, -96.0, 6.0, 14000.0, 1000.0),
        ("[150,250]", 1.0, -48.0, 7.0, 13000.0, 2000.0),
        ("[250,400]", 0.3, -33.0, 3.0, 12000.0, 1000.0),
        ("[250,400]", 0.5, -32.0, 4.0, 12000.0, 1000.0),
        ("[250,400]", 1.0, -24.0, 2.0, 10200.0, 800.0),
        ("[400,inf]", 0.3, -10.0, 0.9, 7300.0, 600.0),
        ("[400,inf]", 0.5, -9.5, 0.3, 8200.0, 200.0),
        ("[400,inf]", 1.0, -8.0, 0.8, 9000.0, 700.0),
    )
)
"""Table II: significance-optimised SVM lines ("SVM+scan"), (slice, ε) → line."""

TABLE_III: dict[tuple[str, float], PaperLine] = _lines(
    (
        ("[75,150]", 0.3, -80.0, 40.0, 12000.0, 5000.0),
        ("[75,150]", 0.5, -80.0, 40.0, 12000.0, 5000.0),
        ("[75,150]", 1.0, -70.0, 40.0, 12000.0, 5000.0),
        ("[150,250]", 0.3, -60.0, 20.0, 14000.0, 4000.0),
        ("[150,250]", 0.5, -60.0, 20.0, 14000.0, 4000.0),
        ("[150,250]", 1.0, -50.0, 20.0, 13000.0, 3000.0),
        ("[250,400]", 0.3, -35.0, 4.0, 13000.0, 1000.0),
        ("[250,400]", 0.5, -32.0, 4.0, 12000.0, 1000.0),
        ("[250,400]", 1.0, -28.0, 4.0, 12000.0, 1000.0),
        ("[400,inf]", 0.3, -12.0, 1.0, 8600.0, 600.0),
        ("[400,inf]", 0.5, -11.2, 0.9, 9700.0, 700.0),
        ("[400,inf]", 1.0, -10.6, 0.9, 10800.0, 900.0),
    )
)
"""Table III: DNN-distilled lines ("DNN+SVM"), (slice, ε) → line."""

TABLE_IV: dict[tuple[str, float], PaperLine] = _lines(
    (
        ("[75,150]", 0.3, -80.0, 30.0, 12000.0, 5000.0),
        ("[75,150]", 0.5, -60.0, 40.0, 11000.0, 6000.0),
        ("[75,150]", 1.0, -60.0, 30.0, 11000.0, 5000.0),
        ("[150,250]", 0.3, -70.0, 10.0, 16000.0, 3000.0),
        ("[150,250]", 0.5, -95.0, 6.0, 14000.0, 2000.0),
        ("[150,250]", 1.0, -50.0, 20.0, 13000.0, 4000.0),
        ("[250,400]", 0.3, -33.0, 5.0, 12000.0, 2000.0),
        ("[250,400]", 0.5, -31.0, 5.0, 12000.0, 2000.0),
        ("[250,400]", 1.0, -23.0, 5.0, 10000.0, 2000.0),
        ("[400,inf]", 0.3, -10.8, 0.6, 7800.0, 400.0),
        ("[400,inf]", 0.5, -9.7, 0.6, 8400.0, 400.0),
        ("[400,inf]", 1.0, -9.0, 1.0, 10000.0, 1000.0),
    )
)
"""Table IV: DNN-distilled lines after the slope–intercept scan ("DNN+SVM+scan")."""


def _significances(eps: float, rows: dict[str, tuple[float, ...]]) -> dict:
    """{method: (z₁, σ₁, …, z₄, σ₄)} of one ε → {(method, slice, ε): Measured}."""
    return {
        (method, sl, eps): Measured(v[2 * i], v[2 * i + 1])
        for method, v in rows.items()
        for i, sl in enumerate(PAPER_SLICES)
    }


SIGNIFICANCE: dict[tuple[str, str, float], Measured] = {
    **_significances(
        0.3,
        {  # Table V
            "STXS": (2.244, 0.001, 2.819, 0.001, 3.656, 0.001, 5.424, 0.001),
            "SVM": (2.393, 0.010, 2.988, 0.009, 3.911, 0.013, 6.204, 0.016),
            "DNN+SVM": (2.529, 0.045, 3.086, 0.038, 3.983, 0.024, 6.328, 0.023),
            "SVM+scan": (2.531, 0.051, 3.084, 0.047, 3.992, 0.027, 6.324, 0.023),
            "DNN+SVM+scan": (2.515, 0.050, 3.085, 0.038, 3.991, 0.024, 6.328, 0.023),
        },
    ),
    **_significances(
        0.5,
        {  # Table VI
            "STXS": (1.347, 0.001, 1.695, 0.001, 2.216, 0.001, 3.387, 0.001),
            "SVM": (1.438, 0.006, 1.803, 0.006, 2.401, 0.008, 4.114, 0.011),
            "DNN+SVM": (1.561, 0.051, 1.904, 0.027, 2.519, 0.019, 4.611, 0.025),
            "SVM+scan": (1.532, 0.058, 1.907, 0.032, 2.511, 0.019, 4.631, 0.026),
            "DNN+SVM+scan": (1.494, 0.077, 1.910, 0.033, 2.518, 0.018, 4.628, 0.026),
        },
    ),
    **_significances(
        1.0,
        {  # Table VII
            "STXS": (0.674, 0.0003, 0.849, 0.0004, 1.113, 0.0003, 1.724, 0.0003),
            "SVM": (0.720, 0.003, 0.904, 0.003, 1.212, 0.004, 2.163, 0.006),
            "DNN+SVM": (0.806, 0.082, 0.994, 0.049, 1.330, 0.017, 2.912, 0.024),
            "SVM+scan": (0.784, 0.072, 0.973, 0.050, 1.336, 0.024, 2.952, 0.027),
            "DNN+SVM+scan": (0.772, 0.091, 0.968, 0.042, 1.328, 0.023, 2.953, 0.026),
        },
    ),
}
"""Tables V–VII: Asimov significance Z_A (eq. (8)) on the test sets, (method, slice, ε) →
mean ± spread over the paper's ensemble."""

PAPER_LINE_TABLES: dict[str, dict[tuple[str, float], PaperLine]] = {
    "SVM": {(sl, eps): line for sl, line in TABLE_I.items() for eps in PAPER_EPSILONS},
    "SVM+scan": TABLE_II,
    "DNN+SVM": TABLE_III,
    "DNN+SVM+scan": TABLE_IV,
}
"""The paper's lines by the study method that made them, (slice, ε) → line (Table I's
ε-independent lines repeated for every ε)."""


def paper_epsilon(eps: float) -> float:
    """The paper's ε nearest to ``eps`` (ties go to the smaller one)."""
    return min(PAPER_EPSILONS, key=lambda e: (abs(e - eps), e))


def paper_line(table: str, slice_label: str, eps: float) -> tuple[PaperLine, str]:
    """The paper's line of method ``table`` in a slice, for the nearest published ε.

    Returns
    -------
    (PaperLine, str)
        The line and a note, empty when the paper has this ε exactly, else naming the ε used.

    Raises
    ------
    KeyError
        If ``table`` is not one of :data:`PAPER_LINE_TABLES` or the paper has no such slice.
    """
    lines = PAPER_LINE_TABLES[table]
    if slice_label not in PAPER_SLICES:
        raise KeyError(
            f"the paper has no line for slice {slice_label} (its slices: {', '.join(PAPER_SLICES)})"
        )
    used = paper_epsilon(eps)
    note = (
        ""
        if math.isclose(used, eps)
        else f"the paper has no line for ε = {eps:g}; its ε = {used:g} line"
    )
    return lines[slice_label, used], note
