"""File helpers shared by the stages: atomic directory outputs and JSON inputs."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling directory of ``path`` to write into. On success it replaces
    ``path``; on any error it is removed, so no half-written output is left behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


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
