"""POPxf export: every file validated by popxf-validator, the numbers against a direct numpy
computation from the weight columns, the MC covariance against a seeded bootstrap, and the
files ``publish`` writes."""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import math

import numpy as np
import pytest
from popxf.validator import POPxfValidator

from mlstxs.generate import GeneratorConfig, generate
from mlstxs.physics import OPERATORS
from mlstxs.publish import (
    WCXF_PARAMETERS,
    POPxfExportError,
    POPxfObservable,
    coefficient_covariance,
    popxf_document,
    publish,
    read_parametrisations,
    region_parametrisation,
    stxs_document,
    validate_popxf,
)
from mlstxs.publish._popxf_schema import POPXF_SCHEMA_URI, register_schema
from mlstxs.report import load_card, write_cards
from mlstxs.study import StudyResult, sample_record

from .test_publish import make_study

OPS = ("cHW", "cHWB", "cHq3", "cHbox")
LAMBDA_GEV = 1000.0


@pytest.fixture(scope="module")
def sample():
    return generate(GeneratorConfig(operators=OPS, n_events=20_000, seed=7, level="parton"))


@pytest.fixture(scope="module")
def stxs_file(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("popxf")
    checked = stxs_document(sample).write(out)
    return checked.path


def _load(path):
    return json.loads(path.read_text())


def _pt(sample):
    c = sample.columns
    return np.hypot(c["lm_px"] + c["lp_px"], c["lm_py"] + c["lp_py"])


def test_mapping_covers_every_operator_with_wcxf_names():
    assert set(WCXF_PARAMETERS) == set(OPERATORS)
    names = [p.name for p in WCXF_PARAMETERS.values()]
    assert len(set(names)) == len(names)
    assert WCXF_PARAMETERS["cHW"].wcxf == ("phiW",) and WCXF_PARAMETERS["cHW"].in_wcxf
    assert WCXF_PARAMETERS["cHDD"].name == "phiD"
    assert WCXF_PARAMETERS["cHbox"].name == "phiBox"
    # U35: flavour-universal currents set the three diagonal WCxf entries
    assert WCXF_PARAMETERS["cHq3"].wcxf == ("phiq3_11", "phiq3_22", "phiq3_33")
    assert not WCXF_PARAMETERS["cHq3"].in_wcxf
    # cll1: C_ll,prst = c δ_pt δ_rs, whose G_F entry is ll_1221
    assert "ll_1221" in WCXF_PARAMETERS["cll1"].wcxf


def test_stxs_file_passes_popxf_validator(stxs_file):
    assert register_schema() in ("mlstxs", "popxf-validator")
    checked = POPxfValidator.from_json(stxs_file)  # the validator itself, no wrapper
    assert checked.mode == "SP" and checked.polynomial_degree == 2
    doc = _load(stxs_file)
    assert doc["$schema"] == POPXF_SCHEMA_URI
    md = doc["metadata"]
    assert md["observable_names"] == ["pt75-150", "pt150-250", "pt250-400", "pt400-inf"]
    assert md["parameters"] == ["phiBox", "phiW", "phiWB", "phiq3_U35"]  # canonical order
    assert md["basis"]["wcxf"] == {"eft": "SMEFT", "basis": "Warsaw"}
    custom = md["basis"]["custom"]["parameters"]
    assert custom["phiq3_U35"]["wcxf"] == {"phiq3_11": 1.0, "phiq3_22": 1.0, "phiq3_33": 1.0}
    assert md["misc"]["normalisation"]["relative_to_SM"] is True
    assert md["misc"]["normalisation"]["Lambda_TeV"] == 1.0
    # every monomial key is sorted inside, as POPxf requires
    for key in doc["data"]["observable_central"]:
        names = ast.literal_eval(key)
        assert list(names) == sorted(names)


def test_bin_coefficients_equal_direct_numpy_sums(sample, stxs_file):
    """Oracle: A_a and B_aa of the [150, 250) GeV bin from the weight columns, in the WCxf
    normalisation b = A Λ², c = B Λ⁴ (Λ = 1 TeV = 1000 GeV)."""
    doc = _load(stxs_file)
    central = doc["data"]["observable_central"]
    unc = doc["data"]["observable_uncertainties"]["MC_stats"]
    m = doc["metadata"]["observable_names"].index("pt150-250")
    pt = _pt(sample)
    mask = (pt >= 150.0) & (pt < 250.0)
    c = sample.columns
    y = c["w_sm"][mask]
    sm = y.sum()
    for op, name in (("cHW", "phiW"), ("cHq3", "phiq3_U35"), ("cHWB", "phiWB")):
        a = c[f"w_{op}"][mask].sum() / sm
        b = c[f"w_{op}_{op}"][mask].sum() / sm
        assert central[f"('', '{name}')"][m] == pytest.approx(a * LAMBDA_GEV**2, rel=1e-12)
        assert central[f"('{name}', '{name}')"][m] == pytest.approx(b * LAMBDA_GEV**4, rel=1e-12)
        da = math.sqrt(np.sum((c[f"w_{op}"][mask] - a * y) ** 2)) / sm
        assert unc[f"('', '{name}')"][m] == pytest.approx(da * LAMBDA_GEV**2, rel=1e-9)
    x = c["w_cHW_cHq3"][mask].sum() / sm  # a cross term, key sorted: phiW < phiq3_U35
    assert central["('phiW', 'phiq3_U35')"][m] == pytest.approx(x * LAMBDA_GEV**4, rel=1e-12)
    assert central["('', '')"][m] == 1.0 and unc["('', '')"][m] == 0.0
    obs = doc["metadata"]["misc"]["observables"][m]
    xs = sample.cross_sections()  # bins (0, 75, 150, ...): [150, 250) is bin 2
    assert obs["sigma_SM_pb"] == pytest.approx(xs.terms["w_sm"][2][2], rel=1e-12)
    assert obs["sigma_SM_mc_error_pb"] == pytest.approx(xs.terms["w_sm"][3][2], rel=1e-9)


def test_polynomial_in_wcxf_coefficients_reproduces_reweighting(sample, stxs_file):
    """μ(C) from the file at C = c/Λ² equals Σ w(c)/Σ w_SM of the bin."""
    doc = _load(stxs_file)
    point = {"cHW": 0.7, "cHWB": -1.3, "cHq3": 0.2, "cHbox": 2.0}
    wc = {WCXF_PARAMETERS[k].name: v / LAMBDA_GEV**2 for k, v in point.items()}
    wc[""] = 1.0
    m = 3  # [400, inf)
    mu = sum(
        vals[m] * math.prod(wc[n] for n in ast.literal_eval(key))
        for key, vals in doc["data"]["observable_central"].items()
    )
    mask = _pt(sample) >= 400.0
    direct = sample.weights(point)[mask].sum() / sample.columns["w_sm"][mask].sum()
    assert mu == pytest.approx(direct, rel=1e-10)


def test_covariance_diagonal_is_the_parametrisation_error(sample):
    mask = _pt(sample) >= 250.0
    p = region_parametrisation(sample, mask, "r")
    cov = coefficient_covariance(sample, mask)
    errs = np.array([e for _, _, e in p.terms()])
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), errs, rtol=1e-8, atol=1e-15)
    np.testing.assert_allclose(cov, cov.T, rtol=1e-12, atol=1e-18)
    # c_Hbox is proportional to the SM event by event: no MC error, no correlation
    k = [t[0] for t in p.terms()].index(("cHbox",))
    assert abs(cov[k, k]) < 1e-20


