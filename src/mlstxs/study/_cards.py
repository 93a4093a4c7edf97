"""Region cards: one publishable JSON record per (slice, ε, method).

A card states the region m_ZH > a·p_T^Z + b inside one STXS p_T(Z) slice (or the whole slice
for STXS), the ensemble-mean line, its spread over the splits, the significance it reached
and where it came from. Cards are validated on load against :data:`CARD_SCHEMA` (JSON
Schema, generated from :class:`RegionCard`) and by pydantic; errors name the bad field.
"""

from __future__ import annotations

import json
import logging
import math
from importlib import metadata as importlib_metadata
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, Literal

import jsonschema
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._files import read_json
from ._result import (
    SliceRecord,
    StudyIndex,
    StudyResult,
    eps_tag,
    slice_slug,
    slug,
)

logger = logging.getLogger("mlstxs.study")

CARD_FORMAT = "mlstxs.region_card"
CARD_VERSION = 2
LINE_DEFINITION = "m_ZH > a * pt_Z + b"
STXS_DEFINITION = "pt_Z in slice"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SliceSpec(_Strict):
    """The STXS slice low_GeV ≤ p_T^Z < high_GeV (``high_GeV`` null: no upper edge)."""

    variable: Literal["pt_Z"]
    label: str
    low_GeV: float = Field(ge=0)
    high_GeV: float | None = None


class Units(_Strict):
    """Units of the quantities in the region definition."""

    pt_Z: Literal["GeV"]
    m_ZH: Literal["GeV"]
    slope: Literal["1"]
    intercept: Literal["GeV"]


class RegionSpec(_Strict):
    """The region inside the slice: m_ZH > slope·p_T^Z + intercept_GeV, or the whole slice."""

    definition: Literal["m_ZH > a * pt_Z + b", "m_ZH < a * pt_Z + b", "pt_Z in slice"]
    slope: float | None
    intercept_GeV: float | None
    above: bool | None
    units: Units

    @model_validator(mode="after")
    def _line_complete(self) -> RegionSpec:
        is_line = self.definition != STXS_DEFINITION
        for name in ("slope", "intercept_GeV", "above"):
            value = getattr(self, name)
            if is_line and value is None:
                raise ValueError(f"{name}: a line region needs a value")
            if is_line and name != "above" and not math.isfinite(value):
                raise ValueError(f"{name}: must be finite")
        if is_line and (self.definition == LINE_DEFINITION) != self.above:
            raise ValueError("above: does not match the definition")
        return self


class Benchmark(_Strict):
    """The SMEFT benchmark the region was designed for (the Lagrangian term is c/Λ² O)."""

    wilson_coefficients: dict[str, float]
    Lambda_TeV: float = Field(gt=0)


class Significance(_Strict):
    """Asimov significance on the test sets over the split ensemble."""

    z_mean: float | None
    z_std: float | None = Field(ge=0)
    n_splits: int = Field(ge=0)
    z_stxs_mean: float | None
    fraction_of_optimum: float | None


class LineSpread(_Strict):
    """Standard deviation over splits of the line parameters (null for STXS)."""

    slope_std: float | None = Field(ge=0)
    intercept_std_GeV: float | None = Field(ge=0)


class Definitions(_Strict):
    """At which level and how the two variables of the region are defined."""

    level: str
    pt_Z: str
    m_ZH: str


class SampleSpec(_Strict):
    """The sample the region was designed on: enough to regenerate it (generator settings,
    seed) and to recognise it (the SHA-256 of its ``metadata.json``); the selection and
    detector configuration of a detector-level sample (null at parton level)."""

    path: str | None
    fingerprint: str | None
    level: str
    n_events: int = Field(ge=0)
    operators: list[str]
    sqrt_s_GeV: float | None
    xsec_sm_pb: float
    generator: dict[str, Any] | None
    detector: dict[str, Any] | None


class Yields(_Strict):
    """Expected signal s (the SMEFT excess at the benchmark) and background b (the SM) in the
    region [events] at ``luminosity_fb``: means over the splits' test sets, with the mean MC
    error (√Σw² scaled like the yields) and the spread over the splits."""

    luminosity_fb: float = Field(gt=0)
    s: float | None
    s_mc_error: float | None
    s_spread: float | None
    b: float | None
    b_mc_error: float | None
    b_spread: float | None
    n_mc_events: float | None


