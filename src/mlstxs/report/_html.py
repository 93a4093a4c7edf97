"""One self-contained ``report.html``: tables, embedded figures, region cards, settings."""

from __future__ import annotations

import base64
import csv
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..study import STXS_DEFINITION, RegionCard, StudyResult, load_card
from ._figures import FIGURE_CAPTIONS
from ._format import format_pm, html_escape
from ._paper import PAPER_ENTRIES, paper_section_html
from ._summary import findings, findings_html, summary_html
from ._tables import build_tables

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #222; line-height: 1.4; }
h1, h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: 1em 0 2em 0; font-size: 90%; }
caption { caption-side: top; text-align: left; padding: .3em 0; }
th, td { border-top: 1px solid #ddd; padding: .25em .7em; }
thead th { border-bottom: 2px solid #444; }
td { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 90%; color: #444; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 85%; }
.note { color: #555; font-size: 90%; }
nav#toc { background: #f8f8f8; border: 1px solid #ddd; padding: .5em 1.5em; margin: 1.5em 0; }
nav#toc ol ol { font-size: 90%; columns: 2; }
.finding table { margin-top: .5em; }
#headline-table td:first-child, #headline-table td:nth-child(3) { text-align: left; }
"""


def _kv_table(pairs: Sequence[tuple[str, object]], table_id: str) -> str:
    rows = "".join(
        f"<tr><th>{html_escape(k)}</th><td style='text-align:left'>"
        f"{html_escape('—' if v is None else v)}</td></tr>"
        for k, v in pairs
    )
    return f'<table id="{table_id}"><tbody>{rows}</tbody></table>'


def _csv_table(path: Path, caption: str = "") -> str:
    """A CSV file rendered as it is (for tables the study does not know), with a caption."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return ""
    head = "".join(f"<th>{html_escape(h)}</th>" for h in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html_escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
    )
    return (
        f'<table id="table-{html_escape(path.stem)}"><caption><b>{html_escape(path.stem)}'
        f"</b>{': ' + html_escape(caption) if caption else ''}</caption><thead><tr>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table>"
    )


def _tables_section(study: StudyResult, tables: list[Path]) -> str:
    known = {t.name: t for t in build_tables(study)}
    stems = list(dict.fromkeys(p.stem for p in tables))
    parts = []
    for stem in stems:
        if stem in known:
            parts.append(known[stem].to_html())
        else:
            csv_path = next((p for p in tables if p.stem == stem and p.suffix == ".csv"), None)
            if csv_path is not None and csv_path.is_file():
                parts.append(_csv_table(csv_path))
    return (
        "<h2 id='tables'>Tables</h2><p class='note'>Mean ± standard deviation over the "
        "splits of the evaluable records; n/a where none. Each table is also in "
        "<code>tables/</code> as CSV, Markdown and LaTeX.</p>" + "".join(parts)
    )


def _figures_section(figures: list[Path], captions: dict[str, str] | None = None) -> str:
    captions = FIGURE_CAPTIONS if captions is None else captions
    parts = ["<h2 id='figures'>Figures</h2>"]
    for path in figures:
        if path.suffix.lower() != ".png" or not path.is_file():
            continue
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        caption = captions.get(path.stem, "")
        parts.append(
            f'<figure id="{html_escape(path.stem)}"><img alt="{html_escape(path.stem)}"'
            f' src="data:image/png;base64,{data}"/><figcaption><b>'
            f"{html_escape(path.stem)}</b>: {html_escape(caption)}</figcaption></figure>"
        )
    return "".join(parts)


def _card_row(path: Path, card: RegionCard) -> str:
    region = card.region
    if region.definition == STXS_DEFINITION:
        line = "p_T^Z in slice"
    else:
        op = ">" if region.above else "<"
        line = f"m_ZH {op} {region.slope:.4g} · p_T^Z {region.intercept_GeV:+.5g} GeV"
    sig = card.significance
    frac = "n/a" if sig.fraction_of_optimum is None else f"{sig.fraction_of_optimum:.3f}"
    cells = [
        card.slice.label,
        f"{card.epsilon:g}",
        card.method,
        line,
        format_pm(sig.z_mean, sig.z_std),
        str(sig.n_splits),
        frac,
        path.name,
    ]
    return (
        "<tr>"
        + "".join(f"<td style='text-align:left'>{html_escape(c)}</td>" for c in cells)
        + "</tr>"
    )


def _cards_section(cards: list[Path]) -> str:
    rows, bad = [], []
    for path in cards:
        try:
            rows.append(_card_row(path, load_card(path)))
        except ValueError as exc:
            bad.append(str(exc))
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Slice [GeV]",
            "ε",
            "Method",
            "Region (mean line)",
            "Z_A (test)",
            "Splits",
            "Z/Z_oracle",
            "Card",
        )
    )
    notes = "".join(f"<p class='note'>Invalid card: {html_escape(b)}</p>" for b in bad)
    return (
        "<h2 id='cards'>Region cards</h2><p class='note'>One JSON card per slice, ε and "
        "method (format mlstxs.region_card, version 1); the line is the mean over the "
        "splits.</p>"
        + notes
        + f'<table id="cards-table"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


def _notes_section(study: StudyResult) -> str:
    counts = Counter(
        (r["slice"], float(r["epsilon"]), r["method"], r.get("note") or "")
        for r in study.index.non_evaluable()
    )
    if not counts:
        return "<h2 id='notes'>Non-evaluable records</h2><p>None.</p>"
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td style='text-align:left'>{html_escape(c)}</td>"
            for c in (sl, f"{eps:g}", m, str(n), note or "—")
        )
        + "</tr>"
        for (sl, eps, m, note), n in sorted(counts.items(), key=lambda kv: kv[0][:3])
    )
    return (
        "<h2 id='notes'>Non-evaluable records</h2><table id='notes-table'><thead><tr>"
        "<th>Slice</th><th>ε</th><th>Method</th><th>Splits</th><th>Note</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _settings_section(study: StudyResult) -> str:
    sample = study.sample
    pairs = [
        (k, getattr(sample, k))
        for k in ("path", "level", "n_events", "operators", "lambda_TeV", "xsec_sm_pb")
    ]
    pairs += [("luminosity [fb⁻¹]", study.luminosity_fb), ("√s [TeV]", f"{study.sqrt_s_TeV:g}")]
    generator = json.dumps(sample.generator, indent=2, sort_keys=True)
    settings = json.dumps(study.settings.model_dump(mode="json"), indent=2, sort_keys=True)
    return (
        "<h2 id='sample'>Sample provenance</h2>"
        + _kv_table(pairs, "sample-table")
        + f"<h3>Generator settings</h3><pre>{html_escape(generator)}</pre>"
        + f"<h2 id='settings'>Study settings</h2><pre>{html_escape(settings)}</pre>"
    )


def toc_html(entries: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    """A table of contents: (anchor, title, [(sub-anchor, sub-title)]) per section."""
    items = []
    for anchor, title, subs in entries:
        inner = "".join(
            f"<li><a href='#{html_escape(a)}'>{html_escape(t)}</a></li>" for a, t in subs
        )
        items.append(
            f"<li><a href='#{html_escape(anchor)}'>{html_escape(title)}</a>"
            + (f"<ol>{inner}</ol>" if inner else "")
            + "</li>"
        )
    return f"<nav id='toc'><h2>Contents</h2><ol>{''.join(items)}</ol></nav>"


def _table_entries(study: StudyResult, tables: list[Path]) -> list[tuple[str, str]]:
    stems = list(dict.fromkeys(p.stem for p in tables))
    return [(f"table-{stem}", stem) for stem in stems]


def _figure_entries(figures: list[Path]) -> list[tuple[str, str]]:
    return [(p.stem, p.stem) for p in figures if p.suffix.lower() == ".png" and p.is_file()]


def extra_sections(study: StudyResult) -> list[tuple[str, str, str, list]]:
    """Sections between the findings and the tables: the comparison with the paper."""
    return [("paper", "Comparison with the paper", paper_section_html(study), PAPER_ENTRIES)]


def write_html(
    study: StudyResult, out_dir: Path, tables: list[Path], figures: list[Path], cards: list[Path]
) -> Path:
    """Write ``report.html``, a single file with no external resources.

    Parameters
    ----------
    study : StudyResult
        The study result (docs/study_format.md).
    out_dir : Path
        Directory to write into (created if needed).
    tables, figures, cards : list of Path
        Files from :func:`write_tables`, :func:`make_figures` and :func:`write_cards`; PNG
        figures are embedded as base64 data URIs.

    Returns
    -------
    Path
        ``out_dir / "report.html"``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = findings(study)
    sections = [
        ("summary", "Summary", summary_html(study), []),
        ("findings", "Findings", findings_html(items), [(f.anchor, f.title) for f in items]),
        *extra_sections(study),
        ("tables", "Tables", _tables_section(study, tables), _table_entries(study, tables)),
        ("figures", "Figures", _figures_section(figures), _figure_entries(figures)),
        ("cards", "Region cards", _cards_section(cards), []),
        ("notes", "Non-evaluable records", _notes_section(study), []),
        ("sample", "Sample and settings", _settings_section(study), []),
    ]
    body = "".join(
        [
            "<h1 id='top'>mlstxs region study: p p → Z(ℓℓ) H(b b̄)</h1>",
            sections[0][2],
            toc_html([(a, t, sub) for a, t, _, sub in sections]),
            *(html for _, _, html, _ in sections[1:]),
        ]
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'/>"
        "<title>mlstxs region study</title>"
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
