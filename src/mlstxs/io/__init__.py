"""Reading and writing event samples (Parquet + JSON metadata)."""

from ._lhe import LHEHeaderInfo, LHEPair, LHEResult, read_lhe, read_lhe_pair
from ._metadata import (
    FORMAT_VERSION,
    SampleFormatError,
    SampleMetadata,
    TermCrossSection,
    command_line,
    package_versions,
)
from ._ntuple import CartesianBranches, NtupleMapping, PtEtaPhiMBranches, read_ntuple
from ._sample import (
    COMPONENTS,
    MOMENTUM_OBJECTS,
    STXS_PTZ_EDGES_GEV,
    BinnedCrossSections,
    EventSample,
    SampleSplit,
    mc_error,
    momentum_column_names,
    read_part,
    split_indices,
    validate_columns,
    write_part,
)

__all__ = [
    "COMPONENTS",
    "FORMAT_VERSION",
    "MOMENTUM_OBJECTS",
    "STXS_PTZ_EDGES_GEV",
    "BinnedCrossSections",
    "CartesianBranches",
    "EventSample",
    "LHEHeaderInfo",
    "LHEPair",
    "LHEResult",
    "NtupleMapping",
    "PtEtaPhiMBranches",
    "SampleFormatError",
    "SampleMetadata",
    "SampleSplit",
    "TermCrossSection",
    "command_line",
    "mc_error",
    "momentum_column_names",
    "package_versions",
    "read_lhe",
    "read_lhe_pair",
    "read_ntuple",
    "read_part",
    "split_indices",
    "validate_columns",
    "write_part",
]
