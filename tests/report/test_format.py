"""Number formatting and escaping."""

from __future__ import annotations

import pytest

from mlstxs.report._format import (
    decimals_for,
    format_pm,
    format_pm_latex,
    latex_escape,
    markdown_escape,
)


@pytest.mark.parametrize(
    ("mean", "std", "text"),
    [
        (6.20437, 0.0163, "6.204 ± 0.016"),  # paper Table V
        (-87.3, 5.2, "-87 ± 5"),  # paper Table I
        (9712.0, 480.0, "9700 ± 500"),
        (-28.61, 0.63, "-28.6 ± 0.6"),
        (2.53, 0.0096, "2.530 ± 0.010"),  # 950–999: rounded up, two digits
        (3.2, 0.0, "3.200 ± 0"),  # a single split
        (None, None, "n/a"),
    ],
)
def test_format_pm_follows_the_pdg_rounding(mean, std, text):
    assert format_pm(mean, std) == text


def test_decimals_for():
    assert decimals_for(0.016) == 3
    assert decimals_for(0.045) == 2
    assert decimals_for(500.0) == -2


def test_latex_escapes_special_characters():
    assert latex_escape("a_b & 50% #1 $x$ {y} ~^\\") == (
        r"a\_b \& 50\% \#1 \$x\$ \{y\} \textasciitilde{}\textasciicircum{}\textbackslash{}"
    )
    # a row starting with "[" after "\\" would be read as the optional argument of "\\"
    assert latex_escape("[400,inf]") == "{[}400,inf{]}"
    assert latex_escape("ε ± 1") == r"$\varepsilon$ $\pm$ 1"
    assert format_pm_latex(-9.14, 0.1) == r"$-9.14 \pm 0.10$"


def test_markdown_escapes_pipes():
    assert markdown_escape("a|b") == "a\\|b"
