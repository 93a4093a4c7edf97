"""What a study found, in sentences written from its own numbers: the summary that opens
``report.html`` and the findings below it, each with its evidence inline.

Nothing here is fixed prose: every number, comparison word ("grows", "falls", "within the
spread") and every caveat is computed from the :class:`~mlstxs.study.StudyResult`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ..stats import asimov_z
from ..study import StudyIndex, StudyResult, Summary, region_yields
from ._format import format_pm, html_escape
from ._study import LINE_METHODS

REFERENCE_EPSILON = 0.5
"""The ε the summary quotes (the paper's representative choice); every ε is in the tables."""


@dataclass(frozen=True)
class SliceHeadline:
    """One slice at the reference ε: STXS, the best line method, its gain and fractions."""

    label: str
    z_stxs: Summary
    best: str | None
    z_best: Summary
    gain: Summary
    fraction_best: Summary
    fraction_stxs: Summary


def reference_epsilon(ix: StudyIndex) -> float:
    """The study's ε closest to :data:`REFERENCE_EPSILON`."""
    return min(ix.epsilons, key=lambda e: abs(e - REFERENCE_EPSILON))


def line_methods(ix: StudyIndex) -> list[str]:
    """The line methods of the registry that the study ran."""
    return [m for m in LINE_METHODS if m in ix.methods]


def best_line(ix: StudyIndex, label: str, eps: float) -> str | None:
    """The line method with the highest mean test significance in (slice, ε)."""
    scored = [
        (s.mean, m) for m in line_methods(ix) if (s := ix.summary(m, label, eps, "z_test")).mean
    ]
    return max(scored)[1] if scored else None


def headlines(study: StudyResult, eps: float) -> list[SliceHeadline]:
    """Per slice at ``eps``: STXS, the best line, its gain over STXS and fractions of the
    optimum (the oracle)."""
    ix = study.index
    out = []
    for label in ix.slice_labels:
        best = best_line(ix, label, eps)
        empty = Summary(None, None, 0)
        out.append(
            SliceHeadline(
                label=label,
                z_stxs=ix.summary("STXS", label, eps, "z_test"),
                best=best,
                z_best=ix.summary(best, label, eps, "z_test") if best else empty,
                gain=ix.ratio_summary(best, "STXS", label, eps) if best else empty,
                fraction_best=ix.ratio_summary(best, "oracle", label, eps) if best else empty,
                fraction_stxs=ix.ratio_summary("STXS", "oracle", label, eps),
            )
        )
    return out


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "n/a" if x is None or not math.isfinite(x) else format(x, fmt)


def trend(values: list[float | None]) -> str:
    """How a sequence over the slices (in p_T order) moves: "grows", "falls", "rises overall"
    or "falls overall" (not monotonically), or "stays flat"."""
    v = [x for x in values if x is not None]
    if len(v) < 2:
        return "cannot be judged"
    diffs = [b - a for a, b in itertools.pairwise(v)]
    if all(d > 0 for d in diffs):
        return "grows"
    if all(d < 0 for d in diffs):
        return "falls"
    if v[-1] > v[0]:
        return "rises overall"
    return "falls overall" if v[-1] < v[0] else "stays flat"


def summary_html(study: StudyResult) -> str:
    """The opening paragraph and headline table (first screen of the report)."""
    ix = study.index
    eps = reference_epsilon(ix)
    rows = headlines(study, eps)
    s = study.sample
    bench = ", ".join(f"{k} = {v:g}" for k, v in study.benchmark.items())
    gains = [r.gain.mean for r in rows]
    fr_best = [r.fraction_best.mean for r in rows if r.fraction_best.mean is not None]
    fr_stxs = [r.fraction_stxs.mean for r in rows if r.fraction_stxs.mean is not None]
    top = rows[-1] if rows else None
    text = (
        f"Regions m_ZH &gt; a·p<sub>T</sub><sup>Z</sup> + b were designed in {len(rows)} STXS "
        f"p<sub>T</sub>(Z) slices of a {html_escape(s.level)}-level sample of "
        f"{s.n_events:,} events (σ<sub>SM</sub> = {1e3 * s.xsec_sm_pb:.3g} fb, Λ = "
        f"{s.lambda_TeV:g} TeV) for the benchmark {html_escape(bench)} at "
        f"{study.luminosity_fb:g} fb<sup>−1</sup>, with {len(ix.splits)} train/validation/test "
        f"splits and ε ∈ {{{', '.join(f'{e:g}' for e in ix.epsilons)}}}. "
    )
    if top is not None and top.best:
        text += (
            f"At ε = {eps:g} the best line beats the vertical STXS cut in every slice by a "
            f"factor {_f(min(g for g in gains if g is not None))}–"
            f"{_f(max(g for g in gains if g is not None))}; in the highest slice "
            f"({html_escape(top.label)} GeV) {html_escape(top.best)} reaches Z<sub>A</sub> = "
            f"{format_pm(top.z_best.mean, top.z_best.std)} against "
            f"{format_pm(top.z_stxs.mean, top.z_stxs.std)} for STXS. "
            if all(g is not None and g > 1 for g in gains)
            else f"At ε = {eps:g} the gain of the best line over STXS per slice is "
            f"{', '.join(_f(g) for g in gains)}. "
        )
    if fr_best and fr_stxs:
        text += (
            f"The best line keeps {_f(min(fr_best))}–{_f(max(fr_best))} of the optimal "
            f"significance (a threshold on the true ratio w(c)/w<sub>SM</sub>); STXS keeps "
            f"{_f(min(fr_stxs))}–{_f(max(fr_stxs))}. The gain over STXS {trend(gains)} with "
            "p<sub>T</sub>(Z)."
        )
    head = (
        "<tr><th>Slice [GeV]</th><th>Z<sub>A</sub> STXS</th><th>Best line</th>"
        "<th>Z<sub>A</sub> best line</th><th>Gain over STXS</th>"
        "<th>Fraction of optimum (line)</th><th>Fraction of optimum (STXS)</th></tr>"
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{c}</td>"
            for c in (
                html_escape(r.label),
                format_pm(r.z_stxs.mean, r.z_stxs.std),
                html_escape(r.best or "n/a"),
                format_pm(r.z_best.mean, r.z_best.std),
                format_pm(r.gain.mean, r.gain.std),
                format_pm(r.fraction_best.mean, r.fraction_best.std),
                format_pm(r.fraction_stxs.mean, r.fraction_stxs.std),
            )
        )
        + "</tr>"
        for r in rows
    )
    return (
        f"<section id='summary'><h2>Summary</h2><p>{text}</p>"
        f"<table id='headline-table'><caption>Headline numbers at ε = {eps:g}: mean ± std over "
        f"the splits on the test sets; the best line is the line method with the highest mean "
        f"Z<sub>A</sub> in the slice.</caption><thead>{head}</thead><tbody>{body}</tbody>"
        "</table></section>"
    )


