"""The report of a region study: tables, figures, region cards and one HTML page.

Input is the study result of docs/study_format.md (``study.json``); every number shown is a
mean ± standard deviation over the ensemble of train/val/test splits, computed from the
evaluable records only.

>>> study = load_study(Path("out/study/study.json"))      # doctest: +SKIP
>>> result = write_report(study, Path("out/study"))         # doctest: +SKIP
>>> card = load_card(result.cards[0])                       # doctest: +SKIP
>>> mask = card_selects(card, pt_Z, m_ZH)                   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..study import (
    CARD_SCHEMA,
    RegionCard,
    build_cards,
    card_selects,
    load_card,
    validate_card,
    write_cards,
)
from ._figures import FIGURE_CAPTIONS, FIGURES, make_figures
from ._html import write_html
from ._limits import (
    plot_contours,
    plot_posterior,
    plot_scans,
    write_limit_tables,
    write_limits_html,
)
from ._shower_figure import shower_vs_fastsim
from ._study import LINE_METHODS, StudyFormatError, StudyIndex, Summary, load_study
from ._tables import Table, build_tables, write_tables

if TYPE_CHECKING:
    from ..study import StudyResult


@dataclass(frozen=True)
class ReportResult:
    """Files written by :func:`write_report`.

    Attributes
    ----------
    tables : tuple of Path
        ``tables/<name>.csv``, ``.md`` and ``.tex``.
    figures : tuple of Path
        ``figures/<name>.png`` and ``.pdf``.
    cards : tuple of Path
        ``cards/<slice>_eps<ε>_<method>.json``.
    html : Path
        ``report.html``.
    """

    tables: tuple[Path, ...]
    figures: tuple[Path, ...]
    cards: tuple[Path, ...]
    html: Path

    def to_dict(self) -> dict:
        """The paths as strings."""
        return {
            "tables": [str(p) for p in self.tables],
            "figures": [str(p) for p in self.figures],
            "cards": [str(p) for p in self.cards],
            "html": str(self.html),
        }

    def __repr__(self) -> str:
        return (
            f"ReportResult({len(self.tables)} table files, {len(self.figures)} figure "
            f"files, {len(self.cards)} cards, html={str(self.html)!r})"
        )


def write_report(
    study: StudyResult, out_dir: Path, cards: list[RegionCard] | None = None
) -> ReportResult:
    """Write the whole report of a study into ``out_dir``.

    Parameters
    ----------
    study : StudyResult
        The study result (docs/study_format.md), e.g. from :func:`load_study`.
    out_dir : Path
        Output directory; gets ``tables/``, ``figures/``, ``cards/`` and ``report.html``.
    cards : list of RegionCard, optional
        The region cards (default: :func:`mlstxs.study.build_cards` of the study).

    Returns
    -------
    ReportResult
    """
    out_dir = Path(out_dir)
    tables = write_tables(study, out_dir / "tables")
    figures = make_figures(study, out_dir / "figures")
    card_files = write_cards(study, out_dir / "cards", cards)
    html = write_html(study, out_dir, tables, figures, card_files)
    return ReportResult(tuple(tables), tuple(figures), tuple(card_files), html)


__all__ = [
    "CARD_SCHEMA",
    "FIGURES",
    "FIGURE_CAPTIONS",
    "LINE_METHODS",
    "RegionCard",
    "ReportResult",
    "StudyFormatError",
    "StudyIndex",
    "Summary",
    "Table",
    "build_cards",
    "build_tables",
    "card_selects",
    "load_card",
    "load_study",
    "make_figures",
    "plot_contours",
    "plot_posterior",
    "plot_scans",
    "shower_vs_fastsim",
    "validate_card",
    "write_cards",
    "write_html",
    "write_limit_tables",
    "write_limits_html",
    "write_report",
    "write_tables",
]
