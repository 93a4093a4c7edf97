"""Tables: files, numbers against numpy, formats."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from mlstxs.report import build_tables, write_tables

from .conftest import ALWAYS_NA, EPSILONS, METHODS, SLICES, typed

NAMES = [
    *(f"significance_eps{e}" for e in ("0.3", "0.5", "1.0")),
    "boundaries_svm",
    "boundaries_svm_scan",
    "boundaries_dnn_svm",
    "boundaries_dnn_svm_scan",
    "fraction_of_optimum",
    "ratio_to_stxs",
]


def _z(study, method, sl, eps, key="z_test"):
    """{split: value} of the evaluable records, straight from the records."""
    return {
        r["split"]: r[key]
        for r in study["records"]
        if r["method"] == method
        and r["slice"] == sl
        and r["epsilon"] == eps
        and r["evaluable"]
        and r[key] is not None
    }


def _read_csv(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def table_dir(_fake_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("tables")
    paths = write_tables(typed(_fake_study), out)
    assert sorted(p.name for p in paths) == sorted(
        f"{n}.{ext}" for n in NAMES for ext in ("csv", "md", "tex")
    )
    return out


def test_every_table_file_is_written(table_dir):
    for name in NAMES:
        for ext in ("csv", "md", "tex"):
            assert (table_dir / f"{name}.{ext}").stat().st_size > 0


def test_significance_equals_numpy(study, table_dir):
    for eps in EPSILONS:
        rows = _read_csv(table_dir / f"significance_eps{eps:.1f}.csv")
        assert [r["method"] for r in rows] == METHODS
        for row in rows:
            for sl in (s["label"] for s in SLICES):
                values = np.array(list(_z(study, row["method"], sl, eps).values()))
                if values.size == 0:
                    assert row[f"{sl}_mean"] == "" and row[f"{sl}_n"] == "0"
                    continue
                assert float(row[f"{sl}_mean"]) == pytest.approx(values.mean(), rel=1e-12)
                assert float(row[f"{sl}_std"]) == pytest.approx(values.std(ddof=1), rel=1e-12)
                assert int(row[f"{sl}_n"]) == values.size


def test_boundaries_equal_numpy(study, table_dir):
    svm = {r["slice"]: r for r in _read_csv(table_dir / "boundaries_svm.csv")}
    for sl in (s["label"] for s in SLICES):
        slopes = np.array(list(_z(study, "SVM", sl, EPSILONS[0], "slope").values()))
        assert float(svm[sl]["slope_mean"]) == pytest.approx(slopes.mean(), rel=1e-12)
        assert float(svm[sl]["slope_std"]) == pytest.approx(slopes.std(ddof=1), rel=1e-12)
    rows = _read_csv(table_dir / "boundaries_dnn_svm.csv")
    assert len(rows) == len(SLICES) * len(EPSILONS)
    row = next(r for r in rows if r["slice"] == "[75,150]" and r["epsilon"] == "1.0")
    b = np.array(list(_z(study, "DNN+SVM", "[75,150]", 1.0, "intercept_GeV").values()))
    assert b.size == 2  # one split is not evaluable
    assert float(row["intercept_GeV_mean"]) == pytest.approx(b.mean(), rel=1e-12)
    assert float(row["intercept_GeV_std"]) == pytest.approx(b.std(ddof=1), rel=1e-12)


@pytest.mark.parametrize(
    ("name", "reference"), [("fraction_of_optimum", "oracle"), ("ratio_to_stxs", "STXS")]
)
def test_ratios_are_per_split(study, table_dir, name, reference):
    rows = _read_csv(table_dir / f"{name}.csv")
    assert {r["method"] for r in rows} == set(METHODS) - {reference}
    for row in rows:
        eps = float(row["epsilon"])
        for sl in (s["label"] for s in SLICES):
            num, den = _z(study, row["method"], sl, eps), _z(study, reference, sl, eps)
            ratio = np.array([num[s] / den[s] for s in num if s in den])
            if ratio.size == 0:
                assert row[f"{sl}_mean"] == ""
                continue
            assert float(row[f"{sl}_mean"]) == pytest.approx(ratio.mean(), rel=1e-12)
            if ratio.size > 1:
                assert float(row[f"{sl}_std"]) == pytest.approx(ratio.std(ddof=1), rel=1e-12)


def test_markdown_and_latex(table_dir):
    md = (table_dir / "boundaries_svm_scan.md").read_text()
    _, sl, eps = ALWAYS_NA
    assert f"| {sl} | {eps} | n/a | n/a |" in md
    tex = (table_dir / "significance_eps0.5.tex").read_text()
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert "{[}400,inf{]}" in tex and "[400,inf]" not in tex
    assert r"\label{tab:significance\_eps0.5}" in tex
    assert r" \pm " in tex and "±" not in tex and "ε" not in tex
    # every data row has as many cells as the header
    body = tex.split(r"\midrule")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert len(body) == len(METHODS)
    assert all(line.count(" & ") == len(SLICES) for line in body)


def test_single_split_has_zero_std(study):
    study["records"] = [r for r in study["records"] if r["split"] == 0]
    table = next(t for t in build_tables(typed(study)) if t.name == "significance_eps0.5")
    cell = table.cell(("SVM",), "[400,inf]")
    assert cell.n == 1 and cell.std == 0.0
