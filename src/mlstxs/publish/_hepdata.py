"""A HEPData submission of a region study, built with hepdata_lib and checked offline with
hepdata-validator.

Tables: the region definitions (from the region cards), one Asimov-significance table per ε
(mean ± standard deviation over the split ensemble, per method and p_T(Z) slice, from the
study records) and the SMEFT parametrisation σ(c)/σ_SM of every region.

``Submission.create_files`` of hepdata_lib 0.21 writes ``submission.tar.gz`` into the current
working directory; to keep every write at a path the caller chose, the files are written here
table by table with hepdata_lib's own writers and the archive is made by
:func:`hepdata_submission` only when an ``archive`` path is given.
"""

from __future__ import annotations

import math
import tarfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..study import RegionCard, StudyResult
from ._parametrisation import PAIR_SEP, RegionParametrisation, region_name

KEYWORDS = {
    "observables": ["pT(Z)", "m_ZH"],
    "reactions": ["P P --> Z H"],
    "phrases": ["SMEFT", "Simplified template cross sections", "Higgs", "Asimov significance"],
}
MISSING = "-"
"""HEPData's entry for a value that does not exist (the line of an STXS region)."""


class HEPDataValidationError(ValueError):
    """The written submission does not pass hepdata-validator."""


def _hepdata_lib() -> Any:
    try:
        with warnings.catch_warnings():  # hepdata-validator imports deprecated jsonschema API
            warnings.simplefilter("ignore", DeprecationWarning)
            import hepdata_lib
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError(
            "publishing to HEPData needs hepdata_lib: pip install hepdata_lib"
        ) from exc
    return hepdata_lib


def _num(value: float | None) -> float | str:
    return MISSING if value is None or not math.isfinite(value) else float(value)


def _variable(
    hl: Any,
    name: str,
    values: list,
    *,
    units: str = "",
    independent: bool = False,
    errors: list[float | None] | None = None,
    label: str = "",
) -> Any:
    """An unbinned hepdata_lib Variable, with one symmetric uncertainty if ``errors``."""
    var = hl.Variable(
        name,
        is_independent=independent,
        is_binned=False,
        units=units,
        zero_uncertainties_warning=False,
    )
    var.values = values
    if errors is not None:
        unc = hl.Uncertainty(label, is_symmetric=True)
        unc.values = [None if e is None or not math.isfinite(e) else float(e) for e in errors]
        var.add_uncertainty(unc)
    return var


def card_order(card: RegionCard, methods: Sequence[str] = ()) -> tuple:
    """Sort key of a region card: its slice's low edge (so [75,150] precedes [150,250], which
    a sort of the slice labels or card file names reverses), then ε, then the method in
    ``methods`` order (others after them, by name)."""
    rank = list(methods).index(card.method) if card.method in methods else len(methods)
    return (card.slice.low_GeV, card.epsilon, rank, card.method)


def _table(hl: Any, name: str, description: str, study: StudyResult) -> Any:
    table = hl.Table(name)
    table.description = description
    table.location = "mlstxs region study"
    table.keywords = {"cmenergies": [1000.0 * study.sqrt_s_TeV], **KEYWORDS}
    return table


def region_table(hl: Any, study: StudyResult, cards: Sequence[RegionCard]) -> Any:
    """Table of the region definitions: m_ZH > a·p_T^Z + b inside a p_T(Z) slice."""
    t = _table(
        hl,
        "Region definitions",
        "Regions m_ZH > a*pT(Z) + b (or m_ZH < a*pT(Z) + b where 'above' is 0) inside "
        "an STXS pT(Z) slice [low, high); STXS regions are the whole slice. a and b "
        "are the means over the split ensemble, uncertainties their standard "
        "deviation.",
        study,
    )
    spread = "spread over splits"
    t.add_variable(_variable(hl, "Region", [region_name(c) for c in cards], independent=True))
    t.add_variable(_variable(hl, "Method", [c.method for c in cards]))
    t.add_variable(_variable(hl, "Slice", [c.slice.label for c in cards]))
    t.add_variable(_variable(hl, "pT(Z) low", [c.slice.low_GeV for c in cards], units="GeV"))
    high = ["inf" if c.slice.high_GeV is None else c.slice.high_GeV for c in cards]
    t.add_variable(_variable(hl, "pT(Z) high", high, units="GeV"))
    t.add_variable(_variable(hl, "epsilon", [c.epsilon for c in cards]))
    t.add_variable(
        _variable(
            hl,
            "Slope a",
            [_num(c.region.slope) for c in cards],
            errors=[c.line_spread.slope_std for c in cards],
            label=spread,
        )
    )
    t.add_variable(
        _variable(
            hl,
            "Intercept b",
            [_num(c.region.intercept_GeV) for c in cards],
            units="GeV",
            label=spread,
            errors=[c.line_spread.intercept_std_GeV for c in cards],
        )
    )
    above = [MISSING if c.region.above is None else int(c.region.above) for c in cards]
    t.add_variable(_variable(hl, "above", above))
    return t


def significance_tables(hl: Any, study: StudyResult) -> list[Any]:
    """One table per ε: Asimov Z on the test sets, mean ± std over splits, method × slice."""
    ix = study.index
    lumi = study.luminosity_fb
    labels = [s.label for s in sorted(ix.slices, key=lambda s: s.low_GeV)]  # slice order
    tables = []
    for eps in ix.epsilons:
        t = _table(
            hl,
            f"Asimov significance eps {eps:g}",
            f"Asimov significance Z_A of each method's region in each STXS pT(Z) "
            f"slice for a fractional background uncertainty epsilon = {eps:g}; "
            "mean over the split ensemble, uncertainty the standard deviation; '-' "
            "where no split was evaluable.",
            study,
        )
        t.add_variable(_variable(hl, "pT(Z) slice [GeV]", labels, independent=True))
        for method in ix.methods:
            sums = [ix.summary(method, label, eps, "z_test") for label in labels]
            var = _variable(
                hl,
                f"Z_A {method}",
                [_num(s.mean) for s in sums],
                errors=[s.std for s in sums],
                label="std over splits",
            )
            var.add_qualifier("epsilon", eps)
            if lumi is not None:
                var.add_qualifier("Luminosity", lumi, "fb-1")
            t.add_variable(var)
        tables.append(t)
    return tables


