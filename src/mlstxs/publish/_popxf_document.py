"""The POPxf document of a set of event selections: polynomials, MC errors, correlations.

POPxf, the Polynomial Observable Prediction exchange format of the LHC EFT WG
(arXiv:2511.17348, schema ``https://json.schemastore.org/popxf-1.0.json``), stores observables
that are polynomials in model parameters. Each file written here is in single-polynomial mode
of degree 2; observable m is an event selection (a region card's region, or an STXS p_T(Z)
bin) and its value is the signal strength

    μ_m(C) = σ_m(C)/σ_m,SM = 1 + Σ_a b_m,a C_a + Σ_{a≤b} c_m,ab C_a C_b,            (1)

dimensionless, in Wilson coefficients C_a [GeV⁻²] of the WCxf convention L ⊃ Σ_a C_a O_a
(arXiv:1712.05298; POPxf takes dimensionful quantities in GeV). The samples' coefficients are
those of the SMEFTsim 3.0 term c_a/Λ² O_a, so C_a = c_a/Λ² and, with A_a and B_ab of
:func:`mlstxs.publish.region_parametrisation` (reused, not recomputed),

    b_m,a = A_a Λ²,    c_m,ab = B_ab Λ⁴    (Λ in GeV, from the sample metadata).          (2)

The parameters are the WCxf SMEFT Warsaw names where one WCxf coefficient carries the
operator (``phiW``), and custom names ``<stem>_U35`` for the flavour-universal U(3)⁵
combinations of SMEFTsim's U35 model (``phiq3_U35``: C_phiq3_11 = C_phiq3_22 = C_phiq3_33);
the table is :data:`._wcxf.WCXF_PARAMETERS`, explained in ``docs/popxf.md``.

MC-statistical uncertainties, ``observable_uncertainties["MC_stats"]``: the errors δA, δB of
the parametrisation scaled as in (2); the constant 1 is exact. Their correlations come from
the per-event weights: for the per-selection sums S_t = Σ_i w_t,i of the weight terms t over
the N = ``n_trials`` points (:func:`mlstxs.io.mc_error` is the diagonal),

    cov(S_t, S_u) = Σ_i w_t,i w_u,i − S_t S_u / N,                                       (3)

and the ratios R_t = S_t/S_SM (t ≠ SM: the A and B) have the delta-method covariance

    cov(R) = J cov(S) Jᵀ,   J_t,SM = −R_t/S_SM,   J_t,u = δ_tu/S_SM.                      (4)

(4) is evaluated as Σ_i (J w_i)(J w_i)ᵀ − (J S)(J S)ᵀ/N: the same sum with the linear map
applied per event, which avoids cancelling large terms (J S = 0, so its diagonal is exactly
the δR² of the parametrisation). Between two selections m, n the sum in (3) runs over their
common events and (4) takes J_m on the left and J_n on the right; since J S = 0 the −S S/N
term drops, so selections without common events (different bins, different slices) are
uncorrelated exactly.

POPxf 1.0 has no field for correlations between coefficients (``observable_uncertainties``
holds standard deviations); its specification names ``metadata.misc`` as the place that
identifies a correlation file. Each file ``<stem>.json`` therefore comes with
``correlations/<stem>.json`` (format ``mlstxs.popxf_correlations`` v1: ρ matrices, blocks not
listed are zero), named in ``misc.correlation_file`` with its SHA-256 in
``misc.correlation_file_hash``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..io import EventSample
from ..physics import SMInputs
from ._parametrisation import EQUATION, RegionParametrisation, region_parametrisation
from ._popxf_check import (
    CONSTANT_KEY,
    CORRELATION_DIR,
    CORRELATION_FORMAT,
    CORRELATION_VERSION,
    UNCERTAINTY,
    POPxfFile,
    dumps_compact,
    validate_popxf,
)
from ._popxf_schema import POPXF_SCHEMA_URI
from ._wcxf import WCXF_PARAMETERS, popxf_basis

_DEGENERATE_REL = 1e-10
"""A coefficient whose MC error is below this fraction of its value has none (c_Hbox terms,
exactly proportional to the SM): its correlations are written as 0."""
_CHUNK = 1 << 15


@dataclass(frozen=True, eq=False)
class POPxfObservable:
    """One observable: σ/σ_SM of an event selection.

    Attributes
    ----------
    name : str
        Name in ``metadata.observable_names``.
    mask : numpy.ndarray of bool, shape (n_events,)
        The selection.
    definition : dict
        JSON-ready description (slice, region, units) for ``metadata.misc.observables``.
    """

    name: str
    mask: np.ndarray
    definition: dict[str, Any]


# -- MC covariance of the coefficients -----------------------------------------------------
def _jacobian(s: np.ndarray) -> np.ndarray:
    """∂R_t/∂S_u of R_t = S_t/S_SM at s = (S_SM, S_1, …), shape (T−1, T): eq. (4)."""
    jac = np.zeros((len(s) - 1, len(s)))
    jac[:, 0] = -s[1:] / s[0] ** 2
    jac[:, 1:] = np.eye(len(s) - 1) / s[0]
    return jac


def coefficient_covariance(
    sample: EventSample, mask_m: np.ndarray, mask_n: np.ndarray | None = None
) -> np.ndarray:
    """MC covariance of the coefficients R = (A, B) of σ/σ_SM of two selections, eqs. (3)–(4).

    Parameters
    ----------
    sample : EventSample
        Weights [pb] normalised to N = ``sample.metadata.n_trials`` points.
    mask_m, mask_n : numpy.ndarray of bool, shape (n_events,)
        The selections (``mask_n`` defaults to ``mask_m``: the covariance within one).

    Returns
    -------
    numpy.ndarray, shape (T−1, T−1)
        cov(R^m_t, R^n_u), t, u over ``sample.weight_terms[1:]`` (the order of
        :meth:`RegionParametrisation.terms`), dimensionless.
    """
    mask_n = mask_m if mask_n is None else mask_n
    cols = [sample.columns[t] for t in sample.weight_terms]
    s_m = np.array([c[mask_m].sum() for c in cols])
    s_n = np.array([c[mask_n].sum() for c in cols])
    j_m, j_n = _jacobian(s_m), _jacobian(s_n)
    common = np.flatnonzero(mask_m & mask_n)
    gram = np.zeros((len(cols) - 1, len(cols) - 1))
    for start in range(0, len(common), _CHUNK):
        w = np.column_stack([c[common[start : start + _CHUNK]] for c in cols])
        gram += (w @ j_m.T).T @ (w @ j_n.T)
    return gram - np.outer(j_m @ s_m, j_n @ s_n) / sample.metadata.n_trials


def _correlation(cov: np.ndarray, sig_m: np.ndarray, sig_n: np.ndarray) -> np.ndarray:
    """ρ = cov/(σ_m σ_n), 0 where a σ is 0 (entries of a diagonal block's diagonal: 1)."""
    denom = np.outer(sig_m, sig_n)
    return np.divide(cov, denom, out=np.zeros_like(cov), where=denom > 0)


# -- the document ---------------------------------------------------------------------------
def _version() -> str:
    try:
        return importlib_metadata.version("mlstxs")
    except importlib_metadata.PackageNotFoundError:
        return "0.0.0+unknown"


def _key(params: Sequence[str]) -> str:
    """Monomial key of degree 2 for SMEFTsim names: ``"('', 'phiW')"``, names sorted."""
    names = sorted(WCXF_PARAMETERS[p].name for p in params)
    return str(tuple([""] * (2 - len(names)) + names))


def _steps(sample: EventSample, extra: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``metadata.reproducibility``: generation, detector (if any), ``extra``, this export."""
    m = sample.metadata
    gen: dict[str, Any] = {"name": m.source}
    if m.versions.get("mlstxs"):
        gen["version"] = m.versions["mlstxs"]
    gen["settings"] = {
        "perturbative_order": "LO",
        "model": "SMEFT at O(1/Lambda^4) in the weights, SMEFTsim 3.0 conventions, U35",
        "level": m.level,
        **({"generator": m.generator} if m.generator else {}),
        **({"versions": m.versions} if m.versions else {}),
    }
    inputs = {"sqrt_s_GeV": m.sqrt_s_GeV, "Lambda_GeV": 1e3 * m.lambda_TeV, "n_trials": m.n_trials}
    if m.seed is not None:
        inputs["seed"] = m.seed
    steps = [
        {
            "description": "event generation with per-event weights w = w_SM + sum_a c_a w_a"
            " + sum_{a<=b} c_a c_b w_ab [pb] (docs/sample_format.md)",
            "tool": gen,
            "inputs": inputs,
        }
    ]
    if m.detector:
        tool = {"name": "mlstxs fast detector simulation", "settings": m.detector}
        steps.append({"description": "detector simulation", "tool": tool})
    steps += list(extra)
    steps.append(
        {
            "description": "per-selection sums of the weight terms; A = S_a/S_SM, B = S_ab/S_SM"
            " and their MC covariance (mlstxs.publish, docs/popxf.md); b = A Lambda^2, "
            "c = B Lambda^4",
            "tool": {"name": "mlstxs.publish", "version": _version()},
        }
    )
    return steps


def _polynomials(
    params: Sequence[RegionParametrisation], lam_GeV: float
) -> tuple[list[str], dict[str, list[float]], dict[str, list[float]]]:
    """Monomial keys (without the constant) and the central values and MC errors of (1)."""
    n = len(params)
    keys, central, errors = [], {CONSTANT_KEY: [1.0] * n}, {CONSTANT_KEY: [0.0] * n}
    for k, (ops, _, _) in enumerate(params[0].terms()):
        if any(p.terms()[k][0] != ops for p in params):
            raise ValueError("observables of one POPxf file need the same weight terms")
        key, unit = _key(ops), lam_GeV ** (2 * len(ops))
        keys.append(key)
        central[key] = [p.terms()[k][1] * unit for p in params]
        errors[key] = [p.terms()[k][2] * unit for p in params]
    return keys, central, errors


def _correlation_blocks(
    sample: EventSample, observables: Sequence[POPxfObservable], params: Sequence
) -> list[dict[str, Any]]:
    """ρ blocks: every observable with itself, pairs only where they share events."""
    covs = [coefficient_covariance(sample, o.mask) for o in observables]
    sigmas = []
    for cov, p in zip(covs, params, strict=True):
        sig = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        values = np.abs([v for _, v, _ in p.terms()])
        sigmas.append(np.where(sig > _DEGENERATE_REL * values, sig, 0.0))
    blocks = []
    for m, n in itertools.combinations_with_replacement(range(len(covs)), 2):
        if m == n:
            rho = _correlation(covs[m], sigmas[m], sigmas[m])
            np.fill_diagonal(rho, 1.0)
        elif np.any(observables[m].mask & observables[n].mask):
            cov = coefficient_covariance(sample, observables[m].mask, observables[n].mask)
            rho = _correlation(cov, sigmas[m], sigmas[n])
        else:
            continue
        pair = [observables[m].name, observables[n].name]
        blocks.append({"observables": pair, "correlation": np.round(rho, 6).tolist()})
    return blocks


@dataclass(frozen=True)
class POPxfDocument:
    """A POPxf file and its correlation file, built in memory (:meth:`write` writes both).

    Attributes
    ----------
    stem : str
        File name without ``.json``.
    popxf : dict
        The POPxf document.
    correlations : dict
        The ``mlstxs.popxf_correlations`` document.
    """

    stem: str
    popxf: dict[str, Any]
    correlations: dict[str, Any]

    def write(self, directory: Path) -> POPxfFile:
        """Write ``<directory>/<stem>.json`` and its correlation file, then validate them
        (:func:`validate_popxf`, which raises on any problem)."""
        directory = Path(directory)
        path = directory / f"{self.stem}.json"
        corr = directory / self.popxf["metadata"]["misc"]["correlation_file"]
        corr.parent.mkdir(parents=True, exist_ok=True)
        corr.write_text(dumps_compact(self.correlations))
        path.write_text(json.dumps(self.popxf, indent=1, allow_nan=False) + "\n")
        return validate_popxf(path)

    def __repr__(self) -> str:
        md = self.popxf["metadata"]
        return (
            f"POPxfDocument({self.stem!r}: {len(md['observable_names'])} observables, "
            f"{len(md['parameters'])} parameters)"
        )


def popxf_document(
    sample: EventSample,
    observables: Sequence[POPxfObservable],
    stem: str,
    description: str,
    steps: Sequence[dict[str, Any]] = (),
) -> POPxfDocument:
    """Build the POPxf file of ``observables`` (equations (1)–(4) of the module docstring).

    Parameters
    ----------
    sample : EventSample
        The weighted events (at least one operator).
    observables : sequence of POPxfObservable
        The selections; each needs a positive SM cross section.
    stem : str
        File name without ``.json``.
    description : str
        One line for ``metadata.misc.description``.
    steps : sequence of dict
        Reproducibility steps between the sample's and this export's (a region study).

    Returns
    -------
    POPxfDocument

    Raises
    ------
    ValueError
        If the sample has no operator or an observable no SM cross section.
    """
    ops = sample.operators
    if not ops or not observables:
        raise ValueError("a POPxf file needs at least one operator and one observable")
    params = [region_parametrisation(sample, o.mask, o.name) for o in observables]
    lam_GeV = 1e3 * sample.metadata.lambda_TeV
    keys, central, errors = _polynomials(params, lam_GeV)
    corr_file = f"{CORRELATION_DIR}/{stem}.json"
    correlations = {
        "format": CORRELATION_FORMAT,
        "format_version": CORRELATION_VERSION,
        "popxf_file": f"{stem}.json",
        "uncertainty": UNCERTAINTY,
        "monomials": keys,
        "blocks": _correlation_blocks(sample, observables, params),
    }
    definitions = [
        {
            **o.definition,
            "name": o.name,
            "sigma_SM_pb": p.sigma_sm_pb,
            "sigma_SM_mc_error_pb": p.sigma_sm_err_pb,
            "n_events": p.n_events,
        }
        for o, p in zip(observables, params, strict=True)
    ]
    misc = {
        "description": description,
        "observable": "mu = sigma(selection; C)/sigma_SM(selection) for p p -> Z(l+ l-) "
        f"H(b b~) at sqrt(s) = {sample.metadata.sqrt_s_GeV:g} GeV, LO, "
        f"{sample.metadata.level} level; dimensionless (sigma_SM_pb per observable below)",
        "polynomial": "mu(C) = 1 + sum_a b_a C_a + sum_{a<=b} c_ab C_a C_b, C in GeV^-2",
        "normalisation": {
            "relative_to_SM": True,
            "Lambda_TeV": sample.metadata.lambda_TeV,
            "smeftsim_equation": EQUATION,
            "conversion": "C_a = c_a/Lambda^2: b_a = A_a Lambda^2 [GeV^2], c_ab = B_ab "
            "Lambda^4 [GeV^4] with Lambda in GeV",
        },
        "scale_choice": "LO without RG evolution: coefficients taken at M_Z, the scale of "
        "the electroweak inputs; the choice is conventional at this order",
        "uncertainties": {
            UNCERTAINTY: "MC-statistical, sqrt of the delta-method variance of S_t/S_SM; the "
            "constant 1 is exact; correlations in misc.correlation_file"
        },
        "observables": definitions,
        "correlation_file": corr_file,
        "correlation_file_hash": "sha256:"
        + hashlib.sha256(dumps_compact(correlations).encode()).hexdigest(),
        "correlation_file_format": f"{CORRELATION_FORMAT} v{CORRELATION_VERSION} "
        "(docs/popxf.md): blocks of correlation matrices over 'monomials', one per "
        "observable pair; pairs not listed are uncorrelated (no common events)",
        "producer": f"mlstxs {_version()}",
    }
    document = {
        "$schema": POPXF_SCHEMA_URI,
        "metadata": {
            "observable_names": [o.name for o in observables],
            "parameters": [WCXF_PARAMETERS[op].name for op in ops],
            "basis": popxf_basis(ops),
            "scale": SMInputs().M_Z,
            "polynomial_degree": 2,
            "reproducibility": _steps(sample, steps),
            "misc": misc,
        },
        "data": {"observable_central": central, "observable_uncertainties": {UNCERTAINTY: errors}},
    }
    return POPxfDocument(stem, document, correlations)
