"""Figures drawn from the split-0 diagnostics of a study (paper Figs. 1–5, 8, 9; DNN training).

Each builder takes the study dict and returns a :class:`~matplotlib.figure.Figure`, or raises
:class:`~mlstxs.report._style.FigureSkipped` saying which diagnostics are missing.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure

from ..study import StudyResult
from ._study import LINE_METHODS
from ._style import (
    EPS_LINESTYLES,
    MZH_LABEL,
    PT_LABEL,
    Z_LABEL,
    FigureSkipped,
    as_array,
    closest,
    diagnostics,
    label,
    method_color,
    new_figure,
    slice_order,
)

_REPRESENTATIVE_EPS = 0.5


def _landscape_entry(study: StudyResult, method: str) -> dict:
    """The scan landscape of ``method`` in the highest slice at the ε closest to 0.5."""
    entries = [
        e
        for e in diagnostics(study, "scan_landscapes")
        if isinstance(e, dict) and e.get("method") == method
    ]
    if not entries:
        raise FigureSkipped(f"no scan landscape for {method}")
    top = slice_order(study, [e["slice"] for e in entries])[-1]
    entries = [e for e in entries if e["slice"] == top]
    eps = closest([e["epsilon"] for e in entries], _REPRESENTATIVE_EPS)
    return next(e for e in entries if e["epsilon"] == eps)


def landscape_figure(study: StudyResult, method: str) -> Figure:
    """Z_A of the lines m_ZH > a p_T + b on a grid in (a, b), with the seed and the best line."""
    entry = _landscape_entry(study, method)
    slopes = as_array(entry.get("slopes"), "slopes")
    intercepts = as_array(entry.get("intercepts_GeV"), "intercepts_GeV")
    z = as_array(entry.get("z"), "z")
    if z.shape != (slopes.size, intercepts.size):
        raise FigureSkipped(f"z has shape {z.shape}, expected ({slopes.size}, {intercepts.size})")
    fig, axes = new_figure(size=(7.5, 6.0))
    ax = axes[0, 0]
    mesh = ax.pcolormesh(
        slopes, intercepts, np.ma.masked_invalid(z.T), shading="nearest", cmap="viridis"
    )
    fig.colorbar(mesh, ax=ax, label=Z_LABEL)
    seed, best = entry.get("seed") or {}, entry.get("best") or {}
    if seed.get("slope") is not None and seed.get("intercept_GeV") is not None:
        ax.plot(
            seed["slope"],
            seed["intercept_GeV"],
            "wX",
            ms=11,
            mec="k",
            label="seed (SVM line)" if method == "SVM+scan" else "seed (distilled line)",
        )
    if best.get("slope") is not None and best.get("intercept_GeV") is not None:
        zb = best.get("z")
        ax.plot(
            best["slope"],
            best["intercept_GeV"],
            "r*",
            ms=15,
            mec="w",
            label="best" + (f" ($Z_A$ = {zb:.3f})" if zb is not None else ""),
        )
    ax.set_xlabel("Slope $a$")
    ax.set_ylabel("Intercept $b$ [GeV]")
    ax.legend(loc="upper right", frameon=True)
    label(ax, study, f"{method}, {entry['slice']} GeV, $\\varepsilon$ = {entry['epsilon']:g}")
    return fig


def fig1_scan_landscape(study: StudyResult) -> Figure:
    """Paper Fig. 1: significance landscape of the scan around the SVM line."""
    return landscape_figure(study, "SVM+scan")


def fig4_dnn_scan_landscape(study: StudyResult) -> Figure:
    """Paper Fig. 4: the same around the DNN-distilled line."""
    return landscape_figure(study, "DNN+SVM+scan")


def fig2_roc(study: StudyResult) -> Figure:
    """Paper Fig. 2: weighted ROC curves of the DNN score per slice; background vs signal
    efficiency (log scale)."""
    entries = [e for e in diagnostics(study, "roc") if isinstance(e, dict)]
    fig, axes = new_figure(1, 2, size=(12.0, 5.5))
    drawn = 0
    for i, lab in enumerate(slice_order(study, [e.get("slice", "?") for e in entries])):
        entry = next(e for e in entries if e.get("slice", "?") == lab)
        try:
            fpr, tpr = as_array(entry.get("fpr"), "fpr"), as_array(entry.get("tpr"), "tpr")
        except FigureSkipped:
            continue
        if fpr.shape != tpr.shape:
            continue
        auc = entry.get("auc")
        text = f"{lab} GeV" + (f" (AUC = {auc:.3f})" if auc is not None else "")
        axes[0, 0].plot(fpr, tpr, color=f"C{i}", label=text)
        positive = fpr > 0
        axes[0, 1].plot(tpr[positive], fpr[positive], color=f"C{i}", label=f"{lab} GeV")
        drawn += 1
    if not drawn:
        raise FigureSkipped("no usable ROC curve")
    axes[0, 0].plot([0, 1], [0, 1], "k:", lw=1, label="random")
    axes[0, 0].set(
        xlabel="False positive rate (SM)",
        ylabel="True positive rate (SMEFT)",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    axes[0, 1].set(
        xlabel="Signal efficiency", ylabel="Background efficiency", yscale="log", xlim=(0, 1)
    )
    for ax in axes[0]:
        ax.legend(loc="best")
        label(ax, study)
    return fig


def fig3_threshold(study: StudyResult) -> Figure:
    """Paper Fig. 3: Z_A (training set) of the distilled line vs the DNN-score threshold."""
    entries = [e for e in diagnostics(study, "threshold_curves") if isinstance(e, dict)]
    entries = [e for e in entries if e.get("epsilon") is not None]
    epsilons = sorted({float(e["epsilon"]) for e in entries})
    if not epsilons:
        raise FigureSkipped("no threshold curve")
    labels = slice_order(study, [e.get("slice", "?") for e in entries])
    fig, axes = new_figure(1, len(epsilons), size=(5.5 * len(epsilons), 5.0))
    for ax, eps in zip(axes[0], epsilons, strict=True):
        for i, lab in enumerate(labels):
            entry = next(
                (e for e in entries if e.get("slice") == lab and float(e["epsilon"]) == eps), None
            )
            if entry is None:
                continue
            try:
                t = as_array(entry.get("thresholds"), "thresholds")
                z = as_array(entry.get("z"), "z")
            except FigureSkipped:
                continue
            top = lab == labels[-1]
            ax.plot(
                t,
                z,
                color=f"C{i}",
                lw=2.5 if top else 1.2,
                alpha=1.0 if top else 0.6,
                label=f"{lab} GeV",
            )
            if top:
                k = int(np.nanargmax(z))
                ax.plot(t[k], z[k], "k*", ms=12, label=f"best: {t[k]:.3g}")
        ax.set(xlabel="DNN score threshold", ylabel=Z_LABEL + " (train)")
        ax.legend(loc="best")
        label(ax, study, f"$\\varepsilon$ = {eps:g}")
    return fig


def _line_style(method: str, eps: float, epsilons: list[float]) -> str:
    return "-" if method == "SVM" else EPS_LINESTYLES[epsilons.index(eps) % 4]


def fig5_boundaries(study: StudyResult) -> Figure:
    """Paper Fig. 5: the highest slice in (p_T^Z, m_ZH): the local SMEFT excess per SM event,
    the vertical STXS boundary and every split-0 line of that slice."""
    events = diagnostics(study, "events")
    pt, m = as_array(events.get("pt_Z"), "pt_Z"), as_array(events.get("m_ZH"), "m_ZH")
    w_sm, w_eft = as_array(events.get("w_sm"), "w_sm"), as_array(events.get("w_eft"), "w_eft")
    if not pt.shape == m.shape == w_sm.shape == w_eft.shape:
        raise FigureSkipped("events columns have different lengths")
    ok = np.isfinite(pt) & np.isfinite(m) & np.isfinite(w_sm) & np.isfinite(w_eft)
    pt, m, w_sm, w_eft = pt[ok], m[ok], w_sm[ok], w_eft[ok]
    sl = next((s for s in study.slices if s.label == events.get("slice")), None)
    low = sl.low_GeV if sl else float(np.min(pt))
    x_edges = np.linspace(low, np.quantile(pt, 0.995), 31)
    x_view = (low - 0.04 * (x_edges[-1] - low), x_edges[-1])  # the STXS edge inside the axes
    y_edges = np.linspace(np.quantile(m, 0.002), np.quantile(m, 0.995), 31)
    sm, _, _ = np.histogram2d(pt, m, bins=(x_edges, y_edges), weights=w_sm)
    excess, _, _ = np.histogram2d(pt, m, bins=(x_edges, y_edges), weights=w_eft - w_sm)
    ratio = np.divide(excess, sm, out=np.full_like(sm, np.nan), where=sm > 0)
    fig, axes = new_figure(size=(8.0, 6.5))
    ax = axes[0, 0]
    finite = ratio[np.isfinite(ratio)]
    signed = bool(finite.size) and finite.min() < 0 < finite.max()
    norm: Normalize | None
    if signed:  # a diverging map centred on no excess
        norm, cmap = TwoSlopeNorm(0.0, finite.min(), finite.max()), "RdBu_r"
    else:  # one sign: a sequential map
        norm = LogNorm() if finite.size and finite.min() > 0 else None
        cmap = "viridis"
    mesh = ax.pcolormesh(x_edges, y_edges, np.ma.masked_invalid(ratio.T), cmap=cmap, norm=norm)
    fig.colorbar(mesh, ax=ax, label=r"$\sum (w_c - w_{SM}) / \sum w_{SM}$ per bin")
    ax.axvline(low, color="k", lw=2.5, label=f"STXS: $p_T^Z$ > {low:g} GeV")
    epsilons = [float(e) for e in study.epsilons]
    x = np.array([x_edges[0], x_edges[-1]])
    seen: set[tuple[str, float]] = set()
    for line in study.diagnostics.get("lines") or []:
        if not isinstance(line, dict) or line.get("epsilon") is None:
            continue
        if line.get("slice") != events.get("slice") or line.get("method") not in LINE_METHODS:
            continue
        if line.get("slope") is None or line.get("intercept_GeV") is None:
            continue
        method, eps = line["method"], float(line["epsilon"])
        key = (method, -1.0 if method == "SVM" else eps)
        if key in seen or (eps not in epsilons and method != "SVM"):
            continue
        seen.add(key)
        text = method if method == "SVM" else f"{method}, $\\varepsilon$ = {eps:g}"
        ax.plot(
            x,
            line["slope"] * x + line["intercept_GeV"],
            color=method_color(method),
            ls=_line_style(method, eps, epsilons),
            lw=2,
            label=text,
        )
    ax.set(xlim=x_view, ylim=(y_edges[0], y_edges[-1]), xlabel=PT_LABEL, ylabel=MZH_LABEL)
    fig.legend(loc="outside lower center", ncols=3, frameon=False)  # off the data
    label(ax, study)
    return fig


def fig8_pca_variance(study: StudyResult) -> Figure:
    """Paper Fig. 8: explained-variance ratio of the leading principal components per slice."""
    entries = [e for e in diagnostics(study, "pca") if isinstance(e, dict)]
    labels = slice_order(study, [e.get("slice", "?") for e in entries])
    fig, axes = new_figure(size=(8.0, 5.5))
    ax = axes[0, 0]
    n_comp, width, drawn = 4, 0.8 / 4, 0
    for i, lab in enumerate(labels):
        entry = next(e for e in entries if e.get("slice", "?") == lab)
        try:
            ratio = as_array(entry.get("explained_variance_ratio"), "explained_variance_ratio")
        except FigureSkipped:
            continue
        for k, r in enumerate(ratio[:n_comp]):
            ax.bar(
                i + (k - (n_comp - 1) / 2) * width,
                r,
                width,
                color=f"C{k}",
                label=f"PC{k + 1}" if drawn == 0 else None,
            )
        drawn += 1
    if not drawn:
        raise FigureSkipped("no explained-variance ratios")
    ax.set_xticks(range(len(labels)), [f"{lab} GeV" for lab in labels])
    ax.set(xlabel="STXS slice", ylabel="Explained variance ratio")
    ax.legend(loc="upper right")
    label(ax, study)
    return fig


def fig9_pca_loadings(study: StudyResult) -> Figure:
    """Paper Fig. 9: loadings of the first three principal components per slice."""
    entries = []
    for e in diagnostics(study, "pca"):
        try:
            load = as_array(e.get("loadings"), "loadings")[:3]
        except FigureSkipped:
            continue
        features = list(e.get("features") or [])
        if load.ndim == 2 and load.shape[1] == len(features):
            entries.append((e.get("slice", "?"), features, load))
    if not entries:
        raise FigureSkipped("no PCA loadings")
    order = slice_order(study, [lab for lab, _, _ in entries])
    entries.sort(key=lambda t: order.index(t[0]))
    n_feat = max(len(f) for _, f, _ in entries)
    fig, axes = new_figure(1, len(entries), size=(3.2 * len(entries) + 1.5, 0.3 * n_feat + 2.5))
    for ax, (lab, features, load) in zip(axes[0], entries, strict=True):
        image = ax.imshow(load.T, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(load.shape[0]), [f"PC{k + 1}" for k in range(load.shape[0])])
        ax.set_yticks(range(len(features)), features if ax is axes[0, 0] else [""] * len(features))
        ax.tick_params(axis="y", labelsize="x-small")
        ax.minorticks_off()
        ax.set_title(f"{lab} GeV", fontsize="small")
    fig.colorbar(image, ax=list(axes[0]), label="Loading")
    fig.suptitle(
        r"$\mathbf{mlstxs}$ $\mathit{Simulation}$: PCA loadings, split 0",
        x=0.02,
        ha="left",
        fontsize="medium",
    )
    return fig


def fig11_dnn_training(study: StudyResult) -> Figure:
    """Training and validation loss of the split-0 DNN vs epoch, with the restored epoch.

    ``best_epoch`` is read as an index into the loss lists (epoch 0 = first epoch)."""
    dnn = diagnostics(study, "dnn")
    history = dnn.get("history") or {}
    train = as_array(history.get("train_loss"), "train_loss")
    fig, axes = new_figure(size=(7.5, 5.5))
    ax = axes[0, 0]
    ax.plot(np.arange(train.size), train, "o-", ms=3, label="training loss")
    val = history.get("val_loss")
    if val is not None:
        val = as_array(val, "val_loss")
        ax.plot(np.arange(val.size), val, "s-", ms=3, label="validation loss")
    best = dnn.get("best_epoch")
    if isinstance(best, int):  # no timing here: the figure is the same on every rerun
        ax.axvline(best, color="k", ls="--", label=f"best epoch {best}")
    ax.set(xlabel="Epoch", ylabel="Weighted binary cross-entropy")
    ax.legend(loc="best")
    label(ax, study)
    return fig
