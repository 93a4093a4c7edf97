"""SMEFT parametrisation of the cross section of a region: σ(c)/σ_SM as a polynomial in c.

For the events of a region, with per-event weights w(c) = w_SM + Σ_a c_a w_a + Σ_{a≤b} c_a c_b
w_ab (``docs/sample_format.md``),

    σ(c)/σ_SM = 1 + Σ_a A_a c_a + Σ_{a≤b} B_ab c_a c_b,   A_a = σ_a/σ_SM,   B_ab = σ_ab/σ_SM,

with σ_t = Σ_region w_t [pb] and c_a the coefficient of the Lagrangian term c_a/Λ² O_a.

MC-statistical errors. Each σ_t is a sum over the N = ``n_trials`` phase-space points the
weights are normalised to (points not stored count with weight 0), so its variance is
estimated by Σw² − (Σw)²/N (:func:`mlstxs.io.mc_error`). The ratio R = X/Y of two correlated
such sums, X = Σx_i and Y = Σy_i, has the linearised (delta-method) variance
Var(R) ≈ Var(Σd_i)/Y² with d_i = x_i − R y_i; evaluated with the same N-aware estimator,
Var(Σd) = Σd² − (Σd)²/N = Σd² because Σd = X − R·Y = 0 identically. Hence

    δR = √[Σ_i (x_i − R y_i)²] / Σ_i y_i,

which is what :func:`region_parametrisation` returns (:func:`mlstxs.io.mc_ratio`, shared with
the per-bin ratios of ``EventSample.cross_sections`` and ``mlstxs info``).
A term proportional to w_SM event by event (c_Hbox: w_Hbox = 2 v̂²/Λ² w_SM) therefore has
zero MC error, as it should.

On disk (:func:`write_parametrisations`) the file mirrors EFT2Obs (github.com/ajgilbert/
EFT2Obs, ``scripts/eftscaling.py``): a per-region list ``bins`` of
``{"bin", "sm", "u", "terms": [{"params", "val", "uncert"}]}`` records, plus the columnar
block of EFT2Obs' ``EFTScaling.writeToJSON`` (``terms`` = [params, vals, uncerts],
``nbins``, ``sm_vals``, ``bin_edges``, ``bin_labels``, ``parameters``), so EFT2Obs's
``EFTScaling.fromDict`` reads the file as it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..io import EventSample, mc_error, mc_ratio
from ..observables import region_observables
from ..physics import weight_term_pairs
from ..study import RegionCard, card_filename, card_selects

PARAM_FORMAT = "mlstxs.parametrisation"
PARAM_VERSION = 1
PAIR_SEP = "*"
"""Separator of the two operators in a quadratic-term key: ``"cHW*cHWB"``."""
EQUATION = "sigma(c)/sigma_SM = 1 + sum_a A_a c_a + sum_{a<=b} B_ab c_a c_b"


class ParametrisationFormatError(ValueError):
    """A parametrisation file or record that is not ``mlstxs.parametrisation`` v1."""


@dataclass(frozen=True)
class RegionParametrisation:
    """σ(c)/σ_SM of one region with MC-statistical errors.

    Attributes
    ----------
    name : str
        Region name (for cards: the card file name without ``.json``).
    operators : tuple of str
        Operators of the sample, in its order.
    Lambda_TeV : float
        New-physics scale Λ [TeV] the coefficients c_a refer to.
    sigma_sm_pb, sigma_sm_err_pb : float
        SM cross section of the region and its MC error [pb].
    n_events : int
        Stored events in the region.
    A, A_err : dict of str to float
        Linear coefficients A_a and errors, keyed by operator.
    B, B_err : dict of str to float
        Quadratic coefficients B_ab (a ≤ b in operator order) and errors, keyed ``"a*b"``.
    """

    name: str
    operators: tuple[str, ...]
    Lambda_TeV: float
    sigma_sm_pb: float
    sigma_sm_err_pb: float
    n_events: int
    A: dict[str, float] = field(default_factory=dict)
    A_err: dict[str, float] = field(default_factory=dict)
    B: dict[str, float] = field(default_factory=dict)
    B_err: dict[str, float] = field(default_factory=dict)

    def terms(self) -> list[tuple[tuple[str, ...], float, float]]:
        """``(params, value, error)`` of every term: linear first, then quadratic."""
        out: list[tuple[tuple[str, ...], float, float]] = [
            ((op,), self.A[op], self.A_err[op]) for op in self.A
        ]
        out += [(tuple(k.split(PAIR_SEP)), self.B[k], self.B_err[k]) for k in self.B]
        return out

    def mu(self, c: Mapping[str, float]) -> float:
        """σ(c)/σ_SM at Wilson coefficients ``c`` (missing entries are 0)."""
        value = 1.0
        for params, val, _ in self.terms():
            value += val * math.prod(float(c.get(p, 0.0)) for p in params)
        return value

    def to_dict(self) -> dict[str, Any]:
        """The EFT2Obs-style per-bin record (JSON-ready)."""
        return {
            "bin": self.name,
            "sm": self.sigma_sm_pb,
            "u": self.sigma_sm_err_pb,
            "n_events": self.n_events,
            "Lambda_TeV": self.Lambda_TeV,
            "parameters": list(self.operators),
            "terms": [{"params": list(p), "val": v, "uncert": e} for p, v, e in self.terms()],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RegionParametrisation:
        """Inverse of :meth:`to_dict`; raises :class:`ParametrisationFormatError`."""
        missing = [
            k
            for k in ("bin", "sm", "u", "n_events", "Lambda_TeV", "parameters", "terms")
            if k not in d
        ]
        if missing:
            raise ParametrisationFormatError(f"bad field '{missing[0]}': missing")
        ops = tuple(d["parameters"])
        A: dict[str, float] = {}
        A_err: dict[str, float] = {}
        B: dict[str, float] = {}
        B_err: dict[str, float] = {}
        for i, t in enumerate(d["terms"]):
            params = t.get("params") if isinstance(t, dict) else None
            if not params or len(params) > 2 or any(p not in ops for p in params):
                raise ParametrisationFormatError(
                    f"bad field 'terms.{i}.params': {params!r} is not 1 or 2 of {list(ops)}"
                )
            vals, errs = (A, A_err) if len(params) == 1 else (B, B_err)
            key = PAIR_SEP.join(params)
            vals[key], errs[key] = float(t["val"]), float(t["uncert"])
        return cls(
            name=str(d["bin"]),
            operators=ops,
            Lambda_TeV=float(d["Lambda_TeV"]),
            sigma_sm_pb=float(d["sm"]),
            sigma_sm_err_pb=float(d["u"]),
            n_events=int(d["n_events"]),
            A=A,
            A_err=A_err,
            B=B,
            B_err=B_err,
        )

    def __repr__(self) -> str:
        lin = ", ".join(f"{k}: {v:.4g}±{self.A_err[k]:.2g}" for k, v in self.A.items())
        return (
            f"RegionParametrisation({self.name!r}, σ_SM = {self.sigma_sm_pb:.4g} ± "
            f"{self.sigma_sm_err_pb:.2g} pb, {self.n_events} events, A = {{{lin}}}, "
            f"{len(self.B)} quadratic terms, Λ = {self.Lambda_TeV:g} TeV)"
        )


def region_parametrisation(
    sample: EventSample, selection_mask: np.ndarray, name: str
) -> RegionParametrisation:
    """σ(c)/σ_SM of the events in ``selection_mask`` (equations in the module docstring).

    Parameters
    ----------
    sample : EventSample
        Weighted events; weights [pb] normalised to ``sample.metadata.n_trials`` points.
    selection_mask : numpy.ndarray of bool, shape (n_events,)
        The region.
    name : str
        Region name stored in the result.

    Returns
    -------
    RegionParametrisation

    Raises
    ------
    ValueError
        If the mask has the wrong shape or dtype, or the region has no positive SM cross
        section (the ratios are undefined).
    """
    mask = np.asarray(selection_mask)
    if mask.dtype != bool or mask.shape != (len(sample),):
        raise ValueError(f"selection mask must be a boolean array of length {len(sample)}")
    n_trials = sample.metadata.n_trials
    y = sample.columns["w_sm"][mask]
    sigma_sm = float(y.sum())
    if not sigma_sm > 0.0:
        raise ValueError(f"region {name!r}: no positive SM cross section ({mask.sum()} events)")
    ops = sample.operators
    vals: dict[str, float] = {}
    errs: dict[str, float] = {}
    for term, (i, j) in zip(sample.weight_terms, weight_term_pairs(ops), strict=True):
        if (i, j) == (0, 0):
            continue
        key = ops[j - 1] if i == 0 else f"{ops[i - 1]}{PAIR_SEP}{ops[j - 1]}"
        ratio = mc_ratio(sample.columns[term][mask], y, n_trials)  # floats: no index
        vals[key], errs[key] = float(ratio.value), float(ratio.error)
    return RegionParametrisation(
        name=name,
        operators=tuple(ops),
        Lambda_TeV=float(sample.metadata.lambda_TeV),
        sigma_sm_pb=sigma_sm,
        sigma_sm_err_pb=mc_error(y, n_trials),
        n_events=int(mask.sum()),
        A={k: v for k, v in vals.items() if PAIR_SEP not in k},
        A_err={k: v for k, v in errs.items() if PAIR_SEP not in k},
        B={k: v for k, v in vals.items() if PAIR_SEP in k},
        B_err={k: v for k, v in errs.items() if PAIR_SEP in k},
    )


def region_name(card: RegionCard) -> str:
    """Name of a card's region: its file name without ``.json`` (``pt400-inf_eps0.5_svm``)."""
    return card_filename(card).removesuffix(".json")


