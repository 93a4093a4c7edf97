"""Reading a region-study result for the report: the typed :class:`~mlstxs.study.StudyResult`
and its index (owned by :mod:`mlstxs.study`), and the names of its files."""

from __future__ import annotations

import logging
from pathlib import Path

from ..study import (
    STUDY_FORMAT,
    STUDY_FORMAT_VERSION,
    StudyFormatError,
    StudyIndex,
    StudyResult,
    Summary,
    designed_line_methods,
    eps_tag,
    slice_slug,
    slug,
    summarize,
)

logger = logging.getLogger("mlstxs.report")

LINE_METHODS: tuple[str, ...] = designed_line_methods()
"""Methods that design a straight line m_ZH > a·p_T^Z + b (from the method registry)."""


def load_study(path: Path) -> StudyResult:
    """Read and validate ``study.json`` (:meth:`mlstxs.study.StudyResult.load`).

    Raises
    ------
    StudyFormatError
        If the file is missing or not JSON, or a field is wrong; the message names the file
        and the field.
    """
    return StudyResult.load(path)


__all__ = [
    "LINE_METHODS",
    "STUDY_FORMAT",
    "STUDY_FORMAT_VERSION",
    "StudyFormatError",
    "StudyIndex",
    "Summary",
    "eps_tag",
    "load_study",
    "logger",
    "slice_slug",
    "slug",
    "summarize",
]
