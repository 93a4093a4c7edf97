"""Production-level MadGraph files (``p p > z h``, Z and H undecayed) as event samples.

The files are the shared decayed ones with the decay products folded back into Z and H
(``tests/madgraph_data.production_level_copy``): the same events, so p_T(Z), m_ZH and every
cross section must equal those reconstructed from the decayed events."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pylhe")

from mlstxs.detector import shower_sample, write_lhe
from mlstxs.io import EventSample, SampleFormatError, read_lhe
from mlstxs.observables import compute_observables, helicity_angles, region_observables
from mlstxs.study import StudyConfig
from mlstxs.study._data import study_data

from ..madgraph_data import CHW_FILE, SM_FILE, production_level_copy

N = 2000


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    return {
        "rwgt": production_level_copy(CHW_FILE, tmp / "zh_rwgt.lhe", N),
        "plain": production_level_copy(SM_FILE, tmp / "zh.lhe", N),
    }


@pytest.fixture(scope="module")
def pairs(files):
    """(production-level, decayed) samples of the same events, with and without <rwgt>."""
    return {
        "rwgt": (read_lhe(files["rwgt"]), read_lhe(CHW_FILE, max_events=N)),
        "plain": (read_lhe(files["plain"]), read_lhe(SM_FILE, max_events=N)),
    }


@pytest.mark.parametrize("kind", ["rwgt", "plain"])
def test_region_plane_and_cross_sections_equal_the_decayed_events(pairs, kind):
    prod, dec = (r.sample for r in pairs[kind])
    assert prod.metadata.decays == "undecayed" and not prod.decayed and dec.decayed
    assert {f"{o}_{c}" for o in "ZH" for c in ("E", "px", "py", "pz")} <= set(prod.columns)
    assert not {"lm_E", "b1_px", "lep_pdg"} & set(prod.columns)
    assert any("production level" in note for note in prod.metadata.notes)
    plane, ref = region_observables(prod.columns), compute_observables(dec.columns)
    np.testing.assert_array_equal(plane["pt_Z"], ref["pt_Z"])  # identical, not just close
    np.testing.assert_array_equal(plane["m_ZH"], ref["m_ZH"])
    np.testing.assert_array_equal(prod.ptz_GeV(), dec.ptz_GeV())
    # the file states no branching ratios (widths only): σ is that of the same events
    assert prod.metadata.xsec == dec.metadata.xsec
    assert prod.weight_terms == dec.weight_terms
    for name in prod.weight_terms:
        np.testing.assert_array_equal(prod[name], dec[name])
    a, b = prod.cross_sections(), dec.cross_sections()
    for name in a.terms:
        np.testing.assert_array_equal(a.terms[name][2], b.terms[name][2])
    assert pairs[kind][0].header.process[0].startswith("p p > z h")
    assert "z > l+ l-" not in pairs[kind][0].header.process[0]


def test_reweighting_is_kept(pairs):
    prod, dec = pairs["rwgt"]
    assert prod.sample.operators == ("cHW",) and prod.closure["fit_max_rel"] < 1e-9
    assert prod.header.weight_ids == dec.header.weight_ids
    assert pairs["plain"][0].sample.operators == ()
    assert pairs["plain"][0].sample["w_sm"].sum() == pytest.approx(0.039052, rel=1e-12)


def test_round_trip_keeps_the_decays_field(pairs, tmp_path):
    prod = pairs["rwgt"][0].sample
    back = EventSample.load(prod.save(tmp_path / "s"))
    assert back.metadata == prod.metadata and back.metadata.decays == "undecayed"
    assert "production" in repr(back)
    meta = prod.metadata.model_copy(update={"decays": "llbb"})
    with pytest.raises(SampleFormatError, match="missing column 'lm_E'"):
        EventSample(prod.columns, meta)
    cols = {k: v for k, v in prod.columns.items() if k != "H_pz"}
    with pytest.raises(SampleFormatError, match="'H_pz' of a production-level sample"):
        EventSample(cols, prod.metadata)
    with pytest.raises(ValueError, match="needs level = 'parton'"):
        type(prod.metadata).model_validate({**prod.metadata.model_dump(), "level": "detector"})


def test_what_needs_the_decay_products_refuses(pairs, tmp_path):
    prod = pairs["rwgt"][0].sample
    for compute in (compute_observables, helicity_angles):
        with pytest.raises(ValueError, match=r"production-level events .* only p_T"):
            compute(prod.columns)
    needs = "needs the Z → ℓℓ and H → b b̄ decay products"
    with pytest.raises(ValueError, match=f"showering .*{needs}"):
        shower_sample(prod, random_state=0)
    with pytest.raises(ValueError, match=needs):
        write_lhe(prod, tmp_path / "x.lhe")
    with pytest.raises(ValueError, match=f"26 DNN features .*{needs}.* only$"):
        study_data(prod, StudyConfig())


def test_design_data_on_the_region_plane_equals_the_decayed_one(pairs):
    prod, dec = (r.sample for r in pairs["rwgt"])
    config = StudyConfig(features=("pt_Z", "m_ZH"), benchmark={"cHW": 1.0})
    a, b = study_data(prod, config), study_data(dec, config)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.w_eft, b.w_eft)


def _edit_first_event(path, tmp_path, edit):
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, s in enumerate(lines) if s.startswith("<event>"))
    lines[start + 2 : start + 6] = edit(lines[start + 2 : start + 6])
    out = tmp_path / "edited.lhe"
    out.write_text("".join(lines))
    return out


def test_half_decayed_and_mixed_files_are_refused(files, tmp_path):
    def z_decayed(rows):  # the Z line gets status 2: one boson undecayed, one decayed
        return [r.replace(" 1 1 2 ", " 2 1 2 ", 1) if r.startswith("23 ") else r for r in rows]

    with pytest.raises(SampleFormatError, match="event 0 has an undecayed H but a decayed Z"):
        read_lhe(_edit_first_event(files["rwgt"], tmp_path, z_decayed))
    text = files["plain"].read_text()
    events = text.split("<event>")
    mixed = tmp_path / "mixed.lhe"  # event 3 without its Z line
    events[4] = "\n".join(line for line in events[4].split("\n") if not line.startswith("23 "))
    mixed.write_text("<event>".join(events))
    with pytest.raises(SampleFormatError, match=r"event 3 has 0 undecayed Z \(status 1\)"):
        read_lhe(mixed)
