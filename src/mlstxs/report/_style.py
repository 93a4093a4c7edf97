"""Plot style and small helpers shared by the report figures.

Figures are built on :class:`matplotlib.figure.Figure` with an Agg canvas, never through
``pyplot``, so nothing global is left open; the mplhep CMS-like style is applied in a
``matplotlib.rc_context`` only, and the label names this toolkit, not an experiment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import mplhep
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..study import LimitsResult, StudyResult

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # matplotlib >= 3.9

STYLE: dict[RcKeyType, Any] = {
    **mplhep.style.CMS,
    "font.size": 13,
    "axes.labelsize": "medium",
    "axes.titlesize": "medium",
    "legend.fontsize": "x-small",
    "xtick.labelsize": "small",
    "ytick.labelsize": "small",
}
"""mplhep's CMS style with smaller fonts for multi-panel figures."""

METHOD_COLORS = {
    "STXS": "black",
    "SVM": "#3f90da",
    "SVM+scan": "#ffa90e",
    "DNN+SVM": "#bd1f01",
    "DNN+SVM+scan": "#94a4a2",
    "DNN-threshold": "#832db6",
    "oracle": "#a96b59",
    "mZH-cut": "#e76300",
    "paper-lines": "#b9ac70",
    "paper-dnn-lines": "#717581",
}
EPS_LINESTYLES = ("-", "--", ":", "-.")
PT_LABEL = r"$p_T^Z$ [GeV]"
MZH_LABEL = r"$m_{ZH}$ [GeV]"
Z_LABEL = r"Asimov significance $Z_A$"


class FigureSkipped(Exception):
    """A figure whose diagnostics are missing or unusable; the message says why."""


def style_context() -> Any:
    """Context manager applying :data:`STYLE`."""
    return mpl.rc_context(STYLE)


def new_figure(
    nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (7.0, 5.5), **kw: Any
) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure with an Agg canvas and its axes as a 2-D array."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def label(ax: Axes, study: StudyResult | LimitsResult, panel: str | None = None) -> None:
    """Toolkit label above the axes: ``mlstxs Simulation`` on the left, the luminosity and
    √s on the right (no experiment is named); ``panel`` (e.g. the ε of the panel) goes below
    the right-hand text."""
    lumi = study.luminosity_fb
    energy = f"({study.sqrt_s_TeV:g} TeV)"
    right = f"{lumi:g} fb$^{{-1}}$ {energy}" if lumi else energy
    if panel:
        right = f"{panel}\n{right}"
    ax.set_title(r"$\mathbf{mlstxs}$ $\mathit{Simulation}$", loc="left", fontsize="medium")
    ax.set_title(right, loc="right", fontsize="small")


def method_color(method: str, i: int = 0) -> str:
    """Fixed colour of a method (the default cycle for unknown methods)."""
    return METHOD_COLORS.get(method, f"C{i % 10}")


def as_array(values: Any, name: str) -> np.ndarray:
    """Float array of a diagnostics list (null → NaN); FigureSkipped if unusable."""
    if values is None:
        raise FigureSkipped(f"'{name}' is missing")
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise FigureSkipped(f"'{name}' is not numeric") from None
    if arr.size == 0 or not np.isfinite(arr).any():
        raise FigureSkipped(f"'{name}' has no finite value")
    return arr


def diagnostics(study: StudyResult, key: str) -> Any:
    """``study.diagnostics[key]``; FigureSkipped when absent or null."""
    value = study.diagnostics.get(key)
    if value is None or (isinstance(value, Sequence | dict) and len(value) == 0):
        raise FigureSkipped(f"no diagnostics.{key}")
    return value


def slice_order(study: StudyResult, labels: Sequence[str]) -> list[str]:
    """``labels`` sorted in the study's slice order (unknown labels last)."""
    order = [s.label for s in study.slices]
    return sorted(set(labels), key=lambda x: (order.index(x) if x in order else len(order), x))


def closest(values: Sequence[float], target: float) -> float:
    """The value closest to ``target``."""
    return min(values, key=lambda v: abs(float(v) - target))
