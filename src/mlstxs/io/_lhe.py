"""Reading MadGraph5_aMC@NLO Les Houches event files (``.lhe``, ``.lhe.gz``) into event samples.

Parsing uses pylhe (``pylhe.LHEFile.fromfile`` + ``pylhe.to_awkward``); the selection of
particles, the p_T ordering and the weight conversion are then array operations.

Kinematics
    ℓ⁻ (PDG 11, 13) and ℓ⁺ (−11, −13) and the two b quarks (|PDG| = 5), all with status 1, fill
    ``lm_*``, ``lp_*``, ``b1_*``, ``b2_*`` (b1/b2 by decreasing p_T), in GeV. The incoming partons
    (status −1) give x₁ = E/E_A for the one moving along +z (beam A) and x₂ = E/E_B for the other;
    ``init_pdg`` is the PDG id of the beam-A parton, ``lep_pdg`` that of ℓ⁻, ``mu_GeV`` SCALUP.

Production-level files
    A file whose first event has the Z (PDG 23) and the H (25) with status 1 (MadGraph
    ``p p > z h`` without decays) is read as a production-level sample: ``Z_*`` and ``H_*``
    hold their four-momenta, there are no decay-product columns and no ``lep_pdg``, and the
    metadata says ``decays = "undecayed"`` (``docs/sample_format.md``). Its weights are
    σ(pp → ZH) without decay branching ratios (a note says so). Only one of Z and H undecayed
    is refused.

Normalisation
    MadGraph writes "average" weights (IDWTUP = ±3/±4 with XWGTUP = σ for unweighted events):
    σ(selection) = Σ_sel w / N with N the number of events in the file. The reader divides every
    weight (nominal and ``<rwgt>``) by the number N of events read, so that the weights are in
    pb per event with Σw = σ, as ``docs/sample_format.md`` requires; ``n_trials`` = N. N is not
    taken from the header, whose event count can describe a larger run (the shared SM file is
    the first 20k events of a 200k run). For unweighted files Σ w_nominal equals the ``<init>``
    cross section exactly; ``LHEResult.closure["nominal_vs_init"]`` records the comparison.
    Errors stored in the metadata: √(Σw² − (Σw)²/N) (the spread of the weights, e.g. of
    w_sm/w_nominal for an EFT-generated file) ⊕ Σw·δσ_init/σ_init (the integration error that
    scales all weights), in quadrature; δσ_init/σ_init is recorded as ``xsec_norm_rel_error``
    (:func:`mlstxs.io.term_cross_sections`). NaN or infinite weights and momenta are refused,
    naming the event (0-based, in file order) and the weight id or column.

Reweighting and the polynomial
    With reweighting weights w(c_p) at points c_p the per-event coefficients of
    w(c) = w_sm + Σ c_a w_a + Σ c_a c_b w_ab are solved by least squares
    (:mod:`mlstxs.io._lhe_polynomial`, which also documents how ids such as ``cHW_m1p0`` are
    parsed). Without reweighting (``reweighting={}`` or a file with no parsable ids) the
    sample has no operators and ``w_sm`` holds the nominal weight, which is the SM weight only
    for an SM-generated file (a note says so).

Helicity: per-event weights are not helicity sums
    MadGraph keeps each event's sampled helicities and reweights |M(c)|² *at those helicities*.
    The per-event ratio w_cHW/w_sm therefore is the ratio of one helicity configuration and
    differs from the helicity-summed ratio of :func:`mlstxs.physics.squared_me_terms` at the
    same momenta. Helicities are drawn ∝ |M|², so sums over events (cross sections, histograms)
    are unbiased; only per-event weight ratios (e.g. as regression targets) are
    helicity-specific. Use summed quantities, or the closed form, where that matters.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import warnings
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..physics import validate_operators, weight_term_names
from ._checks import check_finite, term_cross_sections
from ._lhe_polynomial import detect_reweighting, solve_polynomial
from ._metadata import SampleFormatError, SampleMetadata, package_versions
from ._sample import EventSample

_READ_ERRORS = (ValueError, KeyError, IndexError, EOFError, OSError, zlib.error, ET.ParseError)

_PRODUCTION_NOTE = (
    "production level: undecayed Z and H (status 1), no decay products; weights are "
    "sigma(pp -> ZH) without decay branching ratios"
)


@dataclass(frozen=True)
class LHEHeaderInfo:
    """Run information from the LHE header and ``<init>`` block (``None`` where absent)."""

    process: list[str]
    model: str | None
    pdf: str | None
    generator: str | None
    sqrt_s_GeV: float
    xsec_pb: float
    xsec_error_pb: float
    lambda_TeV: float | None
    weight_ids: list[str]
    n_events_header: int | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LHEResult:
    """A sample read from an LHE file: the sample, closure figures and header information.

    ``weights`` maps ``"nominal"`` and every ``<rwgt>`` id to the per-event weights [pb].
    """

    sample: EventSample
    closure: dict
    header: LHEHeaderInfo
    weights: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    def __repr__(self) -> str:
        fit = self.closure.get("fit_max_rel")
        tail = f", fit closure max {fit:.2g}" if fit is not None else ""
        return f"LHEResult({self.sample!r}, σ_init = {self.header.xsec_pb:.6g} pb{tail})"

    def to_dict(self) -> dict:
        return {
            "metadata": self.sample.metadata.model_dump(mode="json"),
            "closure": self.closure,
            "header": self.header.to_dict(),
        }


class LHEPair(NamedTuple):
    """Two-sample mode: an SM-generated and an EFT-generated sample (compare distributions)."""

    sm: EventSample
    eft: EventSample
    point: dict[str, float]


def _counted(events: Iterable, counter: list[int]) -> Iterator:
    for ev in events:
        yield ev
        counter[0] += 1


def _read_awkward(path: Path, max_events: int | None) -> tuple[Any, Any]:
    """pylhe file object and the awkward array of events; every failure → SampleFormatError."""
    try:
        import pylhe
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("reading LHE files needs pylhe: pip install pylhe") from exc
    if not path.is_file():
        raise SampleFormatError(f"{path}: no such file")
    counter = [0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            lhef = pylhe.LHEFile.fromfile(path)
        except _READ_ERRORS as exc:
            raise SampleFormatError(f"{path}: not a Les Houches event file ({exc})") from None
        events = _counted(lhef.events, counter)
        try:
            arr = pylhe.to_awkward(itertools.islice(events, max_events))
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise SampleFormatError(
                f"{path}: truncated or corrupt compressed file at event {counter[0]} ({exc})"
            ) from None
        except _READ_ERRORS as exc:
            raise SampleFormatError(f"{path}: unreadable event {counter[0]} ({exc!r})") from None
        finally:
            # pylhe types LHEFile.events as Iterable; fromfile() (generator=True) sets a generator
            lhef.events.close()  # type: ignore[attr-defined]
    for w in caught:
        if "Parse Error" in str(w.message):
            event, line, why = _xml_break(path, str(w.message))
            raise SampleFormatError(f"{path}: broken XML at event {event}, line {line} ({why})")
    if counter[0] == 0:
        raise SampleFormatError(f"{path}: the file holds no events")
    return lhef, arr


def _xml_break(path: Path, message: str) -> tuple[int, int, str]:
    """Event index (0-based, file order), line number and reason of an XML error.

    The parser's position is where it noticed the damage: for an ``<event>`` that is never
    closed that is the end of the file (the later events nest inside it, so counting the
    events read names the last one). The file is therefore scanned line by line for an
    ``<event>`` opened before the previous one closed; otherwise the event open at the
    parser's line (or the next one) is named. Runs only on the error path.
    """
    pos = re.search(r"line (\d+), column", message)
    error_line = int(pos[1]) if pos else None
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    started, open_at = 0, None
    try:
        with opener(path, "rt", errors="replace") as f:
            for number, text in enumerate(f, 1):
                if error_line is not None and number >= error_line:
                    break
                tag = text.lstrip()
                if tag.startswith(("<event>", "<event ")):
                    if open_at is not None:
                        return started - 1, open_at, "<event> not closed before the next one"
                    started, open_at = started + 1, number
                elif tag.startswith("</event>"):
                    open_at = None
    except (OSError, EOFError, zlib.error):
        pass
    return (started - 1 if open_at is not None else started), error_line or 0, message


def _one_per_event(path: Path, particles: Any, mask: Any, n: int, what: str) -> Any:
    import awkward as ak

    count = ak.to_numpy(ak.sum(mask, axis=1))
    bad = np.flatnonzero(count != n)
    if bad.size:
        raise SampleFormatError(f"{path}: event {bad[0]} has {count[bad[0]]} {what}, expected {n}")
    sel = particles[mask]
    mom = np.stack([ak.to_numpy(ak.flatten(sel["vector", k])) for k in ("e", "px", "py", "pz")])
    pid = ak.to_numpy(ak.flatten(sel["id"]))
    return mom.reshape(4, -1, n), pid.reshape(-1, n)  # (4, N, n), (N, n)


def _decays(path: Path, particles: Any) -> str:
    """``"undecayed"`` if the first event has Z and H with status 1, else ``"llbb"``."""
    import awkward as ak

    first = particles[0]
    z, h = (int(ak.sum((first["status"] == 1) & (first["id"] == k))) for k in (23, 25))
    if z and h:
        return "undecayed"
    if z or h:
        kept, gone = ("Z", "H") if z else ("H", "Z")
        raise SampleFormatError(
            f"{path}: event 0 has an undecayed {kept} but a decayed {gone}; supported are "
            "files with both decayed (Z → ℓℓ, H → b b̄) or both undecayed (production level)"
        )
    return "llbb"


def _decay_products(path: Path, p: Any) -> dict[str, np.ndarray]:
    """ℓ⁻, ℓ⁺ and the two b's (by decreasing p_T), (4, N) each, and ``lep_pdg``."""
    st, pid = p["status"], p["id"]
    lm, lm_id = _one_per_event(path, p, (st == 1) & ((pid == 11) | (pid == 13)), 1, "ℓ⁻")
    lp, _ = _one_per_event(path, p, (st == 1) & ((pid == -11) | (pid == -13)), 1, "ℓ⁺")
    bb, _ = _one_per_event(path, p, (st == 1) & (abs(pid) == 5), 2, "b quarks")
    order = np.argsort(-np.hypot(bb[1], bb[2]), axis=1, kind="stable")
    bb = np.take_along_axis(bb, order[None], axis=2)
    moms = {"lm": lm[:, :, 0], "lp": lp[:, :, 0], "b1": bb[:, :, 0], "b2": bb[:, :, 1]}
    return moms | {"lep_pdg": lm_id[:, 0].astype(np.int8)}


