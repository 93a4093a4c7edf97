"""How the pipeline reports progress without knowing how it is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Progress = Callable[[str], AbstractContextManager[Callable[[int, int], None]]]
"""``progress(label)`` is a context manager yielding ``update(done, total)`` for one phase
(the command layer passes a rich progress bar)."""


@contextmanager
def no_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """The silent :data:`Progress`."""
    yield lambda done, total: None
