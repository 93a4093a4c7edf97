"""Reading a region-study result (``study.json``, docs/study_format.md) and summarising it.

Everything the report shows is a summary over the ensemble of train/val/test splits: the mean
and the standard deviation (ddof = 1 when there are at least two values, else 0) of the
*evaluable* records, and per-split ratios of two methods (Z(method)/Z(reference) of the same
split, slice and ε).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._files import read_json

logger = logging.getLogger("mlstxs.report")

STUDY_FORMAT = "mlstxs.study"
STUDY_FORMAT_VERSION = 1
LINE_METHODS: tuple[str, ...] = ("SVM", "SVM+scan", "DNN+SVM", "DNN+SVM+scan")
"""Methods whose region is a straight line m_ZH > a·p_T^Z + b."""
_REQUIRED = {"methods": list, "slices": list, "epsilons": list, "records": list}


class StudyFormatError(ValueError):
    """A study result that is not of the ``mlstxs.study`` format, version 1."""


def load_study(path: Path) -> dict:
    """Read ``study.json`` and check its format.

    Parameters
    ----------
    path : Path
        The ``study.json`` file written by ``mlstxs design``.

    Returns
    -------
    dict
        The study result (docs/study_format.md).

    Raises
    ------
    StudyFormatError
        If the file is missing or not JSON, or if ``format``/``format_version`` or one of the
        required fields is wrong; the message names the file and the field.
    """
    path = Path(path)
    study = read_json(path, "no such study file", StudyFormatError)
    try:
        check_study(study)
    except StudyFormatError as exc:
        raise StudyFormatError(f"{path}: {exc}") from None
    return study


def check_study(study: Any) -> None:
    """Raise :class:`StudyFormatError` naming the first bad top-level field of ``study``."""
    if not isinstance(study, dict):
        raise StudyFormatError("a study result must be a JSON object")
    if study.get("format") != STUDY_FORMAT:
        raise StudyFormatError(
            f"bad field 'format': expected {STUDY_FORMAT!r}, got {study.get('format')!r}"
        )
    if study.get("format_version") != STUDY_FORMAT_VERSION:
        raise StudyFormatError(
            f"bad field 'format_version': expected {STUDY_FORMAT_VERSION}, "
            f"got {study.get('format_version')!r}"
        )
    for key, kind in _REQUIRED.items():
        if not isinstance(study.get(key), kind):
            raise StudyFormatError(f"bad field '{key}': expected a {kind.__name__}")
    for i, rec in enumerate(study["records"]):
        for key in ("split", "slice", "epsilon", "method", "evaluable"):
            if not isinstance(rec, dict) or key not in rec:
                raise StudyFormatError(f"bad field 'records.{i}.{key}': missing")


@dataclass(frozen=True)
class Summary:
    """Mean and standard deviation over splits of one quantity.

    ``mean`` and ``std`` are None when no split gave a value; ``n`` is the number of values.
    """

    mean: float | None
    std: float | None
    n: int


def summarize(values: Iterable[float]) -> Summary:
    """Mean and std (ddof = 1 for n ≥ 2, else 0) of the finite ``values``."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        return Summary(None, None, 0)
    std = float(np.std(arr, ddof=1)) if arr.size >= 2 else 0.0
    return Summary(float(np.mean(arr)), std, int(arr.size))


