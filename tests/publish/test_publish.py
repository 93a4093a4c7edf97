"""HEPData submission (validated with hepdata-validator) and the ``publish`` entry point,
on a tiny fake study (docs/study_format.md) with cards written by mlstxs.report."""

from __future__ import annotations

import json
import tarfile

import pytest
import yaml

import mlstxs.publish
from mlstxs.generate import GeneratorConfig, generate
from mlstxs.publish import (
    hepdata_submission,
    parametrise_cards,
    publish,
    read_parametrisations,
    region_name,
    validate_hepdata,
)
from mlstxs.report import StudyFormatError, load_card, write_cards
from mlstxs.study import StudyResult, sample_record

SLICES = [
    {"label": "[250,400]", "low_GeV": 250.0, "high_GeV": 400.0},
    {"label": "[400,inf]", "low_GeV": 400.0, "high_GeV": None},
]
LINES = {"[250,400]": (1.5, 200.0), "[400,inf]": (1.5, 300.0)}
METHODS = ["STXS", "SVM", "oracle"]
EPSILONS = [0.5, 1.0]


def _record(split: int, sl: str, eps: float, method: str) -> dict:
    z = (2.0 if sl == "[400,inf]" else 1.0) / eps * (1.1 if method != "STXS" else 1.0)
    line = LINES[sl] if method == "SVM" else (None, None)
    rec = {
        "split": split,
        "seed": 100 + split,
        "slice": sl,
        "epsilon": eps,
        "method": method,
        "evaluable": True,
        "z_test": z + 0.05 * split,
        "z_train": z,
        "s_test": 10.0,
        "b_test": 20.0,
        "slope": None if line[0] is None else line[0] + 0.01 * split,
        "intercept_GeV": line[1],
        "above": True if method == "SVM" else None,
        "threshold": 1.2 if method == "oracle" else None,
        "note": "",
    }
    if (split, sl, eps, method) == (1, "[250,400]", 1.0, "oracle"):
        rec.update(evaluable=False, z_test=None, note="zero background")
    if (sl, eps, method) == ("[250,400]", 0.5, "oracle"):
        rec.update(evaluable=False, z_test=None, note="never evaluable")
    return rec


def make_study() -> dict:
    """A minimal study result: 2 splits × 2 slices × 2 ε × 3 methods."""
    return {
        "format": "mlstxs.study",
        "format_version": 1,
        "settings": {"luminosity_fb": 300.0, "benchmark": {"cHW": 1.0}, "epsilons": EPSILONS},
        "sample": {
            "path": "sample",
            "level": "detector",
            "n_events": 40_000,
            "operators": ["cHW", "cHWB"],
            "lambda_TeV": 1.0,
            "generator": {"sqrt_s_GeV": 13000.0, "seed": 1},
            "xsec_sm_pb": 0.0047,
        },
        "methods": METHODS,
        "slices": SLICES,
        "epsilons": EPSILONS,
        "records": [
            _record(s, sl["label"], e, m)
            for s in range(2)
            for sl in SLICES
            for e in EPSILONS
            for m in METHODS
        ],
        "diagnostics": {},
    }


@pytest.fixture(scope="module")
def sample():
    return generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=40_000, seed=1, level="detector")
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory, sample):
    """``<tmp>/study/{study.json,cards/}``, ``<tmp>/sample`` and ``<tmp>/limits/``."""
    root = tmp_path_factory.mktemp("results")
    study = make_study()
    study["sample"] = sample_record("sample", sample.metadata)  # publish checks the sample
    (root / "study").mkdir()
    (root / "study" / "study.json").write_text(json.dumps(study))
    write_cards(StudyResult.from_dict(study), root / "study" / "cards")
    sample.save(root / "sample")
    (root / "limits").mkdir()
    (root / "limits" / "pyhf_workspace_STXS.json").write_text('{"channels": []}\n')
    return root


def test_hepdata_submission_validates(results, sample, tmp_path):
    study = make_study()
    cards = [load_card(p) for p in sorted((results / "study" / "cards").glob("*.json"))]
    assert len(cards) == 8  # 2 slices × 2 ε × (STXS, SVM)
    params = parametrise_cards(sample, cards)
    out = hepdata_submission(
        StudyResult.from_dict(study), cards, params, tmp_path / "hd", archive=tmp_path / "hd.tar.gz"
    )
    assert validate_hepdata(out) == []
    assert validate_hepdata(tmp_path / "hd.tar.gz") == []
    docs = list(yaml.safe_load_all((out / "submission.yaml").read_text()))
    names = [d["name"] for d in docs[1:]]
    assert names == [
        "Region definitions",
        "Asimov significance eps 0.5",
        "Asimov significance eps 1",
        "SMEFT parametrisation",
    ]
    keywords = {k["name"]: k["values"] for k in docs[1]["keywords"]}
    assert keywords["cmenergies"] == [13000.0]
    assert keywords["observables"] == ["pT(Z)", "m_ZH"]
    assert keywords["reactions"] == ["P P --> Z H"]
    # the significance table: mean ± std over splits; "-" where nothing was evaluable
    z = yaml.safe_load((out / docs[2]["data_file"]).read_text())
    stxs = z["dependent_variables"][0]
    assert stxs["header"]["name"] == "Z_A STXS"
    assert stxs["values"][1]["value"] == pytest.approx(4.025)
    assert stxs["values"][1]["errors"][0]["symerror"] == pytest.approx(0.035355, rel=1e-4)
    assert z["dependent_variables"][2]["values"][0]["value"] == "-"
    # the parametrisation table carries A and B of every region with MC errors
    par = yaml.safe_load((out / docs[4]["data_file"]).read_text())
    heads = [v["header"]["name"] for v in par["dependent_variables"]]
    assert heads == ["sigma_SM", "A_cHW", "A_cHWB", "B_cHW*cHW", "B_cHW*cHWB", "B_cHWB*cHWB"]
    regions = [v["value"] for v in par["independent_variables"][0]["values"]]
    assert regions == [region_name(c) for c in cards]
    a_hw = par["dependent_variables"][1]["values"][0]
    assert a_hw["value"] == pytest.approx(params[0].A["cHW"], rel=1e-4)


