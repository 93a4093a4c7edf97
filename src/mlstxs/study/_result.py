"""The result of a region study (``study.json``, docs/study_format.md), as a typed object.

:class:`StudyResult` is what :func:`mlstxs.study.run_study` returns and what the report and
the publishing stage read: validated on load (an error names the field), saved atomically,
and indexed by (method, slice, ε) through :class:`StudyIndex`. Everything the report shows is
a summary over the ensemble of train/val/test splits: the mean and the standard deviation
(ddof = 1 when there are at least two values, else 0) of the *evaluable* records, and
per-split ratios of two methods (Z(method)/Z(reference) of the same split, slice and ε).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Final, Literal, Self, TypeGuard

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._config import StudyConfig

STUDY_FORMAT: Final = "mlstxs.study"
STUDY_FORMAT_VERSION: Final = 1
_RECORD_KEYS = ("split", "slice", "epsilon", "method", "evaluable")


class StudyFormatError(ValueError):
    """A study result that is not of the ``mlstxs.study`` format, version 1."""


class SampleRecord(BaseModel):
    """The sample a study ran on.

    ``path`` is relative to the study directory (absolute in studies written before that);
    Λ in TeV, √s in GeV, cross sections in pb. ``xsec`` holds every weight term's
    ``{"xsec_pb", "error_pb"}`` (absent in older studies).
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    path: str
    level: str
    n_events: int
    operators: list[str]
    lambda_TeV: float = 1.0
    sqrt_s_GeV: float | None = None
    generator: dict[str, Any] | None = None
    xsec_sm_pb: float
    xsec: dict[str, dict[str, float]] | None = None
    detector: dict[str, Any] | None = None
    fingerprint: str | None = None


class SliceRecord(BaseModel):
    """An STXS p_T(Z) slice [low_GeV, high_GeV); ``high_GeV`` None is ∞."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    low_GeV: float
    high_GeV: float | None


class TypedResult(BaseModel):
    """Persistence shared by the stage results: validated on load with an error that names the
    file and the field (``format_error``), saved atomically as ``file_name``."""

    format_error: ClassVar[type[ValueError]] = ValueError
    file_name: ClassVar[str] = "result.json"

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None) -> Self:
        """Validate a record; ``format_error`` names the source and the bad field."""
        source = source or cls.file_name
        if not isinstance(data, dict):
            raise cls.format_error(f"{source}: the result must be a JSON object")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            text = f"bad field '{loc}': {msg}" if loc else msg
            raise cls.format_error(f"{source}: {text}") from None

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read and validate ``file_name`` (or the directory holding it)."""
        path = Path(path)
        if path.is_dir():
            path = path / cls.file_name
        if not path.is_file():
            raise cls.format_error(f"{path}: no such {cls.file_name.split('.')[0]} file")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise cls.format_error(f"{path}: not valid JSON ({exc})") from None
        return cls.from_dict(data, str(path))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record."""
        return self.model_dump(mode="json")

    def save(self, path: str | Path) -> Path:
        """Write the record atomically (a temporary file, then a rename)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1))
        tmp.replace(path)
        return path