def _bootstrap(sample, masks, n_boot, rng):
    """Coefficient replicas of each mask over resampled N = n_trials points (stored events
    drawn with probability 1/N each, the other points weigh 0)."""
    n, big_n = len(sample), sample.metadata.n_trials
    counts = rng.multinomial(big_n, np.r_[np.full(n, 1.0 / big_n), 1.0 - n / big_n], n_boot)
    w = np.column_stack([sample.columns[t] for t in sample.weight_terms])
    out = []
    for mask in masks:
        s = counts[:, :n][:, mask] @ w[mask]
        out.append(s[:, 1:] / s[:, :1])
    return out


def test_covariance_agrees_with_bootstrap():
    """Seeded bootstrap on a small sample: variances within 10 %, correlations within 0.05;
    two bins without common events are uncorrelated."""
    small = generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=3000, seed=21, level="parton")
    )
    pt = _pt(small)
    lo, hi = (pt >= 75.0) & (pt < 150.0), (pt >= 150.0) & (pt < 250.0)
    rng = np.random.default_rng(20251205)
    reps_lo, reps_hi = _bootstrap(small, [lo, hi], 4000, rng)
    cov = coefficient_covariance(small, lo)
    boot = np.cov(reps_lo, rowvar=False)
    np.testing.assert_allclose(np.diag(boot), np.diag(cov), rtol=0.1)
    sig, sig_b = np.sqrt(np.diag(cov)), np.sqrt(np.diag(boot))
    np.testing.assert_allclose(boot / np.outer(sig_b, sig_b), cov / np.outer(sig, sig), atol=0.05)
    cross = np.corrcoef(reps_lo, reps_hi, rowvar=False)[:5, 5:]
    assert np.abs(cross).max() < 0.1
    assert np.abs(coefficient_covariance(small, lo, hi)).max() < 1e-12 * np.abs(cov).max()