class StudyIndex:
    """The records of a study indexed by (method, slice label, ε) and split.

    Parameters
    ----------
    study : dict
        The study result. Record ε values are matched to ``study["epsilons"]`` with
        ``math.isclose``.
    """

    def __init__(self, study: dict) -> None:
        self.study = study
        self.methods: list[str] = list(study.get("methods", []))
        self.slices: list[dict] = list(study.get("slices", []))
        self.slice_labels: list[str] = [s["label"] for s in self.slices]
        self.epsilons: list[float] = [float(e) for e in study.get("epsilons", [])]
        self._records: dict[tuple[str, str, float], dict[int, dict]] = {}
        for rec in study.get("records", []):
            key = (rec["method"], rec["slice"], self.match_epsilon(rec["epsilon"]))
            self._records.setdefault(key, {})[int(rec["split"])] = rec
        self.splits: list[int] = sorted({int(r["split"]) for r in study.get("records", [])})

    def match_epsilon(self, eps: float) -> float:
        """The study ε equal (within rounding) to ``eps``, or ``eps`` itself."""
        for e in self.epsilons:
            if math.isclose(e, float(eps), rel_tol=1e-9, abs_tol=1e-12):
                return e
        return float(eps)

    def records(self, method: str, slice_label: str, eps: float) -> dict[int, dict]:
        """Records of one (method, slice, ε) by split (all, evaluable or not)."""
        return self._records.get((method, slice_label, self.match_epsilon(eps)), {})

    def values(self, method: str, slice_label: str, eps: float, key: str) -> dict[int, float]:
        """``key`` of the evaluable records with a finite value, by split."""
        out = {}
        for split, rec in self.records(method, slice_label, eps).items():
            v = rec.get(key)
            if rec.get("evaluable") and _is_number(v) and math.isfinite(v):
                out[split] = float(v)
        return out

    def summary(self, method: str, slice_label: str, eps: float, key: str) -> Summary:
        """Mean ± std over splits of ``key`` (evaluable records only)."""
        return summarize(self.values(method, slice_label, eps, key).values())

    def ratios(
        self, method: str, reference: str, slice_label: str, eps: float, key: str = "z_test"
    ) -> dict[int, float]:
        """Per-split ratio ``key``(method)/``key``(reference) where both are evaluable and the
        reference is positive."""
        num = self.values(method, slice_label, eps, key)
        den = self.values(reference, slice_label, eps, key)
        return {s: num[s] / den[s] for s in sorted(num) if s in den and den[s] > 0}

    def ratio_summary(self, method: str, reference: str, slice_label: str, eps: float) -> Summary:
        """Mean ± std over splits of z_test(method)/z_test(reference)."""
        return summarize(self.ratios(method, reference, slice_label, eps).values())

    def non_evaluable(self) -> Iterator[dict]:
        """Every record with ``evaluable`` false, in the study's order."""
        return (r for r in self.study.get("records", []) if not r.get("evaluable"))


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def find_key(tree: Any, names: Iterable[str], depth: int = 4) -> Any:
    """First value found under any of ``names`` in nested dicts (breadth first), else None."""
    names = tuple(names)
    level = [tree]
    for _ in range(depth):
        nxt = []
        for node in level:
            if not isinstance(node, dict):
                continue
            for name in names:
                if node.get(name) is not None:
                    return node[name]
            nxt.extend(v for v in node.values() if isinstance(v, dict))
        level = nxt
    return None


def luminosity_fb(study: dict) -> float | None:
    """Integrated luminosity [fb⁻¹] the significances are scaled to, from the settings."""
    value = find_key(
        study.get("settings"), ("luminosity_fb", "lumi_fb", "luminosity_ifb", "luminosity")
    )
    return float(value) if _is_number(value) else None


def sqrt_s_TeV(study: dict) -> float:
    """Collision energy √s [TeV] of the sample (13 TeV when nowhere recorded)."""
    value = find_key(study.get("sample"), ("sqrt_s_GeV",))
    if value is None:
        value = find_key(study.get("settings"), ("sqrt_s_GeV",))
    if not _is_number(value):
        logger.warning("report: sqrt(s) not recorded in the study; assuming 13 TeV")
        return 13.0
    return float(value) / 1000.0


def benchmark(study: dict) -> tuple[dict[str, float], float]:
    """Wilson coefficients of the SMEFT benchmark and Λ [TeV].

    Taken from the settings (``benchmark``, ``point`` or ``wilson_coefficients``); if none is
    recorded, each operator of the sample at c = 1 (the paper's benchmark c_HW/Λ² = 1 TeV⁻²).
    """
    settings = study.get("settings") or {}
    point = find_key(settings, ("benchmark", "point", "wilson_coefficients", "coefficients"))
    if isinstance(point, dict):
        point = {k: v for k, v in point.items() if _is_number(v)}
    if not point:
        ops = (study.get("sample") or {}).get("operators") or []
        point = dict.fromkeys(ops, 1.0)
        logger.warning("report: no benchmark point in the settings; using c = 1 for %s", ops)
    lam = find_key(study.get("sample"), ("lambda_TeV",)) or find_key(settings, ("lambda_TeV",))
    return {k: float(v) for k, v in point.items()}, float(lam) if _is_number(lam) else 1.0


def eps_tag(eps: float) -> str:
    """ε as used in file names: ``0.3``, ``0.5``, ``1.0``."""
    text = f"{float(eps):g}"
    return text if any(c in text for c in ".e") else text + ".0"


def slug(text: str) -> str:
    """File-name-safe form of a method or slice label (``DNN+SVM`` → ``dnn_svm``)."""
    out = "".join(c.lower() if c.isalnum() or c == "." else "_" for c in text)
    return "_".join(p for p in out.split("_") if p)


def slice_slug(sl: dict) -> str:
    """``pt75-150`` or ``pt400-inf`` for a slice record."""
    hi = "inf" if sl.get("high_GeV") is None else f"{sl['high_GeV']:g}"
    return f"pt{sl['low_GeV']:g}-{hi}"
