"""Region design in STXS p_T(Z) slices: lines in (p_T^Z, m_ZH), SVMs, scans, distillation."""

from ._distill import DistilledLines, distill_score
from ._dnn import DNNClassifier
from ._line import LinearBoundary
from ._scan import LineScan, scan_lines
from ._slices import STXS_SLICE_EDGES_GEV, PtSlice, pt_slices
from ._svm import SVMBoundary, sm_vs_eft_dataset
from ._threshold import ThresholdResult, best_threshold

__all__ = [
    "STXS_SLICE_EDGES_GEV",
    "DNNClassifier",
    "DistilledLines",
    "LineScan",
    "LinearBoundary",
    "PtSlice",
    "SVMBoundary",
    "ThresholdResult",
    "best_threshold",
    "distill_score",
    "pt_slices",
    "scan_lines",
    "sm_vs_eft_dataset",
]
