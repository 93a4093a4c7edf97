"""Fast parametrised detector simulation for pp → ZH → ℓ⁻ℓ⁺bb̄.

``simulate_detector(events, config, random_state)`` smears the true four-momenta with
ATLAS/CMS-like resolutions, applies a VH(bb̄) two-lepton-like selection and returns the
reconstructed columns of the passing events with their efficiency weight factors (truth
tagging). Configuration: :class:`DetectorConfig` (frozen pydantic model, loadable from
YAML/JSON); the cuts and their order: :data:`CUTS`.

The realistic path: :func:`write_lhe` writes generated events as Les Houches events and
:func:`shower_sample` showers and hadronises them with Pythia 8, clusters anti-kt jets with
FastJet and b-tags them by B-hadron association (``shower`` extra: fastjet).
"""

from ._config import BJetConfig, DetectorConfig, LeptonConfig, Resolution, SelectionConfig
from ._lhe_writer import write_lhe
from ._selection import CUTS
from ._shower import ShowerResult, shower_sample
from ._simulate import DetectorResult, simulate_detector

__all__ = [
    "CUTS",
    "BJetConfig",
    "DetectorConfig",
    "DetectorResult",
    "LeptonConfig",
    "Resolution",
    "SelectionConfig",
    "ShowerResult",
    "shower_sample",
    "simulate_detector",
    "write_lhe",
]