def test_validator_rejects_a_broken_submission(results, sample, tmp_path):
    cards = [load_card(p) for p in sorted((results / "study" / "cards").glob("*.json"))][:2]
    out = hepdata_submission(
        StudyResult.from_dict(make_study()),
        cards,
        parametrise_cards(sample, cards),
        tmp_path / "hd",
    )
    (out / "stray.txt").write_text("not referenced")
    assert any("not referenced" in m for m in validate_hepdata(out))


def test_publish_writes_everything(results, tmp_path):
    res = publish(results / "study", results / "sample", tmp_path / "pub")
    assert res.n_regions == 8
    assert sorted(p.name for p in res.out_dir.iterdir()) == [
        ".mlstxs-output.json",
        "hepdata",
        "hepdata.tar.gz",
        "parametrisation.json",
        "popxf",
        "pyhf_workspace_STXS.json",
    ]
    assert validate_hepdata(res.hepdata) == []
    assert validate_hepdata(res.hepdata_archive) == []
    with tarfile.open(res.hepdata_archive) as tar:
        assert "submission.yaml" in tar.getnames()
        assert "parametrisation.json" in tar.getnames()
    params = read_parametrisations(res.parametrisation)
    assert [p.name for p in params] == [
        p.stem for p in sorted((results / "study" / "cards").glob("*.json"))
    ]
    assert res.to_dict()["pyhf_workspace"].endswith("pyhf_workspace_STXS.json")
    assert "8 regions" in repr(res)


def test_publish_refuses_an_existing_directory(results, tmp_path):
    out = tmp_path / "pub"
    publish(results / "study", results / "sample", out)
    with pytest.raises(FileExistsError, match="already exists"):
        publish(results / "study", results / "sample", out)
    res = publish(results / "study", results / "sample", out, overwrite=True)
    assert (res.out_dir / "parametrisation.json").is_file()
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    for overwrite in (False, True):
        with pytest.raises(FileExistsError, match="not written by mlstxs"):
            publish(results / "study", results / "sample", foreign, overwrite=overwrite)
    assert [p.name for p in foreign.iterdir()] == ["keep.txt"]
    with pytest.raises(FileExistsError, match="an input of this command"):
        publish(results / "study", results / "sample", results / "sample", overwrite=True)


def test_publish_leaves_nothing_behind_on_error(results, tmp_path, monkeypatch):
    empty = tmp_path / "empty_results"
    empty.mkdir()
    with pytest.raises(StudyFormatError, match="no such study file"):
        publish(empty, results / "sample", tmp_path / "pub")
    with pytest.raises(ValueError, match="no such sample directory"):
        publish(results / "study", tmp_path / "nope", tmp_path / "pub")

    # an error late, after parametrisation.json was written into the temporary directory
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mlstxs.publish._publish, "hepdata_submission", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(results / "study", results / "sample", tmp_path / "pub")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty_results"]


def test_regions_are_published_in_slice_order(sample, tmp_path):
    """[75,150] before [150,250] in every table and file: by the low edge, not as text (the
    card file names and labels sort [150,250] first), whatever order the study lists."""
    relabel = {"[250,400]": ("[150,250]", 150.0, 250.0), "[400,inf]": ("[75,150]", 75.0, 150.0)}
    study = make_study()
    study["sample"] = sample_record("sample", sample.metadata)
    study["slices"] = [
        {"label": k, "low_GeV": lo, "high_GeV": hi} for k, lo, hi in relabel.values()
    ]
    for rec in study["records"]:
        rec["slice"] = relabel[rec["slice"]][0]
    root = tmp_path / "results"
    (root / "study").mkdir(parents=True)
    (root / "study" / "study.json").write_text(json.dumps(study))
    write_cards(StudyResult.from_dict(study), root / "study" / "cards")
    sample.save(root / "sample")
    res = publish(root / "study", root / "sample", tmp_path / "pub")

    def column(name: str, header: str) -> list:
        table = yaml.safe_load((res.hepdata / name).read_text())
        variables = table["independent_variables"] + table["dependent_variables"]
        (var,) = [v for v in variables if v["header"]["name"] == header]
        return [v["value"] for v in var["values"]]

    lows = column("region_definitions.yaml", "pT(Z) low")
    assert lows == sorted(lows) and lows[0] == 75.0
    regions = column("smeft_parametrisation.yaml", "Region")
    assert regions[0].startswith("pt75-150") and regions[-1].startswith("pt150-250")
    slices = column("asimov_significance_eps_0.5.yaml", "pT(Z) slice [GeV]")
    assert slices == ["[75,150]", "[150,250]"]
    assert [p.name for p in read_parametrisations(res.parametrisation)] == regions
    popxf = json.loads((res.popxf / "regions_svm_eps0.5.json").read_text())
    assert [n[:8] for n in popxf["metadata"]["observable_names"]] == ["pt75-150", "pt150-25"]
