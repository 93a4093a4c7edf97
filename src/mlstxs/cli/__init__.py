"""Command-line interface: ``mlstxs generate | info | merge | pdfs``."""

from ._main import cli, main

__all__ = ["cli", "main"]
