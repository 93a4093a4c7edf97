"""The report figures: a registry of builders and :func:`make_figures`.

Figures 6, 7 and 10 summarise the records of all splits; the others draw the split-0
diagnostics (:mod:`mlstxs.report._diagnostic_figures`). A figure whose input is missing or
malformed is skipped with a logged note; the report never fails because of a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..study import StudyIndex, StudyResult
from . import _diagnostic_figures as diag
from ._study import logger
from ._style import (
    FigureSkipped,
    label,
    method_color,
    new_figure,
    style_context,
)

FIGURE_FORMATS: tuple[str, ...] = ("png", "pdf")
DPI = 150


def split_sums(ix: StudyIndex, method: str, eps: float, key: str) -> np.ndarray:
    """Σ over slices of ``key`` per split, for the splits where every slice has a value.

    Returns
    -------
    numpy.ndarray, shape (n_complete_splits,)
    """
    per_slice = [ix.values(method, s, eps, key) for s in ix.slice_labels]
    complete = [sp for sp in ix.splits if all(sp in v for v in per_slice)]
    return np.array([sum(v[sp] for v in per_slice) for sp in complete], dtype=float)


def fig6_boxplots(study: StudyResult) -> Figure:
    """Paper Fig. 6: per ε, the distribution over splits of Σ_slices Z_A per method, on the
    test sets and (next to it) on the training sets."""
    ix = study.index
    if not ix.epsilons or not ix.splits:
        raise FigureSkipped("no records")
    n_eps, n_m = len(ix.epsilons), len(ix.methods)
    fig, axes = new_figure(n_eps, 1, size=(max(8.0, 1.5 * n_m + 2), 4.0 * n_eps))
    drawn = 0
    for ax, eps in zip(axes[:, 0], ix.epsilons, strict=True):
        for i, method in enumerate(ix.methods):
            for offset, key, face in ((-0.2, "z_test", "#3f90da"), (0.2, "z_train", "#ffa90e")):
                sums = split_sums(ix, method, eps, key)
                if sums.size == 0:
                    continue
                ax.boxplot(
                    sums,
                    positions=[i + offset],
                    widths=0.35,
                    patch_artist=True,
                    boxprops={"facecolor": face, "alpha": 0.7},
                    medianprops={"color": "k"},
                    manage_ticks=False,
                )
                drawn += 1
        ax.set_xticks(range(n_m), ix.methods, rotation=30, ha="right")
        ax.set_xlim(-0.6, n_m - 0.4)
        ax.set_ylabel(r"$\Sigma_{\mathrm{slices}}\, Z_A$")
        ax.legend(
            handles=[
                Patch(facecolor="#3f90da", alpha=0.7, label="test"),
                Patch(facecolor="#ffa90e", alpha=0.7, label="train"),
            ],
            loc="upper left",
        )
        label(ax, study, f"Distribution over splits, $\\varepsilon$ = {eps:g}")
    if not drawn:
        raise FigureSkipped("no split with every slice evaluable")
    return fig


def ratio_figure(study: StudyResult, reference: str, ylabel: str) -> Figure:
    """Z_A(method)/Z_A(reference) vs slice, one panel per ε; error bars: std over splits."""
    ix = study.index
    if reference not in ix.methods:
        raise FigureSkipped(f"no {reference} records")
    methods = [m for m in ix.methods if m != reference]
    n_eps = len(ix.epsilons)
    if not n_eps or not methods:
        raise FigureSkipped("no ε or no method to compare")
    ncols = min(n_eps, 2)  # a 2-column grid stays legible when scaled into the page
    nrows = -(-n_eps // ncols)
    fig, axes = new_figure(nrows, ncols, size=(7.0 * ncols, 5.0 * nrows), sharey=True)
    for ax in axes.flat[n_eps:]:
        ax.set_visible(False)
    x = np.arange(len(ix.slice_labels), dtype=float)
    width = 0.6 / max(len(methods), 1)
    drawn = 0
    for ax, eps in zip(axes.flat, ix.epsilons, strict=False):
        for i, method in enumerate(methods):
            sums = [ix.ratio_summary(method, reference, s, eps) for s in ix.slice_labels]
            mean = np.array([np.nan if s.mean is None else s.mean for s in sums])
            std = np.array([np.nan if s.std is None else s.std for s in sums])
            if not np.isfinite(mean).any():
                continue
            ax.errorbar(
                x + (i - (len(methods) - 1) / 2) * width,
                mean,
                yerr=std,
                fmt="o",
                ms=5,
                capsize=3,
                color=method_color(method, i),
                label=method,
            )
            drawn += 1
        ax.axhline(1.0, color="k", ls=":", lw=1)
        ax.set_xticks(x, ix.slice_labels, rotation=20)
        ax.set_xlabel(r"STXS $p_T^Z$ slice [GeV]")
        label(ax, study, panel=f"$\\varepsilon$ = {eps:g}")
    if not drawn:
        raise FigureSkipped(f"no split with both a method and {reference} evaluable")
    for row in axes:
        row[0].set_ylabel(ylabel)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=5, frameon=False)
    return fig


def fig7_ratio_to_stxs(study: StudyResult) -> Figure:
    """Paper Fig. 7: gain of each region over the vertical STXS cut."""
    return ratio_figure(study, "STXS", r"$Z_A$(method) / $Z_A$(STXS)")


def fig10_fraction_of_optimum(study: StudyResult) -> Figure:
    """The fraction of the Neyman–Pearson optimum (a threshold on w(c)/w_SM) reached."""
    return ratio_figure(study, "oracle", r"$Z_A$(method) / $Z_A$(oracle)")


FIGURES: dict[str, Callable[[StudyResult], Figure]] = {
    "fig1_scan_landscape": diag.fig1_scan_landscape,
    "fig2_roc": diag.fig2_roc,
    "fig3_threshold": diag.fig3_threshold,
    "fig4_dnn_scan_landscape": diag.fig4_dnn_scan_landscape,
    "fig5_boundaries": diag.fig5_boundaries,
    "fig6_boxplots": fig6_boxplots,
    "fig7_ratio_to_stxs": fig7_ratio_to_stxs,
    "fig8_pca_variance": diag.fig8_pca_variance,
    "fig9_pca_loadings": diag.fig9_pca_loadings,
    "fig10_fraction_of_optimum": fig10_fraction_of_optimum,
    "fig11_dnn_training": diag.fig11_dnn_training,
}
"""Figure name → builder, in the order they are made."""

FIGURE_CAPTIONS: dict[str, str] = {
    "fig1_scan_landscape": "Asimov significance in the slope–intercept plane of the scan "
    "around the SVM line, highest slice, ε = 0.5 (or the closest ε); split 0 (paper Fig. 1).",
    "fig2_roc": "Weighted ROC curves of the DNN score in each slice (left) and background vs "
    "signal efficiency (right); split 0, test set (paper Fig. 2).",
    "fig3_threshold": "Training-set significance of the distilled line vs the DNN-score "
    "threshold, per slice and ε; split 0 (paper Fig. 3).",
    "fig4_dnn_scan_landscape": "As Fig. 1 for the scan around the DNN-distilled line "
    "(paper Fig. 4).",
    "fig5_boundaries": "Highest slice: SMEFT excess per SM event in (pT_Z, m_ZH), the vertical "
    "STXS boundary and the split-0 lines of every method and ε (paper Fig. 5).",
    "fig6_boxplots": "Distribution over the splits of the significance summed over slices, "
    "test and training sets, per ε (paper Fig. 6).",
    "fig7_ratio_to_stxs": "Z_A(method)/Z_A(STXS) per slice and ε; mean and std over splits "
    "(paper Fig. 7).",
    "fig8_pca_variance": "Explained-variance ratio of the leading principal components of the "
    "standardised features, per slice; split 0 (paper Fig. 8).",
    "fig9_pca_loadings": "Loadings of the first principal components per slice; split 0 "
    "(paper Fig. 9).",
    "fig10_fraction_of_optimum": "Fraction of the Neyman–Pearson optimum: Z_A(method)/"
    "Z_A(oracle) per slice and ε; mean and std over splits.",
    "fig11_dnn_training": "Training and validation loss of the split-0 DNN vs epoch, with the "
    "epoch whose weights were restored.",
}


def _build(
    name: str, builder: Callable[[StudyResult], Figure], study: StudyResult
) -> Figure | None:
    try:
        return builder(study)
    except FigureSkipped as exc:
        logger.warning("report: figure %s skipped: %s", name, exc)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        logger.warning(
            "report: figure %s skipped: malformed input (%s: %s)", name, type(exc).__name__, exc
        )
    return None


def make_figures(study: StudyResult, out_dir: Path) -> list[Path]:
    """Draw every figure of :data:`FIGURES` as ``<name>.png`` (150 dpi) and ``<name>.pdf``.

    Parameters
    ----------
    study : StudyResult
        The study result (docs/study_format.md).
    out_dir : Path
        Directory to write into (created if needed).

    Returns
    -------
    list of Path
        The files written; figures whose input is missing are skipped (logged).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with style_context():
        for name, builder in FIGURES.items():
            fig = _build(name, builder, study)
            if fig is None:
                continue
            for ext in FIGURE_FORMATS:
                path = out_dir / f"{name}.{ext}"
                fig.savefig(path, dpi=DPI, metadata=_metadata(ext))
                paths.append(path)
            fig.clear()
    return paths


def _metadata(ext: str) -> dict[str, str | None]:
    """File metadata without timestamps, so that the same study gives the same files."""
    if ext == "pdf":
        return {"Creator": "mlstxs", "Producer": None, "CreationDate": None}
    return {"Software": "mlstxs"}
