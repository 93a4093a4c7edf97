"""``publish``: a region study's parametrisations, HEPData submission, POPxf files and pyhf
workspace, written as one staged output."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .._output import check_output, file_digest, staged_output
from ..io import EventSample
from ..study import RegionCard, StudyResult, card_selects, check_study_sample, load_card
from ._hepdata import card_order, hepdata_submission
from ._parametrisation import parametrise_cards, region_name, write_parametrisations
from ._popxf import write_popxf

WORKSPACE_NAME = "pyhf_workspace_STXS.json"


@dataclass(frozen=True)
class PublishResult:
    """What :func:`publish` wrote.

    Attributes
    ----------
    out_dir : Path
        The output directory.
    parametrisation : Path
        ``parametrisation.json`` (:func:`write_parametrisations`).
    hepdata : Path
        The HEPData submission directory.
    hepdata_archive : Path
        Its ``.tar.gz`` upload archive.
    pyhf_workspace : Path or None
        The copied pyhf workspace, if the study had one.
    n_regions : int
        Number of region cards published.
    skipped : tuple of str
        Cards left out because their region selects no SM cross section in the sample.
    popxf : Path or None
        The ``popxf/`` directory of validated POPxf files (:func:`write_popxf`).
    """

    out_dir: Path
    parametrisation: Path
    hepdata: Path
    hepdata_archive: Path
    pyhf_workspace: Path | None
    n_regions: int
    skipped: tuple[str, ...] = ()
    popxf: Path | None = None

    def to_dict(self) -> dict:
        """Paths as strings."""
        return {
            "out_dir": str(self.out_dir),
            "parametrisation": str(self.parametrisation),
            "hepdata": str(self.hepdata),
            "hepdata_archive": str(self.hepdata_archive),
            "pyhf_workspace": None if self.pyhf_workspace is None else str(self.pyhf_workspace),
            "n_regions": self.n_regions,
            "skipped": list(self.skipped),
            "popxf": None if self.popxf is None else str(self.popxf),
        }

    def __repr__(self) -> str:
        ws = "with" if self.pyhf_workspace else "without"
        skipped = f"; skipped (no SM events): {', '.join(self.skipped)}" if self.skipped else ""
        return (
            f"PublishResult({str(self.out_dir)!r}: {self.n_regions} regions, HEPData "
            f"submission, parametrisation, {ws} pyhf workspace{skipped})"
        )


def _load_cards(results_dir: Path, methods: list[str]) -> list[RegionCard]:
    """The region cards of a study, in slice order (by low edge), then ε and ``methods``
    order (:func:`card_order`; the file names would put [150,250] before [75,150])."""
    paths = sorted((results_dir / "cards").glob("*.json"))
    if not paths:
        raise ValueError(f"{results_dir / 'cards'}: no region cards (run the report first)")
    return sorted((load_card(p) for p in paths), key=lambda c: card_order(c, methods))


def _populated(sample: EventSample, cards: list) -> tuple[list, tuple[str, ...]]:
    """Cards whose region has a positive SM cross section in the sample, and the names of
    the others (a line that selects nothing cannot be parametrised)."""
    from ..observables import region_observables

    obs = region_observables(sample.columns)
    w_sm = sample.columns["w_sm"]
    keep, skipped = [], []
    for card in cards:
        if w_sm[card_selects(card, obs["pt_Z"], obs["m_ZH"])].sum() > 0:
            keep.append(card)
        else:
            skipped.append(region_name(card))
    return keep, tuple(skipped)


def publish(
    results_dir: Path, sample_path: Path, out_dir: Path, *, overwrite: bool = False
) -> PublishResult:
    """Publish a region study: SMEFT parametrisations, HEPData submission, pyhf workspace.

    Parameters
    ----------
    results_dir : Path
        The study directory with ``study.json`` and ``cards/*.json`` (docs/study_format.md).
    sample_path : Path
        The event sample the regions are parametrised with (``mlstxs.io`` sample directory).
    out_dir : Path
        Output directory; must not exist unless ``overwrite``.
    overwrite : bool
        Replace an existing ``out_dir`` that mlstxs wrote (only once everything new has been
        written).

    Returns
    -------
    PublishResult

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists and ``overwrite`` is false.
    mlstxs.report.StudyFormatError, ValueError, mlstxs.io.SampleFormatError
        If the study, a card or the sample is missing or invalid, or the sample is not the
        one the study ran on (:func:`mlstxs.study.check_study_sample`).
    """
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    check_output(
        out_dir, kind="publication", overwrite=overwrite, inputs=[results_dir, sample_path]
    )
    study = StudyResult.load(results_dir / "study.json")
    cards = _load_cards(results_dir, study.methods)
    sample = EventSample.load(sample_path)
    check_study_sample(study, sample_path, sample.metadata)
    cards, skipped = _populated(sample, cards)
    if not cards:
        raise ValueError("no region card selects any SM cross section in the sample")
    workspace = results_dir.parent / "limits" / WORKSPACE_NAME
    identity = {
        "study": file_digest(results_dir / "study.json"),
        "sample": file_digest(Path(sample_path) / "metadata.json"),
    }
    with staged_output(
        out_dir,
        kind="publication",
        identity=identity,
        overwrite=overwrite,
        inputs=[results_dir, sample_path],
        resumable=False,
    ) as stage:
        tmp = stage.work
        params = parametrise_cards(sample, cards)
        write_parametrisations(params, tmp / "parametrisation.json")
        write_popxf(sample, cards, tmp / "popxf")  # POPxf files, validated (docs/popxf.md)
        resources = [
            (
                tmp / "parametrisation.json",
                "SMEFT parametrisation of the regions (EFT2Obs-style JSON)",
            )
        ]
        if workspace.is_file():
            shutil.copy2(workspace, tmp / WORKSPACE_NAME)
            resources.append((tmp / WORKSPACE_NAME, "pyhf workspace of the STXS fit"))
        hepdata_submission(
            study,
            cards,
            params,
            tmp / "hepdata",
            archive=tmp / "hepdata.tar.gz",
            resources=resources,
        )
    return PublishResult(
        out_dir=out_dir,
        parametrisation=out_dir / "parametrisation.json",
        hepdata=out_dir / "hepdata",
        hepdata_archive=out_dir / "hepdata.tar.gz",
        pyhf_workspace=out_dir / WORKSPACE_NAME if workspace.is_file() else None,
        n_regions=len(cards),
        skipped=skipped,
        popxf=out_dir / "popxf",
    )
