"""File helpers shared by the stages: new files written atomically, JSON inputs.

Directory outputs are written through :mod:`mlstxs._output`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_new_file(path: Path, text: str) -> None:
    """Write a text file that must not exist yet, atomically: the content goes to a temporary
    sibling that is then hard-linked to ``path`` (which fails if ``path`` appeared meanwhile),
    so neither a concurrent writer's file nor a half-written one can result."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise FileExistsError(f"{path} already exists; choose another --out") from None
    finally:
        os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_json(path: Path, missing: str, error: type[Exception] = ValueError) -> Any:
    """Parse a JSON file; a missing file raises ``error("<path>: <missing>")`` and invalid
    JSON ``error("<path>: not valid JSON (...)")``."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: {missing}")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON ({exc})") from None
