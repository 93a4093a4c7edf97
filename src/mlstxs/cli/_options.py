"""Parsers of command-line option values shared by the commands: one-line ValueErrors that
name the option (reported by :func:`mlstxs.cli._errors.reports_errors`)."""

from __future__ import annotations

import math
from pathlib import Path

import yaml


def csv_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def floats(
    value: str, n: int | None = None, option: str = "value", open_last: bool = False
) -> tuple[float, ...]:
    """Comma-separated finite numbers (``n`` of them if given); with ``open_last`` the last
    may be ``inf`` (an open bin edge). Errors are one-line ValueErrors naming ``option``."""
    try:
        out = tuple(float(v) for v in csv_list(value))
    except ValueError:
        raise ValueError(f"{option}: expected comma-separated numbers, got {value!r}") from None
    if n is not None and len(out) != n:
        raise ValueError(f"{option}: expected {n} comma-separated numbers, got {value!r}")
    body = out[:-1] if open_last and out and out[-1] == math.inf else out
    bad = [v for v in body if not math.isfinite(v)]
    if bad:
        where = " (inf only as the last edge)" if open_last else ""
        raise ValueError(f"{option}: {bad[0]} is not a finite number{where}, got {value!r}")
    return out


def read_config_file(path: str | None) -> dict:
    """Settings from a YAML/JSON file; a syntax error is one line naming the file and line."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{path}: not valid YAML/JSON{where}: {why}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of settings")
    return data


def parse_point(point: str | None, option: str = "--point") -> dict[str, float]:
    """``NAME=VALUE,...`` as Wilson coefficients: known operator names, each once, finite
    values. Errors are one-line ValueErrors naming ``option``."""
    from ..physics import validate_operators

    out: dict[str, float] = {}
    for item in csv_list(point):
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep:
            raise ValueError(f"{option}: expected NAME=VALUE, got {item!r}")
        if name in out:
            raise ValueError(f"{option}: {name} is given twice ({name}={out[name]:g} and {item})")
        try:
            out[name] = float(value)
        except ValueError:
            raise ValueError(f"{option}: not a number in {item!r}") from None
        if not math.isfinite(out[name]):
            raise ValueError(f"{option}: {item} is not a finite number")
    try:
        validate_operators(out)
    except ValueError as exc:
        raise ValueError(f"{option}: {exc}") from None
    return out
