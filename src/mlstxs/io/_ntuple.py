"""Reader of flat ROOT ntuples (one row per event) into an :class:`EventSample`.

A typed mapping (:class:`NtupleMapping`, from YAML/JSON) names the branches of the momenta of
ℓ⁻, ℓ⁺, b1, b2 — (E, px, py, pz) or (pt, eta, phi, mass) — and of the weight polynomial terms
(``docs/sample_format.md``). Read with uproot into numpy; jagged branches are refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..physics import validate_operators, weight_term_names
from ._checks import check_finite, term_cross_sections
from ._metadata import SampleFormatError, SampleMetadata, package_versions
from ._sample import EventSample, momentum_column_names

MOMENTUM_OBJECTS = ("lm", "lp", "b1", "b2")


class CartesianBranches(BaseModel):
    """Branch names of a four-momentum stored as (E, px, py, pz) in GeV."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    E: str
    px: str
    py: str
    pz: str

    def branches(self) -> list[str]:
        return [self.E, self.px, self.py, self.pz]


class PtEtaPhiMBranches(BaseModel):
    """Branch names of a four-momentum stored as (pt [GeV], eta, phi, mass [GeV]).

    ``mass`` is a branch name or a constant in GeV (default 0: massless).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    pt: str
    eta: str
    phi: str
    mass: str | float = 0.0

    def branches(self) -> list[str]:
        return [self.pt, self.eta, self.phi, *([self.mass] if isinstance(self.mass, str) else [])]


ObjectBranches = CartesianBranches | PtEtaPhiMBranches


class NtupleMapping(BaseModel):
    """How the branches of a flat ntuple map onto the columns of an event sample.

    Attributes
    ----------
    tree : str
        Name of the TTree (or RNTuple, which uproot ≥ 5.7 writes by default).
    lm, lp, b1, b2 : CartesianBranches or PtEtaPhiMBranches
        Four-momentum branches of ℓ⁻, ℓ⁺ and the two b (jets).
    weights : dict of str to str
        Weight term (``w_sm``, ``w_<op>``, ``w_<op>_<op>``) → branch; the keys must be
        exactly ``mlstxs.physics.weight_term_names(operators)``.
    weight_scale : float
        Factor applied to every weight branch so that weights are in pb per event
        (e.g. 1e-3 for fb, or 1/N_generated for weights that sum to N·σ).
    operators : tuple of str
        Operators of the weight polynomial (canonical order is enforced).
    extra : dict of str to str
        Further columns to carry: our column name → branch (a list means same names).
    level, lambda_TeV, sqrt_s_GeV : metadata of the sample.
    n_trials : int or None
        Number of points the weights are normalised to; ``None`` = number of rows read.
    order_b_by_pt : bool
        Swap b1 and b2 where needed so that p_T(b1) ≥ p_T(b2).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    tree: str
    lm: ObjectBranches
    lp: ObjectBranches
    b1: ObjectBranches
    b2: ObjectBranches
    weights: dict[str, str]
    weight_scale: float = Field(default=1.0, gt=0)
    operators: tuple[str, ...] = ()
    extra: dict[str, str] = Field(default_factory=dict)
    level: Literal["parton", "detector"] = "detector"
    lambda_TeV: float = Field(default=1.0, gt=0)
    sqrt_s_GeV: float = Field(default=13000.0, gt=0)
    n_trials: int | None = Field(default=None, gt=0)
    order_b_by_pt: bool = True

    @field_validator("operators", mode="before")
    @classmethod
    def _canonical_operators(cls, v: Any) -> tuple[str, ...]:
        return validate_operators(v)

    @field_validator("extra", mode="before")
    @classmethod
    def _extra_from_list(cls, v: Any) -> Any:
        return {name: name for name in v} if isinstance(v, list | tuple) else v

    @model_validator(mode="after")
    def _check_columns(self) -> NtupleMapping:
        expected = weight_term_names(self.operators)
        if sorted(self.weights) != sorted(expected):
            raise ValueError(
                f"weights must map exactly the terms {expected} of operators "
                f"{list(self.operators)}; got {sorted(self.weights)}"
            )
        clash = set(self.extra) & {*momentum_column_names(), *expected}
        if clash:
            raise ValueError(f"extra columns {sorted(clash)} clash with momentum/weight columns")
        return self

    @classmethod
    def from_yaml(cls, text: str) -> NtupleMapping:
        """Build from a YAML (or JSON) document."""
        return cls.model_validate(yaml.safe_load(text))

    @classmethod
    def from_file(cls, path: str | Path) -> NtupleMapping:
        """Read a ``.yaml``/``.yml``/``.json`` mapping file."""
        return cls.from_yaml(Path(path).read_text())

    def branches(self) -> list[str]:
        """All branches to read, without duplicates, in a stable order."""
        names = [b for o in MOMENTUM_OBJECTS for b in getattr(self, o).branches()]
        names += [self.weights[t] for t in weight_term_names(self.operators)]
        names += list(self.extra.values())
        return list(dict.fromkeys(names))


