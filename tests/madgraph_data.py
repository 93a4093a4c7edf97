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
