"""mlstxs: design SMEFT-sensitive, publishable STXS-like regions for p p → Z H → ℓℓ b b̄."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlstxs")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