def _bosons(path: Path, p: Any) -> dict[str, np.ndarray]:
    """The undecayed Z and H (status 1) of a production-level file, (4, N) each."""
    st, pid = p["status"], p["id"]
    z, _ = _one_per_event(path, p, (st == 1) & (pid == 23), 1, "undecayed Z (status 1)")
    h, _ = _one_per_event(path, p, (st == 1) & (pid == 25), 1, "undecayed H (status 1)")
    return {"Z": z[:, :, 0], "H": h[:, :, 0]}


def _kinematics(
    path: Path, arr: Any, beam_GeV: tuple[float, float]
) -> tuple[dict[str, np.ndarray], str]:
    """The per-event columns of ``docs/sample_format.md`` other than the weights, and the
    metadata ``decays`` (``"llbb"``, or ``"undecayed"`` for a production-level file)."""
    import awkward as ak

    p = arr["particles"]
    decays = _decays(path, p)
    objects = _bosons(path, p) if decays == "undecayed" else _decay_products(path, p)
    inc, inc_id = _one_per_event(path, p, p["status"] == -1, 2, "incoming partons")
    a_first = inc[3, :, 0] >= inc[3, :, 1]  # parton 0 moves along +z: it is from beam A
    ia = np.where(a_first, 0, 1)[:, None]
    rows = np.arange(len(ia))
    cols: dict[str, np.ndarray] = {}
    for name, mom in objects.items():
        if name == "lep_pdg":
            continue
        for k, comp in enumerate(("E", "px", "py", "pz")):
            cols[f"{name}_{comp}"] = np.ascontiguousarray(mom[k], dtype=float)
    cols["x1"] = inc[0, rows, ia[:, 0]] / beam_GeV[0]
    cols["x2"] = inc[0, rows, 1 - ia[:, 0]] / beam_GeV[1]
    cols["mu_GeV"] = ak.to_numpy(arr["eventinfo", "scale"]).astype(float)
    cols["init_pdg"] = inc_id[rows, ia[:, 0]].astype(np.int8)
    if "lep_pdg" in objects:
        cols["lep_pdg"] = objects["lep_pdg"]
    return cols, decays


