"""Output directories that never lose data: one writer, staged writes, safe overwrite, resume.

Every command that writes a directory ``OUT`` goes through :func:`staged_output`. On disk,
next to ``OUT`` in the same parent directory::

    OUT/                       the finished output; holds .mlstxs-output.json (the marker)
    .OUT.mlstxs-partial/       the run in progress, with its checkpoints (.mlstxs-partial.json)
    .OUT.mlstxs-lock           the writer's lock (flock) naming its PID, host and start time
    .OUT.mlstxs-old/           the previous output, only during the final swap

The rules this gives:

* **Nothing is replaced before the new output is complete.** A run writes into the partial
  directory; only when it has finished is the marker written and the partial directory
  renamed onto ``OUT`` (the previous output is first renamed aside, then removed). A crash
  between the two renames is repaired by the next writer: the complete partial directory is
  moved into place, or the previous output is put back.
* **``--overwrite`` replaces only what mlstxs wrote**: a directory with the marker, of the same
  kind, holding no entry the marker does not list; never an input of the same command.
* **One writer per output**: the lock is an ``fcntl.flock`` on the lock file, so the kernel
  releases it when its holder dies, however it dies; a second writer is refused at once with
  the holder's PID, host and start time, and a stale lock left by a dead process is taken over.
* **Resume**: the partial directory records the identity of the run (its settings and the
  fingerprints of its inputs). The same command finds it and continues from its checkpoints; a
  run of other settings is refused unless ``--overwrite``, which discards the partial run.
  Writers that cannot resume (``resumable=False``) remove their partial directory on failure.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = ".mlstxs-output.json"
PARTIAL_MARKER = ".mlstxs-partial.json"
MARKER_FORMAT = "mlstxs.output"
MARKER_VERSION = 1


class OutputError(FileExistsError):
    """An output directory that may not be written or replaced (the reason is the message)."""


class OutputLockedError(OutputError):
    """Another process is writing the same output directory."""


@dataclass(frozen=True)
class StagedOutput:
    """Where a run writes.

    Attributes
    ----------
    path : Path
        The final output directory.
    work : Path
        The directory to write into: the partial directory, or ``path`` itself when
        ``complete`` (then nothing is to be written).
    resumed : bool
        The partial directory of an interrupted run of the same identity was found.
    complete : bool
        ``path`` already holds a finished output of the same identity and the caller allowed
        reusing it (``reuse_finished``); the caller should read it instead of recomputing.
    """

    path: Path
    work: Path
    resumed: bool
    complete: bool


def sibling(out: Path, role: str) -> Path:
    """The hidden sibling ``.OUT.mlstxs-<role>`` of an output directory."""
    return out.parent / f".{out.name}.mlstxs-{role}"


def identity_digest(identity: Any) -> str:
    """SHA-256 of the canonical JSON of a run's identity (settings and input fingerprints)."""
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (the fingerprint of an input such as ``metadata.json``)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_marker(path: Path) -> dict | None:
    """The marker of a finished mlstxs output directory, or None if it has none."""
    try:
        data = json.loads((Path(path) / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == MARKER_FORMAT else None


def is_complete(path: Path, kind: str, identity: Any) -> bool:
    """Whether ``path`` holds a finished output of this kind and identity."""
    marker = read_marker(path)
    return (
        marker is not None
        and bool(marker)
        and marker.get("kind") == kind
        and marker.get("identity_sha256") == (identity_digest(identity))
    )


# -- the lock ---------------------------------------------------------------------------------
def _holder_text(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = os.read(fd, 4096).decode(errors="replace")
    try:
        h = json.loads(raw)
        return f"PID {h['pid']} on {h['host']}, started {h['started']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[str | None]:
    """Hold the exclusive writer's lock of ``out``; yield the holder left by a dead process
    whose stale lock was taken over, or None.

    Raises
    ------
    OutputLockedError
        If another live process holds the lock (the message names it).
    """
    lock = sibling(out, "lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_text(fd)
            os.close(fd)
            raise OutputLockedError(
                f"{out} is being written by another mlstxs process ({holder}); "
                "wait for it to finish or stop it"
            ) from None
        try:  # the file may have been removed by the holder that just released it
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    stale = _holder_text(fd) if os.fstat(fd).st_size else None
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(sys.argv),
    }
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, json.dumps(info).encode())
    try:
        yield stale
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# -- checks on what is there ------------------------------------------------------------------
def _check_inputs(out: Path, inputs: Iterable[str | Path | None]) -> None:
    """Refuse an output that is an input, lies inside one, or contains one."""
    resolved = out.resolve()
    for p in inputs:
        if p is None:
            continue
        q = Path(p).resolve()
        if q == resolved:
            how = "is"
        elif q in resolved.parents:
            how = f"lies inside {p},"
        elif resolved in q.parents:
            how = f"contains {p},"
        else:
            continue
        raise OutputError(f"--out {out} {how} an input of this command; choose another --out")


def _listing(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()} - {MARKER, PARTIAL_MARKER}


def _check_replaceable(out: Path, kind: str) -> None:
    """Refuse to replace ``out`` unless mlstxs wrote it, as this kind, and nothing was added."""
    if out.is_symlink() or not out.is_dir():
        raise OutputError(f"{out} exists and is not a directory; choose another --out")
    if not any(out.iterdir()):
        return
    marker = read_marker(out)
    if marker is None:
        raise OutputError(
            f"{out} exists and was not written by mlstxs (no {MARKER}); it is not replaced: "
            "choose another --out or remove it yourself"
        )
    if marker.get("kind") != kind:
        raise OutputError(
            f"{out} holds an mlstxs {marker.get('kind')} output, not a {kind}; it is not "
            "replaced: choose another --out"
        )
    foreign = sorted(_listing(out) - set(marker.get("entries", [])))
    if foreign:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise OutputError(
            f"{out} holds files mlstxs did not write ({shown}); it is not replaced: "
            "move them away or choose another --out"
        )


def _check_existing(out: Path, kind: str, overwrite: bool) -> None:
    if out.exists() or out.is_symlink():
        _check_replaceable(out, kind)
        if any(out.iterdir()) and not overwrite:
            raise OutputError(f"{out} already exists; choose another --out or pass --overwrite")


def check_output(
    out: str | Path, *, kind: str, overwrite: bool = False, inputs: Iterable = ()
) -> None:
    """Refuse at once, before any work, an output that :func:`staged_output` would refuse
    (an input, a foreign or other-kind directory, an existing output without ``overwrite``)."""
    out = Path(out)
    _check_inputs(out, inputs)
    _check_existing(out, kind, overwrite)


def _recover_swap(out: Path, work: Path) -> None:
    """Finish a swap that was cut short: a partial directory that already holds the marker is
    a complete run (the steps of :func:`_finish` are marker, aside, into place, clean up)."""
    old = sibling(out, "old")
    if read_marker(work) is not None:
        if out.exists() and not old.exists():
            out.rename(old)
        work.rename(out)
    if old.exists():
        if out.exists():
            shutil.rmtree(old)
        else:  # the new output never arrived: put the previous one back
            old.rename(out)


def _read_partial(work: Path) -> dict | None:
    try:
        data = json.loads((work / PARTIAL_MARKER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _prepare_partial(
    out: Path, work: Path, kind: str, digest: str, overwrite: bool, resumable: bool
) -> bool:
    """Create or reuse the partial directory; return whether an earlier run is resumed."""
    if work.exists():
        partial = _read_partial(work)
        if partial is None:
            raise OutputError(
                f"{work} exists but is not an unfinished mlstxs run; remove it or choose "
                "another --out"
            )
        same = partial.get("kind") == kind and partial.get("identity_sha256") == digest
        if same and resumable:
            return True
        if not (overwrite or not resumable):
            raise OutputError(
                f"{out} has an unfinished run with different settings or inputs ({work}); rerun "
                "with the same ones to resume, or pass --overwrite to discard it"
            )
        shutil.rmtree(work)
    work.mkdir()
    _write_json(work / PARTIAL_MARKER, {"kind": kind, "identity_sha256": digest})
    return False


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True, default=str)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def _finish(out: Path, work: Path, kind: str, identity: Any, digest: str) -> None:
    """Write the marker and move the partial directory into place atomically."""
    from . import __version__

    _write_json(
        work / MARKER,
        {
            "format": MARKER_FORMAT,
            "format_version": MARKER_VERSION,
            "kind": kind,
            "identity_sha256": digest,
            "identity": identity,
            "entries": sorted(_listing(work)),
            "mlstxs_version": __version__,
        },
    )
    (work / PARTIAL_MARKER).unlink()
    old = sibling(out, "old")
    if out.exists():
        out.rename(old)
    work.rename(out)
    if old.exists():
        shutil.rmtree(old)


def _holds_nothing(work: Path) -> bool:
    """No file but the partial marker: nothing worth resuming (empty folders don't count)."""
    return work.is_dir() and not any(
        p.is_file() and p.name != PARTIAL_MARKER for p in work.rglob("*")
    )


@contextlib.contextmanager
def staged_output(
    out: str | Path,
    *,
    kind: str,
    identity: Mapping[str, Any],
    overwrite: bool = False,
    inputs: Iterable[str | Path | None] = (),
    resumable: bool = True,
    reuse_finished: bool = False,
) -> Iterator[StagedOutput]:
    """Write the output directory ``out`` safely (see the module docstring).

    Parameters
    ----------
    out : path
        The final output directory.
    kind : str
        What is written (``"sample"``, ``"study"``, ``"limits"``, ``"publication"``,
        ``"reproduce"``); an existing output of another kind is never replaced.
    identity : mapping
        JSON-serialisable settings and input fingerprints: two runs with the same identity
        write the same output, so one may resume the other.
    overwrite : bool
        Replace a finished output (once the new one is complete) and discard a partial run of
        another identity.
    inputs : paths
        The command's inputs; ``out`` may not be, contain or lie inside any of them.
    resumable : bool
        Whether the writer resumes from what it finds in ``work``; if not, a partial directory
        is always started afresh and removed on failure.
    reuse_finished : bool
        A finished output of the same identity is handed back with ``complete=True`` instead
        of being refused (without ``overwrite``).

    Raises
    ------
    OutputError
        If ``out`` exists and may not be replaced, overlaps an input, or has an unfinished run
        of other settings; :class:`OutputLockedError` if another process writes it.
    """
    out = Path(out)
    _check_inputs(out, inputs)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = sibling(out, "partial")
    digest = identity_digest(identity)
    with output_lock(out):
        _recover_swap(out, work)
        if reuse_finished and not overwrite and is_complete(out, kind, identity):
            yield StagedOutput(out, out, resumed=False, complete=True)
            return
        _check_existing(out, kind, overwrite)
        resumed = _prepare_partial(out, work, kind, digest, overwrite, resumable)
        try:
            yield StagedOutput(out, work, resumed=resumed, complete=False)
            _finish(out, work, kind, identity, digest)
        except BaseException as exc:
            if (not resumable and read_marker(work) is None) or _holds_nothing(work):
                shutil.rmtree(work, ignore_errors=True)
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                kept = f"; the unfinished run is kept in {work}" if work.exists() else ""
                raise OSError(
                    errno.ENOSPC,
                    f"no space left on device while writing {out}{kept}: free "
                    "space and rerun the same command",
                ) from exc
            raise
