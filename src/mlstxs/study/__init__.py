"""The ML-inspired STXS region study: ensembles of splits, every method per slice and ε."""

from ._config import EVENTS_FOR_PRESET, PRESETS, StudyConfig
from ._data import StudyData, study_data
from ._ensemble import StudyExistsError, assemble, run_study, split_seeds
from ._methods import METHODS, RegionChoice
from ._split import run_split

__all__ = [
    "EVENTS_FOR_PRESET",
    "METHODS",
    "PRESETS",
    "RegionChoice",
    "StudyConfig",
    "StudyData",
    "StudyExistsError",
    "assemble",
    "run_split",
    "run_study",
    "split_seeds",
    "study_data",
]
