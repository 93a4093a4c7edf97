"""The dimension-six operators (Warsaw basis, SMEFTsim U35 names) and weight-term names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

OPERATORS: tuple[str, ...] = (
    "cHbox",
    "cHDD",
    "cHW",
    "cHB",
    "cHWB",
    "cHq1",
    "cHq3",
    "cHu",
    "cHd",
    "cHl1",
    "cHl3",
    "cHe",
    "cll1",
)
"""All operators of the model, in canonical order (spec §1.3)."""


class UnknownOperatorError(ValueError):
    """An operator name that the model does not contain."""


def validate_operators(operators: Iterable[str]) -> tuple[str, ...]:
    """Check operator names and return them, de-duplicated, in canonical order.

    Raises
    ------
    UnknownOperatorError
        If a name is not in :data:`OPERATORS`; the message lists the valid names.
    """
    ops = list(operators)
    unknown = [o for o in ops if o not in OPERATORS]
    if unknown:
        raise UnknownOperatorError(
            f"unknown operator(s) {', '.join(unknown)}; valid names: {', '.join(OPERATORS)}"
        )
    chosen = set(ops)
    return tuple(o for o in OPERATORS if o in chosen)


def weight_term_pairs(operators: Sequence[object]) -> list[tuple[int, int]]:
    """Index pairs (i, j), i ≤ j, of the weight polynomial in stored order.

    Index 0 is the SM, index a+1 the operator ``operators[a]``. The order is the SM term
    (0, 0), the linear terms (0, a), then the quadratic terms (a, b) with a ≤ b row by row.
    """
    n = len(operators)
    pairs = [(0, 0)] + [(0, a) for a in range(1, n + 1)]
    pairs += [(a, b) for a in range(1, n + 1) for b in range(a, n + 1)]
    return pairs


def weight_term_names(operators: Sequence[str]) -> list[str]:
    """Column names of the weight polynomial: ``w_sm``, ``w_<op>``, ``w_<opA>_<opB>``."""
    names = ["sm", *operators]
    out = []
    for i, j in weight_term_pairs(operators):
        if i == 0:
            out.append(f"w_{names[j]}")
        else:
            out.append(f"w_{names[i]}_{names[j]}")
    return out
