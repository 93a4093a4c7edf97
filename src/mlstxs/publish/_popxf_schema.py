"""The POPxf 1.0 JSON schema, for popxf-validator releases that do not ship it.

``popxf-validator`` 0.0.1 (the only release, PyPI, 2025-12) looks its schemas up in
``popxf/validator/schemas/popxf-*.json``, but its wheel and sdist do not contain that folder,
so its registry is empty and every file fails with "schema version 'popxf-1.0.json' is not
recognized". :func:`register_schema` fills the gap with :data:`POPXF_SCHEMA`, written here from
the field specification of the format (arXiv:2511.17348, appendix "Specification of fields";
the published schema is ``https://json.schemastore.org/popxf-1.0.json``). It encodes the
structural rules of that specification:

* root: ``$schema`` (the constant URI), ``metadata``, ``data``; nothing else;
* ``metadata``: required ``observable_names``, ``parameters`` (unique non-empty strings),
  ``basis`` (``wcxf`` {``eft``, ``basis``, ``sectors``} and/or ``custom``), ``scale`` (number
  or array of numbers); optional ``polynomial_names`` with ``observable_expressions`` (both or
  neither), ``polynomial_degree`` (1–5, default 2), ``reproducibility`` (steps with
  ``description``, ``tool`` {``name`` required, ``version``, ``settings``}, ``inputs``),
  ``misc`` (free form); nothing else;
* ``data``: ``observable_central`` and/or ``polynomial_central`` (monomial key → array of
  numbers), ``observable_uncertainties`` (source name → array, or object like the central
  values); source names must not look like monomial keys; nothing else; function-of-polynomials
  fields come together; an array ``scale`` with ``polynomial_names`` forbids
  ``observable_central``;
* monomial keys: stringified tuples of ``d`` parameter names (``''`` pads lower degrees), with
  an optional real/imaginary tag of ``d`` letters ``R``/``I`` (``"('', 'phiW')"``).

The validator itself then checks what a JSON schema cannot: array lengths against
``observable_names``, alphabetical order of the names inside each key, keys naming only
declared parameters, and the length of an array ``scale``.
"""

from __future__ import annotations

import importlib
from typing import Any

POPXF_SCHEMA_URI = "https://json.schemastore.org/popxf-1.0.json"
POPXF_SCHEMA_NAME = POPXF_SCHEMA_URI.rsplit("/", 1)[-1]
DEGREES = (1, 2, 3, 4, 5)

_NAME = r"'[^']*'"
_STRINGS = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1},
}
_NUMBERS = {"type": "array", "minItems": 1, "items": {"type": "number"}}


def monomial_key_pattern(degree: int, *, constant: bool = False) -> str:
    """Regular expression of a monomial key of ``degree`` names (``constant``: all ``''``)."""
    name = "''" if constant else _NAME
    tag = "R" * degree if constant else f"[IR]{{{degree}}}"
    return rf"^\(\s*({name}\s*,\s*){{{degree - 1}}}{name}(\s*,\s*'{tag}')?\s*,?\s*\)$"


def _keyed(pattern: str) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"pattern": pattern}}


_TUPLE_LIKE = r"^\(\s*'[^']*'\s*(,|(,\s*'[^']*'\s*)+\s*,?)\s*\)$"
_BASIS = {
    "type": "object",
    "properties": {
        "wcxf": {
            "type": "object",
            "properties": {
                "eft": {"type": "string"},
                "basis": {"type": "string"},
                "sectors": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["eft", "basis"],
            "additionalProperties": False,
        },
        "custom": {},
    },
    "anyOf": [{"required": ["wcxf"]}, {"required": ["custom"]}],
    "additionalProperties": False,
}
_INPUT = {
    "anyOf": [
        {"type": "number"},
        {
            "type": "object",
            "properties": {"mean": {}, "std": {}, "corr": {"type": "array"}},
            "required": ["mean"],
            "dependencies": {"corr": ["std"]},
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "distribution_type": {"type": "string", "minLength": 1},
                "distribution_parameters": {"type": "object", "minProperties": 1},
                "distribution_description": {"type": "string", "minLength": 1},
            },
            "required": [
                "distribution_type",
                "distribution_parameters",
                "distribution_description",
            ],
            "additionalProperties": False,
        },
    ]
}
_STEP = {
    "type": "object",
    "minProperties": 1,
    "properties": {
        "description": {"type": "string", "minLength": 1},
        "inputs": {"type": "object", "minProperties": 1, "additionalProperties": _INPUT},
        "tool": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "version": {"type": "string", "minLength": 1},
                "settings": {"type": "object", "minProperties": 1},
            },
            "required": ["name"],
        },
    },
}
_METADATA = {
    "type": "object",
    "properties": {
        "observable_names": _STRINGS,
        "parameters": _STRINGS,
        "basis": _BASIS,
        "polynomial_names": _STRINGS,
        "observable_expressions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "variables": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": {"type": "string", "minLength": 1},
                    },
                    "expression": {"type": "string", "minLength": 1},
                },
                "required": ["variables", "expression"],
                "additionalProperties": False,
            },
        },
        "scale": {"oneOf": [{"type": "number"}, _NUMBERS]},
        "polynomial_degree": {"type": "integer", "enum": list(DEGREES)},
        "reproducibility": {"type": "array", "minItems": 1, "items": _STEP},
        "misc": {"type": "object", "minProperties": 1},
    },
    "required": ["observable_names", "parameters", "basis", "scale"],
    "dependencies": {
        "polynomial_names": ["observable_expressions"],
        "observable_expressions": ["polynomial_names"],
    },
    "additionalProperties": False,
}
_POLYNOMIAL = {"type": "object", "minProperties": 1, "additionalProperties": _NUMBERS}
_DATA = {
    "type": "object",
    "properties": {
        "observable_central": _POLYNOMIAL,
        "polynomial_central": _POLYNOMIAL,
        "observable_uncertainties": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"not": {"pattern": _TUPLE_LIKE}},
            "additionalProperties": {"oneOf": [_POLYNOMIAL, _NUMBERS]},
        },
    },
    "anyOf": [{"required": ["observable_central"]}, {"required": ["polynomial_central"]}],
    "additionalProperties": False,
}