# -- findings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One finding: an anchor, a title and its text with the evidence inline (HTML)."""

    anchor: str
    title: str
    html: str


def finding_dnn_vs_scan(study: StudyResult) -> Finding | None:
    """Does the DNN-distilled line reach the significance-optimised SVM line?"""
    ix = study.index
    if not {"DNN+SVM", "SVM+scan"} <= set(ix.methods):
        return None
    short = []
    for eps in ix.epsilons:
        for label in ix.slice_labels:
            d = ix.summary("DNN+SVM", label, eps, "z_test")
            sv = ix.summary("SVM+scan", label, eps, "z_test")
            if d.mean is None or sv.mean is None:
                continue
            spread = math.hypot(d.std or 0.0, sv.std or 0.0)
            if sv.mean - d.mean > max(spread, 1e-12):
                short.append((label, eps, d, sv))
    n = len(ix.epsilons) * len(ix.slice_labels)
    if not short:
        text = (
            f"DNN+SVM reaches SVM+scan within the ensemble spread in all {n} (slice, ε) cells: "
            "a DNN trained on the full feature set, distilled into a line, finds the same "
            "region as the significance scan in the (p<sub>T</sub><sup>Z</sup>, m<sub>ZH</sub>) "
            "plane."
        )
    else:
        cells = "; ".join(
            f"{html_escape(lab)} GeV at ε = {e:g}: {format_pm(d.mean, d.std)} against "
            f"{format_pm(sv.mean, sv.std)}"
            for lab, e, d, sv in short
        )
        recovered = sum(
            (r := ix.summary("DNN+SVM+scan", lab, e, "z_test")).mean is not None
            and sv.mean is not None
            and sv.mean - r.mean <= max(math.hypot(r.std or 0.0, sv.std or 0.0), 1e-12)
            for lab, e, _, sv in short
        )
        dnn_means = [
            ix.ratio_summary("DNN-threshold", "oracle", lab, e).mean for lab, e, _, _ in short
        ]
        dnn_quality = [q for q in dnn_means if q is not None]
        quality = (
            f" The DNN score itself is weak there: a threshold on it keeps "
            f"{_f(min(dnn_quality))}–{_f(max(dnn_quality))} of the optimum in those cells "
            f"(the network trained for at most {study.settings.dnn_max_epochs} epochs)."
            if dnn_quality and min(dnn_quality) < 0.9
            else ""
        )
        text = (
            f"DNN+SVM falls short of SVM+scan by more than the ensemble spread in {len(short)} "
            f"of {n} (slice, ε) cells ({cells}). The distilled line is the best of a grid of "
            "DNN-score thresholds, each turned into a line by an SVM."
            + quality
            + f" The scan around the distilled line (DNN+SVM+scan) reaches SVM+scan within the "
            f"spread in {recovered} of these {len(short)} cells."
        )
    return Finding("finding-dnn", "The DNN-distilled line against the scanned SVM line", text)


