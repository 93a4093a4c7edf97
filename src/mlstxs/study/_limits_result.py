"""The result of a limits run (``limits.json``, docs/limits_format.md), as a typed object.

:func:`mlstxs.study.run_limits` returns a :class:`LimitsResult`; ``mlstxs limits`` saves it as
``limits.json`` (the checkpoint from which an interrupted run redraws its figures) and the
report reads it back with :meth:`LimitsResult.load`, validated, an error naming the field.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._result import TypedResult

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


class LimitsResult(TypedResult):
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
    format_error: ClassVar[type[ValueError]] = LimitsFormatError
    file_name: ClassVar[str] = "limits.json"

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