def parametrise_cards(
    sample: EventSample, cards: Iterable[RegionCard]
) -> list[RegionParametrisation]:
    """:func:`region_parametrisation` of every card's region (:func:`card_selects`), in order."""
    obs = region_observables(sample.columns)
    return [
        region_parametrisation(
            sample, card_selects(card, obs["pt_Z"], obs["m_ZH"]), region_name(card)
        )
        for card in cards
    ]


def with_parametrisations(sample: EventSample, cards: Iterable[RegionCard]) -> list[RegionCard]:
    """The cards with their region's σ(c)/σ_SM (:func:`region_parametrisation`) filled in;
    a card whose region holds no SM cross section in ``sample`` is returned unchanged."""
    obs = region_observables(sample.columns)
    w_sm = sample.columns["w_sm"]
    out = []
    for card in cards:
        mask = card_selects(card, obs["pt_Z"], obs["m_ZH"])
        if not w_sm[mask].sum() > 0:
            out.append(card)
            continue
        p = region_parametrisation(sample, mask, region_name(card))
        block = {
            "equation": EQUATION,
            "A": {k: {"value": v, "error": p.A_err[k]} for k, v in p.A.items()},
            "B": {k: {"value": v, "error": p.B_err[k]} for k, v in p.B.items()},
        }
        out.append(RegionCard.model_validate({**card.model_dump(), "parametrisation": block}))
    return out


