"""Output directories that never lose data: staged writes, safe overwrite, one writer, resume,
repair of an interrupted swap, a full disk (``mlstxs._output``)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from mlstxs._output import (
    MARKER,
    PARTIAL_MARKER,
    OutputError,
    OutputLockedError,
    check_output,
    identity_digest,
    output_lock,
    read_marker,
    sibling,
    staged_output,
)

ID = {"settings": 1}


def write(out, text="new", identity=ID, kind="thing", **kwargs):
    with staged_output(out, kind=kind, identity=identity, **kwargs) as stage:
        (stage.work / "data.txt").write_text(text)
    return out


def siblings(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_a_finished_output_has_its_marker_and_nothing_is_left_beside_it(tmp_path):
    out = write(tmp_path / "o")
    marker = read_marker(out)
    assert marker["kind"] == "thing" and marker["entries"] == ["data.txt"]
    assert marker["identity_sha256"] == identity_digest(ID)
    assert not (out / PARTIAL_MARKER).exists()
    assert siblings(out) == []


def test_directories_follow_the_umask_not_0700(tmp_path):
    old = os.umask(0o022)
    try:
        out = write(tmp_path / "o")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


def test_an_existing_output_needs_overwrite_and_is_replaced_only_on_success(tmp_path):
    out = write(tmp_path / "o", "old")
    with pytest.raises(OutputError, match="already exists; choose another --out or pass"):
        write(out, "new")
    with pytest.raises(RuntimeError), staged_output(out, kind="thing", identity=ID, overwrite=True):
        raise RuntimeError("the new run fails")
    assert (out / "data.txt").read_text() == "old"
    write(out, "new", overwrite=True)
    assert (out / "data.txt").read_text() == "new"
    assert siblings(out) == []


def test_an_empty_directory_is_written_into(tmp_path):
    (tmp_path / "o").mkdir()
    assert (write(tmp_path / "o") / "data.txt").read_text() == "new"


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_directory_mlstxs_did_not_write_is_never_replaced(tmp_path, overwrite):
    out = tmp_path / "u"
    out.mkdir()
    (out / "thesis.tex").write_text("x")
    with pytest.raises(OutputError, match="was not written by mlstxs"):
        write(out, overwrite=overwrite)
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]
    with pytest.raises(OutputError, match="not written by mlstxs"):
        check_output(out, kind="thing", overwrite=overwrite)


def test_files_added_to_an_output_protect_it(tmp_path):
    out = write(tmp_path / "o", "old")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"holds files mlstxs did not write \(notes.txt\)"):
        write(out, overwrite=True)
    assert (out / "data.txt").read_text() == "old" and (out / "notes.txt").exists()


def test_an_output_of_another_kind_or_a_file_is_not_replaced(tmp_path):
    out = write(tmp_path / "o", kind="sample")
    with pytest.raises(OutputError, match="holds an mlstxs sample output, not a study"):
        write(out, kind="study", overwrite=True)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputError, match="is not a directory"):
        write(f, overwrite=True)
    assert f.read_text() == "x"


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_an_input_is_never_the_output(tmp_path, where):
    sample = write(tmp_path / "sample", "input", kind="sample")
    out = {"same": sample, "inside": sample / "x", "around": tmp_path}[where]
    with pytest.raises(OutputError, match="an input of this command"):
        write(out, kind="sample", overwrite=True, inputs=[sample])
    assert (sample / "data.txt").read_text() == "input"


def test_an_interrupted_run_resumes_and_other_settings_are_refused(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt), staged_output(out, kind="thing", identity=ID) as st:
        (st.work / "chunk-0").write_text("done")
        raise KeyboardInterrupt
    assert not out.exists() and (sibling(out, "partial") / "chunk-0").exists()
    with pytest.raises(OutputError, match="unfinished run with different settings"):
        write(out, identity={"settings": 2})
    with staged_output(out, kind="thing", identity=ID) as stage:
        assert stage.resumed and (stage.work / "chunk-0").read_text() == "done"
    assert (out / "chunk-0").exists() and siblings(out) == []
    # --overwrite discards an unfinished run of other settings
    with (
        pytest.raises(KeyboardInterrupt),
        staged_output(tmp_path / "p", kind="t", identity=ID) as st,
    ):
        (st.work / "chunk-0").write_text("done")
        raise KeyboardInterrupt
    with staged_output(tmp_path / "p", kind="t", identity={"x": 2}, overwrite=True) as stage:
        assert not stage.resumed and not (stage.work / "chunk-0").exists()


def test_a_run_that_wrote_nothing_or_cannot_resume_leaves_nothing(tmp_path):
    out = tmp_path / "o"
    with pytest.raises(ValueError), staged_output(out, kind="thing", identity=ID):
        raise ValueError("bad input")
    with pytest.raises(ValueError), staged_output(out, kind="t", identity=ID, resumable=False) as s:
        (s.work / "half.txt").write_text("half")
        raise ValueError("bad input")
    assert not out.exists() and siblings(out) == []


def test_a_finished_output_is_reused_when_asked(tmp_path):
    out = write(tmp_path / "o", "old")
    with staged_output(out, kind="thing", identity=ID, reuse_finished=True) as stage:
        assert stage.complete and stage.work == out
    with pytest.raises(OutputError, match="already exists"):
        write(out, identity={"other": 1}, reuse_finished=True)


# -- one writer ------------------------------------------------------------------------------
HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from mlstxs._output import staged_output
    out = Path(sys.argv[1])
    with staged_output(out, kind="thing", identity={"settings": 1}) as stage:
        (stage.work / "chunk-0").write_text("done")
        print("ready", flush=True)
        time.sleep(60)
    """
)


