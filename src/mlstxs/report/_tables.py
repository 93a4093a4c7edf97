"""The paper's tables (I–VII) and the two ratio tables, as CSV, Markdown and LaTeX.

Every cell is a mean ± standard deviation over the ensemble of splits
(:func:`mlstxs.report._study.summarize`); cells without any evaluable record read ``n/a``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..study import StudyIndex, StudyResult, Summary, eps_tag
from ._format import (
    NA,
    format_csv_number,
    format_pm,
    format_pm_latex,
    html_escape,
    latex_escape,
    markdown_escape,
)

TABLE_FORMATS: tuple[str, ...] = ("csv", "md", "tex")
_LINE_TABLES = {  # table name → (method, paper table)
    "boundaries_svm_scan": ("SVM+scan", "II"),
    "boundaries_dnn_svm": ("DNN+SVM", "III"),
    "boundaries_dnn_svm_scan": ("DNN+SVM+scan", "IV"),
}
_LINE_COLUMNS = ("slope", "intercept_GeV")
_LINE_LABELS = ("Slope a", "Intercept b [GeV]")


@dataclass(frozen=True)
class Table:
    """A table of mean ± std cells.

    Attributes
    ----------
    name : str
        File stem, e.g. ``significance_eps0.5``.
    caption : str
        One-sentence description (plain text).
    index_names : tuple of str
        Names of the row-label columns, e.g. ``("method",)`` or ``("slice", "epsilon")``.
    columns : tuple of str
        Machine names of the value columns (CSV headers get ``_mean``, ``_std``, ``_n``).
    column_labels : tuple of str
        Display labels of the value columns.
    rows : tuple of (tuple of str, tuple of Summary)
        Row labels and one :class:`Summary` per value column.
    """

    name: str
    caption: str
    index_names: tuple[str, ...]
    columns: tuple[str, ...]
    column_labels: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], tuple[Summary, ...]], ...]

    def cell(self, index: tuple[str, ...], column: str) -> Summary:
        """The summary in row ``index`` (row labels) and value column ``column``."""
        j = self.columns.index(column)
        for labels, cells in self.rows:
            if labels == tuple(index):
                return cells[j]
        raise KeyError(f"table {self.name}: no row {index}")

    def to_csv(self) -> str:
        """CSV: row labels, then ``<column>_mean``, ``<column>_std``, ``<column>_n``."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        head = list(self.index_names)
        for c in self.columns:
            head += [f"{c}_mean", f"{c}_std", f"{c}_n"]
        writer.writerow(head)
        for labels, cells in self.rows:
            row = list(labels)
            for s in cells:
                row += [format_csv_number(s.mean), format_csv_number(s.std), str(s.n)]
            writer.writerow(row)
        return buf.getvalue()

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table preceded by the caption."""
        head = [*map(_display, self.index_names), *self.column_labels]
        lines = [f"**{markdown_escape(self.name)}**: {markdown_escape(self.caption)}", ""]
        lines.append("| " + " | ".join(markdown_escape(h) for h in head) + " |")
        lines.append(
            "|" + "|".join([":---"] * len(self.index_names) + ["---:"] * len(self.columns)) + "|"
        )
        for labels, cells in self.rows:
            texts = [markdown_escape(x) for x in labels]
            texts += [format_pm(s.mean, s.std) for s in cells]
            lines.append("| " + " | ".join(texts) + " |")
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        r"""A booktabs ``table`` environment (needs ``\usepackage{booktabs}``)."""
        head = [_latex_header(h) for h in (*self.index_names, *self.column_labels)]
        spec = "l" * len(self.index_names) + "c" * len(self.columns)
        lines = [
            r"\begin{table}[htbp]",
            r"\centering",
            f"\\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            " & ".join(head) + r" \\",
            r"\midrule",
        ]
        for labels, cells in self.rows:
            texts = [latex_escape(x) for x in labels]
            texts += [format_pm_latex(s.mean, s.std) for s in cells]
            lines.append(" & ".join(texts) + r" \\")
        lines += [
            r"\bottomrule",
            r"\end{tabular}",
            f"\\caption{{{latex_escape(self.caption)}}}",
            f"\\label{{tab:{latex_escape(self.name)}}}",
            r"\end{table}",
        ]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """An HTML ``<table>`` with the caption."""
        head = "".join(
            f"<th>{html_escape(h)}</th>"
            for h in (*map(_display, self.index_names), *self.column_labels)
        )
        body = []
        for labels, cells in self.rows:
            tds = "".join(f"<th>{html_escape(x)}</th>" for x in labels)
            tds += "".join(f"<td>{html_escape(format_pm(s.mean, s.std))}</td>" for s in cells)
            body.append(f"<tr>{tds}</tr>")
        return (
            f'<table id="table-{html_escape(self.name)}">'
            f"<caption><b>{html_escape(self.name)}</b>: {html_escape(self.caption)}"
            f"</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )


_DISPLAY = {"method": "Method", "slice": "STXS slice", "epsilon": "ε"}


def _display(name: str) -> str:
    return _DISPLAY.get(name, name)


def _latex_header(text: str) -> str:
    return latex_escape(_display(text))


def _n_splits(ix: StudyIndex) -> str:
    return f"{len(ix.splits)} split{'s' if len(ix.splits) != 1 else ''}"


def significance_tables(ix: StudyIndex) -> list[Table]:
    """One table per ε: Z_A on the test sets, methods × slices (paper Tables V–VII)."""
    out = []
    for eps in ix.epsilons:
        rows = tuple(
            ((m,), tuple(ix.summary(m, s, eps, "z_test") for s in ix.slice_labels))
            for m in ix.methods
        )
        caption = (
            f"Asimov significance Z_A on the test sets for ε = {eps:g}, "
            f"mean ± std over {_n_splits(ix)} (cf. paper Tables V–VII)."
        )
        out.append(
            Table(
                f"significance_eps{eps_tag(eps)}",
                caption,
                ("method",),
                tuple(ix.slice_labels),
                tuple(ix.slice_labels),
                rows,
            )
        )
    return out


def boundary_tables(ix: StudyIndex) -> list[Table]:
    """Line parameters: SVM per slice (Table I), the scanned/distilled lines per slice and ε
    (Tables II–IV)."""
    if not ix.epsilons:
        return []
    first = ix.epsilons[0]
    rows: tuple[tuple[tuple[str, ...], tuple[Summary, ...]], ...] = tuple(
        ((s,), tuple(ix.summary("SVM", s, first, k) for k in _LINE_COLUMNS))
        for s in ix.slice_labels
    )
    out = [
        Table(
            "boundaries_svm",
            f"Linear SVM boundaries m_ZH > a pT_Z + b per slice, mean ± std over "
            f"{_n_splits(ix)} (ε-independent; cf. paper Table I).",
            ("slice",),
            _LINE_COLUMNS,
            _LINE_LABELS,
            rows,
        )
    ]
    for name, (method, roman) in _LINE_TABLES.items():
        rows = tuple(
            ((s, eps_tag(eps)), tuple(ix.summary(method, s, eps, k) for k in _LINE_COLUMNS))
            for s in ix.slice_labels
            for eps in ix.epsilons
        )
        out.append(
            Table(
                name,
                f"{method} boundaries per slice and ε, mean ± std over "
                f"{_n_splits(ix)} (cf. paper Table {roman}).",
                ("slice", "epsilon"),
                _LINE_COLUMNS,
                _LINE_LABELS,
                rows,
            )
        )
    return out


def ratio_table(ix: StudyIndex, reference: str, name: str, caption: str) -> Table:
    """Per-split z_test(method)/z_test(reference), mean ± std over splits; rows (method, ε)."""
    rows = tuple(
        ((m, eps_tag(eps)), tuple(ix.ratio_summary(m, reference, s, eps) for s in ix.slice_labels))
        for m in ix.methods
        if m != reference
        for eps in ix.epsilons
    )
    return Table(
        name, caption, ("method", "epsilon"), tuple(ix.slice_labels), tuple(ix.slice_labels), rows
    )


def ratio_tables(ix: StudyIndex) -> list[Table]:
    """Fraction of the Neyman–Pearson optimum (oracle) and the gain over STXS (Fig. 7)."""
    return [
        ratio_table(
            ix,
            "oracle",
            "fraction_of_optimum",
            "Fraction of the Neyman–Pearson optimum: z_test(method)/z_test(oracle) of "
            f"the same split, mean ± std over {_n_splits(ix)}.",
        ),
        ratio_table(
            ix,
            "STXS",
            "ratio_to_stxs",
            "Gain over the vertical STXS cut: z_test(method)/z_test(STXS) of the same "
            f"split, mean ± std over {_n_splits(ix)} (cf. paper Fig. 7).",
        ),
    ]


TABLE_BUILDERS: dict[str, Callable[[StudyIndex], list[Table]]] = {
    "significance": significance_tables,
    "boundaries": boundary_tables,
    "ratios": ratio_tables,
}
"""Table families in the order they are written."""


def build_tables(study: StudyResult) -> list[Table]:
    """Every table of the report, computed from the study's records."""
    ix = study.index
    return [t for build in TABLE_BUILDERS.values() for t in build(ix)]


def write_tables(study: StudyResult, out_dir: Path) -> list[Path]:
    """Write every table as ``<name>.csv``, ``<name>.md`` and ``<name>.tex``.

    Parameters
    ----------
    study : StudyResult
        The study result (docs/study_format.md).
    out_dir : Path
        Directory to write into (created if needed).

    Returns
    -------
    list of Path
        The files written, three per table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in build_tables(study):
        for ext, text in zip(
            TABLE_FORMATS, (table.to_csv(), table.to_markdown(), table.to_latex()), strict=True
        ):
            path = out_dir / f"{table.name}.{ext}"
            path.write_text(text)
            paths.append(path)
    return paths


__all__ = ["NA", "TABLE_BUILDERS", "Table", "build_tables", "write_tables"]
