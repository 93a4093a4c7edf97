"""Validation of the POPxf files of :mod:`mlstxs.publish._popxf` and their correlation files.

A POPxf file is checked by popxf-validator's ``POPxfValidator`` (JSON schema of POPxf 1.0,
then array lengths, alphabetical order inside monomial keys, keys naming declared
parameters, scale length; :mod:`._popxf_schema` supplies the schema the 0.0.1 release lacks).
Its correlation file (``mlstxs.popxf_correlations`` v1, not part of POPxf) is checked here:
the SHA-256 named in ``metadata.misc``, the monomials against ``MC_stats``, each block's shape,
|ρ| ≤ 1, unit diagonals, and that the assembled correlation matrix of all coefficients is
positive semi-definite (up to the 10⁻⁶ rounding of the file).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._popxf_schema import register_schema

UNCERTAINTY = "MC_stats"
CONSTANT_KEY = "('', '')"
CORRELATION_DIR = "correlations"
CORRELATION_FORMAT = "mlstxs.popxf_correlations"
CORRELATION_VERSION = 1
_ROUNDING = 1e-6


class POPxfExportError(ValueError):
    """A POPxf file or its correlation file that does not validate."""


def dumps_compact(doc: Any) -> str:
    """The JSON text of a correlation file (compact; its SHA-256 goes into the POPxf file)."""
    return json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n"


@dataclass(frozen=True)
class POPxfFile:
    """A validated POPxf file.

    Attributes
    ----------
    path : Path
        The POPxf JSON file.
    correlation_path : Path
        Its correlation file.
    observables : tuple of str
        ``metadata.observable_names``.
    parameters : tuple of str
        ``metadata.parameters``.
    schema_source : str
        ``"popxf-validator"`` (its own schema) or ``"mlstxs"`` (:mod:`._popxf_schema`).
    """

    path: Path
    correlation_path: Path
    observables: tuple[str, ...]
    parameters: tuple[str, ...]
    schema_source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (paths as strings)."""
        return {
            "path": str(self.path),
            "correlation_path": str(self.correlation_path),
            "observables": list(self.observables),
            "parameters": list(self.parameters),
            "schema_source": self.schema_source,
        }

    def __repr__(self) -> str:
        return (
            f"POPxfFile({self.path.name!r}: {len(self.observables)} observables, "
            f"{len(self.parameters)} parameters, valid; schema from {self.schema_source})"
        )


def _fail(path: Path, msg: str) -> POPxfExportError:
    return POPxfExportError(f"{path}: {msg}")


def _check_correlations(path: Path, doc: dict, corr: dict, keys: list[str]) -> None:
    names = doc["metadata"]["observable_names"]
    for field, want in (
        ("format", CORRELATION_FORMAT),
        ("format_version", CORRELATION_VERSION),
        ("popxf_file", path.name),
        ("uncertainty", UNCERTAINTY),
        ("monomials", keys),
    ):
        if corr.get(field) != want:
            raise _fail(path, f"correlation file: bad field '{field}': expected {want!r}")
    k, index = len(keys), {n: i for i, n in enumerate(names)}
    full = np.zeros((len(names) * k, len(names) * k))
    seen = set()
    for b, block in enumerate(corr.get("blocks", [])):
        pair = block.get("observables")
        if not (isinstance(pair, list) and len(pair) == 2 and all(p in index for p in pair)):
            raise _fail(path, f"correlation file: blocks.{b}.observables: {pair!r}")
        rho = np.asarray(block.get("correlation"), dtype=float)
        if rho.shape != (k, k) or not np.all(np.abs(rho) <= 1.0 + 1e-12):
            raise _fail(path, f"correlation file: blocks.{b}: not a {k}x{k} matrix with |rho|<=1")
        m, n = index[pair[0]], index[pair[1]]
        if m == n and not (np.allclose(rho, rho.T) and np.all(np.diag(rho) == 1.0)):
            raise _fail(path, f"correlation file: blocks.{b}: not symmetric with unit diagonal")
        full[m * k : (m + 1) * k, n * k : (n + 1) * k] = rho
        full[n * k : (n + 1) * k, m * k : (m + 1) * k] = rho.T
        if m == n:
            seen.add(m)
    if len(seen) != len(names):
        raise _fail(path, "correlation file: an observable has no block of its own")
    if full.size and np.linalg.eigvalsh(full).min() < -_ROUNDING * len(full):
        raise _fail(path, "correlation file: correlation matrix is not positive semi-definite")


def validate_popxf(path: Path) -> POPxfFile:
    """Validate a POPxf file with popxf-validator, and its correlation file.

    Parameters
    ----------
    path : Path
        The POPxf JSON file.

    Returns
    -------
    POPxfFile

    Raises
    ------
    POPxfExportError
        Naming the file and the first problem.
    ImportError
        If popxf-validator is not installed.
    """
    path = Path(path)
    source = register_schema()
    from popxf.validator import POPxfIOError, POPxfValidationError, POPxfValidator

    try:
        checked = POPxfValidator.from_json(path)
    except (POPxfValidationError, POPxfIOError) as exc:
        raise _fail(path, f"popxf-validator: {exc}") from None
    doc = checked.json
    misc = doc["metadata"].get("misc", {})
    corr_path = path.parent / misc.get("correlation_file", "")
    try:
        text = corr_path.read_text()
        corr = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise _fail(path, f"no readable correlation file ({exc})") from None
    if misc.get("correlation_file_hash") != "sha256:" + hashlib.sha256(text.encode()).hexdigest():
        raise _fail(path, f"{corr_path.name}: SHA-256 differs from misc.correlation_file_hash")
    unc = doc["data"].get("observable_uncertainties", {}).get(UNCERTAINTY)
    if not isinstance(unc, dict):
        raise _fail(path, f"bad field 'data.observable_uncertainties.{UNCERTAINTY}': missing")
    _check_correlations(path, doc, corr, [k for k in unc if k != CONSTANT_KEY])
    md = doc["metadata"]
    return POPxfFile(
        path, corr_path, tuple(md["observable_names"]), tuple(md["parameters"]), source
    )