def _raw_weights(path: Path, arr: Any, needed: Sequence[str]) -> dict[str, np.ndarray]:
    """Nominal and ``<rwgt>`` weights as in the file; a needed id missing → error."""
    import awkward as ak

    out = {"nominal": ak.to_numpy(arr["eventinfo", "weight"]).astype(float)}
    ids = ak.fields(arr["weights"]) if "weights" in ak.fields(arr) else []
    for wid in needed:
        if wid not in ids:
            raise SampleFormatError(f"{path}: weight id '{wid}' missing (first at event 0)")
    for wid in ids:
        col = arr["weights", wid]
        missing = ak.to_numpy(ak.is_none(col, axis=0))
        if missing.any():
            if wid in needed:
                raise SampleFormatError(
                    f"{path}: weight id '{wid}' missing at event {int(np.argmax(missing))}"
                )
            continue
        out[wid] = ak.to_numpy(col).astype(float)
    return out


def _element_text(lhef: Any, tag: str) -> str:
    header = lhef.header
    for el in getattr(header, "extra_elements", []) if header else []:
        if el.tag == tag:
            return "".join(el.itertext())
    return ""


def _header_info(lhef: Any, weight_ids: list[str]) -> LHEHeaderInfo:
    proc_card, run_card = _element_text(lhef, "MG5ProcCard"), _element_text(lhef, "MGRunCard")
    slha, gen_info = _element_text(lhef, "slha"), _element_text(lhef, "MGGenerationInfo")
    model = re.search(r"^\s*import model\s+(\S+)", proc_card, re.M)
    pdlabel = re.search(r"^\s*(\S+)\s*=\s*pdlabel", run_card, re.M)
    cutoff = re.search(r"BLOCK SMEFTCUTOFF[^\n]*\n\s*1\s+(\S+)", slha, re.I)
    n_head = re.search(r"Number of Events\s*:\s*(\d+)", gen_info)
    init = lhef.init
    info = init.initInfo
    pdf = f"{pdlabel[1] if pdlabel else 'LHAPDF'} (LHAPDF id {info.PDFsetA})"
    gens = [f"{g.name} {g.version}" for g in getattr(init, "generators", []) or []]
    return LHEHeaderInfo(
        process=re.findall(r"^\s*(?:generate|add process)\s+(.+?)\s*$", proc_card, re.M),
        model=model[1] if model else None,
        pdf=pdf,
        generator=gens[0] if gens else None,
        sqrt_s_GeV=float(2.0 * np.sqrt(info.energyA * info.energyB)),
        xsec_pb=float(sum(p.xSection for p in init.procInfo)),
        xsec_error_pb=float(np.sqrt(sum(p.error**2 for p in init.procInfo))),
        lambda_TeV=float(cutoff[1]) / 1000.0 if cutoff else None,
        weight_ids=weight_ids,
        n_events_header=int(n_head[1]) if n_head else None,
    )


