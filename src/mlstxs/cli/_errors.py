"""One-line error reporting for the command layer."""

from __future__ import annotations

import functools
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from pydantic import ValidationError

INTERRUPTED = "interrupted; rerun the same command to resume"


class Interrupted(KeyboardInterrupt):
    """SIGTERM (a batch system's kill), raised in the main thread like a Ctrl-C, so that
    ``finally`` blocks and context managers run: the Dask cluster is closed, the output's lock
    released. ``signum`` is the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def one_line(exc: BaseException) -> str:
    """A one-line description of an error, naming the bad field of a validation error."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        return f"invalid {loc}: {msg}" if loc else msg
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _debug() -> bool:
    return bool((click.get_current_context().obj or {}).get("debug"))


def _raise_interrupted(signum: int, frame) -> None:
    raise Interrupted(signum)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into :class:`Interrupted` for the block, restoring the handler after
    (only in the main thread, where handlers can be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def reports_errors(func: Callable) -> Callable:
    """Turn expected failures into ``Error: <reason>`` on stderr and exit code 1
    (a full traceback with ``mlstxs --debug``).

    An interrupt (Ctrl-C, or SIGTERM, which becomes :class:`Interrupted` while the command
    runs) prints ``Error: interrupted; rerun the same command to resume`` once the command has
    cleaned up, and exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as
    a shell reports a process killed by that signal.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with _sigterm_interrupts():
                return func(*args, **kwargs)
        except KeyboardInterrupt as exc:
            if _debug():
                traceback.print_exc()
            click.echo(f"Error: {INTERRUPTED}", err=True)
            sys.exit(128 + getattr(exc, "signum", signal.SIGINT))
        except (ValueError, OSError, KeyError) as exc:
            if _debug():
                raise
            click.echo(f"Error: {one_line(exc)}", err=True)
            sys.exit(1)

    return wrapper
