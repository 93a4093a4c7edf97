"""Tests of the vectorised lhagrid1 PDF reader (spec §6).

Oracles: Pythia 8's own ``LHAGrid1`` interpolation of the same files (spec §6 option 1), a
naive re-parse of the grid files (knot values), a published value and the sum rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlstxs.physics import _pdf
from mlstxs.physics._pdf import (
    DEFAULT_PDF,
    PDFSet,
    UnknownPDFError,
    available_pdf_sets,
    load_pdf,
)

pythia8mc = pytest.importorskip("pythia8mc")

SPEC_SETS = {  # name -> Pythia PDF:pSet (spec §6 table)
    "NNPDF31_lo_as_0118": 18,
    "NNPDF31_lo_as_0130": 17,
    "NNPDF23_lo_as_0130_qed": 13,
    "NNPDF23_lo_as_0119_qed": 14,
    "NNPDF31_nlo_as_0118_luxqed": 19,
    "NNPDF31_nnlo_as_0118_luxqed": 20,
}
QUARKS_AND_GLUON = (21, 1, 2, 3, 4, 5, -1, -2, -3, -4, -5)


def pythia_xf(name: str, flavours, x, q) -> np.ndarray:
    """x f from Pythia's own LHAGrid1 object for the same grid file (spec §6 option 1)."""
    py = pythia8mc.Pythia("", False)
    assert py.readString(f"PDF:pSet = LHAGrid1:{name}_0000.dat")
    pdf = py.getPDFPtr(2212, 1, "A", True)
    return np.array(
        [[pdf.xf(f, xi, qi * qi) for xi, qi in zip(x, q, strict=True)] for f in flavours]
    )