class Caveats(_Strict):
    """EFT-validity indicators of the region at the benchmark: the O(Λ⁻⁴) over the O(Λ⁻²)
    part of the excess (``quadratic_share``) and the SM-weighted mean m_ZH/Λ."""

    quadratic_share: float | None
    mzh_over_lambda: float | None


class Coefficient(_Strict):
    """A coefficient of σ(c)/σ_SM with its MC error."""

    value: float
    error: float = Field(ge=0)


class Parametrisation(_Strict):
    """σ(c)/σ_SM = 1 + Σ_a A_a c_a + Σ_{a≤b} B_ab c_a c_b in the region (c at Λ of the
    benchmark), with MC errors (:mod:`mlstxs.publish`); B keys are ``"a*b"``."""

    equation: str
    A: dict[str, Coefficient]
    B: dict[str, Coefficient]


class Provenance(_Strict):
    """Where the card came from (no timestamps: the same study gives the same card)."""

    mlstxs_version: str
    study_settings: dict[str, Any] | None


class RegionCard(_Strict):
    """A publishable, self-contained region definition with its performance
    (``mlstxs.region_card`` v2, schema ``region_card.schema.json`` in this package)."""

    format: Literal["mlstxs.region_card"]
    card_version: Literal[2]
    process: str
    slice: SliceSpec
    region: RegionSpec
    method: str
    epsilon: float = Field(ge=0)
    luminosity_fb: float | None = Field(gt=0)
    benchmark: Benchmark
    significance: Significance
    line_spread: LineSpread
    definitions: Definitions
    sample: SampleSpec
    yields: Yields
    caveats: Caveats
    parametrisation: Parametrisation | None = None
    provenance: Provenance


UNITS = {"pt_Z": "GeV", "m_ZH": "GeV", "slope": "1", "intercept": "GeV"}
SCHEMA_FILE = "region_card.schema.json"
"""The card's JSON Schema, shipped in this package (docs/region_cards.md)."""


def card_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) generated from :class:`RegionCard`; the shipped
    :data:`SCHEMA_FILE` is this, written by :func:`write_card_schema`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mlstxs/schemas/region_card-v{CARD_VERSION}.json",
        **RegionCard.model_json_schema(),
    }


CARD_SCHEMA: dict[str, Any] = json.loads(
    importlib_resources.files(__package__).joinpath(SCHEMA_FILE).read_text()
)
"""JSON Schema (draft 2020-12) of a region card, read from the shipped file."""


def _version() -> str:
    try:
        return importlib_metadata.version("mlstxs")
    except importlib_metadata.PackageNotFoundError:
        return "0.0.0+unknown"


DEFINITIONS = {
    "parton": ("the generated lepton pair", "the generated leptons and b quarks"),
    "detector": (
        "the selected lepton pair after smearing",
        "the selected leptons and b jets after smearing",
    ),
}
"""Level → what p_T^Z and m_ZH are computed from (mlstxs.observables)."""


def definitions(level: str) -> dict[str, str]:
    """The definitions of p_T^Z and m_ZH at a sample level."""
    pair, system = DEFINITIONS.get(level, ("the lepton pair", "the leptons and b jets"))
    return {
        "level": level,
        "pt_Z": f"transverse momentum [GeV] of {pair} (ℓ⁺ℓ⁻, m_ℓℓ inside the Z window)",
        "m_ZH": f"invariant mass [GeV] of {system} (ℓ⁺ℓ⁻ b b̄)",
    }


