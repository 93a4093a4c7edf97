"""Region cards: schema, round trip, errors naming the field, applying a card."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest

from mlstxs.report import CARD_SCHEMA, RegionCard, build_cards, card_selects, load_card
from mlstxs.report import write_cards as write_cards_

from .conftest import ALWAYS_NA, EPSILONS, SLICES, typed

LINE_METHODS = ("SVM", "SVM+scan", "DNN+SVM", "DNN+SVM+scan")


@pytest.fixture(scope="module")
def cards(_fake_study, tmp_path_factory):
    return write_cards_(typed(_fake_study), tmp_path_factory.mktemp("cards"))


def _raw(path):
    return json.loads(path.read_text())


def test_one_card_per_slice_eps_and_method(cards):
    expected = len(SLICES) * len(EPSILONS) * (1 + len(LINE_METHODS)) - 1  # ALWAYS_NA: none
    assert len(cards) == expected == len({p.name for p in cards})
    keys = {(c["slice"]["label"], c["epsilon"], c["method"]) for c in map(_raw, cards)}
    method, sl, eps = ALWAYS_NA
    assert (sl, eps, method) not in keys
    assert ("[400,inf]", 0.5, "DNN+SVM+scan") in keys


def test_cards_validate_against_the_schema_and_round_trip(cards, _fake_study):
    built = {(c.slice.label, c.epsilon, c.method): c for c in build_cards(typed(_fake_study))}
    for path in cards:
        raw = _raw(path)
        jsonschema.validate(raw, CARD_SCHEMA)
        card = load_card(path)
        assert card == built[(card.slice.label, card.epsilon, card.method)]
        assert card.model_dump(mode="json") == raw
        assert raw["format"] == "mlstxs.region_card" and raw["card_version"] == 2


def test_card_content(cards, study):
    path = next(p for p in cards if p.name == "pt400-inf_eps0.5_svm_scan.json")
    card = load_card(path)
    recs = [r for r in study["records"] if r["slice"] == "[400,inf]" and r["epsilon"] == 0.5]
    line = [r for r in recs if r["method"] == "SVM+scan"]
    assert card.region.slope == pytest.approx(np.mean([r["slope"] for r in line]), rel=1e-12)
    assert card.region.intercept_GeV == pytest.approx(
        np.mean([r["intercept_GeV"] for r in line]), rel=1e-12
    )
    assert card.line_spread.slope_std == pytest.approx(
        np.std([r["slope"] for r in line], ddof=1), rel=1e-12
    )
    z = [r["z_test"] for r in line]
    assert card.significance.z_mean == pytest.approx(np.mean(z), rel=1e-12)
    assert card.significance.n_splits == 3
    oracle = {r["split"]: r["z_test"] for r in recs if r["method"] == "oracle"}
    assert card.significance.fraction_of_optimum == pytest.approx(
        np.mean([r["z_test"] / oracle[r["split"]] for r in line]), rel=1e-12
    )
    assert card.region.definition == "m_ZH > a * pt_Z + b" and card.region.above is True
    assert card.region.units.model_dump() == {
        "pt_Z": "GeV",
        "m_ZH": "GeV",
        "slope": "1",
        "intercept": "GeV",
    }
    assert card.slice.high_GeV is None and card.slice.low_GeV == 400.0
    assert card.process == "p p -> Z(l+ l-) H(b b~), sqrt(s) = 13 TeV"
    assert card.luminosity_fb == 300.0
    assert card.benchmark.wilson_coefficients == {"cHW": 1.0}
    assert card.benchmark.Lambda_TeV == 1.0
    assert card.sample.path == "out/sample_cHW" and card.sample.level == "detector"
    assert card.sample.generator == study["sample"]["generator"]
    assert card.definitions.level == "detector" and "after smearing" in card.definitions.m_ZH
    b = [r["b_test"] for r in line]
    assert card.yields.b == pytest.approx(np.mean(b), rel=1e-12)
    assert card.yields.b_spread == pytest.approx(np.std(b, ddof=1), rel=1e-12)
    assert card.yields.s == pytest.approx(np.mean([r["s_test"] for r in line]), rel=1e-12)
    assert card.yields.luminosity_fb == 300.0
    assert card.parametrisation is None  # added where the sample is at hand (mlstxs.pipeline)
    assert card.provenance.study_settings == typed(study).settings.model_dump(mode="json")
    assert {k: card.provenance.study_settings[k] for k in study["settings"]} == {
        k: list(v) if isinstance(v, tuple) else v for k, v in study["settings"].items()
    }
    assert "created" not in path.read_text()  # no timestamps


def test_stxs_card(cards):
    card = load_card(next(p for p in cards if p.name == "pt150-250_eps1.0_stxs.json"))
    assert card.region.definition == "pt_Z in slice"
    assert card.region.slope is None and card.line_spread.slope_std is None
    assert card.significance.z_mean == pytest.approx(card.significance.z_stxs_mean)


def test_cards_are_reproducible(_fake_study, tmp_path, cards):
    again = write_cards_(typed(_fake_study), tmp_path)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in cards]


@pytest.mark.parametrize(
    ("corrupt", "field"),
    [
        (lambda c: c["region"].__setitem__("slope", "steep"), "region.slope"),
        (lambda c: c["region"].pop("intercept_GeV"), "region.intercept_GeV"),
        (lambda c: c.pop("luminosity_fb"), "luminosity_fb"),
        (lambda c: c.__setitem__("card_version", 1), "card_version"),
        (lambda c: c["yields"].pop("b"), "yields.b"),
        (lambda c: c["significance"].__setitem__("z_std", -1.0), "significance.z_std"),
        (lambda c: c["slice"].__setitem__("colour", "red"), "slice.colour"),
        (lambda c: c["region"].__setitem__("slope", None), "region.slope"),  # pydantic check
    ],
)
def test_corrupted_card_names_the_field(cards, tmp_path, corrupt, field):
    raw = _raw(next(p for p in cards if p.name == "pt400-inf_eps0.5_svm.json"))
    corrupt(raw)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match=f"bad field '{field}'"):
        load_card(path)


def test_unreadable_cards(tmp_path):
    with pytest.raises(ValueError, match="no such region card"):
        load_card(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("[1, 2")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_card(tmp_path / "x.json")


@pytest.fixture(scope="module")
def template(_fake_study) -> dict:
    """A line card as JSON, to derive test cards from."""
    return build_cards(typed(_fake_study))[0].model_dump(mode="json")


def _card(template, slope, intercept, low, high, definition="m_ZH > a * pt_Z + b", above=True):
    raw = json.loads(json.dumps(template))
    raw["slice"].update(low_GeV=low, high_GeV=high)
    raw["region"].update(definition=definition, slope=slope, intercept_GeV=intercept, above=above)
    return RegionCard.model_validate(raw)


def test_card_selects_applies_slice_and_line(template):
    pt = np.array([399.0, 400.0, 500.0, 500.0, 1000.0, 150.0])
    m = np.array([5000.0, 3000.0, 900.0, 1100.0, 1999.0, 5000.0])
    card = _card(template, -2.0, 2000.0, 400.0, None)  # m > 2000 - 2 pt
    assert card_selects(card, pt, m).tolist() == [False, True, False, True, True, False]
    below = _card(template, -2.0, 2000.0, 400.0, None, "m_ZH < a * pt_Z + b", above=False)
    assert card_selects(below, pt, m).tolist() == [False, False, True, False, False, False]
    stxs = _card(template, None, None, 150.0, 400.0, "pt_Z in slice", above=None)
    assert card_selects(stxs, pt, m).tolist() == [True, False, False, False, False, True]


def test_the_shipped_schema_is_the_models():
    from mlstxs.study._cards import card_json_schema

    assert CARD_SCHEMA == json.loads(json.dumps(card_json_schema(), sort_keys=True))