def _has(section: str, field: str, value: dict | None = None) -> dict[str, Any]:
    """Schema fragment: ``section`` has ``field`` (and it matches ``value`` if given)."""
    return {
        "properties": {
            section: {"type": "object", "properties": {field: value or {}}, "required": [field]}
        },
        "required": [section],
    }


def _degree_rule(degree: int) -> dict[str, Any]:
    """Monomial keys of ``degree`` names when ``polynomial_degree`` is ``degree``."""
    keyed = _keyed(monomial_key_pattern(degree))
    const = {
        "type": "object",
        "maxProperties": 1,
        **_keyed(monomial_key_pattern(degree, constant=True)),
    }
    when = _has("metadata", "polynomial_degree", {"const": degree})
    if degree == 2:  # also the default: no polynomial_degree at all
        when = {"anyOf": [when, {"not": _has("metadata", "polynomial_degree")}]}
    unc = {"additionalProperties": {"oneOf": [_NUMBERS, {**_POLYNOMIAL, **keyed}]}}
    array_scale = {
        "allOf": [
            _has("metadata", "polynomial_names"),
            _has("metadata", "scale", {"type": "array"}),
        ]
    }
    return {
        "if": when,
        "then": {
            "properties": {
                "data": {
                    "properties": {
                        "observable_central": keyed,
                        "polynomial_central": keyed,
                        "observable_uncertainties": unc,
                    }
                }
            },
            "allOf": [
                {
                    "if": array_scale,
                    "then": {
                        "properties": {
                            "data": {
                                "properties": {
                                    "observable_uncertainties": {
                                        "additionalProperties": {"oneOf": [_NUMBERS, const]}
                                    }
                                }
                            }
                        }
                    },
                }
            ],
        },
    }


POPXF_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": POPXF_SCHEMA_URI,
    "title": "POPxf 1.0 (mlstxs reconstruction of the field specification)",
    "type": "object",
    "properties": {
        "$schema": {"type": "string", "const": POPXF_SCHEMA_URI},
        "metadata": _METADATA,
        "data": _DATA,
    },
    "required": ["$schema", "metadata", "data"],
    "additionalProperties": False,
    "allOf": [
        {"if": _has("metadata", "polynomial_names"), "then": _has("data", "polynomial_central")},
        {"if": _has("data", "polynomial_central"), "then": _has("metadata", "polynomial_names")},
        {
            "if": {
                "allOf": [
                    _has("metadata", "polynomial_names"),
                    _has("metadata", "scale", {"type": "array"}),
                ]
            },
            "then": {"properties": {"data": {"not": {"required": ["observable_central"]}}}},
        },
        *(_degree_rule(d) for d in DEGREES),
    ],
}
"""JSON schema (draft-07) of a POPxf 1.0 file, see the module docstring."""


def register_schema() -> str:
    """Make popxf-validator know the POPxf 1.0 schema; return where its schema comes from.

    Returns ``"popxf-validator"`` if the installed validator ships the schema (it is then
    used unchanged) and ``"mlstxs"`` if :data:`POPXF_SCHEMA` was registered in its place.

    Raises
    ------
    ImportError
        If popxf-validator is not installed (``pip install mlstxs[publish]``).
    """
    from jsonschema.validators import Draft7Validator

    try:
        registry = importlib.import_module("popxf.validator.schemas")
    except ImportError as exc:
        raise ImportError(
            "the POPxf export needs popxf-validator: pip install 'mlstxs[publish]'"
        ) from exc
    shipped = registry.schemas.setdefault(POPXF_SCHEMA_NAME, POPXF_SCHEMA)
    registry.validators.setdefault(POPXF_SCHEMA_NAME, Draft7Validator)
    return "mlstxs" if shipped is POPXF_SCHEMA else "popxf-validator"