def _common(study: StudyResult, ix: StudyIndex) -> dict[str, Any]:
    """Card fields shared by every card of a study."""
    s = study.sample
    return {
        "format": CARD_FORMAT,
        "card_version": CARD_VERSION,
        "process": f"p p -> Z(l+ l-) H(b b~), sqrt(s) = {study.sqrt_s_TeV:g} TeV",
        "luminosity_fb": study.luminosity_fb,
        "benchmark": {"wilson_coefficients": study.benchmark, "Lambda_TeV": study.lambda_TeV},
        "definitions": definitions(s.level),
        "sample": {
            "path": s.path,
            "fingerprint": s.fingerprint,
            "level": s.level,
            "n_events": s.n_events,
            "operators": list(s.operators),
            "sqrt_s_GeV": s.sqrt_s_GeV,
            "xsec_sm_pb": s.xsec_sm_pb,
            "generator": s.generator,
            "detector": s.detector,
        },
        "provenance": {
            "mlstxs_version": _version(),
            "study_settings": study.settings.model_dump(mode="json"),
        },
    }


def _yields(ix: StudyIndex, label: str, eps: float, method: str, lumi: float) -> dict:
    def mean(key: str) -> float | None:
        return ix.summary(method, label, eps, key).mean

    return {
        "luminosity_fb": lumi,
        "s": mean("s_test"),
        "s_mc_error": mean("s_test_mc_error"),
        "s_spread": ix.summary(method, label, eps, "s_test").std,
        "b": mean("b_test"),
        "b_mc_error": mean("b_test_mc_error"),
        "b_spread": ix.summary(method, label, eps, "b_test").std,
        "n_mc_events": mean("n_test_events"),
    }


def _card(
    ix: StudyIndex, common: dict, sl: SliceRecord, eps: float, method: str
) -> RegionCard | None:
    label = sl.label
    z = ix.summary(method, label, eps, "z_test")
    region: dict[str, Any]
    spread: dict[str, float | None]
    if method == "STXS":
        region = {
            "definition": STXS_DEFINITION,
            "slope": None,
            "intercept_GeV": None,
            "above": None,
        }
        spread = {"slope_std": None, "intercept_std_GeV": None}
    else:
        a = ix.summary(method, label, eps, "slope")
        b = ix.summary(method, label, eps, "intercept_GeV")
        if a.mean is None or b.mean is None:
            logger.warning(
                "report: no card for %s, slice %s, ε = %g: no evaluable line", method, label, eps
            )
            return None
        above = [
            r["above"]
            for r in ix.records(method, label, eps).values()
            if r.get("evaluable") and r.get("above") is not None
        ]
        is_above = bool(np.mean(above) >= 0.5) if above else True
        region = {
            "definition": LINE_DEFINITION if is_above else "m_ZH < a * pt_Z + b",
            "slope": a.mean,
            "intercept_GeV": b.mean,
            "above": is_above,
        }
        spread = {"slope_std": a.std, "intercept_std_GeV": b.std}
    return RegionCard.model_validate(
        {
            **common,
            "slice": {
                "variable": "pt_Z",
                "label": label,
                "low_GeV": sl.low_GeV,
                "high_GeV": sl.high_GeV,
            },
            "region": {**region, "units": UNITS},
            "method": method,
            "epsilon": eps,
            "significance": {
                "z_mean": z.mean,
                "z_std": z.std,
                "n_splits": z.n,
                "z_stxs_mean": ix.summary("STXS", label, eps, "z_test").mean,
                "fraction_of_optimum": ix.ratio_summary(method, "oracle", label, eps).mean,
            },
            "line_spread": spread,
            "yields": _yields(ix, label, eps, method, common["luminosity_fb"]),
            "caveats": {
                "quadratic_share": ix.summary(method, label, eps, "quadratic_share").mean,
                "mzh_over_lambda": ix.summary(method, label, eps, "mzh_over_lambda").mean,
            },
        }
    )


def build_cards(study: StudyResult) -> list[RegionCard]:
    """Cards for every (slice, ε) and method in STXS + the designed line methods present in the
    study; a line method without any evaluable record in a (slice, ε) gets no card (logged)."""
    ix = study.index
    common = _common(study, ix)
    from ._methods import designed_line_methods

    methods = [m for m in ("STXS", *designed_line_methods()) if m in ix.methods]
    cards = []
    for sl in ix.slices:
        for eps in ix.epsilons:
            for method in methods:
                card = _card(ix, common, sl, eps, method)
                if card is not None:
                    cards.append(card)
    return cards