def finding_combination(study: StudyResult) -> Finding | None:
    """The slices combined: the paper's linear sum of Z against a joint likelihood."""
    ix = study.index
    eps = reference_epsilon(ix)
    rows = []
    for method in ["STXS", *line_methods(ix), "oracle"]:
        means = [ix.summary(method, label, eps, "z_test").mean for label in ix.slice_labels]
        if method not in ix.methods or any(v is None for v in means):
            continue
        z = [v for v in means if v is not None]
        rows.append((method, sum(z), math.sqrt(sum(v * v for v in z))))
    if not rows:
        return None
    body = "".join(
        f"<tr><td>{html_escape(m)}</td><td>{lin:.3f}</td><td>{joint:.3f}</td></tr>"
        for m, lin, joint in rows
    )
    stxs = next((r for r in rows if r[0] == "STXS"), None)
    best = max((r for r in rows if r[0] in LINE_METHODS), key=lambda r: r[2], default=None)
    gain = ""
    if stxs and best:
        gain = (
            f" With the joint likelihood the best line method ({html_escape(best[0])}) gains "
            f"a factor {best[2] / stxs[2]:.2f} over STXS, against {best[1] / stxs[1]:.2f} with "
            "the linear sum."
        )
    text = (
        "The paper combines slices as the linear sum Σ Z<sub>A</sub>, which is not a "
        "significance. The slices hold disjoint events, so with an independent background "
        "uncertainty per slice the profile likelihoods multiply and the Asimov "
        "−2 ln λ adds: the joint significance is √(Σ Z<sub>A</sub><sup>2</sup>)."
        + gain
        + f"<table id='combination-table'><caption>Slices combined at ε = {eps:g} (mean Z per "
        "slice over the splits).</caption><thead><tr><th>Method</th><th>Σ Z (paper)</th>"
        f"<th>√(Σ Z²) (joint likelihood)</th></tr></thead><tbody>{body}</tbody></table>"
    )
    return Finding("finding-combination", "Combining the slices: a joint likelihood", text)


