"""Number formatting (value ± uncertainty) and escaping for Markdown, LaTeX and HTML."""

from __future__ import annotations

import html
import math

NA = "n/a"
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # brackets are safe in text but ``\\ [`` starts the optional argument of ``\\``
    "[": "{[}",
    "]": "{]}",
    # the few non-ASCII symbols of captions, so that pdflatex needs no unicode setup
    "ε": r"$\varepsilon$",
    "±": r"$\pm$",
    "−": "-",
    "–": "--",
}


def decimals_for(std: float) -> int:
    """Decimal places to which a value with uncertainty ``std`` is quoted.

    The Particle Data Group rule (PDG, Rev. Part. Phys., Introduction §5.3): the three leading
    digits of the uncertainty decide; 100–354 → two significant digits, 355–949 → one,
    950–999 → rounded up to 1000 with two significant digits. A negative result means rounding
    to tens, hundreds, …
    """
    exp = math.floor(math.log10(std))
    lead = round(std / 10 ** (exp - 2))
    if lead >= 1000:  # rounding carried into the next decade
        exp, lead = exp + 1, 100
    if lead <= 354:
        n_sig = 2
    elif lead <= 949:
        n_sig = 1
    else:
        exp, n_sig = exp + 1, 2
    return n_sig - 1 - exp


def _fixed(x: float, decimals: int) -> str:
    if decimals <= 0:
        return f"{round(x, decimals) + 0.0:.0f}"
    return f"{round(x, decimals) + 0.0:.{decimals}f}"


def pm_parts(mean: float | None, std: float | None, sig: int = 4) -> tuple[str, str] | None:
    """Rounded (value, uncertainty) strings, or None when there is no value.

    With a positive uncertainty both are rounded to the PDG precision of the uncertainty
    (``6.204``, ``0.016``); with zero or no uncertainty (a single split) the value keeps
    ``sig`` significant digits and the uncertainty is ``0``.
    """
    if mean is None or not math.isfinite(mean):
        return None
    if std is None or not math.isfinite(std) or std <= 0:
        if mean == 0:
            return "0", "0"
        decimals = max(sig - 1 - math.floor(math.log10(abs(mean))), 0)
        return _fixed(mean, decimals), "0"
    d = decimals_for(std)
    return _fixed(mean, d), _fixed(std, d)


def format_pm(mean: float | None, std: float | None) -> str:
    """Plain-text ``6.204 ± 0.016`` (``n/a`` without a value)."""
    parts = pm_parts(mean, std)
    return NA if parts is None else f"{parts[0]} ± {parts[1]}"


def format_pm_latex(mean: float | None, std: float | None) -> str:
    r"""LaTeX ``$6.204 \pm 0.016$`` (``n/a`` without a value)."""
    parts = pm_parts(mean, std)
    return NA if parts is None else f"${parts[0]} \\pm {parts[1]}$"


def format_csv_number(x: float | None) -> str:
    """Full-precision number for CSV files (round-trips through ``float``); empty for None."""
    return "" if x is None or not math.isfinite(x) else repr(float(x))


def latex_escape(text: str) -> str:
    """Escape the LaTeX special characters of plain ``text``."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))


def markdown_escape(text: str) -> str:
    """Escape ``|`` and backslashes, the characters that break a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|")


def html_escape(text: object) -> str:
    """HTML-escape ``text`` (quotes included)."""
    return html.escape(str(text), quote=True)