def card_filename(card: RegionCard) -> str:
    """``pt400-inf_eps0.5_dnn_svm_scan.json``."""
    sl = card.slice.model_dump()
    return f"{slice_slug(sl)}_eps{eps_tag(card.epsilon)}_{slug(card.method)}.json"


def write_cards(
    study: StudyResult, out_dir: Path, cards: list[RegionCard] | None = None
) -> list[Path]:
    """Write one JSON region card per (slice, ε, method) into ``out_dir``.

    Parameters
    ----------
    study : StudyResult
        The study result (docs/study_format.md).
    out_dir : Path
        Directory to write into (created if needed).
    cards : list of RegionCard, optional
        The cards to write (default :func:`build_cards`; ``mlstxs.pipeline`` passes them with
        their SMEFT parametrisation filled in).

    Returns
    -------
    list of Path
        The card files, in slice, ε, method order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for card in build_cards(study) if cards is None else cards:
        path = out_dir / card_filename(card)
        path.write_text(json.dumps(card.model_dump(mode="json"), indent=2) + "\n")
        paths.append(path)
    return paths


def _schema_error_field(err: jsonschema.ValidationError) -> str:
    path = [str(p) for p in err.absolute_path]
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [k for k in err.validator_value if k not in err.instance]
        path += missing[:1]
    elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        path += [k for k in err.instance if k not in allowed][:1]
    return ".".join(path) or "(root)"


def validate_card(raw: Any, source: str = "card") -> RegionCard:
    """Validate a card's JSON content against :data:`CARD_SCHEMA` and :class:`RegionCard`.

    Raises
    ------
    ValueError
        ``"<source>: bad field 'region.slope': ..."``, naming the first bad field.
    """
    validator = jsonschema.Draft202012Validator(CARD_SCHEMA)
    err = jsonschema.exceptions.best_match(validator.iter_errors(raw))
    if err is not None:
        raise ValueError(f"{source}: bad field '{_schema_error_field(err)}': {err.message}")
    try:
        return RegionCard.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(root)"
        msg = first["msg"]
        if ": " in msg and first["type"] == "value_error":  # "name: why" from a validator
            field, _, msg = msg.removeprefix("Value error, ").partition(": ")
            loc = f"{loc}.{field}" if loc != "(root)" else field
        raise ValueError(f"{source}: bad field '{loc}': {msg}") from None


def load_card(path: Path) -> RegionCard:
    """Read and validate a region card.

    Raises
    ------
    ValueError
        If the file is missing, not JSON, or the card is invalid; the message names the file
        and the bad field.
    """
    path = Path(path)
    return validate_card(read_json(path, "no such region card"), str(path))


def card_selects(card: RegionCard, pt_Z: np.ndarray, m_ZH: np.ndarray) -> np.ndarray:
    """Boolean mask of the events inside the card's region.

    Parameters
    ----------
    card : RegionCard
        A card (from :func:`load_card`).
    pt_Z, m_ZH : array_like, shape (n,)
        p_T of the Z and mass of the ZH system of each event [GeV].

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        low ≤ p_T^Z < high (the STXS slice) and, for line regions,
        m_ZH > a·p_T^Z + b (``above``) or m_ZH < a·p_T^Z + b.
    """
    pt = np.asarray(pt_Z, dtype=float)
    m = np.asarray(m_ZH, dtype=float)
    high = math.inf if card.slice.high_GeV is None else card.slice.high_GeV
    mask = (pt >= card.slice.low_GeV) & (pt < high)
    region = card.region
    if region.definition == STXS_DEFINITION:
        return mask
    if region.slope is None or region.intercept_GeV is None:  # RegionSpec rules this out
        raise ValueError("a line region needs slope and intercept_GeV")
    u = m - region.slope * pt
    return mask & (u > region.intercept_GeV if region.above else u < region.intercept_GeV)


def write_card_schema(path: Path | None = None) -> Path:
    """Write :func:`card_json_schema` (by default over the shipped file: run after changing
    :class:`RegionCard`; a test checks the two agree)."""
    path = Path(path) if path is not None else Path(__file__).with_name(SCHEMA_FILE)
    path.write_text(json.dumps(card_json_schema(), indent=2, sort_keys=True) + "\n")
    return path