def finding_balancing(study: StudyResult) -> Finding | None:
    """How the SVM weights its classes, and what the scan makes of it."""
    ix = study.index
    if not {"SVM", "SVM+scan"} <= set(ix.methods):
        return None
    eps = reference_epsilon(ix)
    ratios = [ix.ratio_summary("SVM+scan", "SVM", label, eps).mean for label in ix.slice_labels]
    balanced = study.settings.balance_classes
    how = (
        "each class (SM, and SM plus the SMEFT benchmark) normalised to unit total weight "
        "(<code>balance_classes</code>), so the SVM separates the shapes, not the rates"
        if balanced
        else "events weighted by their cross sections, as the paper does, so the SM class "
        "dominates the hinge loss"
    )
    text = (
        f"The linear SVM is trained with {how}. It optimises a classification loss, not the "
        f"significance: at ε = {eps:g} the scan around it (SVM+scan) improves on it by a "
        f"factor {', '.join(_f(r) for r in ratios)} per slice."
    )
    return Finding("finding-balancing", "Class balancing of the SVM", text)


def finding_tilt(study: StudyResult) -> Finding | None:
    """What the tilt of the best line adds over a cut on m_ZH alone."""
    ix = study.index
    if "mZH-cut" not in ix.methods:
        return None
    eps = reference_epsilon(ix)
    parts, ratios = [], []
    for label in ix.slice_labels:
        best = best_line(ix, label, eps)
        if best is None or best == "mZH-cut":
            continue
        r = ix.ratio_summary("mZH-cut", best, label, eps)
        if r.mean is not None:
            ratios.append(r.mean)
            parts.append(f"{html_escape(label)} GeV: {format_pm(r.mean, r.std)} of {best}")
    if not ratios:
        return None
    text = (
        f"A cut on m<sub>ZH</sub> alone (mZH-cut, the best horizontal line) reaches "
        f"{_f(min(ratios))}–{_f(max(ratios))} of the best tilted line's significance at "
        f"ε = {eps:g} ({'; '.join(parts)}). The tilt adds "
        f"{_f(100 * (1 / max(ratios) - 1), '.0f')}–{_f(100 * (1 / min(ratios) - 1), '.0f')} % "
        "in significance: most of the gain over STXS comes from cutting on m<sub>ZH</sub> "
        "inside the slice at all."
    )
    return Finding("finding-tilt", "What the tilt adds over a cut on m_ZH", text)


def finding_tail_corners(study: StudyResult) -> Finding | None:
    """How small the chosen regions are, and how much they lean on the EFT tail."""
    ix = study.index
    eps = reference_epsilon(ix)
    rows = []
    for label in ix.slice_labels:
        best = best_line(ix, label, eps)
        if best is None:
            continue
        b = ix.summary(best, label, eps, "b_test").mean
        q = ix.summary(best, label, eps, "quadratic_share").mean
        m = ix.summary(best, label, eps, "mzh_over_lambda").mean
        if b is not None:
            rows.append((label, best, b, q, m))
    if not rows:
        return None
    body = "".join(
        f"<tr><td>{html_escape(lab)}</td><td>{html_escape(best)}</td><td>{b:.3g}</td>"
        f"<td>{_f(q)}</td><td>{_f(m)}</td></tr>"
        for lab, best, b, q, m in rows
    )
    bs = [r[2] for r in rows]
    qs = [r[3] for r in rows if r[3] is not None]
    ms = [r[4] for r in rows if r[4] is not None]
    where = f", at a mean m<sub>ZH</sub>/Λ of {_f(min(ms))}–{_f(max(ms))}" if ms else ""
    quad = (
        f", where the squared dimension-six term is {_f(min(qs))}–{_f(max(qs))} × the interference"
        if qs
        else ""
    )
    text = (
        f"The best regions at ε = {eps:g} are small corners of the slices: "
        f"{min(bs):.3g}–{max(bs):.3g} SM events at {study.luminosity_fb:g} fb<sup>−1</sup>"
        f"{where} (Λ = {study.lambda_TeV:g} TeV){quad}. Their sensitivity therefore rests on "
        "the O(Λ<sup>−4</sup>) terms and on energies near the cut-off; the linear-only design "
        "(<code>eft_order: linear</code>) and an m<sub>ZH</sub> cap (<code>mzh_cap_GeV</code>) "
        "show how much of it survives."
        f"<table id='corners-table'><caption>The best line's region per slice at ε = {eps:g} "
        "(means over the splits' test sets).</caption><thead><tr><th>Slice</th><th>Method</th>"
        "<th>SM events b</th><th>Quadratic / linear</th><th>Mean m<sub>ZH</sub>/Λ</th></tr>"
        f"</thead><tbody>{body}</tbody></table>"
    )
    return Finding("finding-corners", "The regions are small tail corners", text)