def _holder(out):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path):
    out = tmp_path / "o"
    proc = _holder(out)
    try:
        with pytest.raises(OutputLockedError) as exc:
            write(out)
        msg = str(exc.value)
        assert f"PID {proc.pid} on {socket.gethostname()}, started " in msg
        assert "being written by another mlstxs process" in msg
    finally:
        proc.kill()
        proc.wait()


def test_a_writer_killed_with_sigkill_leaves_a_stale_lock_that_is_taken_over(tmp_path):
    out = tmp_path / "o"
    proc = _holder(out)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert sibling(out, "lock").exists()
    with output_lock(out) as stale:
        assert f"PID {proc.pid}" in stale
    with staged_output(out, kind="thing", identity=ID) as stage:
        assert stage.resumed and (stage.work / "chunk-0").read_text() == "done"
    assert siblings(out) == []


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    out = tmp_path / "o"
    with output_lock(out):
        with pytest.raises(OutputLockedError, match=f"PID {os.getpid()}"):
            write(out)
    assert not sibling(out, "lock").exists()


# -- the swap, cut short at each step --------------------------------------------------------
def _complete_partial(out, text):
    """A partial directory in the state _finish leaves it after writing the marker."""
    work = sibling(out, "partial")
    work.mkdir()
    (work / "data.txt").write_text(text)
    (work / MARKER).write_text(
        json.dumps(
            {
                "format": "mlstxs.output",
                "kind": "thing",
                "identity_sha256": "x",
                "entries": ["data.txt"],
            }
        )
    )
    return work


@pytest.mark.parametrize("step", ["marker written", "old set aside", "new in place"])
def test_a_swap_cut_short_is_finished_by_the_next_writer(tmp_path, step):
    out = write(tmp_path / "o", "old")
    work = _complete_partial(out, "new")
    old = sibling(out, "old")
    if step != "marker written":
        out.rename(old)
    if step == "new in place":
        work.rename(out)
    with output_lock(out):
        pass  # nothing is repaired by the lock alone
    with pytest.raises(OutputError, match="already exists"):
        write(out)  # repairs first, then refuses: the output is complete
    assert (out / "data.txt").read_text() == "new"
    assert siblings(out) == []


def test_a_swap_whose_new_output_vanished_puts_the_old_one_back(tmp_path):
    out = write(tmp_path / "o", "old")
    out.rename(sibling(out, "old"))
    with pytest.raises(OutputError, match="already exists"):
        write(out)
    assert (out / "data.txt").read_text() == "old" and siblings(out) == []


# -- a full disk -----------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (needs root and mount rights; skipped otherwise)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs needs root")
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", f"mlstxs-{uuid.uuid4().hex[:8]}", str(mnt)],
        capture_output=True,
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    yield mnt
    for _ in range(20):
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode == 0:
            break
        time.sleep(0.1)


def test_a_full_disk_keeps_the_previous_output_and_says_so(small_disk):
    out = write(small_disk / "o", "old")
    with pytest.raises(OSError) as exc:
        with staged_output(out, kind="thing", identity=ID, overwrite=True) as stage:
            (stage.work / "chunk-0").write_bytes(b"x" * 100_000)
            (stage.work / "big").write_bytes(b"x" * 4_000_000)
    assert exc.value.errno == errno.ENOSPC
    assert "no space left on device while writing" in str(exc.value)
    assert "unfinished run is kept" in str(exc.value)
    assert (out / "data.txt").read_text() == "old"
    (sibling(out, "partial") / "big").unlink()  # space freed: the same run resumes
    with staged_output(out, kind="thing", identity=ID, overwrite=True) as stage:
        assert stage.resumed
    assert (out / "chunk-0").exists() and siblings(out) == []
