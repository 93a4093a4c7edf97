"""Fast parametrised detector simulation for pp → ZH → ℓ⁻ℓ⁺bb̄.

``simulate_detector(events, config, random_state)`` smears the true four-momenta with
ATLAS/CMS-like resolutions, applies a VH(bb̄) two-lepton-like selection and returns the
reconstructed columns of the passing events with their efficiency weight factors (truth
tagging). Configuration: :class:`DetectorConfig` (frozen pydantic model, loadable from
YAML/JSON); the cuts and their order: :data:`CUTS`.
"""

from ._config import BJetConfig, DetectorConfig, LeptonConfig, Resolution, SelectionConfig
from ._selection import CUTS
from ._simulate import DetectorResult, simulate_detector

__all__ = [
    "CUTS",
    "BJetConfig",
    "DetectorConfig",
    "DetectorResult",
    "LeptonConfig",
    "Resolution",
    "SelectionConfig",
    "simulate_detector",
]