def _eft2obs_block(params: Sequence[RegionParametrisation]) -> dict[str, Any]:
    """The columnar layout of EFT2Obs ``EFTScaling.writeToJSON`` (bins = regions)."""
    first = params[0].terms() if params else []
    return {
        "terms": [
            [list(p), [r.terms()[k][1] for r in params], [r.terms()[k][2] for r in params]]
            for k, (p, _, _) in enumerate(first)
        ],
        "nbins": len(params),
        "sm_vals": [r.sigma_sm_pb for r in params],
        "bin_edges": [[i, i + 1] for i in range(len(params))],
        "bin_labels": [r.name for r in params],
        "parameters": list(params[0].operators) if params else [],
    }


def parametrisations_to_dict(params: Sequence[RegionParametrisation]) -> dict[str, Any]:
    """The JSON document of :func:`write_parametrisations`; all regions must share the
    operators and Λ (the columnar EFT2Obs block has one term list)."""
    params = list(params)
    if len({(r.operators, r.Lambda_TeV) for r in params}) > 1:
        raise ValueError("parametrisations with different operators or Λ cannot share a file")
    return {
        "format": PARAM_FORMAT,
        "format_version": PARAM_VERSION,
        "equation": EQUATION,
        "Lambda_TeV": params[0].Lambda_TeV if params else None,
        **_eft2obs_block(params),
        "bins": [r.to_dict() for r in params],
    }


def write_parametrisations(params: Sequence[RegionParametrisation], path: Path) -> Path:
    """Write ``params`` as JSON to ``path`` (atomically: temporary file, then rename)."""
    path = Path(path)
    text = json.dumps(parametrisations_to_dict(params), indent=1, allow_nan=False) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def read_parametrisations(path: Path) -> list[RegionParametrisation]:
    """Read and validate a file of :func:`write_parametrisations`.

    Raises
    ------
    ParametrisationFormatError
        Naming the file and the first bad field (also when the EFT2Obs columnar block
        disagrees with the per-region ``bins``).
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ParametrisationFormatError(f"{path}: not a readable JSON file ({exc})") from None
    for key, want in (("format", PARAM_FORMAT), ("format_version", PARAM_VERSION)):
        if raw.get(key) != want:
            raise ParametrisationFormatError(f"{path}: bad field '{key}': expected {want!r}")
    if not isinstance(raw.get("bins"), list):
        raise ParametrisationFormatError(f"{path}: bad field 'bins': expected a list")
    out = []
    for i, d in enumerate(raw["bins"]):
        try:
            out.append(RegionParametrisation.from_dict(d))
        except (ParametrisationFormatError, TypeError, ValueError, AttributeError) as exc:
            raise ParametrisationFormatError(f"{path}: bins.{i}: {exc}") from None
    block = _eft2obs_block(out)
    for key, value in block.items():
        if raw.get(key) != value:
            raise ParametrisationFormatError(f"{path}: bad field '{key}': disagrees with 'bins'")
    return out