def parametrisation_table(
    hl: Any, study: StudyResult, params: Sequence[RegionParametrisation]
) -> Any:
    """σ_SM and the coefficients A_a, B_ab of σ(c)/σ_SM per region, with MC errors."""
    t = _table(
        hl,
        "SMEFT parametrisation",
        "sigma(c)/sigma_SM = 1 + sum_a A_a c_a + sum_{a<=b} B_ab c_a c_b per region "
        "(c_a: coefficient of c_a/Lambda^2 O_a); uncertainties are MC-statistical.",
        study,
    )
    t.add_variable(_variable(hl, "Region", [p.name for p in params], independent=True))
    stat = "MC stat"
    t.add_variable(
        _variable(
            hl,
            "sigma_SM",
            [p.sigma_sm_pb for p in params],
            units="pb",
            errors=[p.sigma_sm_err_pb for p in params],
            label=stat,
        )
    )
    columns = list(zip(*(p.terms() for p in params), strict=True))  # one entry per term
    for column in columns:
        names = {c[0] for c in column}
        if len(names) != 1:
            raise ValueError(f"regions have different SMEFT terms: {sorted(names)}")
        key = PAIR_SEP.join(column[0][0])
        coef = "A" if len(column[0][0]) == 1 else "B"
        var = _variable(
            hl, f"{coef}_{key}", [c[1] for c in column], errors=[c[2] for c in column], label=stat
        )
        var.add_qualifier("Lambda", params[0].Lambda_TeV, "TeV")
        t.add_variable(var)
    return t


def build_submission(
    study: StudyResult,
    cards: Sequence[RegionCard],
    params: Sequence[RegionParametrisation],
    resources: Sequence[tuple[Path, str]] = (),
) -> Any:
    """The hepdata_lib ``Submission`` (not written); ``params`` matched to cards by name.
    The regions' rows are in slice order (:func:`card_order`), whatever the cards' order."""
    hl = _hepdata_lib()
    cards = sorted(cards, key=lambda c: card_order(c, study.methods))
    by_name = {p.name: p for p in params}
    missing = [region_name(c) for c in cards if region_name(c) not in by_name]
    if missing:
        raise ValueError(f"no parametrisation for region {missing[0]!r}")
    sub = hl.Submission()
    sub.comment = "SMEFT-sensitive STXS-like regions in p p -> Z(l l) H(b b), designed with mlstxs."
    sub.add_table(region_table(hl, study, cards))
    for table in significance_tables(hl, study):
        sub.add_table(table)
    sub.add_table(parametrisation_table(hl, study, [by_name[region_name(c)] for c in cards]))
    for path, description in resources:
        sub.add_additional_resource(description, str(path), copy_file=True)
    return sub


def write_submission(sub: Any, out_dir: Path) -> Path:
    """Write a hepdata_lib ``Submission`` into ``out_dir`` (no archive, nothing elsewhere)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    header = {
        "data_license": sub.get_license(),
        "comment": sub.comment,
        "additional_resources": sub.additional_resources,
    }
    with open(out_dir / "submission.yaml", "w", encoding="utf-8") as f:
        yaml.safe_dump(header, f, default_flow_style=False, explicit_start=True)
    for table in sub.tables:
        table.write_output(str(out_dir))
        table.copy_files(str(out_dir))
    sub.copy_files(str(out_dir))
    return out_dir


def validate_hepdata(path: Path) -> list[str]:
    """Messages of hepdata-validator for a submission directory or archive; empty if valid."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from hepdata_validator.full_submission_validator import FullSubmissionValidator

    path = Path(path)
    validator = FullSubmissionValidator(autoload_remote_schemas=False)
    kwargs = {"directory": str(path)} if path.is_dir() else {"archive": str(path)}
    if validator.validate(**kwargs):
        return []
    return [f"{file}: {m.message}" for file, msgs in validator.get_messages().items() for m in msgs]


def hepdata_submission(
    study: StudyResult,
    cards: Sequence[RegionCard],
    params: Sequence[RegionParametrisation],
    out_dir: Path,
    *,
    archive: Path | None = None,
    resources: Sequence[tuple[Path, str]] = (),
) -> Path:
    """Write and validate the HEPData submission of a region study.

    Parameters
    ----------
    study : StudyResult
        The study result (docs/study_format.md).
    cards : sequence of RegionCard
        The region cards (one table row each).
    params : sequence of RegionParametrisation
        Parametrisations named as :func:`region_name` of the cards.
    out_dir : Path
        Directory for ``submission.yaml`` and the table files (created if needed).
    archive : Path, optional
        Also write the upload archive (``.tar.gz``) here.
    resources : sequence of (Path, str)
        Files attached as additional resources, with descriptions.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    HEPDataValidationError
        If hepdata-validator rejects the written submission (messages included).
    """
    out_dir = write_submission(build_submission(study, cards, params, resources), out_dir)
    errors = validate_hepdata(out_dir)
    if errors:
        raise HEPDataValidationError("invalid HEPData submission: " + "; ".join(errors))
    if archive is not None:
        with tarfile.open(archive, "w:gz") as tar:
            for f in sorted(out_dir.iterdir()):
                tar.add(f, arcname=f.name)
    return out_dir
