"""The built-in LO event generator for p p → Z(→ℓ⁻ℓ⁺) H(→b b̄) with SMEFT weights."""

from ._config import GeneratorConfig
from ._events import channel_luminosities, event_weights, generate_chunk
from ._merge import merge_samples
from ._phasespace import PhaseSpacePoints, mzh_density, sample_phase_space
from ._run import (
    OutputExistsError,
    chunk_plan,
    generate,
    generate_to_directory,
)

__all__ = [
    "GeneratorConfig",
    "OutputExistsError",
    "PhaseSpacePoints",
    "channel_luminosities",
    "chunk_plan",
    "event_weights",
    "generate",
    "generate_chunk",
    "generate_to_directory",
    "merge_samples",
    "mzh_density",
    "sample_phase_space",
]
