"""The result of a limits run (``limits.json``, docs/limits_format.md), as a typed object.

:func:`mlstxs.study.run_limits` returns a :class:`LimitsResult`; ``mlstxs limits`` saves it as
``limits.json`` (the checkpoint from which an interrupted run redraws its figures) and the
report reads it back with :meth:`LimitsResult.load`, validated, an error naming the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

LIMITS_FORMAT: Final = "mlstxs.limits"
LIMITS_FORMAT_VERSION: Final = 1


class LimitsFormatError(ValueError):
    """A limits result that is not of the ``mlstxs.limits`` format, version 1."""


class LimitsSampleRecord(BaseModel):
    """The sample the limits were set with: event count, operators, Λ [TeV], √s [GeV], level
    and its path relative to the limits directory (absent before the run is saved)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_events: int
    operators: list[str]
    lambda_TeV: float
    sqrt_s_GeV: float
    level: str
    path: str | None = None


class LimitsResult(BaseModel):
    """Intervals, scans, Fisher information and posteriors of every observable of one sample.

    Attributes
    ----------
    settings : dict
        The :class:`~mlstxs.study.LimitsConfig` of the run (``config`` parses it).
    intervals : dict
        ``{operator: {observable: {"0.68": {...}, "0.95": {...}}}}``: expected (Asimov)
        intervals from the profile-likelihood scans, one operator at a time.
    scans_1d, scans_2d : dict
        The Δ(−2 ln L) scans behind the intervals and the 2-D contours; each 2-D scan on
        the observable's own adaptive grid, with ``n_cells``, ``n_inside`` (cells inside the
        68 % and 95 % CL contours), ``touches_edge`` and ``rescans`` (docs/limits_format.md).
    fisher_fraction : dict
        Per observable, the fraction of the optimal Fisher information on ``fisher_operator``
        (the unbinned likelihood with the true per-event ratio is the optimum).
    observed, bayes : dict or None
        Intervals from one pseudo-experiment; nested-sampling posteriors.
    timing : dict
        Measured run times [s] (the only content that differs between identical runs).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["mlstxs.limits"] = LIMITS_FORMAT
    format_version: Literal[1] = LIMITS_FORMAT_VERSION
    settings: dict[str, Any]
    sample: LimitsSampleRecord
    operators: list[str]
    observables: list[str]
    intervals: dict[str, dict[str, Any]]
    scans_1d: dict[str, dict[str, Any]]
    scans_2d: dict[str, dict[str, Any]]
    fisher_operator: str
    fisher_fraction: dict[str, float | None]
    fisher: dict[str, list[list[float]]]
    term_pairs: list[list[Any]]
    observed: dict[str, Any] | None = None
    bayes: dict[str, Any] | None = None
    notes: list[str] = Field(default_factory=list)
    timing: dict[str, float] = Field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any, source: str = "limits") -> LimitsResult:
        """Validate a limits record; :class:`LimitsFormatError` names the source and field."""
        if not isinstance(data, dict):
            raise LimitsFormatError(f"{source}: a limits result must be a JSON object")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise LimitsFormatError(f"{source}: bad field '{loc}': {msg}") from None

    @classmethod
    def load(cls, path: str | Path) -> LimitsResult:
        """Read and validate ``limits.json`` (or the limits directory holding it)."""
        path = Path(path)
        if path.is_dir():
            path = path / "limits.json"
        if not path.is_file():
            raise LimitsFormatError(f"{path}: no such limits file")
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise LimitsFormatError(f"{path}: not valid JSON ({exc})") from None
        return cls.from_dict(data, str(path))

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready record."""
        return self.model_dump(mode="json")

    def save(self, path: str | Path) -> Path:
        """Write ``limits.json`` atomically (a temporary file, then a rename)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1))
        tmp.replace(path)
        return path

    def with_sample_path(self, path: str) -> LimitsResult:
        """A copy recording the sample's path (relative to the limits directory)."""
        return self.model_copy(update={"sample": self.sample.model_copy(update={"path": path})})

    @property
    def config(self):
        """The settings as a :class:`~mlstxs.study.LimitsConfig`."""
        from ._limits import LimitsConfig

        return LimitsConfig(**self.settings)

    @property
    def luminosity_fb(self) -> float:
        """Integrated luminosity [fb⁻¹] of the expected intervals."""
        return float(self.settings["luminosity_fb"])

    @property
    def sqrt_s_TeV(self) -> float:
        """√s [TeV] of the sample."""
        return self.sample.sqrt_s_GeV / 1000.0

    @property
    def lambda_TeV(self) -> float:
        """The SMEFT scale Λ [TeV] of the Wilson coefficients."""
        return self.sample.lambda_TeV

    def __repr__(self) -> str:
        return (
            f"LimitsResult({', '.join(self.operators)}; {len(self.observables)} observables, "
            f"{self.luminosity_fb:g} fb⁻¹)"
        )
