"""Progress display for long commands (rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """Yield an ``update(done, total)`` callback drawing a progress bar on stderr."""
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def progress_factory(enabled: bool):
    """A :data:`mlstxs.pipeline.Progress`: a bar per phase, or none."""
    from ..pipeline import no_progress

    if not enabled:
        return no_progress
    return progress_bar