def test_correlation_file_holds_the_covariance(sample, stxs_file):
    doc = _load(stxs_file)
    corr = _load(stxs_file.parent / doc["metadata"]["misc"]["correlation_file"])
    assert corr["format"] == "mlstxs.popxf_correlations"
    # disjoint bins: only the four diagonal blocks are written
    assert [b["observables"] for b in corr["blocks"]] == [
        [n, n] for n in doc["metadata"]["observable_names"]
    ]
    pt = _pt(sample)
    cov = coefficient_covariance(sample, (pt >= 250.0) & (pt < 400.0))
    sig = np.sqrt(np.diag(cov))
    keys = corr["monomials"]
    i, j = keys.index("('', 'phiW')"), keys.index("('phiW', 'phiW')")
    rho = np.asarray(corr["blocks"][2]["correlation"])
    assert rho[i, j] == pytest.approx(cov[i, j] / (sig[i] * sig[j]), abs=1e-6)
    assert abs(rho[i, j]) > 0.1  # linear and quadratic cHW terms share the events
    k = keys.index("('', 'phiBox')")
    assert rho[k, k] == 1.0 and not np.any(np.delete(rho[k], k))


def test_overlapping_selections_get_a_cross_block(sample, tmp_path):
    pt = _pt(sample)
    obs = [
        POPxfObservable("ptZ>150", pt >= 150.0, {"selection": "pt_Z >= 150 GeV"}),
        POPxfObservable("ptZ>250", pt >= 250.0, {"selection": "pt_Z >= 250 GeV"}),
    ]
    checked = popxf_document(sample, obs, "nested", "nested selections").write(tmp_path)
    corr = _load(checked.correlation_path)
    assert [b["observables"] for b in corr["blocks"]] == [
        ["ptZ>150", "ptZ>150"],
        ["ptZ>150", "ptZ>250"],
        ["ptZ>250", "ptZ>250"],
    ]
    k = corr["monomials"].index("('', 'phiW')")
    assert corr["blocks"][1]["correlation"][k][k] > 0.3  # the 250 GeV events are in both