def finding_linear_only(study: StudyResult) -> Finding | None:
    """The same regions with only the O(Λ⁻²) interference as signal."""
    ix = study.index
    eps = reference_epsilon(ix)
    rows: list[tuple[str, str, tuple[float, float], tuple[float, float]]] = []
    for label in ix.slice_labels:
        best = best_line(ix, label, eps)
        if best is None:
            continue
        cells = []
        for method in ("STXS", best):
            y = region_yields(study, method, label, eps)
            if y is None:
                break
            cells.append((y.z(eps), float(asimov_z(y.s_lin, y.b, eps))))
        if len(cells) == 2:
            rows.append((label, best, cells[0], cells[1]))
    if not rows:
        return None
    body = "".join(
        f"<tr><td>{html_escape(lab)}</td><td>{html_escape(best)}</td>"
        f"<td>{_f(zs)}</td><td>{_f(zs_lin)}</td><td>{_f(zb)}</td><td>{_f(zb_lin)}</td>"
        f"<td>{_f(zb / zs if zs else None)}</td><td>{_f(zb_lin / zs_lin if zs_lin else None)}</td>"
        "</tr>"
        for lab, best, (zs, zs_lin), (zb, zb_lin) in rows
    )
    gains = [zb_lin / zs_lin for _, _, (_, zs_lin), (_, zb_lin) in rows if zs_lin]
    text = (
        "Keeping only the interference term (w<sub>SM</sub> + c·w<sub>lin</sub>, the "
        "truncation at O(Λ<sup>−2</sup>)) as signal in the same regions, the best line's gain "
        f"over STXS at ε = {eps:g} becomes {', '.join(_f(g) for g in gains)} per slice. "
        "These regions were designed with the quadratic terms; "
        "<code>eft_order: linear</code> in the study settings designs them without."
        f"<table id='linear-table'><caption>Z<sub>A</sub> at ε = {eps:g} with the full signal "
        "and with its linear part only (s<sub>lin</sub> = s/(1 + quadratic share), means over "
        "the splits).</caption><thead><tr><th>Slice</th><th>Best line</th><th>STXS</th>"
        "<th>STXS, linear</th><th>Line</th><th>Line, linear</th><th>Gain</th>"
        f"<th>Gain, linear</th></tr></thead><tbody>{body}</tbody></table>"
    )
    return Finding("finding-linear", "Linear-only: the interference alone", text)


def findings(study: StudyResult) -> list[Finding]:
    """Every finding this study supports, in reading order."""
    steps = (
        finding_tilt,
        finding_tail_corners,
        finding_linear_only,
        finding_dnn_vs_scan,
        finding_balancing,
        finding_combination,
    )
    out = [f(study) for f in steps]
    return [f for f in out if f is not None]


def findings_html(items: list[Finding]) -> str:
    """The findings as a section of the report."""
    body = "".join(
        f"<h3 id='{f.anchor}'>{html_escape(f.title)}</h3><div class='finding'>{f.html}</div>"
        for f in items
    )
    return f"<section id='findings'><h2>Findings</h2>{body}</section>"
