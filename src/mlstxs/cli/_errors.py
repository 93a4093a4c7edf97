"""One-line error reporting for the command layer."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import click
from pydantic import ValidationError


def one_line(exc: BaseException) -> str:
    """A one-line description of an error, naming the bad field of a validation error."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        return f"invalid {loc}: {msg}" if loc else msg
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def reports_errors(func: Callable) -> Callable:
    """Turn expected failures into ``Error: <reason>`` on stderr and exit code 1
    (a full traceback with ``mlstxs --debug``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ValueError, OSError, KeyError) as exc:
            if click.get_current_context().obj.get("debug"):
                raise
            click.echo(f"Error: {one_line(exc)}", err=True)
            sys.exit(1)

    return wrapper