def read_lhe(
    path: str | Path,
    *,
    reweighting: Mapping[str, Mapping[str, float]] | None = None,
    operators: Sequence[str] | None = None,
    max_events: int | None = None,
    holdout: Sequence[str] | None = None,
) -> LHEResult:
    """Read a MadGraph LHE file into an :class:`EventSample` with its weight polynomial.

    Parameters
    ----------
    path : str or Path
        ``.lhe`` or gzip-compressed ``.lhe.gz`` file.
    reweighting : mapping, optional
        Weight id → point c, e.g. ``{"cHW_0p0": {"cHW": 0}, "cHW_m1p0": {"cHW": -1}, ...}``.
        ``None`` detects it from the ids (``mlstxs.io._lhe_polynomial``); ``{}`` reads the
        nominal weight only (into ``w_sm``).
    operators : sequence of str, optional
        Operators of the polynomial; default: those named in ``reweighting``.
    max_events : int, optional
        Read only the first events (weights are normalised to the number read).
    holdout : sequence of str, optional
        Ids predicted but not fitted (closure check); default: ids containing ``"check"``.

    Returns
    -------
    LHEResult
        The sample (weights in pb per event, Σw = σ), closure figures, header information.

    Raises
    ------
    SampleFormatError
        Unreadable, truncated or foreign files, broken events, missing weight ids, or
        reweighting points that cannot determine the polynomial; messages name the event.
    """
    path = Path(path)
    if max_events is not None and not max_events >= 1:
        raise ValueError(f"max_events must be a positive number of events, got {max_events}")
    lhef, arr = _read_awkward(path, max_events)
    ids = list(lhef.header.initrwgt.weights_by_id()) if lhef.header else []
    rw = (
        detect_reweighting(ids)
        if reweighting is None
        else {k: dict(v) for k, v in reweighting.items()}
    )
    raw = _raw_weights(path, arr, list(rw))
    header = _header_info(lhef, [k for k in raw if k != "nominal"])
    cols, decays = _kinematics(path, arr, (lhef.init.initInfo.energyA, lhef.init.initInfo.energyB))
    _check_numbers(path, raw, cols, header)
    n = len(raw["nominal"])
    raw = {k: v / n for k, v in raw.items()}  # "average" weights → pb per event, Σw = σ
    named = {op for c in rw.values() for op in c}
    ops = validate_operators(operators if operators is not None else named) if rw else ()
    held = [k for k in rw if "check" in k] if holdout is None else list(holdout)
    if rw:
        terms, closure = solve_polynomial(raw, rw, ops, held)
        notes = [
            f"weight polynomial from MadGraph reweighting: {json.dumps(rw)}",
            f"closure: {json.dumps(closure)}",
        ]
    else:
        terms, closure = {"w_sm": raw["nominal"]}, {}
        notes = ["no reweighting: w_sm holds the nominal (generation-point) weight"]
    rel_init = header.xsec_error_pb / header.xsec_pb if header.xsec_pb else 0.0
    s_nom = float(raw["nominal"].sum())
    closure["nominal_vs_init"] = {
        "sum_pb": s_nom,
        "init_pb": header.xsec_pb,
        "rel_diff": s_nom / header.xsec_pb - 1.0,
    }
    if decays == "undecayed":
        notes.append(_PRODUCTION_NOTE)
    meta = SampleMetadata(
        source=f"MadGraph LHE: {path.name}",
        level="parton",
        decays=decays,
        operators=list(ops),
        lambda_TeV=header.lambda_TeV or 1.0,
        sqrt_s_GeV=header.sqrt_s_GeV,
        weight_terms=weight_term_names(ops),
        n_trials=n,
        n_events=n,
        xsec=term_cross_sections(terms, terms, n, rel_init),
        xsec_norm_rel_error=rel_init,
        generator=None,
        versions=package_versions() | {"pylhe": _pylhe_version()},
        notes=[*notes, f"weights = LHE weight / {n} events read ('average' normalisation)"],
    )
    sample = EventSample({**cols, **terms, "w_nominal": raw["nominal"]}, meta)
    return LHEResult(sample=sample, closure=closure, header=header, weights=raw)