class StudyResult(TypedResult):
    """A finished region study: settings, sample record, one record per (split, slice, ε,
    method), diagnostics of split 0 and the DNN training summary of every split.

    Records stay dicts (rows of a table, docs/study_format.md lists their fields); each has at
    least ``split``, ``slice``, ``epsilon``, ``method`` and ``evaluable``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    format_error: ClassVar[type[ValueError]] = StudyFormatError
    file_name: ClassVar[str] = "study.json"

    format: Literal["mlstxs.study"] = STUDY_FORMAT
    format_version: Literal[1] = STUDY_FORMAT_VERSION
    settings: StudyConfig
    sample: SampleRecord
    methods: list[str]
    slices: list[SliceRecord]
    epsilons: list[float]
    records: list[dict[str, Any]]
    diagnostics: dict[str, Any] = Field(default_factory=dict)
    dnn: list[dict[str, Any]] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _records_have_keys(cls, data: Any) -> Any:
        records = data.get("records") if isinstance(data, dict) else None
        for i, rec in enumerate(records if isinstance(records, list) else []):
            for key in _RECORD_KEYS:
                if not isinstance(rec, dict) or key not in rec:
                    raise ValueError(f"bad field 'records.{i}.{key}': missing")
        return data

    # -- reading ----------------------------------------------------------------------------
    @cached_property
    def index(self) -> StudyIndex:
        """The records indexed by (method, slice, ε) and split."""
        return StudyIndex(self)

    @property
    def luminosity_fb(self) -> float:
        """Integrated luminosity [fb⁻¹] the significances are scaled to."""
        return self.settings.luminosity_fb

    @property
    def sqrt_s_TeV(self) -> float:
        """√s [TeV] of the sample (from its record or its generator settings; else 13)."""
        value = self.sample.sqrt_s_GeV or (self.sample.generator or {}).get("sqrt_s_GeV")
        return float(value) / 1000.0 if value else 13.0

    @property
    def lambda_TeV(self) -> float:
        """The SMEFT scale Λ [TeV] of the sample's weights."""
        return self.sample.lambda_TeV

    @property
    def benchmark(self) -> dict[str, float]:
        """Wilson coefficients of the SMEFT benchmark (at Λ = ``lambda_TeV``)."""
        return dict(self.settings.benchmark)

    def __repr__(self) -> str:
        return (
            f"StudyResult({len(self.methods)} methods, {len(self.slices)} slices, "
            f"ε = {self.epsilons}, {len(self.index.splits)} splits, "
            f"{len(self.records)} records)"
        )


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


def _is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


class StudyIndex:
    """The records of a study indexed by (method, slice label, ε) and split.

    Record ε values are matched to the study's ``epsilons`` with ``math.isclose``.
    """

    def __init__(self, study: StudyResult) -> None:
        self.study = study
        self.methods: list[str] = list(study.methods)
        self.slices: list[SliceRecord] = list(study.slices)
        self.slice_labels: list[str] = [s.label for s in self.slices]
        self.epsilons: list[float] = [float(e) for e in study.epsilons]
        self._records: dict[tuple[str, str, float], dict[int, dict]] = {}
        for rec in study.records:
            key = (rec["method"], rec["slice"], self.match_epsilon(rec["epsilon"]))
            self._records.setdefault(key, {})[int(rec["split"])] = rec
        self.splits: list[int] = sorted({int(r["split"]) for r in study.records})

    def find_epsilon(self, eps: float) -> float | None:
        """The study ε equal (within rounding) to ``eps``, or None if the study has none."""
        return next(
            (e for e in self.epsilons if math.isclose(e, float(eps), rel_tol=1e-9, abs_tol=1e-12)),
            None,
        )

    def match_epsilon(self, eps: float) -> float:
        """The study ε equal (within rounding) to ``eps``, or ``eps`` itself."""
        found = self.find_epsilon(eps)
        return float(eps) if found is None else found

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
        return (r for r in self.study.records if not r.get("evaluable"))


# -- names of files ---------------------------------------------------------------------------
def eps_tag(eps: float) -> str:
    """ε as used in file names: ``0.3``, ``0.5``, ``1.0``."""
    text = f"{float(eps):g}"
    return text if any(c in text for c in ".e") else text + ".0"


def slug(text: str) -> str:
    """File-name-safe form of a method or slice label (``DNN+SVM`` → ``dnn_svm``)."""
    out = "".join(c.lower() if c.isalnum() or c == "." else "_" for c in text)
    return "_".join(p for p in out.split("_") if p)


def slice_slug(sl: SliceRecord | Mapping[str, Any]) -> str:
    """``pt75-150`` or ``pt400-inf`` for a slice (record or mapping with low/high_GeV)."""
    if isinstance(sl, Mapping):
        low, high = sl["low_GeV"], sl.get("high_GeV")
    else:
        low, high = sl.low_GeV, sl.high_GeV
    hi = "inf" if high is None or high == float("inf") else f"{high:g}"
    return f"pt{low:g}-{hi}"