def cartesian_from_pt_eta_phi_m(
    pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, mass: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(E, px, py, pz) [GeV] of shape (N,) from p_T [GeV], η, φ and m [GeV].

    px = p_T cos φ, py = p_T sin φ, pz = p_T sinh η, E = √((p_T cosh η)² + m²).
    """
    pz = pt * np.sinh(eta)
    energy = np.sqrt((pt * np.cosh(eta)) ** 2 + np.square(mass))
    return energy, pt * np.cos(phi), pt * np.sin(phi), pz


def _open_tree(path: Path, tree: str) -> Any:
    import uproot

    if not path.is_file():
        raise SampleFormatError(f"{path}: no such file")
    try:
        f = uproot.open(path)
    except (OSError, ValueError) as exc:
        raise SampleFormatError(f"{path}: not a readable ROOT file ({exc})") from None
    kinds = f.classnames(cycle=False).items()
    trees = sorted(k for k, c in kinds if c.startswith("TTree") or c == "ROOT::RNTuple")
    if tree not in trees:
        raise SampleFormatError(
            f"{path}: no tree '{tree}'; trees present: {', '.join(trees) or 'none'}"
        )
    return f[tree]


def _read_arrays(where: str, t: Any, branches: list[str], stop: int | None) -> dict:
    available = set(t.keys())
    missing = [b for b in branches if b not in available]
    if missing:
        raise SampleFormatError(
            f"{where}: branch '{missing[0]}' not found ({len(missing)} missing in all); "
            f"available branches: {', '.join(sorted(available))}"
        )
    arrays = t.arrays(branches, library="np", entry_stop=stop)
    for b in branches:
        if arrays[b].dtype == object or arrays[b].ndim != 1:
            raise SampleFormatError(
                f"{where}: branch '{b}' is jagged or array-valued; one row per event is "
                "required (flatten the ntuple first)"
            )
    return arrays


def _momenta(arrays: Mapping[str, np.ndarray], mapping: NtupleMapping) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {}
    for obj in MOMENTUM_OBJECTS:
        br = getattr(mapping, obj)
        comps: Sequence[np.ndarray]
        if isinstance(br, CartesianBranches):
            comps = [arrays[b] for b in br.branches()]
        else:
            mass = arrays[br.mass] if isinstance(br.mass, str) else br.mass
            comps = cartesian_from_pt_eta_phi_m(arrays[br.pt], arrays[br.eta], arrays[br.phi], mass)
        for c, v in zip(("E", "px", "py", "pz"), comps, strict=True):
            cols[f"{obj}_{c}"] = np.asarray(v, dtype=np.float64)
    if mapping.order_b_by_pt:
        swap = np.hypot(cols["b2_px"], cols["b2_py"]) > np.hypot(cols["b1_px"], cols["b1_py"])
        for c in ("E", "px", "py", "pz"):
            b1, b2 = cols[f"b1_{c}"], cols[f"b2_{c}"]
            cols[f"b1_{c}"], cols[f"b2_{c}"] = np.where(swap, b2, b1), np.where(swap, b1, b2)
    return cols


def read_ntuple(
    path: str | Path, mapping: NtupleMapping, *, entry_stop: int | None = None
) -> EventSample:
    """Read a flat ROOT ntuple into an :class:`EventSample`.

    Parameters
    ----------
    path : str or Path
        ROOT file.
    mapping : NtupleMapping
        Tree, branch names, weight scale and sample metadata.
    entry_stop : int, optional
        Read only the first rows. Weights are not renormalised: set ``weight_scale`` and
        ``n_trials`` for the subset if the file's weights are normalised to all its rows.

    Returns
    -------
    EventSample
        Momenta in GeV (shape (N,) per column), weights = branch × ``weight_scale`` in pb
        per event, ``xsec`` = Σw ± √(Σw² − (Σw)²/n_trials).

    Raises
    ------
    SampleFormatError
        Missing or unreadable file, missing tree (trees present are listed), missing branch
        (available branches are listed), jagged branches, no rows, or columns that fail
        :func:`mlstxs.io.validate_columns` (e.g. NaN weights).
    """
    import uproot

    path = Path(path)
    where = f"{path}:{mapping.tree}"
    arrays = _read_arrays(where, _open_tree(path, mapping.tree), mapping.branches(), entry_stop)
    momenta = [b for o in MOMENTUM_OBJECTS for b in getattr(mapping, o).branches()]
    try:  # before (pt, eta, phi, m) → (E, px, py, pz); weights are checked as columns below
        check_finite(arrays, momenta, what="branch")
    except SampleFormatError as exc:
        raise SampleFormatError(f"{where}: {exc}") from None
    cols = _momenta(arrays, mapping)
    terms = weight_term_names(mapping.operators)
    for t in terms:
        cols[t] = np.asarray(arrays[mapping.weights[t]], dtype=np.float64) * mapping.weight_scale
    cols.update({name: arrays[b] for name, b in mapping.extra.items()})
    if (n := len(cols["w_sm"])) == 0:
        raise SampleFormatError(f"{where}: no rows to read")
    n_trials = mapping.n_trials or n
    meta = SampleMetadata(
        source=f"ROOT ntuple: {path.name}:{mapping.tree}",
        level=mapping.level,
        operators=list(mapping.operators),
        lambda_TeV=mapping.lambda_TeV,
        sqrt_s_GeV=mapping.sqrt_s_GeV,
        weight_terms=terms,
        n_trials=n_trials,
        n_events=n,
        xsec={},
        generator=None,
        versions=package_versions() | {"uproot": uproot.__version__},
        notes=[f"column mapping: {json.dumps(mapping.model_dump(mode='json'))}"],
    )
    try:
        EventSample(cols, meta)  # validates (finite, non-negative SM weights, shapes)
    except SampleFormatError as exc:
        raise SampleFormatError(f"{where}: {exc}") from None
    xsec = term_cross_sections(cols, terms, n_trials)
    return EventSample(cols, meta.model_copy(update={"xsec": xsec}))
