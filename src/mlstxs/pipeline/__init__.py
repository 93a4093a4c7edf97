"""The chains of stages behind the commands, each written as one staged output
(:mod:`mlstxs._output`: complete or absent, resumable, one writer):

* :func:`design_regions`: the region study of a sample and its report;
* :func:`set_limits`: the SMEFT limits of every observable, with their tables, figures, pyhf
  workspace and page;
* :func:`reproduce`: generate the embedded default sample → design → limits.

The command layer (:mod:`mlstxs.cli`) parses options, calls one of these and prints a summary.
"""

from ._design import design_regions
from ._limits import WORKSPACE_FILE, set_limits
from ._progress import Progress, no_progress
from ._reproduce import INFERENCE_OPERATORS, ReproduceResult, reproduce, reproduce_settings

__all__ = [
    "INFERENCE_OPERATORS",
    "WORKSPACE_FILE",
    "Progress",
    "ReproduceResult",
    "design_regions",
    "no_progress",
    "reproduce",
    "reproduce_settings",
    "set_limits",
]
