"""The metadata record of an event sample (``metadata.json``), validated on load."""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._files import read_json

FORMAT_NAME: Final = "mlstxs.event_sample"
FORMAT_VERSION: Final = 1


class SampleFormatError(ValueError):
    """A sample on disk that is missing, incomplete, truncated or of a foreign format."""


class TermCrossSection(BaseModel):
    """Cross section [pb] of one weight term and its MC-statistical error [pb]."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    xsec_pb: float
    error_pb: float = Field(ge=0)


class SampleMetadata(BaseModel):
    """Everything needed to interpret and reproduce a sample.

    ``n_trials`` is the number of phase-space points the weights are normalised to (the N of
    spec §7.2); ``n_events`` the number of stored rows (after generation cut and selection).
    ``xsec`` holds, for every weight term, Σw and sqrt(Σw² − (Σw)²/n_trials) in pb, the latter
    ⊕ Σw·``xsec_norm_rel_error`` (a relative error of the overall normalisation, e.g. the
    ``<init>`` integration error of an LHE file; 0 for the built-in generator; ``None`` in
    records written before it was stored). :func:`mlstxs.io.check_cross_sections` recomputes
    both from the events on load. Numbers must be finite.

    ``decays`` says which objects the events carry: ``"llbb"`` (the default, and the only
    kind before the field existed) the Z → ℓ⁻ℓ⁺ and H → b b̄ decay products, ``"undecayed"``
    the Z and H four-momenta of a production-level file (MadGraph ``p p > z h``; parton level
    only, weights without decay branching ratios; ``docs/sample_format.md``).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    format: Literal["mlstxs.event_sample"] = FORMAT_NAME
    format_version: Literal[1] = FORMAT_VERSION
    source: str
    level: Literal["parton", "detector"]
    decays: Literal["llbb", "undecayed"] = "llbb"
    operators: list[str]
    lambda_TeV: float = Field(gt=0)
    sqrt_s_GeV: float = Field(gt=0)
    weight_terms: list[str]
    n_trials: int = Field(gt=0)
    n_events: int = Field(ge=0)
    seed: int | None = None
    xsec: dict[str, TermCrossSection]
    xsec_norm_rel_error: float | None = Field(0.0, ge=0)
    generator: dict[str, Any] | None = None
    detector: dict[str, Any] | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    command: str | None = None
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _production_level_is_parton_level(self) -> SampleMetadata:
        if self.decays == "undecayed" and self.level != "parton":
            raise ValueError("decays = 'undecayed' (production level) needs level = 'parton'")
        return self

    def write(self, path: Path) -> None:
        """Write as JSON to ``path`` (atomically: a temporary file renamed into place)."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.model_dump(mode="json"), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> SampleMetadata:
        """Read and validate; errors name the file and the bad field."""
        raw = read_json(
            path, "missing metadata record (incomplete or foreign sample)", SampleFormatError
        )
        if isinstance(raw, dict):  # records written before the field existed
            raw.setdefault("xsec_norm_rel_error", None)
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            raise SampleFormatError(f"{path}: bad field '{loc}': {err['msg']}") from None


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that determine a sample's content."""
    out = {"python": platform.python_version()}
    for name in ("mlstxs", "numpy", "scipy", "pyarrow", "pythia8mc", "dask"):
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return out


def command_line() -> str:
    """The command line of this process, for the record."""
    return " ".join(sys.argv)