def random_points(pdf: PDFSet, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Log-uniform points in the grid, plus all pairs of edge x and Q values: Q on and next
    to the subgrid borders and outside the grid, x below x_min."""
    rng = np.random.default_rng(seed)
    x = np.exp(rng.uniform(np.log(1e-7), np.log(0.95), n))
    q = np.exp(rng.uniform(np.log(pdf.q_min), np.log(pdf.q_max), n))
    borders = np.exp(pdf._borders)
    q_edge = [*borders, *(borders * (1 + 1e-9)), *(borders * (1 - 1e-9)), 0.5, 2e5]
    x_edge, q_edge = np.meshgrid([1e-12, pdf.x_min, 0.01, 0.3], q_edge)
    return np.append(x, x_edge.ravel()), np.append(q, q_edge.ravel())


@pytest.mark.parametrize("name", ["NNPDF31_lo_as_0118", "NNPDF23_lo_as_0130_qed", "CT14qed_proton"])
def test_matches_pythia_lhagrid1(name: str) -> None:
    # Same algorithm as Pythia (4-point Lagrange in ln x and ln Q, same stencils and
    # subgrid choice), so only rounding differs: measured max 1.2e-14 relative where
    # x f > 1e-3, and 2e-18 absolute where it is smaller. Pythia's xf clips at 0.
    ours_pdf = load_pdf(name)
    flavours = [f for f in (*QUARKS_AND_GLUON, 22) if f in ours_pdf.flavours]
    x, q = random_points(ours_pdf, 300, seed=11)
    ours = ours_pdf.xfxQ(flavours, x, q, clip_negative=True)
    theirs = pythia_xf(name, flavours, x, q)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_known_value() -> None:
    # x f_u(x = 0.01, Q = 100 GeV) for NNPDF3.1 LO (spec §6).
    value = load_pdf("NNPDF31_lo_as_0118").xfxQ([2], np.array([0.01]), np.array([100.0]))
    assert value.shape == (1, 1)
    assert value[0, 0] == pytest.approx(0.8010, abs=5e-5)


def naive_blocks(path) -> list[tuple[np.ndarray, np.ndarray, list[int], np.ndarray]]:
    """Independent plain-Python parse: (x knots, Q knots, flavours, values[ix, iq, flavour])."""
    text = path.read_text().split("---")[1:]
    blocks = []
    for chunk in text:
        lines = [line for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        x = np.array([float(v) for v in lines[0].split()])
        q = np.array([float(v) for v in lines[1].split()])
        ids = [int(v) for v in lines[2].split()]
        rows = [[float(v) for v in line.split()] for line in lines[3:]]
        blocks.append((x, q, ids, np.array(rows).reshape(x.size, q.size, len(ids))))
    return blocks


@pytest.mark.parametrize("name", ["NNPDF31_lo_as_0118", "NNPDF23_lo_as_0130_qed"])
def test_grid_knots_reproduced(name: str) -> None:
    pdf = load_pdf(name)
    rng = np.random.default_rng(5)
    for k, (x, q, ids, values) in enumerate(naive_blocks(pdf.path)):
        iq_min = 1 if k > 0 else 0  # a border knot belongs to the lower subgrid
        ix = rng.integers(0, x.size, 200)
        iq = rng.integers(iq_min, q.size, 200)
        ours = pdf.xfxQ(ids, x[ix], q[iq])
        np.testing.assert_allclose(ours, values[ix, iq, :].T, rtol=1e-13, atol=1e-300)


def test_subgrid_border_values_agree() -> None:
    # NNPDF3.1: two Q subgrids sharing the knot Q = 4.92 GeV with identical values there.
    blocks = naive_blocks(load_pdf("NNPDF31_lo_as_0118").path)
    assert len(blocks) == 2
    assert blocks[0][1][-1] == blocks[1][1][0] == 4.92
    np.testing.assert_array_equal(blocks[0][3][:, -1, :], blocks[1][3][:, 0, :])


def test_clamping_to_grid_edges() -> None:
    pdf = load_pdf(DEFAULT_PDF)
    flavours = QUARKS_AND_GLUON
    inside = pdf.xfxQ(
        flavours, [pdf.x_min, pdf.x_max, 0.1, 0.1], [100.0, 100.0, pdf.q_min, pdf.q_max]
    )
    outside = pdf.xfxQ(flavours, [1e-12, 1.7, 0.1, 0.1], [100.0, 100.0, 0.1, 1e7])
    np.testing.assert_array_equal(outside, inside)
    assert np.all(inside[:, 1] == 0.0)  # x f vanishes at x = 1
    assert np.all(np.isfinite(pdf.xfxQ(flavours, [0.0, -1.0], [100.0, -5.0])))


def test_clip_negative() -> None:
    # NNPDF3.1 LO has negative strange quarks at large x in the grid itself.
    pdf = load_pdf(DEFAULT_PDF)
    x = np.linspace(0.3, 0.8, 51)
    raw = pdf.xfxQ([3, -3, 2], x, 100.0)
    assert raw[:2].min() < -1e-3
    np.testing.assert_array_equal(
        pdf.xfxQ([3, -3, 2], x, 100.0, clip_negative=True), np.maximum(raw, 0)
    )


def test_nan_propagates() -> None:
    out = load_pdf(DEFAULT_PDF).xfxQ([2, 21], [np.nan, 0.01], [100.0, np.nan])
    assert np.all(np.isnan(out))


def test_shapes_broadcasting_and_gluon_alias() -> None:
    pdf = load_pdf(DEFAULT_PDF)
    x = np.geomspace(1e-5, 0.9, 7)
    out = pdf.xfxQ([0, 21, 2], x, 91.1876)
    assert out.shape == (3, 7) and out.dtype == np.float64
    np.testing.assert_array_equal(out[0], out[1])
    assert pdf.xfxQ([1, 2], np.array([]), np.array([])).shape == (2, 0)


def test_chunking_is_invisible() -> None:
    pdf = load_pdf(DEFAULT_PDF)
    n = 3 * _pdf._CHUNK + 17
    rng = np.random.default_rng(2)
    x = np.exp(rng.uniform(np.log(1e-6), 0.0, n))
    q = np.exp(rng.uniform(0.0, np.log(1e5), n))
    whole = pdf.xfxQ(QUARKS_AND_GLUON, x, q)
    parts = [
        pdf.xfxQ(QUARKS_AND_GLUON, x[i : i + 1001], q[i : i + 1001]) for i in range(0, n, 1001)
    ]
    np.testing.assert_array_equal(whole, np.concatenate(parts, axis=1))


def test_unknown_flavour() -> None:
    with pytest.raises(ValueError, match="flavour 6"):
        load_pdf(DEFAULT_PDF).xfxQ([6], [0.1], [100.0])


def test_unknown_set_lists_available_names() -> None:
    with pytest.raises(UnknownPDFError) as err:
        load_pdf("NNPDF99_lo")
    message = str(err.value)
    assert isinstance(err.value, ValueError)
    assert "\n" not in message
    for name in SPEC_SETS:
        assert name in message


def test_available_sets() -> None:
    infos = {info.name: info for info in available_pdf_sets()}
    for name, pset in SPEC_SETS.items():
        assert infos[name].pythia_pset == pset
        assert infos[name].path.is_file()
    nnpdf31 = infos["NNPDF31_lo_as_0118"]
    assert nnpdf31.x_range == (1e-9, 1.0)
    assert nnpdf31.q_range == (1.65, 1e5)
    assert "lhagrid1" in nnpdf31.description
    assert nnpdf31.to_dict()["path"] == str(nnpdf31.path)
    assert infos["CT14qed_proton"].pythia_pset is None  # the file with a fused number field
    assert not any("DPDF" in name for name in infos)  # Pomeron sets are not proton PDFs


@pytest.mark.parametrize("name", list(SPEC_SETS))
def test_pythia_pset_numbers(name: str) -> None:
    # Pythia's "PDF:pSet = N" must read the very file we list under that number.
    py = pythia8mc.Pythia("", False)
    assert py.readString(f"PDF:pSet = {SPEC_SETS[name]}")
    theirs = py.getPDFPtr(2212, 1, "A", True).xf(2, 0.0123, 77.0**2)
    assert load_pdf(name).xfxQ([2], [0.0123], [77.0])[0, 0] == pytest.approx(theirs, rel=1e-12)


def test_load_pdf_is_cached() -> None:
    assert load_pdf(DEFAULT_PDF) is load_pdf(DEFAULT_PDF)
    assert load_pdf(DEFAULT_PDF).name == DEFAULT_PDF == "NNPDF31_lo_as_0118"


def test_fused_number_fields_are_repaired() -> None:
    assert _pdf._numbers("1.0e+002.5e-01 -3e+00", 3, "t").tolist() == [1.0, 0.25, -3.0]
    with pytest.raises(ValueError, match="cannot read"):
        _pdf._numbers("1.0 abc", 2, "t")


def sum_rules(name: str, q: float = 100.0, n: int = 4000) -> dict[str, float]:
    """∫ Σ x f dx, ∫ (u − ū) dx, ∫ (d − d̄) dx at scale q: midpoint rule in ln x on [1e-9, 1]."""
    pdf = load_pdf(name)
    edges = np.linspace(np.log(pdf.x_min), 0.0, n + 1)
    x = np.exp(0.5 * (edges[1:] + edges[:-1]))
    dlnx = edges[1] - edges[0]
    xf = dict(zip(pdf.flavours, pdf.xfxQ(pdf.flavours, x, np.full(n, q)), strict=True))
    return {
        "momentum": float(sum(v for v in xf.values()) @ x * dlnx),
        "u_valence": float(np.sum(xf[2] - xf[-2]) * dlnx),
        "d_valence": float(np.sum(xf[1] - xf[-1]) * dlnx),
    }


@pytest.mark.parametrize("name", ["NNPDF31_lo_as_0118", "NNPDF23_lo_as_0130_qed"])
def test_sum_rules(name: str) -> None:
    # Measured at Q = 100 GeV, integration converged to 1e-7 (n = 2000 vs 20000):
    #   NNPDF3.1 LO:     momentum 1.0014 (1.0054 with negatives clipped), u_v 1.9916, d_v 0.9922
    #   NNPDF2.3 LO QED: momentum 1.0051 (photon included),               u_v 2.0049, d_v 1.0014
    # LO fits need not obey the sum rules exactly: allow 1 % on each.
    rules = sum_rules(name)
    assert rules["momentum"] == pytest.approx(1.0, rel=0.01)
    assert rules["u_valence"] == pytest.approx(2.0, rel=0.01)
    assert rules["d_valence"] == pytest.approx(1.0, rel=0.01)
