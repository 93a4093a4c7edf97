"""The record of the sample a study ran on (``study.json`` → ``sample``), and its check.

Downstream stages that take the sample again (``mlstxs publish --sample``) compare it with
this record, so that regions designed on one sample are not parametrised with another.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._output import file_digest
from ..io import SampleMetadata
from ._result import StudyResult


def sample_record(sample_path: str | Path, meta: SampleMetadata) -> dict[str, Any]:
    """The ``sample`` entry of ``study.json`` (``docs/study_format.md``): path, level, event
    count, operators, Λ [TeV], √s [GeV], generator settings, σ_SM [pb] and the cross section
    and error [pb] of every weight term (which tell samples of equal settings apart), the
    detector settings of a detector-level sample and the SHA-256 fingerprint of its
    ``metadata.json`` (when the file is there)."""
    meta_file = Path(sample_path) / "metadata.json"
    return {
        "path": str(sample_path),
        "level": meta.level,
        "n_events": meta.n_events,
        "operators": list(meta.operators),
        "lambda_TeV": meta.lambda_TeV,
        "sqrt_s_GeV": meta.sqrt_s_GeV,
        "generator": meta.generator,
        "xsec_sm_pb": meta.xsec["w_sm"].xsec_pb,
        "xsec": {t: x.model_dump() for t, x in meta.xsec.items()},
        "detector": meta.detector,
        "fingerprint": file_digest(meta_file) if meta_file.is_file() else None,
    }


_NOT_COMPARED = ("path", "fingerprint")
"""Fields that differ between equal samples (where they lie; the command line that wrote
them, which the metadata records)."""


def _differences(recorded: Any, actual: Any, name: str) -> list[str]:
    if isinstance(recorded, Mapping) and isinstance(actual, Mapping):
        keys = [*recorded, *(k for k in actual if k not in recorded)]
        return [
            d for k in keys for d in _differences(recorded.get(k), actual.get(k), f"{name}.{k}")
        ]
    return [] if recorded == actual else [f"{name} is {actual!r} here, {recorded!r} in study.json"]


def check_study_sample(study: StudyResult, sample_path: str | Path, meta: SampleMetadata) -> None:
    """Refuse a sample that is not the one the study ran on.

    Every field of the study's sample record (:func:`sample_record`; only those present, so
    older records are checked on what they hold) except the path is compared with the
    sample's metadata; the same settings and seed regenerate the same sample, which passes.

    Raises
    ------
    ValueError
        Naming the first differing field with both values, and how many differ.
    """
    recorded = study.sample.model_dump(mode="json", exclude_none=True)
    actual = sample_record(sample_path, meta)
    diffs = [
        d
        for key, value in recorded.items()
        if key not in _NOT_COMPARED and key in actual
        for d in _differences(value, actual[key], key)
    ]
    if diffs:
        more = f" (and {len(diffs) - 1} more differences)" if len(diffs) > 1 else ""
        raise ValueError(f"{sample_path} is not the sample the study ran on: {diffs[0]}{more}")