def _rewrite(path, edit):
    doc = _load(path)
    edit(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["metadata"].update(units="pb"), "does not conform to schema"),
        (lambda d: d["metadata"].pop("basis"), "does not conform to schema"),
        (
            lambda d: d["data"]["observable_central"].update({"('phiWB', 'phiW')": [1.0] * 4}),
            "ordered alphabetically",
        ),
        (lambda d: d["data"]["observable_central"].update({"('', 'phiW')": [1.0]}), "length"),
        (
            lambda d: d["data"]["observable_central"].update({"('', 'phiHG')": [1.0] * 4}),
            "unrecognized parameters",
        ),
        (
            lambda d: d["metadata"]["misc"].update(correlation_file_hash="sha256:00"),
            "SHA-256",
        ),
    ],
)
def test_validation_rejects_broken_files(stxs_file, tmp_path, edit, message):
    target = tmp_path / stxs_file.name
    target.write_text(stxs_file.read_text())
    (tmp_path / "correlations").mkdir()
    corr = _load(stxs_file)["metadata"]["misc"]["correlation_file"]
    (tmp_path / corr).write_text((stxs_file.parent / corr).read_text())
    assert validate_popxf(target).observables[0] == "pt75-150"
    _rewrite(target, edit)
    with pytest.raises(POPxfExportError, match=message):
        validate_popxf(target)


def test_broken_correlation_file_is_rejected(stxs_file, tmp_path):
    target = tmp_path / stxs_file.name
    doc = _load(stxs_file)
    corr = copy.deepcopy(_load(stxs_file.parent / doc["metadata"]["misc"]["correlation_file"]))
    corr["blocks"][0]["correlation"][0][1] = 1.5
    text = json.dumps(corr, separators=(",", ":")) + "\n"
    (tmp_path / "correlations").mkdir()
    (tmp_path / doc["metadata"]["misc"]["correlation_file"]).write_text(text)
    doc["metadata"]["misc"]["correlation_file_hash"] = (
        "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    )
    target.write_text(json.dumps(doc))
    with pytest.raises(POPxfExportError, match=r"\|rho\|<=1"):
        validate_popxf(target)


def test_publish_writes_validated_popxf_files(tmp_path):
    det = generate(
        GeneratorConfig(operators=("cHW", "cHWB"), n_events=40_000, seed=1, level="detector")
    )
    study = make_study()
    study["sample"] = sample_record("sample", det.metadata)
    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "study.json").write_text(json.dumps(study))
    write_cards(StudyResult.from_dict(study), tmp_path / "study" / "cards")
    det.save(tmp_path / "sample")
    res = publish(tmp_path / "study", tmp_path / "sample", tmp_path / "pub")
    assert res.popxf == tmp_path / "pub" / "popxf"
    assert res.to_dict()["popxf"] == str(res.popxf)
    files = sorted(p.name for p in res.popxf.glob("*.json"))
    assert files == [
        "regions_stxs.json",
        "regions_svm_eps0.5.json",
        "regions_svm_eps1.0.json",
        "stxs_ptZ.json",
    ]
    for name in files:
        checked = validate_popxf(res.popxf / name)
        assert checked.parameters == ("phiW", "phiWB")
        POPxfValidator.from_json(res.popxf / name)
    # the region polynomials are the published parametrisation, times Λ² per coefficient
    params = {p.name: p for p in read_parametrisations(res.parametrisation)}
    doc = _load(res.popxf / "regions_svm_eps0.5.json")
    names = doc["metadata"]["observable_names"]
    assert names == ["pt250-400_eps0.5_svm", "pt400-inf_eps0.5_svm"]
    for m, name in enumerate(names):
        p = params[name]
        assert doc["data"]["observable_central"]["('', 'phiW')"][m] == pytest.approx(
            p.A["cHW"] * LAMBDA_GEV**2, rel=1e-12
        )
        assert doc["data"]["observable_uncertainties"]["MC_stats"]["('phiW', 'phiWB')"][
            m
        ] == pytest.approx(p.B_err["cHW*cHWB"] * LAMBDA_GEV**4, rel=1e-12)
    card = load_card(tmp_path / "study" / "cards" / f"{names[0]}.json")
    misc_obs = doc["metadata"]["misc"]["observables"][0]
    assert misc_obs["region"] == card.region.model_dump(mode="json")
    assert misc_obs["selection"].startswith("250 GeV <= pt_Z < 400 GeV and m_ZH > ")
    stxs = _load(res.popxf / "regions_stxs.json")["metadata"]["observable_names"]
    assert stxs == ["pt250-400_stxs", "pt400-inf_stxs"]
