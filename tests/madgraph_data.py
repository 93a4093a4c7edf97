"""Minimal reader of the shared MadGraph + SMEFTsim LHE files, for cross-check tests only.

Returns per event the momenta (E, p_x, p_y, p_z) [GeV], PDG ids, helicities and the
reweighting weights. The package's own LHE reader is a separate, complete implementation.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SM_FILE = DATA / "ZH_llbb_SM_13TeV_LO_20k.lhe.gz"
CHW_FILE = DATA / "ZH_llbb_cHW1_rwgt_13TeV_LO_20k.lhe.gz"
_EVENT = re.compile(r"<event[^>]*>(.*?)</event>", re.S)
_WGT = re.compile(r"<wgt id=['\"](\w+)['\"]>\s*([-+\d.eE]+)")


def read_events(path: Path, max_events: int | None = None) -> dict[str, np.ndarray]:
    """Quark, antiquark, ℓ⁻, ℓ⁺, b + b̄ momenta, quark PDG id and helicities, rwgt weights."""
    if not path.is_file():
        pytest.skip(f"shared MadGraph file {path.name} not available")
    text = gzip.open(path, "rt").read()
    out: dict[str, list] = {
        k: [] for k in ("q", "qbar", "lm", "lp", "h", "q_pdg", "hel_q", "hel_lm")
    }
    weights: dict[str, list] = {}
    for i, block in enumerate(_EVENT.findall(text)):
        if max_events is not None and i >= max_events:
            break
        rows = [line.split() for line in block.strip().splitlines()[1:]]
        parts = [r for r in rows if len(r) >= 13 and not r[0].startswith("<")]
        mom = {}
        h = np.zeros(4)
        for r in parts:
            pdg, status = int(r[0]), int(r[1])
            p = np.array([float(r[9]), float(r[6]), float(r[7]), float(r[8])])
            if status == -1:
                mom["q" if pdg > 0 else "qbar"] = p
                if pdg > 0:
                    out["q_pdg"].append(pdg)
                    out["hel_q"].append(int(float(r[12])))
            elif status == 1 and pdg in (11, 13):
                mom["lm"] = p
                out["hel_lm"].append(int(float(r[12])))
            elif status == 1 and pdg in (-11, -13):
                mom["lp"] = p
            elif status == 1 and abs(pdg) == 5:
                h = h + p
        mom["h"] = h
        for k in ("q", "qbar", "lm", "lp", "h"):
            out[k].append(mom[k])
        for name, value in _WGT.findall(block):
            weights.setdefault(name, []).append(float(value))
    arrays = {k: np.array(v) for k, v in out.items()}
    arrays.update({f"w_{k}": np.array(v) for k, v in weights.items()})
    return arrays


def ptz(events: dict[str, np.ndarray]) -> np.ndarray:
    z = events["lm"] + events["lp"]
    return np.hypot(z[:, 1], z[:, 2])


def production_level_copy(source: Path, out: Path, n_events: int) -> Path:
    """The first ``n_events`` events of a decayed shared file (``p p > z h, z > l+ l-,
    h > b b~``) rewritten as a production-level (undecayed) MadGraph file.

    The decay products are dropped; the Z and H keep their lines, with status 1 and the
    four-momentum set to the sum of their decay products (written to 17 digits, so the
    parsed value is that float sum exactly) and the mass column to its invariant mass. The
    event weights and any ``<rwgt>`` block stay as they are, and so does the header apart
    from the process line: with no branching ratios stated in the file (its DECAY blocks
    give widths only), σ of the copy equals σ of the original events.
    """
    if not source.is_file():
        pytest.skip(f"shared MadGraph file {source.name} not available")
    lines, seen = [], 0
    event: list[str] = []
    with gzip.open(source, "rt") as f:
        for line in f:
            if event or line.startswith("<event>"):
                event.append(line)
                if line.startswith("</event>"):
                    lines += _undecayed_event(event)
                    event, seen = [], seen + 1
                    if seen == n_events:
                        break
                continue
            lines.append(re.sub(r"\s*,\s*z > l\+ l-\s*,\s*h > b b~", "", line))
    lines.append("</LesHouchesEvents>\n")
    out.write_text("".join(lines))
    return out


def _undecayed_event(block: list[str]) -> list[str]:
    """One ``<event>`` block (its lines) with Z and H undecayed (see above)."""
    head = block[1].split()
    particles = [line.split() for line in block[2:] if len(line.split()) == 13]
    tail = [line for line in block[2:] if len(line.split()) != 13]
    sums: dict[int, np.ndarray] = {}  # mother (1-based particle line) → Σ (px, py, pz, E)
    for r in particles:
        if int(r[1]) == 1:
            mother = int(r[2])
            sums[mother] = sums.get(mother, np.zeros(4)) + np.array([float(v) for v in r[6:10]])
    out = [block[0], " ".join(["4", *head[1:]]) + "\n"]
    for k, r in enumerate(particles, start=1):
        if int(r[1]) == -1:
            out.append(" ".join(r) + "\n")
        elif int(r[1]) == 2:
            p = sums[k]
            m = np.sqrt(max(p[3] ** 2 - p[0] ** 2 - p[1] ** 2 - p[2] ** 2, 0.0))
            nums = [f"{v:+.17e}" for v in (*p, m)]
            out.append(" ".join([r[0], "1", *r[2:6], *nums, *r[11:]]) + "\n")
    return out + tail
