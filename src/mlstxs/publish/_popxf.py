"""POPxf export of a study's region sets and of the STXS p_T(Z) bins.

``write_popxf`` writes into a directory, each file validated with popxf-validator:

* ``regions_<method>_eps<ε>.json``: one file per region set, the regions of one method and ε
  in the study's slices (``regions_stxs.json`` for the STXS slices, the same for every ε);
* ``stxs_ptZ.json``: the STXS p_T(Z) bins [75, 150), [150, 250), [250, 400), [400, ∞) GeV;
* ``correlations/<stem>.json``: the correlations of each file's MC uncertainties.

Observables are σ/σ_SM of each selection as polynomials in WCxf-normalised Wilson
coefficients; :mod:`._popxf_document` has the equations, ``docs/popxf.md`` the format.

>>> export = write_popxf(sample, cards, Path("out/publish/popxf"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..io import EventSample
from ..observables import region_observables
from ..regions import STXS_SLICE_EDGES_GEV, pt_slices
from ..report import RegionCard, card_selects
from ..study import STXS_DEFINITION, eps_tag, slice_slug, slug
from ._parametrisation import region_name
from ._popxf_check import POPxfFile
from ._popxf_document import POPxfDocument, POPxfObservable, popxf_document

STXS_STEM = "stxs_ptZ"


def _selection(card: RegionCard) -> str:
    hi = "inf" if card.slice.high_GeV is None else f"{card.slice.high_GeV:g}"
    text = f"{card.slice.low_GeV:g} GeV <= pt_Z < {hi} GeV"
    r = card.region
    if _is_stxs(card):
        return text
    side = ">" if r.above else "<"
    return f"{text} and m_ZH {side} {r.slope:.6g} * pt_Z + {r.intercept_GeV:.6g} GeV"


def _is_stxs(card: RegionCard) -> bool:
    return card.region.definition == STXS_DEFINITION


def _card_observable(card: RegionCard, obs: dict) -> POPxfObservable:
    """The card's region as an observable; STXS regions are named by slice only."""
    stxs = _is_stxs(card)
    name = f"{slice_slug(card.slice.model_dump())}_{slug(card.method)}" if stxs else None
    definition = {
        "selection": _selection(card),
        "method": card.method,
        "epsilon": None if stxs else card.epsilon,
        "slice": card.slice.model_dump(mode="json"),
        "region": card.region.model_dump(mode="json"),
    }
    mask = card_selects(card, obs["pt_Z"], obs["m_ZH"])
    return POPxfObservable(name or region_name(card), mask, definition)


def _design_step(card: RegionCard) -> dict[str, Any]:
    """The reproducibility step of the region design, from a card's provenance."""
    settings = {
        "benchmark": card.benchmark.model_dump(mode="json"),
        "process": card.process,
        **{k: v for k, v in card.provenance.model_dump(mode="json").items() if v},
    }
    eps = "" if _is_stxs(card) else f", epsilon = {card.epsilon:g}"
    return {
        "description": f"region design ({card.method}{eps}): mlstxs region cards "
        "(docs/study_format.md)",
        "tool": {"name": "mlstxs", "version": card.provenance.mlstxs_version, "settings": settings},
    }


def region_set_documents(sample: EventSample, cards: Iterable[RegionCard]) -> list[POPxfDocument]:
    """One POPxf document per region set.

    A region set is the regions of one method and ε, one per slice (disjoint, so their
    coefficients are uncorrelated); stem ``regions_<method>_eps<ε>``. STXS regions do not
    depend on ε: one set ``regions_stxs`` for all ε.

    Parameters
    ----------
    sample : EventSample
        The sample the regions are parametrised with.
    cards : iterable of RegionCard
        Region cards whose regions have SM events.

    Returns
    -------
    list of POPxfDocument
        In the order the sets first appear among ``cards``.
    """
    sets: dict[str, list[RegionCard]] = {}
    for card in cards:
        eps = "" if _is_stxs(card) else f"_eps{eps_tag(card.epsilon)}"
        group = sets.setdefault(f"regions_{slug(card.method)}{eps}", [])
        if all(c.slice != card.slice for c in group):
            group.append(card)
    obs = region_observables(sample.columns)
    docs = []
    for stem, group in sets.items():
        first = group[0]
        eps = "" if _is_stxs(first) else f" at epsilon = {first.epsilon:g}"
        description = f"SMEFT parametrisation of the {first.method} regions{eps}"
        observables = [_card_observable(c, obs) for c in group]
        docs.append(popxf_document(sample, observables, stem, description, [_design_step(first)]))
    return docs


def stxs_document(
    sample: EventSample, edges_GeV: Sequence[float] = STXS_SLICE_EDGES_GEV
) -> POPxfDocument:
    """The POPxf document of the STXS p_T(Z) bins, stem ``stxs_ptZ``.

    Parameters
    ----------
    sample : EventSample
        The weighted events; p_T(Z) [GeV] of the reconstructed ℓ⁻ℓ⁺
        (:meth:`EventSample.ptz_GeV`).
    edges_GeV : sequence of float
        Bin edges [GeV] (default 75, 150, 250, 400, ∞: :func:`mlstxs.regions.pt_slices`);
        bins are [low, high), as in :meth:`EventSample.cross_sections`.

    Returns
    -------
    POPxfDocument
        Bins without SM events are left out and named in ``misc.skipped_observables``.
    """
    pt = sample.ptz_GeV()
    observables, skipped = [], []
    for sl in pt_slices(edges_GeV):
        name, mask = slice_slug(sl.to_dict()), sl.contains(pt)
        if not sample.columns["w_sm"][mask].sum() > 0:
            skipped.append(name)
            continue
        hi = "inf" if sl.high_GeV == float("inf") else f"{sl.high_GeV:g}"
        definition = {
            "selection": f"{sl.low_GeV:g} GeV <= pt_Z < {hi} GeV",
            "slice": {"label": sl.label, **sl.to_dict()},
            "units": {"pt_Z": "GeV"},
        }
        observables.append(POPxfObservable(name, mask, definition))
    doc = popxf_document(
        sample, observables, STXS_STEM, "SMEFT parametrisation of the STXS p_T(Z) bins"
    )
    if skipped:
        doc.popxf["metadata"]["misc"]["skipped_observables"] = skipped
    return doc


@dataclass(frozen=True)
class POPxfExport:
    """The POPxf files written by :func:`write_popxf`.

    Attributes
    ----------
    directory : Path
        The ``popxf/`` directory.
    files : tuple of POPxfFile
        One per region set, then the STXS bins; each validated.
    """

    directory: Path
    files: tuple[POPxfFile, ...]

    def to_dict(self) -> dict[str, Any]:
        """Paths as strings."""
        return {"directory": str(self.directory), "files": [f.to_dict() for f in self.files]}

    def __repr__(self) -> str:
        names = ", ".join(f.path.name for f in self.files)
        return f"POPxfExport({str(self.directory)!r}: {names})"


def write_popxf(sample: EventSample, cards: Iterable[RegionCard], out_dir: Path) -> POPxfExport:
    """Write and validate the POPxf files of the region sets of ``cards`` and of the STXS bins.

    Parameters
    ----------
    sample : EventSample
        The sample the regions are parametrised with.
    cards : iterable of RegionCard
        Region cards whose regions have SM events.
    out_dir : Path
        Directory to write into (created if needed): ``<stem>.json`` and
        ``correlations/<stem>.json``.

    Returns
    -------
    POPxfExport
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    docs = [*region_set_documents(sample, cards), stxs_document(sample)]
    return POPxfExport(out_dir, tuple(d.write(out_dir) for d in docs))