def _check_numbers(
    path: Path, raw: Mapping[str, np.ndarray], cols: Mapping[str, np.ndarray], header
) -> None:
    """NaN/inf in a weight, a momentum or the ``<init>`` cross section → SampleFormatError
    naming the event and the weight id or column (event index 0-based, in file order)."""
    try:
        check_finite(raw, list(raw), what="LHE weight")
        check_finite(cols, list(cols), what="column")
    except SampleFormatError as exc:
        raise SampleFormatError(f"{path}: {exc}") from None
    init = (header.xsec_pb, header.xsec_error_pb)
    if not all(np.isfinite(init)):
        raise SampleFormatError(
            f"{path}: <init> cross section {init[0]} ± {init[1]} pb is not finite"
        )


def _pylhe_version() -> str:
    import pylhe

    return str(pylhe.__version__)


def read_lhe_pair(
    sm_path: str | Path, eft_path: str | Path, operator: str, value: float
) -> LHEPair:
    """Two-sample mode: an SM-generated and an EFT-generated file, nominal weights only.

    Each sample has no operators; ``w_sm`` holds the file's nominal weight (for the EFT file
    that is the weight at ``operator = value``, recorded in a note). This mode compares
    distributions of two generation points; the weight polynomial of each event needs
    reweighting weights (:func:`read_lhe` with ``reweighting``).
    """
    (op,) = validate_operators([operator])
    sm = read_lhe(sm_path, reweighting={}).sample
    eft = read_lhe(eft_path, reweighting={}).sample
    note = f"generated at {op} = {value:g}: w_sm holds the EFT weight w({op}={value:g})"
    return LHEPair(sm, eft._derived(dict(eft.columns), note), {op: float(value)})
