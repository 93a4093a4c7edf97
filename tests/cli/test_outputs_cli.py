"""Commands never lose data: ``--overwrite`` cannot delete an input, a foreign directory or a good
earlier output; two writers of one ``--out`` cannot both write it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from mlstxs._output import output_lock, read_marker
from mlstxs.cli import cli
from mlstxs.generate import GeneratorConfig, generate
from mlstxs.io import EventSample


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("outputs") / "s"
    generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=30_000, seed=3, level="detector")
    ).save(path)
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], obj={})


def tree(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def one_line_error(res, *fragments):
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.output
    for f in fragments:
        assert f in lines[0], res.output


@pytest.mark.parametrize("command", ["limits", "design"])
def test_overwrite_cannot_delete_the_input_sample(sample_dir, command):
    before = tree(sample_dir)
    extra = ["--learner", "none"] if command == "limits" else ["--quick"]
    res = invoke(command, sample_dir, "--out", sample_dir, "--overwrite", *extra)
    one_line_error(res, "an input of this command")
    assert tree(sample_dir) == before
    EventSample.load(sample_dir)


def test_overwrite_cannot_delete_a_directory_mlstxs_did_not_write(tmp_path):
    u = tmp_path / "u"
    u.mkdir()
    (u / "thesis.tex").write_text("x")
    res = invoke(
        "generate", "--events", 2000, "--level", "parton", "--scheduler", "synchronous",
        "--out", u, "--overwrite", "--no-progress",
    )  # fmt: skip
    one_line_error(res, "was not written by mlstxs", "not replaced")
    assert [p.name for p in u.iterdir()] == ["thesis.tex"]
    assert (u / "thesis.tex").read_text() == "x"


def test_a_failed_rerun_keeps_the_good_earlier_output(sample_dir, tmp_path):
    v = tmp_path / "v"
    assert invoke("limits", sample_dir, "--out", v, "--learner", "none").exit_code == 0
    before = tree(v)
    res = invoke(
        "limits", sample_dir, "--design", "/nonexistent", "--out", v, "--overwrite",
        "--learner", "none",
    )  # fmt: skip
    one_line_error(res, "/nonexistent")
    assert tree(v) == before
    # the same rerun with good inputs replaces it, and only then
    res = invoke(
        "limits", sample_dir, "--out", v, "--overwrite", "--learner", "none", "--lumi", 3000
    )
    assert res.exit_code == 0, res.output
    assert tree(v) != before and read_marker(v)["kind"] == "limits"


def test_outputs_of_other_commands_are_not_replaced(sample_dir, tmp_path):
    lim = tmp_path / "lim"
    assert invoke("limits", sample_dir, "--out", lim, "--learner", "none").exit_code == 0
    res = invoke(
        "generate", "--events", 2000, "--level", "parton", "--scheduler", "synchronous",
        "--out", lim, "--overwrite", "--no-progress",
    )  # fmt: skip
    one_line_error(res, "holds an mlstxs limits output, not a sample")


def test_a_locked_output_is_refused_at_once_naming_the_holder(tmp_path):
    out = tmp_path / "same"
    with output_lock(out):
        res = invoke(
            "generate", "--events", 2000, "--level", "parton", "--scheduler", "synchronous",
            "--out", out, "--no-progress",
        )  # fmt: skip
    one_line_error(res, "being written by another mlstxs process (PID ")
    assert not out.exists()


GENERATE = [
    sys.executable, "-m", "mlstxs.cli", "generate", "--operators", "cHW", "--events", "40000",
    "--seed", "5", "--level", "parton", "--chunk-size", "2000", "--scheduler", "synchronous",
    "--no-progress", "--out",
]  # fmt: skip


@pytest.mark.slow
def test_two_writers_of_one_output_race_safely(tmp_path):
    """The race of the issue: both start together; one writes, the other is refused (locked, or
    finding the finished output); the sample is always the full one."""
    reference = None
    for trial in range(3):
        out = tmp_path / f"same{trial}"
        procs = [
            subprocess.Popen([*GENERATE, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        results = [(p.wait(), p.stdout.read().decode(), p.stderr.read().decode()) for p in procs]
        codes = sorted(r[0] for r in results)
        assert codes[0] == 0, results
        for code, _, err in results:
            if code != 0:
                assert code == 1 and len(err.strip().splitlines()) == 1, err
                assert "being written by another" in err or "already exists" in err, err
        sample = EventSample.load(out)
        assert len(list((out / "events").glob("*.parquet"))) == 20
        assert sample.metadata.n_trials == 40_000
        sm = sample.metadata.xsec["w_sm"].xsec_pb
        assert sm == pytest.approx(sample.columns["w_sm"].sum(), rel=1e-9)
        reference = reference or sm
        assert sm == reference
